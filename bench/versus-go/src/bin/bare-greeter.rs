//! The Greeter on tonic with no layers at all: the floor the server's
//! layers are measured against. Takes the server's `--addr` and
//! `--addr-file`, so `server-launcher` starts it; stops on SIGTERM, so
//! callgrind writes its counts.

use clap::Parser;
use proto::greeter::greeter_server::{Greeter, GreeterServer};
use proto::greeter::{HelloReply, HelloRequest};
use tonic::{Request, Response, Status};

#[derive(Parser)]
struct Cli {
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:0")]
    addr: std::net::SocketAddr,
    /// The file to write the bound address to.
    #[arg(long)]
    addr_file: Option<std::path::PathBuf>,
}

struct Bare;

#[tonic::async_trait]
impl Greeter for Bare {
    async fn say_hello(
        &self,
        request: Request<HelloRequest>,
    ) -> Result<Response<HelloReply>, Status> {
        let name = request.into_inner().name;
        if name.is_empty() {
            return Err(Status::invalid_argument("Name cannot be empty"));
        }
        Ok(Response::new(HelloReply {
            message: format!("Hello {name}"),
        }))
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let listener = tokio::net::TcpListener::bind(cli.addr).await?;
    if let Some(file) = &cli.addr_file {
        std::fs::write(file, listener.local_addr()?.to_string())?;
    }
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tonic::transport::Server::builder()
        .add_service(GreeterServer::new(Bare))
        .serve_with_incoming_shutdown(
            tonic::transport::server::TcpIncoming::from(listener),
            async move {
                terminate.recv().await;
            },
        )
        .await?;
    Ok(())
}
