//! The keyed layer under a generated tonic client, over a live channel to
//! a greeter server started in-process on an ephemeral loopback port: the
//! method's breaker is keyed by its request path.
#![cfg(not(target_arch = "wasm32"))]

use proto::greeter::greeter_client::GreeterClient;
use proto::greeter::greeter_server::{Greeter, GreeterServer};
use proto::greeter::{HelloReply, HelloRequest};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tonic::transport::Endpoint;
use tonic::{Code, Request, Response, Status};
use tower::ServiceBuilder;
use tripbreaker::{ManualClock, Rejected, Settings, State, TripRule};
use tripbreaker_tower::{KeyedCircuitBreakerLayer, rejection};

/// A greeter whose every call fails, counting the calls it received.
#[derive(Clone, Default)]
struct Failing(Arc<AtomicU64>);

#[tonic::async_trait]
impl Greeter for Failing {
    async fn say_hello(&self, _: Request<HelloRequest>) -> Result<Response<HelloReply>, Status> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Err(Status::unavailable("down"))
    }
}

#[tokio::test]
async fn a_generated_client_trips_its_methods_breaker() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let greeter = Failing::default();
    let service = GreeterServer::new(greeter.clone());
    let server = tokio::spawn(async move {
        tonic::transport::Server::builder()
            .add_service(service)
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener))
            .await
            .unwrap();
    });
    let settings = Settings {
        ready_to_trip: TripRule::ConsecutiveFailures(2),
        ..Settings::new("greeter")
    };
    let layer = KeyedCircuitBreakerLayer::new(settings, Arc::new(ManualClock::new())).unwrap();
    let channel = Endpoint::from_shared(url).unwrap().connect_lazy();
    let guarded = ServiceBuilder::new().layer(layer).service(channel);
    let mut client = GreeterClient::new(guarded.clone());
    let hello = || HelloRequest {
        name: "World".into(),
    };
    for _ in 0..2 {
        let status = client.say_hello(hello()).await.unwrap_err();
        assert_eq!(
            (status.code(), rejection(&status)),
            (Code::Unavailable, None)
        );
    }
    let status = client.say_hello(hello()).await.unwrap_err();
    assert_eq!(rejection(&status), Some(Rejected::Open));
    assert_eq!(greeter.0.load(Ordering::SeqCst), 2);
    let breaker = guarded
        .breaker("/greeter.Greeter/SayHello")
        .expect("keyed by the request path");
    assert_eq!(breaker.state(), State::Open);
    server.abort();
}
