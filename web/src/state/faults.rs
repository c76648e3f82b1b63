//! The server's fault controls, and its mode and counters.

use super::Calls;
use crate::faults::{self, Fault, ServerStatus};
use leptos::prelude::*;

/// The server's mode and counters as the page shows them, asked again after
/// every change made here and every call; a slow older answer never
/// replaces a newer one.
#[derive(Clone, Copy)]
pub struct ServerFaults {
    /// The server's mode and counters, or why they are unknown; `None`
    /// until the first answer.
    pub status: LocalResource<Result<ServerStatus, String>>,
    set_mode: Action<Fault, Result<ServerStatus, tonic::Status>>,
    reset: Action<(), Result<ServerStatus, tonic::Status>>,
}

impl ServerFaults {
    /// The fault controls of `server`, whose status is read again after
    /// each of `calls`.
    pub fn new(server: &str, calls: Calls) -> Self {
        let server = StoredValue::new(server.to_owned());
        let set_mode = Action::new_local(move |fault: &Fault| {
            let (server, fault) = (server.get_value(), *fault);
            async move { faults::set_mode(&server, fault).await }
        });
        let reset = Action::new_local(move |_: &()| {
            let server = server.get_value();
            async move { faults::reset_counters(&server).await }
        });
        let status = LocalResource::new(move || {
            set_mode.version().track();
            reset.version().track();
            calls.log.track();
            let server = server.get_value();
            async move { faults::status(&server).await.map_err(describe) }
        });
        ServerFaults {
            status,
            set_mode,
            reset,
        }
    }

    /// Puts the server in `fault` mode.
    pub fn set_fault(self, fault: Fault) {
        self.set_mode.dispatch_local(fault);
    }

    /// Sets the server's counters back to zero.
    pub fn reset_counters(self) {
        self.reset.dispatch_local(());
    }

    /// Reads the server's mode and counters again.
    pub fn refresh(self) {
        self.status.refetch();
    }
}

/// Why the status is unknown, in words.
fn describe(status: tonic::Status) -> String {
    match status.code() {
        tonic::Code::Unimplemented => "fault controls are off on this server".to_owned(),
        _ => breaker_tower::go_style::describe(&status),
    }
}
