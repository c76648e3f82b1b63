//! One run: a server started pinned to core 0 with one runtime thread, one
//! call checked for `grpc-status: 0` with curl (h2load sees only HTTP
//! statuses), then h2load from core 1, its summary parsed and checked for
//! every call answered.

use anyhow::{Context, bail, ensure};
use bench_results::{Contender, Streams};
use server_launcher::{Launch, Output, ServerProcess};
use std::path::Path;
use std::process::Command;

/// The call: `HelloRequest { name: "World" }` in a gRPC frame.
const HELLO_WORLD: &[u8] = b"\x00\x00\x00\x00\x07\x0a\x05World";

/// The headers of a call in `contender`'s protocol.
fn headers(contender: Contender) -> &'static [&'static str] {
    match contender {
        Contender::ServerGrpcWeb => &["content-type: application/grpc-web+proto"],
        _ => &["content-type: application/grpc", "te: trailers"],
    }
}

/// The URL of SayHello on `server`.
fn say_hello(server: &ServerProcess) -> String {
    format!("{}/greeter.Greeter/SayHello", server.url())
}

/// `binary` started as `contender`, behind `wrapper` (a command and its
/// arguments, the binary appended), with one runtime thread; the project's
/// server without the layers `without` names.
pub fn start(
    wrapper: &[&str],
    binary: &Path,
    contender: Contender,
    without: &[&str],
) -> anyhow::Result<ServerProcess> {
    let (program, args) = wrapper.split_first().context("a wrapper command")?;
    let mut launch = Launch::new(program)
        .args(args.iter())
        .arg(binary)
        .env("TOKIO_WORKER_THREADS", "1")
        .env("GOMAXPROCS", "1")
        .env("RUST_LOG", "warn")
        .output(Output::Discard);
    if !without.is_empty() {
        launch = launch.env("SERVER_BENCH_WITHOUT", without.join(","));
    }
    launch
        .start()
        .with_context(|| format!("starting {}", contender.label()))
}

/// The request body file h2load and curl send.
fn body_file() -> anyhow::Result<std::path::PathBuf> {
    let path = std::env::temp_dir().join(format!("versus-go-{}.bin", std::process::id()));
    std::fs::write(&path, HELLO_WORLD)?;
    Ok(path)
}

/// Fails unless one call to `server` is answered with `grpc-status: 0`
/// (in the trailers, or the gRPC-Web body's trailer frame).
pub fn check_one_call(server: &ServerProcess, contender: Contender) -> anyhow::Result<()> {
    let mut curl = Command::new("curl");
    curl.args(["-s", "--http2-prior-knowledge", "-D", "-", "--data-binary"])
        .arg(format!("@{}", body_file()?.display()));
    for header in headers(contender) {
        curl.args(["-H", header]);
    }
    let out = curl.arg(say_hello(server)).output()?;
    let text = String::from_utf8_lossy(&out.stdout).replace(": ", ":");
    ensure!(
        text.contains("grpc-status:0"),
        "{} did not answer a call with grpc-status 0:\n{text}",
        contender.label()
    );
    Ok(())
}

/// Runs h2load against `server` from core 1: `requests` calls spread as
/// `streams`; returns the calls per second, failing unless every call succeeded.
pub fn h2load(
    server: &ServerProcess,
    contender: Contender,
    streams: Streams,
    requests: u64,
) -> anyhow::Result<f64> {
    let mut h2load = Command::new("taskset");
    h2load
        .args(["-c", "1", "h2load", "-n", &requests.to_string()])
        .args(["-c", &streams.connections.to_string()])
        .args(["-m", &streams.per_connection.to_string(), "-d"])
        .arg(body_file()?);
    for header in headers(contender) {
        h2load.args(["-H", header]);
    }
    let out = h2load
        .arg(say_hello(server))
        .output()
        .context("running h2load")?;
    let text = String::from_utf8_lossy(&out.stdout);
    let succeeded = field_before(&text, "requests:", " succeeded")?;
    if succeeded != requests as f64 {
        bail!(
            "{}: {succeeded} of {requests} calls succeeded:\n{text}",
            contender.label()
        );
    }
    field_before(&text, "finished in", " req/s")
}

/// The number just before `unit` on the line starting with `line`.
fn field_before(text: &str, line: &str, unit: &str) -> anyhow::Result<f64> {
    let found = text
        .lines()
        .find(|l| l.starts_with(line))
        .and_then(|l| l.split(unit).next())
        .and_then(|head| head.rsplit([' ', ',']).next())
        .and_then(|n| n.parse().ok());
    found.with_context(|| format!("no `{line} … N{unit}` in h2load's output:\n{text}"))
}

/// One run of `contender` at `streams`: calls per second, every call answered.
pub fn race(
    binary: &Path,
    contender: Contender,
    streams: Streams,
    requests: u64,
) -> anyhow::Result<f64> {
    let server = start(&["taskset", "-c", "0"], binary, contender, &[])?;
    check_one_call(&server, contender)?;
    h2load(&server, contender, streams, requests)
}

#[cfg(test)]
mod tests {
    use super::field_before;

    #[test]
    fn reads_h2load_summary() {
        let text = "finished in 657.24ms, 30430.19 req/s, 1.45MB/s\n\
                    requests: 20000 total, 20000 started, 20000 done, 19999 succeeded, 1 failed";
        assert_eq!(
            field_before(text, "finished in", " req/s").unwrap(),
            30430.19
        );
        assert_eq!(
            field_before(text, "requests:", " succeeded").unwrap(),
            19999.0
        );
        assert!(field_before(text, "time for request:", " req/s").is_err());
    }
}
