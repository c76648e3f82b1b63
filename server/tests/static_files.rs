//! The built front end at `/`, sharing the port with gRPC.

mod common;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use common::{WebCall, greeter, grpc_web, hello, say_hello, start, test_config};
use reqwest::StatusCode;

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "server-static-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const INDEX: &str = "<!doctype html><title>demo</title><h1>Greeter demo</h1>";

fn built_site() -> TempDir {
    let dir = TempDir::new();
    std::fs::write(dir.0.join("index.html"), INDEX).unwrap();
    std::fs::write(dir.0.join("app.js"), "console.log('hi');").unwrap();
    dir
}

#[tokio::test]
async fn serves_index_and_files_and_grpc_on_the_same_port() {
    let site = built_site();
    let server = start(server::Config {
        static_dir: Some(site.0.clone()),
        ..test_config()
    })
    .await;
    let http = common::http1();

    let response = http.get(format!("{}/", server.url())).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(response.text().await.unwrap(), INDEX);

    let response = http
        .get(format!("{}/app.js", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.unwrap(), "console.log('hi');");

    // A navigation to a front-end route that is no file loads the app; a
    // missing asset is not found.
    let response = http
        .get(format!("{}/some/route", server.url()))
        .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.unwrap(), INDEX);
    let response = http
        .get(format!("{}/missing.js", server.url()))
        .header("accept", "*/*")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    // gRPC-Web and native gRPC still reach tonic.
    let reply = grpc_web(
        &server.url(),
        "/greeter.Greeter/SayHello",
        &hello("page"),
        &WebCall::default(),
    )
    .await;
    assert_eq!(reply.grpc_status(), Some(0));
    let mut client = greeter(&server).await;
    assert_eq!(
        say_hello(&mut client, "native").await.unwrap(),
        "Hello native"
    );
}

#[tokio::test]
async fn missing_site_answers_404_with_the_build_hint() {
    let empty = TempDir::new(); // exists, but has no index.html
    let server = start(server::Config {
        static_dir: Some(empty.0.clone()),
        ..test_config()
    })
    .await;
    let response = common::http1()
        .get(format!("{}/", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("trunk build --release")
    );

    let mut client = greeter(&server).await;
    assert_eq!(
        say_hello(&mut client, "no page").await.unwrap(),
        "Hello no page"
    );
}

#[test]
fn site_detection() {
    use server::static_files::Site;
    let site = built_site();
    assert_eq!(Site::find(Some(&site.0)), Site::Served(site.0.clone()));
    let missing = site.0.join("nope");
    assert_eq!(Site::find(Some(&missing)), Site::Missing(missing.clone()));
    assert_eq!(Site::find(None), Site::Disabled);
}
