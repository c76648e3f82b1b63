//! Floor 3: floor 2, but the call goes through the page's client,
//! `greeter_client::Greeter` (the breaker, its tower layer, the deadline
//! and the retries), still showing only the reply or why there is none.

#[cfg(target_arch = "wasm32")]
fn main() {
    use greeter_client::{Greeter, Reply, Settings};
    use tripbreaker::Transition;

    // The page's breaker type: it has an observer, told nothing here.
    let greeter = Greeter::new(
        &bench_floor::origin(),
        Settings::default(),
        Box::new(|_: &str, _: Transition| {}),
    )
    .expect("the default settings and the page's origin are accepted");
    bench_floor::mount_caller(move || {
        let greeter = greeter.clone();
        async move {
            match greeter.say_hello("World").await.reply {
                Reply::Answered(message) => message,
                Reply::Failed(status) => status.message().to_owned(),
                Reply::Rejected(rejected) => rejected.to_string(),
            }
        }
    });
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    bench_floor::wasm_only()
}
