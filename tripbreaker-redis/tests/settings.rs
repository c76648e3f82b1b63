//! Settings the script cannot run are refused when the handle is made.

use std::time::Duration;
use tripbreaker::{Settings, TripRule};
use tripbreaker_redis::{BuildError, MAX_BUCKETS, RedisBreaker, SettingsError};

/// No server is needed: handles connect lazily, and settings are checked first.
const NOWHERE: &str = "redis://127.0.0.1:1";

#[tokio::test]
async fn a_custom_trip_rule_is_refused() {
    let settings = Settings {
        ready_to_trip: TripRule::Custom(|counts| counts.total_failures > 2),
        ..Settings::new("custom")
    };
    let error = RedisBreaker::builder(settings)
        .connect(NOWHERE)
        .unwrap_err();
    assert!(matches!(
        error,
        BuildError::Settings(SettingsError::CustomRule)
    ));
    assert!(error.to_string().contains("custom trip rule"), "{error}");
}

#[tokio::test]
async fn a_window_of_too_many_buckets_is_refused() {
    let settings = Settings {
        interval: Duration::from_millis(MAX_BUCKETS as u64 + 1),
        bucket_period: Duration::from_millis(1),
        ..Settings::new("buckets")
    };
    let error = RedisBreaker::builder(settings)
        .connect(NOWHERE)
        .unwrap_err();
    assert!(matches!(
        error,
        BuildError::Settings(SettingsError::TooManyBuckets(65))
    ));
}

#[tokio::test]
async fn settings_the_core_refuses_are_refused() {
    let settings = Settings {
        ready_to_trip: TripRule::FailureRate {
            min_requests: 1,
            ratio: 1.5,
        },
        ..Settings::new("ratio")
    };
    let error = RedisBreaker::builder(settings)
        .connect(NOWHERE)
        .unwrap_err();
    assert!(matches!(
        error,
        BuildError::Settings(SettingsError::Invalid(_))
    ));
}

#[tokio::test]
async fn the_key_is_the_namespace_and_the_name_in_a_hash_tag() {
    let breaker = RedisBreaker::builder(Settings::new("greeter"))
        .namespace("team-a")
        .connect(NOWHERE)
        .unwrap();
    assert_eq!(breaker.key(), "team-a:{greeter}");
}
