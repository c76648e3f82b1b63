//! Generates the Rust code for `proto/greeter.proto` and `proto/fleet.proto`.
//!
//! The `.proto` file is compiled by `protox` (pure Rust, no system `protoc`)
//! into a `FileDescriptorSet`, which `tonic-prost-build` turns into messages,
//! a transport-free client (so it builds for `wasm32-unknown-unknown`) and,
//! with the crate feature `server`, the server side.

use std::error::Error;

const PROTO_DIR: &str = "proto";
const PROTO_FILES: [&str; 2] = ["proto/greeter.proto", "proto/fleet.proto"];

fn main() -> Result<(), Box<dyn Error>> {
    for file in PROTO_FILES {
        println!("cargo:rerun-if-changed={file}");
    }
    println!("cargo:rerun-if-changed=build.rs");

    let with_server = std::env::var_os("CARGO_FEATURE_SERVER").is_some();

    let fds = protox::compile(PROTO_FILES, [PROTO_DIR])?;

    tonic_prost_build::configure()
        .build_client(true)
        .build_transport(false)
        .build_server(with_server)
        .compile_fds(fds)?;
    Ok(())
}
