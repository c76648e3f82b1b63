//! Fuzzes the settings as the page's URL query and the CLI's flags give
//! them: `Setting::set` and `Settings::set` with every key of `SETTINGS`
//! (the CLI's value parser and `Settings::from_arg_matches` call
//! `Setting::set`), and `parse_server`, with arbitrary text and with
//! near-valid text (numbers at and past their bounds, humantime durations,
//! the keywords, surrounding whitespace).
//!
//! Properties:
//! - an error leaves the settings unchanged, and its message quotes the
//!   value and says what was expected (the setting's bounds);
//! - a success changes that setting only, within its bounds, and
//!   round-trips: `get` then `set` gives the same settings;
//! - after any sequence of sets, every setting is within its bounds and
//!   `changed_from` reproduces the settings from the defaults;
//! - `parse_server` returns, if anything, `http://` or `https://` and an
//!   authority as `http` reads it: a host, no user part, path, query,
//!   fragment, whitespace or control character, no trailing slash, a port
//!   (if written) that is a number up to 65535; and reads its own answer
//!   back unchanged.
//!
//! Bounded by its case count; `PROPTEST_CASES` overrides it.
#![cfg(not(target_arch = "wasm32"))]

use greeter_client::{Kind, SETTINGS, Setting, Settings, parse_server};
use http::uri::Authority;
use proptest::prelude::*;

/// Cases per property: well under a minute in a debug build on 2 cores.
const CASES: u32 = 2048;

/// A number as someone might type it: signs, zeros, bounds and overflow.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u64..20).prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        prop::sample::select(vec![
            "0",
            "1",
            "10",
            "11",
            "-1",
            "+3",
            "007",
            "4294967295",
            "4294967296",
            "1e3",
            "1.5",
            "٣",
            "",
        ])
        .prop_map(str::to_owned),
    ]
}

/// A duration as someone might type it: humantime units, several parts,
/// huge and negative numbers.
fn duration() -> impl Strategy<Value = String> {
    let unit = prop::sample::select(vec![
        "ns",
        "us",
        "µs",
        "ms",
        "s",
        "sec",
        "m",
        "min",
        "h",
        "hr",
        "d",
        "w",
        "M",
        "months",
        "y",
        "years",
        "",
        "S",
        "secs",
        "fortnight",
    ]);
    let part = (number(), unit).prop_map(|(n, unit)| format!("{n}{unit}"));
    (
        prop::collection::vec(part, 1..4),
        prop::sample::select(vec![" ", "", "  "]),
    )
        .prop_map(|(parts, gap)| parts.join(gap))
}

/// Text for a setting: arbitrary, or near what it accepts, with
/// whitespace around it at times.
fn text() -> impl Strategy<Value = String> {
    let word = prop::sample::select(vec![
        "count", "exclude", "Count", "EXCLUDE", "counts", "exclude ", "", "none",
    ]);
    let near = prop_oneof![number(), duration(), word.prop_map(str::to_owned),];
    let space = prop::sample::select(vec!["", "", " ", "\t", "\n", "\u{a0}"]);
    prop_oneof![
        1 => any::<String>(),
        3 => (space.clone(), near, space).prop_map(|(a, t, b)| format!("{a}{t}{b}")),
    ]
}

/// Settings reached from the defaults by a few sets.
fn settings() -> impl Strategy<Value = Settings> {
    prop::collection::vec((0..SETTINGS.len(), text()), 0..6).prop_map(|sets| {
        let mut settings = Settings::default();
        for (index, text) in sets {
            let _ = SETTINGS[index].set(&mut settings, &text);
        }
        settings
    })
}

/// Whether `setting`'s value in `settings` is within its bounds.
fn within_bounds(setting: &Setting, settings: &Settings) -> bool {
    let mut settings = *settings;
    match setting.kind {
        Kind::Count { min, max, field } => (min..=max).contains(field(&mut settings)),
        Kind::Duration {
            zero_allowed,
            field,
        } => zero_allowed || !field(&mut settings).is_zero(),
        Kind::ClientErrors { .. } => true,
    }
}

/// What an error message for `setting` must say was expected.
fn expectation(kind: &Kind) -> Vec<String> {
    match *kind {
        Kind::Count {
            min, max: u32::MAX, ..
        } => vec![format!("a whole number of at least {min}")],
        Kind::Count { min, max, .. } => vec![format!("a whole number from {min} to {max}")],
        Kind::Duration {
            zero_allowed: true, ..
        } => vec!["a duration like 5s or 500ms".into()],
        Kind::Duration { .. } => vec![
            "a duration like 5s or 500ms".into(),
            "must be longer than 0s".into(),
        ],
        Kind::ClientErrors { .. } => vec!["neither `count` nor `exclude`".into()],
    }
}

/// Checks one `set` of `setting` from `start` with `text`.
fn check_set(setting: &Setting, start: Settings, text: &str) -> Result<(), TestCaseError> {
    let mut settings = start;
    let result = setting.set(&mut settings, text);
    match &result {
        Err(message) => {
            prop_assert_eq!(settings, start, "an error changed the settings");
            let quoted = format!("`{}`", text.trim());
            prop_assert!(
                message.starts_with(&quoted),
                "{:?} does not quote {:?}",
                message,
                quoted
            );
            prop_assert!(
                expectation(&setting.kind)
                    .iter()
                    .any(|e| message.contains(e.as_str())),
                "{}: {:?} does not say what is expected",
                setting.key,
                message
            );
        }
        Ok(()) => {
            prop_assert!(
                within_bounds(setting, &settings),
                "{}={:?}: {:?}",
                setting.key,
                text,
                settings
            );
            let written = setting.get(&settings);
            let mut again = start;
            prop_assert_eq!(
                setting.set(&mut again, &written),
                Ok(()),
                "{} = {:?} written as {:?}",
                setting.key,
                text,
                written
            );
            prop_assert_eq!(
                again,
                settings,
                "{} = {:?} written as {:?}",
                setting.key,
                text,
                written
            );
            // Setting it back to its old value gives the old settings: no
            // other setting changed.
            let mut back = settings;
            prop_assert_eq!(setting.set(&mut back, &setting.get(&start)), Ok(()));
            prop_assert_eq!(back, start);
        }
    }
    // By key, as the URL query and the page's panel set it: the same.
    let mut by_key = start;
    prop_assert_eq!(by_key.set(setting.key, text), result);
    prop_assert_eq!(by_key, settings);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn every_setting_takes_its_values_or_says_what_it_expects(
        start in settings(),
        index in 0..SETTINGS.len(),
        text in text(),
    ) {
        check_set(&SETTINGS[index], start, &text)?;
    }

    #[test]
    fn an_unknown_key_changes_nothing_and_is_named(
        start in settings(),
        key in "[a-z_-]{0,14}",
        text in text(),
    ) {
        prop_assume!(Setting::find(&key).is_none());
        let mut settings = start;
        prop_assert_eq!(
            settings.set(&key, &text),
            Err(format!("there is no setting `{key}`"))
        );
        prop_assert_eq!(settings, start);
        prop_assert_eq!(settings.get(&key), "");
    }

    #[test]
    fn any_sequence_of_sets_stays_in_bounds_and_is_reproduced_by_its_changes(
        sets in prop::collection::vec((0..SETTINGS.len(), text()), 0..16),
    ) {
        let mut settings = Settings::default();
        for (index, text) in &sets {
            let _ = SETTINGS[*index].set(&mut settings, text);
        }
        for setting in &SETTINGS {
            prop_assert!(within_bounds(setting, &settings), "{}: {:?}", setting.key, settings);
        }
        let mut reproduced = Settings::default();
        for (key, value) in settings.changed_from(&Settings::default()) {
            prop_assert_eq!(reproduced.set(key, &value), Ok(()), "{}={}", key, value);
        }
        prop_assert_eq!(reproduced, settings);
    }

    #[test]
    fn a_server_url_is_a_scheme_and_an_authority_only(text in server_text()) {
        let Ok(url) = parse_server(&text) else {
            return Ok(());
        };
        let authority = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://"));
        prop_assert!(authority.is_some(), "{:?} gave {:?}", text, url);
        let authority = authority.unwrap();
        prop_assert!(!url.ends_with('/'), "{:?} gave {:?}", text, url);
        prop_assert!(
            !authority.is_empty()
                && !authority.contains(|c: char| matches!(c, '/' | '?' | '#' | '@' | '\\')
                    || c.is_whitespace()
                    || c.is_control()),
            "{:?} gave {:?}", text, url
        );
        let parsed = authority.parse::<Authority>();
        prop_assert!(
            parsed.as_ref().is_ok_and(|a| a.as_str() == authority),
            "{:?} gave {:?}, whose authority http reads as {:?}", text, url, parsed
        );
        let parsed = parsed.unwrap();
        prop_assert!(!parsed.host().is_empty(), "{:?} gave {:?}", text, url);
        // The port written, if any, is a number the transport reads as written.
        let port = authority[parsed.host().len()..].strip_prefix(':').unwrap_or("");
        prop_assert!(
            port.is_empty()
                || (port.bytes().all(|b| b.is_ascii_digit()) && port.parse::<u16>().ok() == parsed.port_u16()),
            "{:?} gave {:?}, port {:?}", text, url, port
        );
        prop_assert_eq!(parse_server(&url), Ok(url.clone()));
    }
}

/// Text for `parse_server`: arbitrary, or a scheme, an authority-like
/// part and what may follow it, with whitespace around.
fn server_text() -> impl Strategy<Value = String> {
    let scheme = prop::sample::select(vec![
        "http://",
        "https://",
        "HTTP://",
        "http:/",
        "ftp://",
        "javascript:",
        "",
        "http://http://",
    ]);
    let authority = prop_oneof![
        prop::sample::select(vec![
            "127.0.0.1:50051",
            "localhost",
            "[::1]:8080",
            "demo.example:8443",
            "",
            "user@host",
            "host:",
            "host:99999",
            "host:port",
            "[::1",
            "a b",
            "a\tb",
            "a\u{a0}b",
            "a\\b",
            "%41",
        ])
        .prop_map(str::to_owned),
        "[!-~]{0,16}",
        any::<String>(),
    ];
    let after = prop::sample::select(vec![
        "", "", "/", "//", "/x", "?a", "#f", " ", "\t", "\n/", "/ ",
    ]);
    let space = prop::sample::select(vec!["", "", " ", "\t", "\n"]);
    prop_oneof![
        1 => any::<String>(),
        4 => (space.clone(), scheme, authority, after, space)
            .prop_map(|(a, s, h, t, b)| format!("{a}{s}{h}{t}{b}")),
    ]
}
