//! Shared by the browser tests.
#![allow(dead_code)] // each test binary uses a part

pub mod browser;
pub mod network;
pub mod trunk;

use std::path::PathBuf;

/// The release page built by `trunk build --release` (`cargo xtask test` builds it).
pub fn dist() -> PathBuf {
    let dist = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../dist");
    assert!(
        dist.join("index.html").exists(),
        "{} has no index.html: build the page first (`cargo xtask test` does, or `trunk build --release`)",
        dist.display()
    );
    dist
}

/// The server serving the release page on a free loopback port, faults on.
pub async fn serve_page() -> server::RunningServer {
    server::spawn(server::Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        static_dir: Some(dist()),
        faults: server::FaultsSetting::On,
        ..server::Config::default()
    })
    .await
    .expect("the server starts")
}
