//! What Redis ran between two moments, from its own `INFO commandstats`.

use crate::redis_server::RedisServer;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How often each command had run, and when that was read.
pub struct Reading {
    calls: HashMap<String, u64>,
    at: Instant,
}

/// Redis' load over the time between two readings.
pub struct Load {
    /// Between the readings.
    pub elapsed: Duration,
    /// Script runs sent by clients a second: the round trips.
    pub scripts_per_second: f64,
    /// Every command a second, those inside the scripts included.
    pub commands_per_second: f64,
}

/// Whether `name` is a script run a client sent (a round trip), rather
/// than a command the script ran inside Redis.
pub fn is_script_call(name: &str) -> bool {
    matches!(name, "evalsha" | "eval")
}

impl Reading {
    /// `INFO commandstats` of `server` now.
    pub fn now(server: &RedisServer) -> Reading {
        Reading {
            calls: server.command_calls(),
            at: Instant::now(),
        }
    }

    /// The commands that ran since `before` and how often, by name; the
    /// readings' own `INFO` left out.
    pub fn since(&self, before: &Reading) -> Vec<(String, u64)> {
        let mut ran: Vec<_> = self
            .calls
            .iter()
            .map(|(name, calls)| {
                let earlier = before.calls.get(name).copied().unwrap_or(0);
                (name.clone(), calls - earlier)
            })
            .filter(|(name, calls)| *calls > 0 && name != "info")
            .collect();
        ran.sort();
        ran
    }

    /// The load since `before`.
    pub fn load_since(&self, before: &Reading) -> Load {
        let elapsed = self.at - before.at;
        let ran = self.since(before);
        let total = |keep: fn(&str) -> bool| {
            let calls: u64 = ran.iter().filter(|(n, _)| keep(n)).map(|(_, c)| c).sum();
            calls as f64 / elapsed.as_secs_f64()
        };
        Load {
            elapsed,
            scripts_per_second: total(is_script_call),
            commands_per_second: total(|_| true),
        }
    }
}
