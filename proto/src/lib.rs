//! Generated gRPC types and clients for the greeter demo and its fleet.
//!
//! The code is generated at build time from `proto/greeter.proto` and
//! `proto/fleet.proto` (by `protox` and `tonic-prost-build`, no system
//! `protoc` needed). The demo's service lives in the [`greeter`] module:
//!
//! - messages such as [`greeter::HelloRequest`] and [`greeter::FaultMode`];
//! - clients [`greeter::greeter_client::GreeterClient`] and
//!   [`greeter::faults_client::FaultsClient`], generic over any tonic
//!   transport service (no transport is built in, so the crate compiles for
//!   `wasm32-unknown-unknown` and works with e.g. `tonic-web-wasm-client`);
//! - with the crate feature `server` only: the service traits and servers
//!   `greeter::greeter_server` and `greeter::faults_server`.
//!
//! The shared breakers' service, `breaker.v1.Fleet`, lives in
//! [`breaker::v1`]: its client [`breaker::v1::fleet_client::FleetClient`] and,
//! with feature `server`, `breaker::v1::fleet_server`.
//!
//! # Example
//!
//! ```
//! use proto::greeter::{HelloRequest, fault_mode, FaultMode, Slow};
//!
//! let request = HelloRequest { name: "Ferris".into() };
//! assert_eq!(request.name, "Ferris");
//!
//! let mode = FaultMode { mode: Some(fault_mode::Mode::Slow(Slow { delay_ms: 250 })) };
//! assert!(matches!(mode.mode, Some(fault_mode::Mode::Slow(_))));
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

/// Messages, clients and (with feature `server`) servers of package `greeter`.
pub mod greeter {
    // Generated code: not every item has docs, and the .proto comments are
    // plain text (e.g. "Hello <name>"), not HTML.
    #![allow(missing_docs, rustdoc::invalid_html_tags)]
    tonic::include_proto!("greeter");
}

/// Messages, client and (with feature `server`) server of package
/// `breaker.v1`: the shared breakers of a fleet, listed, watched and steered.
pub mod breaker {
    /// Version 1 of the fleet service.
    pub mod v1 {
        // Generated code, as above.
        #![allow(missing_docs, rustdoc::invalid_html_tags)]
        tonic::include_proto!("breaker.v1");
    }
}
