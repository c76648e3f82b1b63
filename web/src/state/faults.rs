//! The server's fault controls, and its mode and counters.

use super::Calls;
use crate::faults::{self, Fault, Request, ServerStatus};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The server's mode and counters as the page shows them (read signals,
/// written only by [`ask`](Self::ask), [`set_fault`](Self::set_fault) and
/// [`make_healthy`](Self::make_healthy)), asked again after every change
/// made here and after every call; and the mode chosen here.
#[derive(Clone, Copy)]
pub struct ServerFaults {
    /// The server's mode and counters, or why they are unknown; `None`
    /// until the first answer.
    pub status: ReadSignal<Option<Result<ServerStatus, String>>>,
    /// The name of the mode last chosen from this page ([`Fault::name`]);
    /// written only here.
    pub chosen: RwSignal<String>,
    set_status: WriteSignal<Option<Result<ServerStatus, String>>>,
    server: StoredValue<String>,
    /// The number of the latest request: only its answer is shown, so a
    /// slow older answer never replaces a newer one. (A `LocalResource`
    /// does the same and costs the page 33 KB of wasm, measured.)
    latest: StoredValue<u64>,
    /// Mode changes and resets sent and not yet answered.
    changing: StoredValue<u32>,
}

impl ServerFaults {
    /// The fault controls of `server`, whose status is read now and again
    /// after each of `calls`.
    pub fn new(server: &str, calls: Calls) -> Self {
        let (status, set_status) = signal(None);
        let faults = ServerFaults {
            status,
            chosen: RwSignal::new(Fault::Healthy.name().to_owned()),
            set_status,
            server: StoredValue::new(server.to_owned()),
            latest: StoredValue::new(0),
            changing: StoredValue::new(0),
        };
        Effect::new(move || {
            calls.log.track();
            faults.refresh();
        });
        faults
    }

    /// Puts the server in `fault` mode.
    pub fn set_fault(self, fault: Fault) {
        self.chosen.set(fault.name().to_owned());
        self.ask(Request::SetMode(fault));
    }

    /// Makes the server healthy if it is not (its mode is global), and
    /// waits until it is; says what it did, or nothing when the server was
    /// healthy or does not tell (fault controls off, or no answer: then
    /// there is nothing to heal).
    pub async fn make_healthy(self) -> Option<String> {
        let server = self.server.try_get_value()?;
        let mode = faults::ask(&server, Request::Status).await.ok()?.mode;
        if mode == faults::HEALTHY {
            return None;
        }
        self.chosen.try_set(faults::HEALTHY.to_owned());
        // Shown below, whatever older requests answer meanwhile.
        self.latest.try_update_value(|latest| *latest += 1);
        let healed = faults::ask(&server, Request::SetMode(Fault::Healthy))
            .await
            .map_err(describe);
        let said = match &healed {
            Ok(_) => format!("The server was {mode}: made healthy for the recovery."),
            Err(why) => format!("The server is {mode} and could not be made healthy ({why})."),
        };
        self.set_status.try_set(Some(healed));
        Some(said)
    }

    /// Sets the server's counters back to zero.
    pub fn reset_counters(self) {
        self.ask(Request::ResetCounters);
    }

    /// Reads the server's mode and counters again.
    pub fn refresh(self) {
        self.ask(Request::Status);
    }

    /// Sends `request` to the server, and shows its answer unless a newer
    /// request was sent meanwhile. No status is asked for while a change is
    /// under way: the server may read it before it makes the change (each
    /// request has its own connection), and that older status would be
    /// shown last; the change's own answer is the status after it.
    fn ask(self, request: Request) {
        let (Some(server), Some(previous), Some(changing)) = (
            self.server.try_get_value(),
            self.latest.try_get_value(),
            self.changing.try_get_value(),
        ) else {
            return;
        };
        let change = request != Request::Status;
        if !change && changing > 0 {
            return;
        }
        let number = previous + 1;
        self.latest.set_value(number);
        self.changing.set_value(changing + u32::from(change));
        spawn_local(async move {
            let status = faults::ask(&server, request).await.map_err(describe);
            if change {
                self.changing.try_update_value(|changing| *changing -= 1);
            }
            if self.latest.try_get_value() == Some(number) {
                self.set_status.try_set(Some(status));
            }
        });
    }
}

/// Why the status is unknown, in words.
fn describe(status: tonic::Status) -> String {
    match status.code() {
        tonic::Code::Unimplemented => "fault controls are off on this server".to_owned(),
        _ => greeter_client::go_style::describe(&status),
    }
}
