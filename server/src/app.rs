//! Puts the services and layers together into the one service the server runs.
//!
//! From the outside in:
//!
//! 1. CORS ([`cors_layer`]): answers preflights, adds the allow/expose headers;
//! 2. [`Dispatch`]: gRPC by content type, the rest to the page ([`Site`]);
//! 3. on the gRPC branch: gRPC-Web translation (`tonic_web::GrpcWebLayer`),
//!    an idle timeout on the request body ([`body_timeout`], inside the
//!    translation so its `DeadlineExceeded` reaches tonic as it is),
//!    the call log ([`CallLogLayer`]), deadlines ([`DeadlineLayer`]), the
//!    concurrency limit ([`QueueLimitLayer`]) and tonic's routes
//!    (`greeter.Greeter`, and `greeter.Faults` when enabled), each service
//!    decoding at most [`MAX_DECODING_MESSAGE_SIZE`] bytes;
//! 4. on the page's branch: the same concurrency limit (one pool of slots
//!    for both branches), then the page.
//!
//! The limit sits inside the deadlines so that a call waiting for a slot is
//! still answered `DeadlineExceeded` at its deadline (see [`crate::limit`]).

use std::convert::Infallible;

use http::{Request, Response};
use proto::greeter::faults_server::FaultsServer;
use proto::greeter::greeter_server::GreeterServer;
use tonic::body::Body;
use tonic::service::Routes;
use tonic_web::GrpcWebLayer;
use tower::util::BoxCloneService;
use tower::{Service, ServiceBuilder};
use tower_http::cors::CorsLayer;

use crate::Error;
use crate::body_timeout;
use crate::config::Config;
use crate::cors::{OriginPolicy, cors_layer};
use crate::deadline::DeadlineLayer;
use crate::faults::{FaultState, FaultsService};
use crate::greeter::{GreeterService, MAX_DECODING_MESSAGE_SIZE};
use crate::limit::QueueLimitLayer;
use crate::logging::CallLogLayer;
use crate::routing::{Dispatch, HttpService};
use crate::static_files::Site;

/// The assembled server, ready to hand to tonic's `Server`.
pub(crate) struct App {
    /// The service answering every request.
    pub(crate) service: tower_http::cors::Cors<Dispatch>,
    /// Whether the page is served.
    pub(crate) site: Site,
}

impl App {
    /// Builds the server for `config`, with fault controls when `faults_enabled`.
    pub(crate) fn build(
        config: &Config,
        faults: FaultState,
        faults_enabled: bool,
    ) -> Result<Self, Error> {
        if config.max_concurrent_requests == 0 {
            return Err(Error::Config(
                "max_concurrent_requests must be at least 1".into(),
            ));
        }
        if config.request_timeout.is_zero() {
            return Err(Error::Config(
                "request_timeout must be more than zero".into(),
            ));
        }
        if config.body_timeout.is_zero() {
            return Err(Error::Config("body_timeout must be more than zero".into()));
        }
        let cors: CorsLayer = cors_layer(OriginPolicy::new(&config.allowed_origins)?);
        let site = Site::find(config.static_dir.as_deref());

        let limit = QueueLimitLayer::new(config.max_concurrent_requests);
        let grpc = ServiceBuilder::new()
            .layer(GrpcWebLayer::new())
            .layer(body_timeout::layer(config.body_timeout))
            .layer(CallLogLayer)
            .layer(DeadlineLayer::new(config.request_timeout))
            .layer(limit.clone())
            .service(grpc_routes(faults, faults_enabled));
        let page = ServiceBuilder::new().layer(limit).service(site.service());
        let service = ServiceBuilder::new()
            .layer(cors)
            .service(Dispatch::new(boxed(grpc), boxed(page)));
        Ok(Self { service, site })
    }
}

/// tonic's routes: Greeter always, Faults when enabled (else `Unimplemented`).
fn grpc_routes(faults: FaultState, faults_enabled: bool) -> Routes {
    let greeter = GreeterServer::new(GreeterService::new(faults.clone()))
        .max_decoding_message_size(MAX_DECODING_MESSAGE_SIZE);
    let mut routes = Routes::builder();
    routes.add_service(greeter);
    if faults_enabled {
        routes.add_service(
            FaultsServer::new(FaultsService::new(faults))
                .max_decoding_message_size(MAX_DECODING_MESSAGE_SIZE),
        );
    }
    routes.routes().prepare()
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
