//! One set of settings per shared breaker: the first handle records its
//! settings in the shared state (a description and its fingerprint), and a
//! handle with other settings under the same name is refused, told which.

use sha2::{Digest, Sha256};
use std::fmt;

/// Between two settings in a description.
const SEPARATOR: &str = "; ";

/// The settings as the shared state records them: `name=value` for every
/// setting the script runs (the name excepted, which is in the key), and
/// a stable hash of that text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Recorded {
    description: String,
    fingerprint: String,
}

impl Recorded {
    /// From `(setting, value)` pairs, in a fixed order.
    pub(crate) fn new(settings: &[(&str, String)]) -> Self {
        let description = settings
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join(SEPARATOR);
        // SHA-256 rather than std's hasher, whose output may change between
        // Rust releases: handles built apart must agree.
        let digest = Sha256::digest(description.as_bytes());
        let fingerprint = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        Recorded {
            description,
            fingerprint,
        }
    }

    /// `max_requests=1; window=none; timeout=60s; …`.
    pub(crate) fn description(&self) -> &str {
        &self.description
    }

    /// 16 hex digits, the same for the same settings on every machine.
    pub(crate) fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The settings that differ from those described by `shared`.
    fn differences(&self, shared: &str) -> Vec<Difference> {
        let theirs: Vec<(&str, &str)> = pairs(shared).collect();
        let mut differences: Vec<Difference> = pairs(&self.description)
            .filter_map(|(name, here)| {
                let shared = theirs.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
                (shared != Some(here)).then(|| Difference {
                    setting: name.to_owned(),
                    here: here.to_owned(),
                    shared: shared.unwrap_or("(not recorded)").to_owned(),
                })
            })
            .collect();
        // Settings only the shared state has (recorded by another version).
        for (name, shared) in theirs {
            if !pairs(&self.description).any(|(n, _)| n == name) {
                differences.push(Difference {
                    setting: name.to_owned(),
                    here: "(none)".to_owned(),
                    shared: shared.to_owned(),
                });
            }
        }
        differences
    }
}

fn pairs(description: &str) -> impl Iterator<Item = (&str, &str)> {
    description
        .split(SEPARATOR)
        .filter_map(|pair| pair.split_once('='))
}

/// A handle's settings differ from those the shared breaker under its name
/// runs: it refuses to join (and decides with its local breaker).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsConflict {
    key: String,
    differences: Vec<Difference>,
    shared_description: String,
}

/// One setting whose value differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The setting: `max_requests`, `window` (the interval and
    /// bucket_period, as the breaker runs them), `timeout`,
    /// `ready_to_trip`, `backoff`, `max_half_open_wait` or `slow_call`.
    pub setting: String,
    /// Its value in this handle's settings.
    pub here: String,
    /// Its value in the shared state.
    pub shared: String,
}

impl SettingsConflict {
    /// Our settings against the description the shared state at `key` holds.
    pub(crate) fn new(key: &str, ours: &Recorded, shared_description: &str) -> Self {
        SettingsConflict {
            key: key.to_owned(),
            differences: ours.differences(shared_description),
            shared_description: shared_description.to_owned(),
        }
    }

    /// The Redis key of the shared breaker.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The settings that differ, in the order of the description.
    pub fn differences(&self) -> &[Difference] {
        &self.differences
    }

    /// The settings the shared state runs, as it records them.
    pub fn shared_settings(&self) -> &str {
        &self.shared_description
    }
}

impl fmt::Display for SettingsConflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the shared breaker at {} runs other settings", self.key)?;
        if self.differences.is_empty() {
            // The same values under another fingerprint: another version.
            write!(f, " (recorded as: {})", self.shared_description)?;
        }
        for (i, d) in self.differences.iter().enumerate() {
            let lead = if i == 0 { ": " } else { ", " };
            write!(
                f,
                "{lead}{} is {} here but {} in the shared state",
                d.setting, d.here, d.shared
            )?;
        }
        f.write_str("; give every handle of one breaker the same settings, or another name")
    }
}

impl std::error::Error for SettingsConflict {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::SettingsArgs;
    use std::time::Duration;
    use tripbreaker::{Backoff, Settings, TripRule};

    fn recorded(settings: Settings) -> Recorded {
        SettingsArgs::new(&settings).unwrap().recorded
    }

    #[test]
    fn the_description_names_every_setting_the_script_runs() {
        let settings = Settings {
            max_requests: 3,
            interval: Duration::from_secs(10),
            bucket_period: Duration::from_secs(1),
            timeout: Duration::from_millis(1_500),
            ready_to_trip: TripRule::FailureRate {
                min_requests: 4,
                ratio: 0.5,
            },
            backoff: Some(Backoff {
                multiplier: 2,
                max_timeout: Duration::from_secs(30),
            }),
            slow_call: Some(Duration::from_nanos(1_500)),
            ..Settings::new("greeter")
        };
        assert_eq!(
            recorded(settings).description(),
            "max_requests=3; window=rolling(10x1s); timeout=1.5s; \
             ready_to_trip=failure_rate(min_requests=4,ratio=0.5); backoff=x2 up to 30s; \
             max_half_open_wait=none; slow_call=2µs"
        );
        assert_eq!(
            recorded(Settings::new("greeter")).description(),
            "max_requests=1; window=none; timeout=60s; ready_to_trip=consecutive_failures(6); \
             backoff=none; max_half_open_wait=none; slow_call=none"
        );
    }

    #[test]
    fn the_fingerprint_is_stable_and_follows_the_settings_not_the_name() {
        let defaults = recorded(Settings::new("greeter"));
        // Pinned (the first 16 hex digits of `sha256sum` of the defaults'
        // description): a handle of another build must compute the same value.
        assert_eq!(defaults.fingerprint(), "5c07c4711cdbc13a");
        assert_eq!(defaults, recorded(Settings::new("other")));
        // Settings the script runs the same way have the same fingerprint.
        let zero = Settings {
            max_requests: 0,
            ..Settings::new("greeter")
        };
        let one = Settings {
            max_requests: 1,
            ..zero
        };
        assert_eq!(recorded(zero), recorded(one));
        let two = Settings {
            max_requests: 2,
            ..zero
        };
        assert_ne!(recorded(two).fingerprint(), defaults.fingerprint());
    }

    #[test]
    fn a_conflict_names_the_settings_that_differ() {
        let shared = recorded(Settings {
            timeout: Duration::from_secs(5),
            ready_to_trip: TripRule::ConsecutiveFailures(3),
            ..Settings::new("greeter")
        });
        let ours = recorded(Settings::new("greeter"));
        let conflict = SettingsConflict::new("breaker:{greeter}", &ours, shared.description());
        let named: Vec<_> = conflict
            .differences()
            .iter()
            .map(|d| (d.setting.as_str(), d.here.as_str(), d.shared.as_str()))
            .collect();
        assert_eq!(
            named,
            [
                ("timeout", "60s", "5s"),
                (
                    "ready_to_trip",
                    "consecutive_failures(6)",
                    "consecutive_failures(3)"
                )
            ]
        );
        assert_eq!(
            conflict.to_string(),
            "the shared breaker at breaker:{greeter} runs other settings: timeout is 60s here \
             but 5s in the shared state, ready_to_trip is consecutive_failures(6) here but \
             consecutive_failures(3) in the shared state; give every handle of one breaker \
             the same settings, or another name"
        );
        let other_version = SettingsConflict::new("k", &ours, "max_requests=1; jitter=5ms");
        let named: Vec<_> = other_version
            .differences()
            .iter()
            .map(|d| d.setting.as_str())
            .collect();
        assert_eq!(
            named,
            [
                "window",
                "timeout",
                "ready_to_trip",
                "backoff",
                "max_half_open_wait",
                "slow_call",
                "jitter"
            ]
        );
    }
}
