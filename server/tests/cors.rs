//! CORS: loopback origins allowed on any port, others refused unless configured.

mod common;

use common::{WebCall, grpc_web, hello, start, test_config};
use reqwest::{Response, StatusCode};

const SAY_HELLO: &str = "/greeter.Greeter/SayHello";

async fn preflight(base_url: &str, origin: &str) -> Response {
    common::http1()
        .request(reqwest::Method::OPTIONS, format!("{base_url}{SAY_HELLO}"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type,x-grpc-web,x-user-agent,grpc-timeout",
        )
        .send()
        .await
        .unwrap()
}

fn header<'a>(response: &'a Response, name: &str) -> Option<&'a str> {
    response.headers().get(name).map(|v| v.to_str().unwrap())
}

fn list(value: Option<&str>) -> Vec<String> {
    value
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_ascii_lowercase())
        .collect()
}

#[tokio::test]
async fn loopback_preflights_are_allowed() {
    let server = start(test_config()).await;
    for origin in ["http://localhost:8080", "http://127.0.0.1:1234"] {
        let response = preflight(&server.url(), origin).await;
        assert!(response.status().is_success(), "{origin}: {response:?}");
        assert_eq!(
            header(&response, "access-control-allow-origin"),
            Some(origin)
        );
        let methods = list(header(&response, "access-control-allow-methods"));
        assert!(methods.contains(&"post".to_owned()), "{methods:?}");
        let headers = list(header(&response, "access-control-allow-headers"));
        for needed in [
            "content-type",
            "x-grpc-web",
            "x-user-agent",
            "grpc-timeout",
            "authorization",
        ] {
            assert!(
                headers.contains(&needed.to_owned()),
                "{needed} in {headers:?}"
            );
        }
        assert!(header(&response, "access-control-allow-credentials").is_none());
    }
}

#[tokio::test]
async fn loopback_calls_expose_grpc_headers() {
    let server = start(test_config()).await;
    for origin in ["http://localhost:8080", "http://127.0.0.1:1234"] {
        let call = WebCall {
            origin: Some(origin.into()),
            ..WebCall::default()
        };
        let reply = grpc_web(&server.url(), SAY_HELLO, &hello("cors"), &call).await;
        assert_eq!(reply.grpc_status(), Some(0));
        assert_eq!(reply.headers["access-control-allow-origin"], origin);
        let exposed = list(
            reply
                .headers
                .get("access-control-expose-headers")
                .map(|v| v.to_str().unwrap()),
        );
        for needed in ["grpc-status", "grpc-message", "grpc-status-details-bin"] {
            assert!(
                exposed.contains(&needed.to_owned()),
                "{needed} in {exposed:?}"
            );
        }
    }
}

#[tokio::test]
async fn foreign_origins_are_refused() {
    let server = start(test_config()).await;
    for origin in [
        "http://evil.example",
        "http://localhost.evil.com",
        "https://localhost:8080",
        "null",
    ] {
        let response = preflight(&server.url(), origin).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{origin}");
        assert!(
            header(&response, "access-control-allow-origin").is_none(),
            "{origin}: {response:?}"
        );

        // The call itself is refused before any handler runs, not only
        // hidden from the page.
        let response = common::http1()
            .post(format!("{}{SAY_HELLO}", server.url()))
            .header("content-type", "application/grpc-web+proto")
            .header("x-grpc-web", "1")
            .header("origin", origin)
            .body(common::frame(0, &hello("cors")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{origin}");
        assert!(header(&response, "access-control-allow-origin").is_none());
    }
    assert_eq!(server.faults().counters().received, 0, "nothing was run");
}

#[tokio::test]
async fn configured_origins_are_allowed() {
    let server = start(server::Config {
        allowed_origins: vec![
            "https://demo.example".into(),
            "http://lan.example:8080".into(),
        ],
        ..test_config()
    })
    .await;
    for origin in [
        "https://demo.example",
        "http://lan.example:8080",
        "http://localhost:3000",
    ] {
        let response = preflight(&server.url(), origin).await;
        assert_eq!(
            header(&response, "access-control-allow-origin"),
            Some(origin)
        );
    }
    let response = preflight(&server.url(), "http://lan.example:9090").await;
    assert!(header(&response, "access-control-allow-origin").is_none());
}

#[tokio::test]
async fn invalid_configured_origin_is_an_error() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let result = server::spawn_on(
        server::Config {
            allowed_origins: vec!["*".into()],
            ..test_config()
        },
        server::FaultState::new(),
        listener,
    );
    assert!(
        matches!(result, Err(server::Error::InvalidOrigin { .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn preflight_needs_no_page_and_no_grpc_content_type() {
    // Preflights carry no content-type: they are answered by the CORS layer
    // before any routing, even with no page configured.
    let server = start(test_config()).await;
    let response = preflight(&server.url(), "http://localhost:8080").await;
    assert_eq!(response.status(), StatusCode::OK);
}
