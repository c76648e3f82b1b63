//! The Go demo's story against a live server: natively (tokio) and in
//! headless Chromium (wasm-bindgen-test), through this same code.

mod support;

use greeter_client::go_demo::{self, Player, Step};
use greeter_client::{Call, Settings, reply_line};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::TestServer;
use tripbreaker::State;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as live_test;

#[cfg(not(target_arch = "wasm32"))]
use tokio::test as live_test;

/// Keeps the steps, and the call lines beside the transitions' lines.
struct Recorder {
    lines: Arc<Mutex<Vec<String>>>,
    steps: Vec<u8>,
    not_tripped: bool,
}

impl Player for Recorder {
    fn step(&mut self, step: Step) {
        self.steps.push(step.number());
    }

    fn called(&mut self, call: Call) {
        self.lines.lock().unwrap().push(reply_line(&call.reply));
    }

    fn not_tripped(&mut self) {
        self.not_tripped = true;
    }
}

#[live_test]
async fn the_story_prints_the_go_demo_lines_in_order() {
    let server = TestServer::start().await;
    let settings = Settings {
        timeout: Duration::from_millis(300),
        ..go_demo::settings()
    };
    let (greeter, lines) = server.greeter(settings);
    let mut recorder = Recorder {
        lines: Arc::clone(&lines),
        steps: Vec::new(),
        not_tripped: false,
    };
    let before = server.received().await;

    let ending = go_demo::play(&greeter, go_demo::NAME, &mut recorder).await;

    let greeting = "Greeting: Hello World";
    let empty =
        "Error calling SayHello: rpc error: code = InvalidArgument desc = Name cannot be empty";
    let open = "Error calling SayHello: circuit breaker is open";
    let changed = |from, to| format!("Circuit Breaker 'greeter' changed from {from} to {to}");
    let expected = [
        greeting,
        empty,
        greeting,
        empty,
        empty,
        &changed("closed", "open"),
        empty,
        open,
        open,
        open,
        &changed("open", "half-open"),
        greeting,
        greeting,
        &changed("half-open", "closed"),
        greeting,
        greeting,
    ];
    assert_eq!(*lines.lock().unwrap(), expected);
    assert_eq!(recorder.steps, [1, 2, 3, 4, 5, 6]);
    assert!(!recorder.not_tripped);
    assert_eq!(ending.state, State::Closed);
    assert_eq!((ending.attempts, ending.rejected), (10, 3));
    assert_eq!(
        server.received().await - before,
        ending.attempts,
        "no refused call reached the server"
    );
}

#[live_test]
async fn excluded_client_errors_leave_it_closed_and_say_so() {
    let server = TestServer::start().await;
    let mut settings = go_demo::settings();
    settings.set("client_errors", "exclude").unwrap();
    let (greeter, _) = server.greeter(settings);
    let mut recorder = Recorder {
        lines: Arc::default(),
        steps: Vec::new(),
        not_tripped: false,
    };
    let ending = go_demo::play(&greeter, go_demo::NAME, &mut recorder).await;
    assert!(recorder.not_tripped);
    assert_eq!(recorder.steps, [1, 2, 3, 5, 6], "no wait: nothing is due");
    assert_eq!(ending.rejected, 0);
    assert!(ending.recovered());
}
