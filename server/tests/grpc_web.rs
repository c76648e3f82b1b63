//! gRPC-Web, binary and text, over HTTP/1.1 with a plain HTTP client and
//! frames built by hand.

mod common;

use std::time::Duration;

use common::{WebCall, grpc_web, hello, start, test_config};
use proto::greeter::HelloReply;
use reqwest::StatusCode;

const SAY_HELLO: &str = "/greeter.Greeter/SayHello";

fn binary() -> WebCall {
    WebCall::default()
}

fn text() -> WebCall {
    WebCall {
        text: true,
        ..WebCall::default()
    }
}

#[tokio::test]
async fn binary_ok_has_data_frame_then_trailer_frame() {
    let server = start(test_config()).await;
    let reply = grpc_web(&server.url(), SAY_HELLO, &hello("web"), &binary()).await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.headers["content-type"], "application/grpc-web+proto",
        "{reply:?}"
    );
    assert_eq!(reply.message::<HelloReply>().message, "Hello web");
    let trailers = reply.trailers.as_ref().expect("a trailer frame");
    assert_eq!(trailers["grpc-status"], "0");
    assert_eq!(reply.grpc_status(), Some(0));
}

#[tokio::test]
async fn text_ok_is_base64_both_ways() {
    let server = start(test_config()).await;
    let reply = grpc_web(&server.url(), SAY_HELLO, &hello("text"), &text()).await;

    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/grpc-web-text"),
        "{reply:?}"
    );
    assert_eq!(reply.message::<HelloReply>().message, "Hello text");
    assert_eq!(
        reply.trailers.as_ref().expect("a trailer frame")["grpc-status"],
        "0"
    );
}

#[tokio::test]
async fn empty_name_is_trailers_only_invalid_argument() {
    let server = start(test_config()).await;
    for call in [binary(), text()] {
        let reply = grpc_web(&server.url(), SAY_HELLO, &hello(""), &call).await;
        assert_eq!(reply.status, StatusCode::OK);
        // Trailers-only: the status is in the HTTP headers, no frames follow.
        assert_eq!(reply.headers["grpc-status"], "3", "{reply:?}");
        assert!(reply.messages.is_empty());
        assert_eq!(reply.grpc_status(), Some(3));
        assert_eq!(
            reply.grpc_message().as_deref(),
            Some("Name cannot be empty")
        );
    }
}

#[tokio::test]
async fn too_long_name_is_invalid_argument() {
    let server = start(test_config()).await;
    for call in [binary(), text()] {
        let reply = grpc_web(&server.url(), SAY_HELLO, &hello(&"n".repeat(257)), &call).await;
        assert_eq!(reply.grpc_status(), Some(3), "{reply:?}");
        assert_eq!(
            reply.grpc_message().as_deref(),
            Some("Name is longer than 256 characters")
        );
    }
}

/// Observed: OutOfRange (11), as over native gRPC, and the handler is not reached.
#[tokio::test]
async fn oversized_message_is_out_of_range() {
    let server = start(test_config()).await;
    let name = "x".repeat(20 * 1024);
    for call in [binary(), text()] {
        let reply = grpc_web(&server.url(), SAY_HELLO, &hello(&name), &call).await;
        assert_eq!(reply.grpc_status(), Some(11), "{reply:?}");
    }
    assert_eq!(server.faults().counters().received, 0);
}

#[tokio::test]
async fn unknown_method_is_unimplemented() {
    let server = start(test_config()).await;
    let reply = grpc_web(
        &server.url(),
        "/greeter.Greeter/Nope",
        &hello("x"),
        &binary(),
    )
    .await;
    assert_eq!(reply.grpc_status(), Some(12), "{reply:?}");
    let reply = grpc_web(&server.url(), "/no.Such/Service", &hello("x"), &binary()).await;
    assert_eq!(reply.grpc_status(), Some(12), "{reply:?}");
}

/// The server answers `DeadlineExceeded` itself (not tonic's `Cancelled`),
/// in gRPC-Web form and with CORS headers, so a browser can read it.
#[tokio::test]
async fn grpc_timeout_header_gives_deadline_exceeded_with_cors() {
    let server = start(test_config()).await;
    server.faults().set_mode(server::faults::Mode::Slow {
        delay: Duration::from_millis(1500),
    });
    for text_mode in [false, true] {
        let call = WebCall {
            text: text_mode,
            origin: Some("http://localhost:8080".into()),
            grpc_timeout: Some("200m".into()),
        };
        let reply = grpc_web(&server.url(), SAY_HELLO, &hello("late"), &call).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.grpc_status(), Some(4), "{reply:?}");
        assert_eq!(
            reply.headers["access-control-allow-origin"],
            "http://localhost:8080"
        );
    }
    // Past the delay, no handler answered: both were dropped at their deadline.
    tokio::time::sleep(Duration::from_millis(1800)).await;
    let counters = server.faults().counters();
    assert_eq!(
        (counters.received, counters.answered),
        (2, 0),
        "{counters:?}"
    );
}

#[tokio::test]
async fn plain_grpc_over_http1_is_refused_by_the_grpc_web_layer() {
    let server = start(test_config()).await;
    let response = common::http1()
        .post(format!("{}{SAY_HELLO}", server.url()))
        .header("content-type", "application/grpc")
        .body(common::frame(0, &hello("h1")))
        .send()
        .await
        .unwrap();
    // tonic-web answers 400 to non-gRPC-Web HTTP/1 requests it is given.
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}
