//! When a connection is closed although no one needs its slot: it never
//! sent a request, or a response holding a file open stopped moving.
//!
//! hyper-util decides between HTTP/1.1 and HTTP/2 from a connection's first
//! bytes with no deadline of its own, and hyper's header-read timeout
//! starts only after that, so the first request's deadline is kept here.

use std::fmt;
use std::time::Duration;

use tokio::time::Instant;

use super::activity::Activity;
use crate::telemetry::Limit;

/// The deadlines a connection is held to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadlines {
    /// From the connection's start to its first request head, whole.
    pub(crate) first_request: Duration,
    /// The longest a response holding a file open may go without progress.
    pub(crate) stalled_file: Duration,
}

/// Why a connection was closed by its watchdog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expired {
    /// No whole request head within [`Deadlines::first_request`].
    NoRequest(Duration),
    /// A file held open without progress for [`Deadlines::stalled_file`].
    StalledFile(Duration),
}

impl Expired {
    /// The limit it counts under in the server's metrics.
    pub(crate) fn limit(self) -> Limit {
        match self {
            Self::NoRequest(_) => Limit::NoRequest,
            Self::StalledFile(_) => Limit::StalledFile,
        }
    }
}

impl fmt::Display for Expired {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoRequest(limit) => write!(f, "no request within {limit:?}"),
            Self::StalledFile(limit) => {
                write!(
                    f,
                    "a response holding a file made no progress for {limit:?}"
                )
            }
        }
    }
}

/// Completes when the connection of `activity` breaks one of `deadlines`.
pub(crate) async fn expired(activity: &Activity, deadlines: Deadlines, opened: Instant) -> Expired {
    loop {
        let now = Instant::now();
        let next_check = match check(activity, deadlines, opened, now) {
            Ok(next_check) => next_check,
            Err(expired) => return expired,
        };
        tokio::time::sleep_until(next_check).await;
    }
}

/// `Err` when a deadline has passed at `now`; else when to look again.
fn check(
    activity: &Activity,
    deadlines: Deadlines,
    opened: Instant,
    now: Instant,
) -> Result<Instant, Expired> {
    // A deadline too far to be written as an instant never comes.
    let after = |start: Instant, limit: Duration| start.checked_add(limit);
    let mut next_check = after(now, deadlines.stalled_file.min(deadlines.first_request))
        .unwrap_or(now + LONGEST_SLEEP);
    if !activity.has_requested()
        && let Some(deadline) = after(opened, deadlines.first_request)
    {
        if now >= deadline {
            return Err(Expired::NoRequest(deadlines.first_request));
        }
        next_check = next_check.min(deadline);
    }
    if activity.open_files() > 0
        && let Some(deadline) = after(activity.last_useful(), deadlines.stalled_file)
    {
        if now >= deadline {
            return Err(Expired::StalledFile(deadlines.stalled_file));
        }
        next_check = next_check.min(deadline);
    }
    Ok(next_check.min(now + LONGEST_SLEEP))
}

/// The longest the watchdog sleeps before looking again: files may be
/// opened, and deadlines begin, while it sleeps.
const LONGEST_SLEEP: Duration = Duration::from_secs(1);

#[cfg(test)]
mod tests {
    use super::*;

    const DEADLINES: Deadlines = Deadlines {
        first_request: Duration::from_secs(2),
        stalled_file: Duration::from_secs(5),
    };

    #[tokio::test(start_paused = true)]
    async fn a_connection_without_a_request_expires() {
        let opened = Instant::now();
        let activity = Activity::new(opened, 1);
        let expired = expired(&activity, DEADLINES, opened).await;
        assert_eq!(expired, Expired::NoRequest(DEADLINES.first_request));
        assert_eq!(opened.elapsed(), DEADLINES.first_request);
    }

    #[tokio::test(start_paused = true)]
    async fn a_stalled_file_expires_and_a_moving_one_does_not() {
        let opened = Instant::now();
        let activity = Activity::new(opened, 1);
        let _request = activity.begin(http::Request::new(()));
        let files = _request
            .extensions()
            .get::<crate::file_budget::OpenFiles>()
            .unwrap()
            .clone();
        let _file = files.acquire().await;
        // Progress every 4 s: never 5 s without.
        for _ in 0..3 {
            tokio::time::advance(Duration::from_secs(4)).await;
            activity.note_useful();
            assert!(check(&activity, DEADLINES, opened, Instant::now()).is_ok());
        }
        let expired = expired(&activity, DEADLINES, opened).await;
        assert_eq!(expired, Expired::StalledFile(DEADLINES.stalled_file));
    }
}
