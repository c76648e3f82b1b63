//! Native gRPC (HTTP/2) with the generated client over a tonic `Channel`.

mod common;

use std::time::Duration;

use common::{greeter, say_hello, start, test_config};
use proto::greeter::HelloRequest;
use proto::greeter::fault_mode::Mode as PbMode;
use server::MAX_NAME_CHARS;
use tonic::Code;

#[tokio::test]
async fn greets_by_name() {
    let server = start(test_config()).await;
    let mut client = greeter(&server).await;
    assert_eq!(
        say_hello(&mut client, "Ferris").await.unwrap(),
        "Hello Ferris"
    );
    assert_eq!(
        say_hello(&mut client, "Zoë 🦀").await.unwrap(),
        "Hello Zoë 🦀"
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn empty_name_is_invalid_argument_with_exact_message() {
    let server = start(test_config()).await;
    let mut client = greeter(&server).await;
    let status = say_hello(&mut client, "").await.unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(status.message(), "Name cannot be empty");
}

#[tokio::test]
async fn name_length_limit_counts_characters() {
    let server = start(test_config()).await;
    let mut client = greeter(&server).await;

    // Exactly at the limit, in multi-byte characters: accepted.
    let longest = "é".repeat(MAX_NAME_CHARS);
    assert_eq!(
        say_hello(&mut client, &longest).await.unwrap(),
        format!("Hello {longest}")
    );

    let status = say_hello(&mut client, &"x".repeat(MAX_NAME_CHARS + 1))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert_eq!(status.message(), "Name is longer than 256 characters");
}

/// Observed: tonic refuses a message over `max_decoding_message_size` with
/// `OutOfRange` ("Error, decoded message length too large: found … bytes,
/// the limit is: 16384 bytes") before the handler runs.
#[tokio::test]
async fn oversized_message_is_out_of_range_and_never_reaches_the_handler() {
    let server = start(test_config()).await;
    let mut client = greeter(&server).await;
    let status = say_hello(
        &mut client,
        &"x".repeat(server::MAX_DECODING_MESSAGE_SIZE + 1),
    )
    .await
    .unwrap_err();
    assert_eq!(status.code(), Code::OutOfRange, "{status:?}");
    assert!(status.message().contains("16384"), "{status:?}");
    assert_eq!(server.faults().counters().received, 0);

    // The connection is still fine afterwards.
    assert_eq!(
        say_hello(&mut client, "again").await.unwrap(),
        "Hello again"
    );
}

/// A client deadline shorter than the slow mode's delay: the call ends
/// with a deadline error and the handler is dropped, never answering.
///
/// Observed: the tonic client's own timer (started before the request left)
/// fires first and tonic 0.14 reports it as `Cancelled("Timeout expired")`;
/// the server, had it been first, answers `DeadlineExceeded`. Both are
/// accepted here; the gRPC-Web test checks the server's own answer exactly.
#[tokio::test]
async fn client_deadline_cuts_a_slow_call() {
    let server = start(test_config()).await;
    server.faults().set_mode(server::faults::Mode::Slow {
        delay: Duration::from_millis(1500),
    });
    let mut client = greeter(&server).await;

    let mut request = tonic::Request::new(HelloRequest {
        name: "late".into(),
    });
    request.set_timeout(Duration::from_millis(200));
    let started = std::time::Instant::now();
    let status = client.say_hello(request).await.unwrap_err();
    assert!(
        matches!(status.code(), Code::DeadlineExceeded | Code::Cancelled),
        "{status:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );

    // Past the delay, the handler still has not answered: it was dropped.
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let counters = server.faults().counters();
    assert_eq!(counters.received, 1, "{counters:?}");
    assert_eq!(counters.answered, 0, "{counters:?}");
    assert_eq!(counters.succeeded, 0, "{counters:?}");
}

/// The server's own request timeout applies when the client sets none.
#[tokio::test]
async fn server_request_timeout_answers_deadline_exceeded() {
    let server = start(server::Config {
        request_timeout: Duration::from_millis(300),
        ..test_config()
    })
    .await;
    server.faults().set_mode(server::faults::Mode::Slow {
        delay: Duration::from_secs(5),
    });
    let mut client = greeter(&server).await;
    let status = say_hello(&mut client, "patient").await.unwrap_err();
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status:?}");
    assert!(
        status.message().starts_with("Request timed out"),
        "{status:?}"
    );
    assert_eq!(server.faults().counters().answered, 0);
}

/// Shutdown lets a call in flight finish, then the server stops.
#[tokio::test]
async fn graceful_shutdown_finishes_calls_in_flight() {
    let server = start(test_config()).await;
    server.faults().set_mode(server::faults::Mode::Slow {
        delay: Duration::from_millis(500),
    });
    let mut client = greeter(&server).await;
    let call = tokio::spawn(async move { say_hello(&mut client, "last").await });

    let faults = server.faults().clone();
    common::eventually("the call reached the handler", || {
        faults.counters().received == 1
    })
    .await;
    let addr = server.local_addr();
    tokio::time::timeout(Duration::from_secs(10), server.shutdown())
        .await
        .expect("shutdown finished")
        .unwrap();

    assert_eq!(call.await.unwrap().unwrap(), "Hello last");
    assert_eq!(faults.counters().succeeded, 1);
    // The listener is closed.
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

/// The Faults service over native gRPC too (the rest is in `faults.rs`).
#[tokio::test]
async fn faults_service_over_native_grpc() {
    let server = start(test_config()).await;
    let mut faults = common::faults(&server).await;
    let status = faults
        .set_mode(common::mode(PbMode::Failing(proto::greeter::Failing {
            code: 14,
            message: "down".into(),
        })))
        .await
        .unwrap()
        .into_inner();
    assert!(matches!(
        status.mode.and_then(|m| m.mode),
        Some(PbMode::Failing(_))
    ));
    let mut client = greeter(&server).await;
    let error = say_hello(&mut client, "anyone").await.unwrap_err();
    assert_eq!(error.code(), Code::Unavailable);
    assert_eq!(error.message(), "down");
}
