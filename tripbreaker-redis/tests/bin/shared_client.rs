//! One client process of the multi-process test (`tests/processes.rs`;
//! built only with the feature `test-client`): a
//! shared breaker on Redis in front of a fake dependency on TCP, driven by
//! commands on stdin, one result line on stdout per command.
//!
//! Usage: `shared-client REDIS_URL FAKE_ADDR NAME TRIP MAX_REQUESTS TIMEOUT_MS`
//! Commands: `attempt` (one guarded call: `admitted ok`, `admitted fail`,
//! `rejected open`, `rejected too-many`; `local` is appended if the handle
//! fell back), `state` (`state closed`, ...). Ends at end of input.

use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tripbreaker::{Outcome, Rejected, Settings, TripRule};
use tripbreaker_redis::{Mode, RedisBreaker};

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, fake, name, trip, max_requests, timeout_ms] = args.as_slice() else {
        anyhow::bail!("usage: shared-client REDIS_URL FAKE_ADDR NAME TRIP MAX_REQUESTS TIMEOUT_MS");
    };
    let settings = Settings {
        max_requests: max_requests.parse()?,
        timeout: Duration::from_millis(timeout_ms.parse()?),
        ready_to_trip: TripRule::ConsecutiveFailures(trip.parse()?),
        ..Settings::new(name.clone().leak())
    };
    // Generous: this test is about sharing, not about falling back.
    let breaker = RedisBreaker::builder(settings)
        .store_timeout(Duration::from_secs(5))
        .connect(url)?;
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    let mut stdout = tokio::io::stdout();
    while let Some(command) = lines.next_line().await? {
        let mut answer = match command.as_str() {
            "attempt" => match breaker.try_acquire().await {
                Ok(ticket) => {
                    let worked = call(fake).await?;
                    let outcome = if worked {
                        Outcome::Success
                    } else {
                        Outcome::Failure
                    };
                    breaker.record(ticket, outcome).await;
                    if worked {
                        "admitted ok"
                    } else {
                        "admitted fail"
                    }
                    .to_owned()
                }
                Err(Rejected::Open) => "rejected open".to_owned(),
                Err(Rejected::TooManyRequests) => "rejected too-many".to_owned(),
            },
            "state" => format!("state {}", breaker.state().await),
            other => anyhow::bail!("unknown command {other:?}"),
        };
        if breaker.mode() != Mode::Shared {
            answer.push_str(" local");
        }
        stdout.write_all(format!("{answer}\n").as_bytes()).await?;
        stdout.flush().await?;
    }
    Ok(())
}

/// One call to the fake dependency: whether it answered `ok`.
async fn call(fake: &str) -> anyhow::Result<bool> {
    let mut stream = BufReader::new(TcpStream::connect(fake).await?);
    stream.get_mut().write_all(b"call\n").await?;
    let mut reply = String::new();
    stream.read_line(&mut reply).await?;
    Ok(reply.trim() == "ok")
}
