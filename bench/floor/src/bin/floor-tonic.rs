//! Floor 2: floor 1 plus one SayHello through tonic's generated client over
//! gRPC-Web (`tonic-web-wasm-client`), showing the reply or the status's
//! message.

#[cfg(target_arch = "wasm32")]
fn main() {
    use proto::greeter::HelloRequest;
    use proto::greeter::greeter_client::GreeterClient;
    use tonic_web_wasm_client::Client;

    let client = GreeterClient::new(Client::new(bench_floor::origin()));
    bench_floor::mount_caller(move || {
        let mut client = client.clone();
        async move {
            let request = HelloRequest {
                name: "World".to_owned(),
            };
            match client.say_hello(request).await {
                Ok(reply) => reply.into_inner().message,
                Err(status) => status.message().to_owned(),
            }
        }
    });
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    bench_floor::wasm_only()
}
