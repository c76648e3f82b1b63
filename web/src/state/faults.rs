//! The server's fault controls, and its mode and counters.

use super::Calls;
use crate::effect::effect;
use crate::faults::{self, Fault, ServerStatus};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The server's mode and counters as the page shows them (a read signal,
/// written only by [`ask`](Self::ask)), asked again after every change made
/// here and after every call.
#[derive(Clone, Copy)]
pub struct ServerFaults {
    /// The server's mode and counters, or why they are unknown; `None`
    /// until the first answer.
    pub status: ReadSignal<Option<Result<ServerStatus, String>>>,
    set_status: WriteSignal<Option<Result<ServerStatus, String>>>,
    server: StoredValue<String>,
    /// The number of the latest request: only its answer is shown, so a
    /// slow older answer never replaces a newer one. (A `LocalResource`
    /// does the same and costs the page 33 KB of wasm, measured.)
    latest: StoredValue<u64>,
}

impl ServerFaults {
    /// The fault controls of `server`, whose status is read now and again
    /// after each of `calls`.
    pub fn new(server: &str, calls: Calls) -> Self {
        let (status, set_status) = signal(None);
        let faults = ServerFaults {
            status,
            set_status,
            server: StoredValue::new(server.to_owned()),
            latest: StoredValue::new(0),
        };
        effect(move || {
            calls.log.track();
            faults.refresh();
        });
        faults
    }

    /// Puts the server in `fault` mode.
    pub fn set_fault(self, fault: Fault) {
        self.ask(move |server| async move { faults::set_mode(&server, fault).await });
    }

    /// Sets the server's counters back to zero.
    pub fn reset_counters(self) {
        self.ask(|server| async move { faults::reset_counters(&server).await });
    }

    /// Reads the server's mode and counters again.
    pub fn refresh(self) {
        self.ask(|server| async move { faults::status(&server).await });
    }

    /// Sends the request `ask` makes for the server, and shows its answer
    /// unless a newer request was sent meanwhile.
    fn ask<F>(self, ask: impl FnOnce(String) -> F)
    where
        F: Future<Output = Result<ServerStatus, tonic::Status>> + 'static,
    {
        let (Some(server), Some(previous)) =
            (self.server.try_get_value(), self.latest.try_get_value())
        else {
            return;
        };
        let request = previous + 1;
        self.latest.set_value(request);
        let answer = ask(server);
        spawn_local(async move {
            let status = answer.await.map_err(describe);
            if self.latest.try_get_value() == Some(request) {
                self.set_status.try_set(Some(status));
            }
        });
    }
}

/// Why the status is unknown, in words.
fn describe(status: tonic::Status) -> String {
    match status.code() {
        tonic::Code::Unimplemented => "fault controls are off on this server".to_owned(),
        _ => breaker_tower::go_style::describe(&status),
    }
}
