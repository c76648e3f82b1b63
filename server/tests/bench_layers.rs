//! `--bench-without`: a benchmark leaves a layer out and the rest serve as
//! before; without the flag every layer is in.

mod common;

use common::{greeter, say_hello, start, test_config};
use server::Config;
use server::bench_layers::BenchLayer;

async fn preflight_allows(config: Config) -> bool {
    let server = start(config).await;
    let response = common::http1()
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/greeter.Greeter/SayHello", server.url()),
        )
        .header("origin", "http://localhost:8080")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    let allowed = response
        .headers()
        .contains_key("access-control-allow-origin");
    // Native gRPC is answered either way.
    let reply = say_hello(&mut greeter(&server).await, "World").await;
    assert_eq!(reply.unwrap(), "Hello World");
    allowed
}

#[tokio::test]
async fn every_layer_is_in_unless_a_benchmark_leaves_one_out() {
    assert!(test_config().bench_without.is_empty());
    assert!(
        preflight_allows(test_config()).await,
        "CORS is in by default"
    );
    let without_cors = Config {
        bench_without: vec![BenchLayer::Cors],
        ..test_config()
    };
    assert!(!preflight_allows(without_cors).await, "CORS left out");
}

#[test]
fn the_flag_is_hidden_from_help() {
    use clap::CommandFactory;
    let help = server::cli::Args::command().render_long_help().to_string();
    assert!(!help.contains("bench-without"), "{help}");
    assert!(help.contains("--max-connections"), "{help}");
}
