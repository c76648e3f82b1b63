//! Puts the services and layers together into the one service the server runs.
//!
//! From the outside in:
//!
//! 1. [`GuardLayer`]: a foreign `Host` is answered `421`, a refused `Origin` `403`;
//! 2. CORS ([`cors_layer`]): answers preflights, adds the allow/expose headers;
//! 3. [`Dispatch`]: gRPC by content type, the rest to the page ([`Site`]);
//! 4. on the gRPC branch: gRPC-Web translation (`tonic_web::GrpcWebLayer`),
//!    the request body limits ([`request_body`], inside the translation so
//!    their statuses reach tonic as they are), the call log
//!    ([`CallLogLayer`]), deadlines ([`DeadlineLayer`]) and tonic's routes,
//!    each service behind its own pool ([`QueueLimitLayer`]) and decoding at
//!    most [`MAX_DECODING_MESSAGE_SIZE`] bytes;
//! 5. on the page's branch: a pool of its own, then the files.
//!
//! The pools sit inside the deadlines so that a call waiting for a slot is
//! still answered `DeadlineExceeded` at its deadline. That deadline is the
//! only one: the server runs on hyper directly ([`crate::connections`]), and
//! tonic's routes apply no `grpc-timeout` of their own (a test of the
//! e2e suite, `deadlines_are_the_servers_own`, fails if that changes).

use std::convert::Infallible;

use http::{Request, Response};
use proto::greeter::faults_server::FaultsServer;
use proto::greeter::greeter_server::GreeterServer;
use tonic::body::Body;
use tonic::service::Routes;
use tonic_web::GrpcWebLayer;
use tower::util::BoxCloneService;
use tower::{Layer, Service, ServiceBuilder};
use tower_http::cors::CorsLayer;

use std::net::SocketAddr;

use crate::Error;
use crate::config::Config;
use crate::cors::{OriginPolicy, cors_layer};
use crate::deadline::DeadlineLayer;
use crate::faults::{FaultState, FaultsService};
use crate::greeter::{GreeterService, MAX_DECODING_MESSAGE_SIZE};
use crate::guard::{Guard, GuardLayer};
use crate::host::HostPolicy;
use crate::limit::QueueLimitLayer;
use crate::logging::CallLogLayer;
use crate::request_body::{self, BodyLimits};
use crate::routing::{Dispatch, HttpService};
use crate::static_files::Site;

/// The assembled server, ready to serve on connections.
pub(crate) struct App {
    /// The service answering every request.
    pub(crate) service: Guard<tower_http::cors::Cors<Dispatch>>,
    /// The host names answered.
    pub(crate) hosts: HostPolicy,
    /// Whether the page is served.
    pub(crate) site: Site,
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
        let hosts = HostPolicy::new(&origins, &config.allowed_hosts, local);
        let cors: CorsLayer = cors_layer(origins.clone());
        let site = Site::find(config.static_dir.as_deref());

        let grpc = ServiceBuilder::new()
            .layer(GrpcWebLayer::new())
            .layer(request_body::layer(BodyLimits {
                idle: config.body_timeout,
                deadline: config.body_deadline,
                max_bytes: config.max_request_body_bytes,
            }))
            .layer(CallLogLayer)
            .layer(DeadlineLayer::new(config.request_timeout))
            .service(grpc_routes(config, faults, faults_enabled));
        let page = ServiceBuilder::new()
            .layer(QueueLimitLayer::new(
                config.page_max_concurrent_requests,
                config.page_max_queued_requests,
                page_busy,
            ))
            .service(site.service(&config.allowed_origins));
        let service = ServiceBuilder::new()
            .layer(GuardLayer::new(hosts.clone(), origins))
            .layer(cors)
            .service(Dispatch::new(boxed(grpc), boxed(page)));
        Ok(Self {
            service,
            hosts,
            site,
        })
    }
}

/// tonic's routes: Greeter always, Faults when enabled (else
/// `Unimplemented`), each behind a pool of its own.
fn grpc_routes(config: &Config, faults: FaultState, faults_enabled: bool) -> Routes {
    let greeter = GreeterServer::new(GreeterService::new(faults.clone()))
        .max_decoding_message_size(MAX_DECODING_MESSAGE_SIZE);
    let mut routes = Routes::builder();
    routes.add_service(
        QueueLimitLayer::new(
            config.max_concurrent_requests,
            config.max_queued_requests,
            grpc_busy,
        )
        .layer(greeter),
    );
    if faults_enabled {
        let controls = FaultsServer::new(FaultsService::new(faults))
            .max_decoding_message_size(MAX_DECODING_MESSAGE_SIZE);
        routes.add_service(
            QueueLimitLayer::new(
                config.faults_max_concurrent_requests,
                config.faults_max_queued_requests,
                grpc_busy,
            )
            .layer(controls),
        );
    }
    routes.routes().prepare()
}

/// The answer to a gRPC call that finds its pool's queue full.
fn grpc_busy() -> Response<Body> {
    tonic::Status::resource_exhausted("server busy: too many calls waiting; try again later")
        .into_http()
}

/// The answer to a page request that finds its pool's queue full.
fn page_busy() -> Response<Body> {
    let mut response = Response::new(Body::new("Server busy; try again later.\n".to_owned()));
    *response.status_mut() = http::StatusCode::SERVICE_UNAVAILABLE;
    response.headers_mut().insert(
        http::header::RETRY_AFTER,
        http::HeaderValue::from_static("1"),
    );
    response
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
