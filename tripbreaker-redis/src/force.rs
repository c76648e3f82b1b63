//! Steering: a force with a time to live and a reason, kept in the shared
//! state so every handle obeys it, and a handle's own local force.

use crate::handle::{RedisBreaker, late_answer_limit};
use crate::script::micros_between;
use crate::settings::signed_micros;
use crate::store::Connection;
use std::time::Duration;
use tripbreaker::{Observer, State};

/// The Lua source that sets, ends and reads a shared force.
pub(crate) const SOURCE: &str = include_str!("force.lua");

/// The longest a shared force may last: 24 hours. A force is an
/// operator's answer to an incident; one meant to last longer is set again
/// before it ends, so a forgotten one never outlives the day.
pub const MAX_FORCE_TTL: Duration = Duration::from_secs(24 * 3600);

/// The longest reason a force may carry, in bytes.
pub const MAX_REASON_LEN: usize = 200;

/// What a forced breaker does with every call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Force {
    /// Every call is rejected ([`State::ForcedOpen`]).
    Open,
    /// Every call goes through and is counted, and the breaker never trips
    /// ([`State::ForcedClosed`]).
    Closed,
}

impl Force {
    /// `open` or `closed`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Force::Open => "open",
            Force::Closed => "closed",
        }
    }

    /// The state a breaker under this force is in.
    pub const fn state(self) -> State {
        match self {
            Force::Open => State::ForcedOpen,
            Force::Closed => State::ForcedClosed,
        }
    }

    /// The force's code in the shared state (`fk`).
    pub(crate) fn code(self) -> &'static str {
        match self {
            Force::Open => "o",
            Force::Closed => "c",
        }
    }
}

impl std::fmt::Display for Force {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A shared force in effect: what it does, why, and for how much longer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forced {
    /// Open or closed.
    pub force: Force,
    /// The reason it was given.
    pub reason: String,
    /// How long until it ends by itself, on the store's clock.
    pub remaining: Duration,
}

/// Why a shared force could not be set, ended or read.
#[derive(Debug, thiserror::Error)]
pub enum ForceError {
    /// A time to live of zero.
    #[error("a force must last more than 0s")]
    ZeroTtl,
    /// A time to live past [`MAX_FORCE_TTL`].
    #[error(
        "a force may last at most {} (asked: {}); force again before it ends to keep it longer",
        humane(MAX_FORCE_TTL),
        humane(*.0)
    )]
    TtlTooLong(Duration),
    /// A reason longer than [`MAX_REASON_LEN`] bytes, or with control characters.
    #[error("a reason is at most {MAX_REASON_LEN} bytes of printable text: {0}")]
    Reason(&'static str),
    /// Redis did not answer in time.
    #[error("Redis did not answer within {0:?}")]
    Timeout(Duration),
    /// Redis answered with an error (the key holds another type, …).
    #[error("Redis: {0}")]
    Redis(#[from] redis::RedisError),
    /// A reply the force script never gives.
    #[error("unexpected reply from the force script: {0}")]
    Reply(String),
}

/// Whether `ttl` is a time to live a shared force may have: more than
/// zero and at most [`MAX_FORCE_TTL`].
///
/// ```
/// use std::time::Duration;
/// use tripbreaker_redis::check_force_ttl;
/// assert!(check_force_ttl(Duration::from_secs(60)).is_ok());
/// assert!(check_force_ttl(Duration::ZERO).is_err());
/// let error = check_force_ttl(Duration::from_secs(2 * 24 * 3600)).unwrap_err();
/// assert!(error.to_string().contains("at most 1day"), "{error}");
/// ```
pub fn check_force_ttl(ttl: Duration) -> Result<(), ForceError> {
    if ttl.is_zero() {
        Err(ForceError::ZeroTtl)
    } else if ttl > MAX_FORCE_TTL {
        Err(ForceError::TtlTooLong(ttl))
    } else {
        Ok(())
    }
}

/// Whether `reason` may be stored and shown: at most [`MAX_REASON_LEN`]
/// bytes, no control characters (it ends up in logs and terminals).
fn check_reason(reason: &str) -> Result<(), ForceError> {
    if reason.len() > MAX_REASON_LEN {
        Err(ForceError::Reason("this one is longer"))
    } else if reason.chars().any(char::is_control) {
        Err(ForceError::Reason("this one has control characters"))
    } else {
        Ok(())
    }
}

/// A duration as humantime writes it, whole seconds (`1day`, `1m 30s`).
fn humane(duration: Duration) -> humantime::FormattedDuration {
    humantime::format_duration(Duration::from_secs(duration.as_secs()))
}

/// What the force script is asked to do.
#[derive(Clone, Copy)]
pub(crate) enum Op<'a> {
    Force(Force, Duration, &'a str),
    Release,
    Read,
}

impl<O: Observer + Send + 'static> RedisBreaker<O> {
    /// Forces the shared breaker open or closed for `ttl`, for every handle
    /// on it: each obeys at its next call (one round trip), with a
    /// transition of [`Reason::Forced`](tripbreaker::Reason::Forced) reported
    /// by the handle that applies it. A force replaces the one in effect.
    /// It ends by itself after `ttl` (at most [`MAX_FORCE_TTL`]), or at
    /// [`release`](Self::release); then the breaker goes on closed with
    /// fresh counts ([`Reason::Released`](tripbreaker::Reason::Released)).
    ///
    /// One round trip, waiting at most the larger of 1 s and 20 store
    /// timeouts; it needs no settings in common with the handles it
    /// steers. A handle in its local fallback obeys when it rejoins. A
    /// force open wins over a local force closed, and a local force open
    /// over a shared force closed (see [`force_locally`](Self::force_locally)).
    ///
    /// ```no_run
    /// # async fn demo(breaker: tripbreaker_redis::RedisBreaker) -> Result<(), tripbreaker_redis::ForceError> {
    /// use std::time::Duration;
    /// use tripbreaker_redis::Force;
    /// breaker.force(Force::Open, Duration::from_secs(60), "deploy of the payments API").await?;
    /// if let Some(forced) = breaker.forced().await? {
    ///     println!("forced {} for {:?} more: {}", forced.force, forced.remaining, forced.reason);
    /// }
    /// breaker.release().await?; // or let the 60 s run out
    /// # Ok(()) }
    /// ```
    pub async fn force(
        &self,
        force: Force,
        ttl: Duration,
        reason: &str,
    ) -> Result<Forced, ForceError> {
        let forced = self.steer(Op::Force(force, ttl, reason)).await?;
        forced.ok_or_else(|| ForceError::Reply("no force after forcing".to_owned()))
    }

    /// Ends the shared force in effect, if any, and says which it was: the
    /// handles go on closed with fresh counts at their next call. One
    /// round trip.
    pub async fn release(&self) -> Result<Option<Forced>, ForceError> {
        self.steer(Op::Release).await
    }

    /// The shared force in effect, with its reason and the time it has
    /// left; `None` if there is none. One round trip.
    pub async fn forced(&self) -> Result<Option<Forced>, ForceError> {
        self.steer(Op::Read).await
    }

    /// Forces this handle alone, until [`release_locally`](Self::release_locally):
    /// open, it rejects every call without asking Redis; closed, it admits
    /// every call, counted by its own breaker only (never in the shared
    /// counts), unless the shared breaker is forced open. A force open wins
    /// wherever it was set: a local force open over a shared force closed,
    /// a shared force open over a local force closed.
    pub fn force_locally(&self, force: Force) {
        self.inner.set_local_force(Some(force));
    }

    /// Ends this handle's local force: its local breaker goes on closed with
    /// fresh counts, and the shared breaker decides again.
    pub fn release_locally(&self) {
        self.inner.set_local_force(None);
    }

    /// This handle's local force, if any.
    pub fn local_force(&self) -> Option<Force> {
        *self.inner.local_force.lock()
    }

    async fn steer(&self, op: Op<'_>) -> Result<Option<Forced>, ForceError> {
        let inner = &self.inner;
        let steering = Steering {
            script: &inner.force_script,
            key: &inner.key,
            now: inner.manual_now_micros(),
            expiry_ms: inner.expiry_ms,
            limit: late_answer_limit(inner.store_timeout),
        };
        steering.run(inner.connection.clone(), op).await
    }
}

/// One run of the force script on one breaker's key: by a handle, or by a
/// [`Fleet`](crate::Fleet) that steers breakers by name.
pub(crate) struct Steering<'a> {
    pub(crate) script: &'a redis::Script,
    pub(crate) key: &'a str,
    /// Microseconds on a manual clock; `None`: the Redis server's clock.
    pub(crate) now: Option<u64>,
    /// How long the key outlives a force, in milliseconds.
    pub(crate) expiry_ms: u64,
    /// The longest wait for the answer.
    pub(crate) limit: Duration,
}

impl Steering<'_> {
    /// Runs `op` and reads the force in effect after it (for a release,
    /// the one it ended).
    pub(crate) async fn run(
        &self,
        mut connection: Connection,
        op: Op<'_>,
    ) -> Result<Option<Forced>, ForceError> {
        if let Op::Force(_, ttl, reason) = op {
            check_force_ttl(ttl)?;
            check_reason(reason)?;
        }
        let mut invocation = self.script.key(self.key);
        invocation
            .arg(match op {
                Op::Force(..) => "force",
                Op::Release => "release",
                Op::Read => "read",
            })
            .arg(self.now.map(|us| us.to_string()).unwrap_or_default())
            .arg(self.expiry_ms);
        if let Op::Force(force, ttl, reason) = op {
            invocation
                .arg(force.code())
                .arg(signed_micros(ttl))
                .arg(reason);
        }
        let (kind, end, now, reason) = tokio::time::timeout(
            self.limit,
            invocation.invoke_async::<(String, i64, i64, String)>(&mut connection),
        )
        .await
        .map_err(|_| ForceError::Timeout(self.limit))??;
        let force = match kind.as_str() {
            "" => return Ok(None),
            "o" => Force::Open,
            "c" => Force::Closed,
            other => return Err(ForceError::Reply(format!("force kind {other:?}"))),
        };
        Ok(Some(Forced {
            force,
            reason,
            remaining: micros_between(now, end),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_short_printable_text() {
        assert!(check_reason("deploy of the payments API, until 14:00").is_ok());
        assert!(check_reason("").is_ok());
        assert!(check_reason("line\nbreak").is_err());
        assert!(check_reason(&"x".repeat(MAX_REASON_LEN + 1)).is_err());
    }

    #[test]
    fn a_ttl_is_more_than_zero_and_at_most_a_day() {
        assert!(check_force_ttl(MAX_FORCE_TTL).is_ok());
        assert!(check_force_ttl(Duration::from_micros(1)).is_ok());
        let error = check_force_ttl(MAX_FORCE_TTL + Duration::from_secs(1)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "a force may last at most 1day (asked: 1day 1s); force again before it ends to keep it longer"
        );
    }
}
