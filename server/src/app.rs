//! Puts the services and layers together into the one service the server
//! runs, outside in:
//!
//! 1. [`GuardLayer`]: a foreign `Host` is answered `421`, a refused `Origin` `403`;
//! 2. CORS ([`cors_layer`]): answers preflights, adds the allow/expose headers
//!    (only where a browser may read them: [`cors::for_browsers`]);
//! 3. `Steer` ([`routing::branch`]): gRPC by content type, the rest to the page;
//! 4. the gRPC branch: the call's protocol noted ([`routing::tag_protocol`]),
//!    gRPC-Web translation (`tonic_web::GrpcWebLayer`), the request body
//!    limits ([`request_body`], inside the translation so their statuses
//!    reach tonic as they are), the call log ([`call_log_layer`]),
//!    deadlines ([`DeadlineLayer`]) and tonic's routes, each service behind
//!    its own pool ([`QueueLimitLayer`]) and decoding at most
//!    [`MAX_DECODING_MESSAGE_SIZE`] bytes;
//! 5. the page's branch: one of the connection's open files held per
//!    request ([`hold_a_file_per_request`]), a debug log line per request,
//!    a pool of its own, the fixed security headers, then the files
//!    ([`Site::service`]).
//!
//! The pools sit inside the deadlines so that a call waiting for a slot is
//! still answered `DeadlineExceeded` at its deadline. That deadline is the
//! only one: the server runs on hyper directly ([`crate::connections`]), and
//! tonic's routes apply no `grpc-timeout` of their own (a test of the
//! e2e suite, `deadlines_are_the_servers_own`, fails if that changes).

use std::convert::Infallible;
use std::net::SocketAddr;

use http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, RETRY_AFTER, VARY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use http::{HeaderValue, Request, Response, StatusCode};
use proto::breaker::v1::fleet_server::FleetServer;
use proto::greeter::faults_server::FaultsServer;
use proto::greeter::greeter_server::GreeterServer;
use tonic::body::Body;
use tonic::service::Routes;
use tonic_web::GrpcWebLayer;
use tower::steer::Steer;
use tower::util::BoxCloneService;
use tower::{Layer, Service, ServiceBuilder};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::Error;
use crate::bench_layers::{self, BenchLayer};
use crate::config::Config;
use crate::cors::{self, OriginPolicy, cors_layer};
use crate::deadline::DeadlineLayer;
use crate::faults::{FaultState, FaultsService};
use crate::file_budget::hold_a_file_per_request;
use crate::fleet::{FleetService, StopWatchers};
use crate::greeter::{GreeterService, MAX_DECODING_MESSAGE_SIZE};
use crate::guard::GuardLayer;
use crate::host::HostPolicy;
use crate::limit::QueueLimitLayer;
use crate::logging::call_log_layer;
use crate::page_headers::csp_header;
use crate::plain_text::plain_text;
use crate::request_body::{self, BodyLimits};
use crate::routing::{self, HttpService};
use crate::static_files::Site;
use crate::telemetry::{self, Limit};

/// The assembled server, ready to serve on connections.
pub(crate) struct App {
    /// The service answering every request.
    pub(crate) service: HttpService,
    /// The host names answered.
    pub(crate) hosts: HostPolicy,
    /// Whether the page is served.
    pub(crate) site: Site,
    /// Ends the fleet's watch streams when the server stops.
    pub(crate) stop_watchers: StopWatchers,
}

impl App {
    /// Builds the server for `config`, with fault controls when `faults_enabled`.
    pub(crate) fn build(
        config: &Config,
        faults: FaultState,
        faults_enabled: bool,
        local: SocketAddr,
    ) -> Result<Self, Error> {
        config.validate()?;
        let origins = OriginPolicy::new(&config.allowed_origins)?;
        let (fleet, stop_watchers) = FleetService::new(
            config.shared_state.as_deref(),
            faults_enabled,
            config.max_watchers,
        )
        .map_err(|error| Error::Config(format!("--shared-state: {error}")))?;
        let hosts = HostPolicy::new(&origins, &config.allowed_hosts, local);
        let site = Site::find(config.static_dir.as_deref());
        let connect_to: Vec<String> = origins.extra().iter().map(ToString::to_string).collect();

        let keeps = |layer| bench_layers::keeps(&config.bench_without, layer);
        if !config.bench_without.is_empty() {
            tracing::warn!(
                without = ?config.bench_without,
                "benchmark only: layers left out; do not serve with --bench-without"
            );
        }
        let grpc = ServiceBuilder::new()
            .map_request(routing::tag_protocol::<Body>)
            .option_layer(keeps(BenchLayer::GrpcWeb).then(GrpcWebLayer::new))
            .option_layer(keeps(BenchLayer::BodyLimits).then(|| {
                request_body::layer(BodyLimits {
                    idle: config.body_timeout,
                    deadline: config.body_deadline,
                    max_bytes: config.max_request_body_bytes,
                })
            }))
            .option_layer(keeps(BenchLayer::CallLog).then(|| {
                ServiceBuilder::new()
                    .map_response(box_body)
                    .layer(call_log_layer())
            }))
            .option_layer(
                keeps(BenchLayer::Deadline).then(|| DeadlineLayer::new(config.request_timeout)),
            )
            .service(grpc_routes(config, faults, faults_enabled, fleet));
        let page = ServiceBuilder::new()
            .map_response(box_body)
            .layer(
                TraceLayer::new_for_http()
                    .on_request(())
                    .on_eos(())
                    .on_failure(()),
            )
            .layer(QueueLimitLayer::new(
                config.page_max_concurrent_requests,
                config.page_max_queued_requests,
                page_busy,
            ))
            .layer(header(X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .layer(header(X_FRAME_OPTIONS, "DENY"))
            .layer(header(REFERRER_POLICY, "no-referrer"))
            .layer(SetResponseHeaderLayer::overriding(
                CONTENT_SECURITY_POLICY,
                csp_header(&site.index_html(), &connect_to),
            ))
            // The same URL is sent brotli, gzip or plain: caches must tell them apart.
            .layer(SetResponseHeaderLayer::appending(
                VARY,
                HeaderValue::from_static("accept-encoding"),
            ))
            .service(site.service());
        let routes = boxed(Steer::new(
            [boxed(grpc), hold_a_file_per_request(boxed(page))],
            routing::branch,
        ));
        let guard =
            keeps(BenchLayer::Guard).then(|| GuardLayer::new(hosts.clone(), origins.clone()));
        let routes = match keeps(BenchLayer::Cors) {
            true => cors::for_browsers(cors_layer(origins), routes),
            false => routes,
        };
        let service = ServiceBuilder::new().option_layer(guard).service(routes);
        Ok(Self {
            service: boxed(service),
            hosts,
            site,
            stop_watchers,
        })
    }
}

/// tonic's routes: Greeter and Fleet always, Faults when enabled (else
/// `Unimplemented`), each behind a pool of its own.
fn grpc_routes(
    config: &Config,
    faults: FaultState,
    faults_enabled: bool,
    fleet: FleetService,
) -> Routes {
    let greeter = GreeterServer::new(GreeterService::new(faults.clone()))
        .max_decoding_message_size(MAX_DECODING_MESSAGE_SIZE);
    let mut routes = Routes::builder();
    if bench_layers::keeps(&config.bench_without, BenchLayer::QueueLimit) {
        routes.add_service(
            QueueLimitLayer::new(
                config.max_concurrent_requests,
                config.max_queued_requests,
                greeter_busy,
            )
            .layer(greeter),
        );
    } else {
        routes.add_service(greeter);
    }
    if faults_enabled {
        let controls = FaultsServer::new(FaultsService::new(faults))
            .max_decoding_message_size(MAX_DECODING_MESSAGE_SIZE);
        routes.add_service(
            QueueLimitLayer::new(
                config.faults_max_concurrent_requests,
                config.faults_max_queued_requests,
                faults_busy,
            )
            .layer(controls),
        );
    }
    let fleet = FleetServer::new(fleet).max_decoding_message_size(MAX_DECODING_MESSAGE_SIZE);
    routes.add_service(
        QueueLimitLayer::new(
            config.fleet_max_concurrent_requests,
            config.fleet_max_queued_requests,
            fleet_busy,
        )
        .layer(fleet),
    );
    routes.routes().prepare()
}

/// Sets `name: value` on every answer of the page, whatever was there.
fn header(name: http::HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
}

/// The answer to a SayHello call that finds its pool's queue full.
fn greeter_busy() -> Response<Body> {
    telemetry::refused(Limit::GreeterQueue);
    grpc_busy()
}

/// The answer to a fault-control call that finds its pool's queue full.
fn faults_busy() -> Response<Body> {
    telemetry::refused(Limit::FaultsQueue);
    grpc_busy()
}

/// The answer to a fleet call that finds its pool's queue full.
fn fleet_busy() -> Response<Body> {
    telemetry::refused(Limit::FleetQueue);
    grpc_busy()
}

/// The answer to a gRPC call that finds its pool's queue full.
fn grpc_busy() -> Response<Body> {
    tonic::Status::resource_exhausted("server busy: too many calls waiting; try again later")
        .into_http()
}

/// The answer to a page request that finds its pool's queue full.
fn page_busy() -> Response<Body> {
    telemetry::refused(Limit::PageQueue);
    let mut response = plain_text(
        StatusCode::SERVICE_UNAVAILABLE,
        "Server busy; try again later.\n",
    );
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

/// A response with its body boxed as tonic's, the one body type every branch answers with.
fn box_body<B>(response: Response<B>) -> Response<Body>
where
    B: http_body::Body<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<tower::BoxError>,
{
    response.map(Body::new)
}

fn boxed<S>(service: S) -> HttpService
where
    S: Service<Request<Body>, Response = Response<Body>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    BoxCloneService::new(service)
}
