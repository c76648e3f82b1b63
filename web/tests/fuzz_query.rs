//! Fuzzes the page's URL query reader, `Config::from_query` (natively: it is
//! plain Rust over `greeter_client`'s `Settings::set` and `parse_server`),
//! with arbitrary text and with queries of the page's parameters holding
//! arbitrary and near-valid values, form-encoded or written raw.
//!
//! Properties:
//! - reading never panics, and every setting read is within its bounds;
//! - one problem per bad parameter, in order, each naming the parameter and
//!   what was wrong with it;
//! - the query `to_query` writes reads back as the same server and
//!   settings, with no problem.
//!
//! Bounded by its case count; `PROPTEST_CASES` overrides it.
#![cfg(not(target_arch = "wasm32"))]

use greeter_client::{Kind, SETTINGS, Settings, parse_server};
use proptest::prelude::*;
use web::Config;

/// Cases per property: well under a minute in a debug build on 2 cores.
const CASES: u32 = 2048;

/// A parameter's name: the page's, or another.
fn key() -> impl Strategy<Value = String> {
    let mut known: Vec<&str> = SETTINGS.iter().map(|s| s.key).collect();
    known.push("server");
    prop_oneof![
        4 => prop::sample::select(known).prop_map(str::to_owned),
        1 => "[a-z_]{0,10}",
        1 => any::<String>(),
    ]
}

/// A parameter's value: near what the page's parameters accept, or arbitrary.
fn value() -> impl Strategy<Value = String> {
    let near = prop::sample::select(vec![
        "0",
        "1",
        "3",
        "10",
        "11",
        "-1",
        "4294967295",
        "4294967296",
        "0s",
        "5s",
        "500ms",
        "1m 30s",
        "1.5s",
        "soon",
        "count",
        "exclude",
        "maybe",
        "",
        " 2 ",
        "http://127.0.0.1:50051",
        "https://demo.example:8443/",
        "ftp://x",
        "http://",
        "http://a b",
        "http://a\tb",
        "http://host/path",
    ]);
    prop_oneof![
        3 => near.prop_map(str::to_owned),
        1 => (0u64..100_000, prop::sample::select(vec!["ns", "ms", "s", "m", "h", "d", "y", ""]))
            .prop_map(|(n, unit)| format!("{n}{unit}")),
        1 => (
            prop::sample::select(vec!["http://", "https://", "HTTP://", ""]),
            "[a-z0-9.:@%\\[\\] \t\n\r\x0b\x0c-]{0,10}",
            prop::sample::select(vec!["", "/", "//", "\t/", " /", "/x", "?a", "#f"]),
        )
            .prop_map(|(scheme, authority, after)| format!("{scheme}{authority}{after}")),
        1 => any::<String>(),
    ]
}

/// A query: parameters form-encoded or written raw, with or without `?`,
/// or arbitrary text.
fn query() -> impl Strategy<Value = String> {
    let pairs = prop::collection::vec((key(), value()), 0..8);
    let query = (pairs, any::<bool>(), any::<bool>()).prop_map(|(pairs, encoded, mark)| {
        let body = if encoded {
            let mut query = form_urlencoded::Serializer::new(String::new());
            for (key, value) in &pairs {
                query.append_pair(key, value);
            }
            query.finish()
        } else {
            let raw: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
            raw.join("&")
        };
        if mark { format!("?{body}") } else { body }
    });
    prop_oneof![4 => query, 1 => any::<String>()]
}

/// The page's own origin, as `location.origin` gives it or with a slash.
fn origin() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "http://localhost:8080",
        "http://localhost:8080/",
        "http://127.0.0.1:50051",
    ])
}

/// Whether every setting of `settings` is within its bounds.
fn within_bounds(settings: &Settings) -> bool {
    SETTINGS.iter().all(|setting| {
        let mut settings = *settings;
        match setting.kind {
            Kind::Count { min, max, field } => (min..=max).contains(field(&mut settings)),
            Kind::Duration {
                zero_allowed,
                field,
            } => zero_allowed || !field(&mut settings).is_zero(),
            Kind::ClientErrors { .. } => true,
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn a_query_reads_into_settings_in_bounds_and_one_problem_per_bad_parameter(
        query in query(),
        origin in origin(),
    ) {
        let config = Config::from_query(&query, origin);
        prop_assert!(within_bounds(&config.settings), "{:?}", config.settings);
        // What each parameter should say, read on its own.
        let raw = query.strip_prefix('?').unwrap_or(&query);
        let errors: Vec<(String, String)> = form_urlencoded::parse(raw.as_bytes())
            .filter_map(|(key, value)| {
                let error = match &*key {
                    "server" => parse_server(&value).err(),
                    key => Settings::default().set(key, &value).err(),
                };
                error.map(|error| (key.into_owned(), error))
            })
            .collect();
        prop_assert_eq!(config.problems.len(), errors.len(), "{:?}", config.problems);
        for (problem, (key, error)) in config.problems.iter().zip(&errors) {
            prop_assert!(
                problem.starts_with(&format!("{key}: {error} (")),
                "{:?} does not name {:?}: {:?}", problem, key, error
            );
        }
    }

    #[test]
    fn the_query_written_reads_back_as_the_same_config(
        query in query(),
        origin in origin(),
    ) {
        let config = Config::from_query(&query, origin);
        let written = config.to_query(origin);
        let again = Config::from_query(&written, origin);
        prop_assert!(again.problems.is_empty(), "{:?} → {:?}: {:?}", query, written, again.problems);
        prop_assert_eq!(&again.server, &config.server, "{:?} → {:?}", query, written);
        prop_assert_eq!(again.settings, config.settings, "{:?} → {:?}", query, written);
    }
}
