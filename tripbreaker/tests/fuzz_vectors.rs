//! Fuzzes the conformance-vector reader (`vectors::run_vectors`, the serde
//! JSON reader of `tests/vectors/*.jsonl`) with arbitrary bytes and with
//! mutated copies of the recorded cases: bytes flipped, cut, inserted or
//! repeated, and JSON values replaced or removed.
//!
//! Properties, on both targets (the core and `SharedBreaker`):
//! - the reader returns an error, never panics;
//! - a text it accepts is all JSON cases: one case counted per non-blank line;
//! - the core and `SharedBreaker` give the same verdict on the same text,
//!   mismatches included (they are one state machine).
//!
//! Bounded by its case count; `PROPTEST_CASES` overrides it.
#![cfg(not(target_arch = "wasm32"))]

mod vectors;

use proptest::prelude::*;
use serde_json::Value;
use vectors::{Target, run_vectors};

/// Cases per property: well under a minute in a debug build on 2 cores.
const CASES: u32 = 512;

/// The recorded files whose lines are mutated.
const FILES: [&str; 4] = [
    include_str!("vectors/gobreaker-fixed-window.jsonl"),
    include_str!("vectors/gobreaker-rolling-window.jsonl"),
    include_str!("vectors/gobreaker-fixed-late.jsonl"),
    include_str!("vectors/gobreaker-rolling-late.jsonl"),
];

/// One recorded case, picked by file and line: (file, line number from 1).
fn recorded_case() -> impl Strategy<Value = (usize, usize)> {
    (0..FILES.len(), any::<prop::sample::Index>())
        .prop_map(|(file, line)| (file, line.index(FILES[file].lines().count()) + 1))
}

/// The text of a case [`recorded_case`] picked.
fn case_text((file, line): (usize, usize)) -> &'static str {
    FILES[file]
        .lines()
        .nth(line - 1)
        .expect("a line of the file")
}

/// A change to a case's text.
#[derive(Debug, Clone)]
enum Mutation {
    /// Sets the byte at this position.
    SetByte(prop::sample::Index, u8),
    /// Removes up to this many bytes from this position.
    Cut(prop::sample::Index, usize),
    /// Inserts these bytes at this position.
    Insert(prop::sample::Index, Vec<u8>),
    /// Repeats up to this many bytes from this position.
    Repeat(prop::sample::Index, usize),
    /// Replaces a JSON value (any node of the case) with one of the same
    /// type (a number for a number, a word for a string), or any value.
    Replace(prop::sample::Index, Replacement),
    /// Removes a member of a JSON object or an element of an array.
    Remove(prop::sample::Index),
    /// Repeats an element of a JSON array (a step, a transition) after itself.
    Duplicate(prop::sample::Index),
}

/// The values a [`Mutation::Replace`] may write, chosen by what it replaces.
#[derive(Debug, Clone)]
struct Replacement {
    same_type: bool,
    number: Value,
    word: Value,
    any: Value,
}

/// The format's own words, and others.
fn word() -> impl Strategy<Value = Value> {
    let word = prop::sample::select(vec![
        "advance",
        "acquire",
        "record",
        "state",
        "success",
        "failure",
        "excluded",
        "admitted",
        "open",
        "closed",
        "half-open",
        "too_many_requests",
        "default",
        "consecutive_failures",
        "failure_ratio",
        "",
    ]);
    prop_oneof![
        4 => word.prop_map(Value::from),
        1 => any::<String>().prop_map(Value::from),
    ]
}

/// Numbers at and past the format's bounds (`u32`, `u64`, a ratio, the
/// breaker's room for 64 buckets), and arbitrary ones.
fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::sample::select(vec![
            0u64,
            1,
            2,
            3,
            63,
            64,
            65,
            1000,
            u64::from(u32::MAX),
            u64::MAX
        ])
        .prop_map(Value::from),
        (0u64..20).prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        prop::sample::select(vec![-1.0f64, 0.0, 0.5, 1.0, 1.5, 1e300, -0.0]).prop_map(Value::from),
    ]
}

fn replacement() -> impl Strategy<Value = Replacement> {
    let any_value = prop_oneof![
        word(),
        number(),
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        Just(Value::Array(Vec::new())),
        Just(Value::Object(serde_json::Map::new())),
    ];
    (prop::bool::weighted(0.8), number(), word(), any_value).prop_map(
        |(same_type, number, word, any)| Replacement {
            same_type,
            number,
            word,
            any,
        },
    )
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = any::<prop::sample::Index>;
    prop_oneof![
        1 => (at(), any::<u8>()).prop_map(|(i, b)| Mutation::SetByte(i, b)),
        1 => (at(), 1usize..64).prop_map(|(i, n)| Mutation::Cut(i, n)),
        1 => (at(), prop::collection::vec(any::<u8>(), 1..16)).prop_map(|(i, b)| Mutation::Insert(i, b)),
        1 => (at(), 1usize..256).prop_map(|(i, n)| Mutation::Repeat(i, n)),
        8 => (at(), replacement()).prop_map(|(i, r)| Mutation::Replace(i, r)),
        2 => at().prop_map(Mutation::Remove),
        2 => at().prop_map(Mutation::Duplicate),
    ]
}

/// The JSON pointers of every node of `value` (the root excluded).
fn pointers(value: &Value, prefix: &str, out: &mut Vec<String>) {
    let children: Vec<(String, &Value)> = match value {
        Value::Object(members) => members.iter().map(|(k, v)| (k.clone(), v)).collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        _ => Vec::new(),
    };
    for (key, child) in children {
        let pointer = format!("{prefix}/{}", key.replace('~', "~0").replace('/', "~1"));
        out.push(pointer.clone());
        pointers(child, &pointer, out);
    }
}

/// `text` changed by `mutation`; a JSON mutation of text that is no JSON
/// leaves it as it is.
fn mutate(text: String, mutation: &Mutation) -> String {
    let mut bytes = text.into_bytes();
    let position = |i: &prop::sample::Index, len: usize| i.index(len + 1);
    match mutation {
        Mutation::SetByte(i, b) if !bytes.is_empty() => {
            let at = i.index(bytes.len());
            bytes[at] = *b;
        }
        Mutation::Cut(i, n) => {
            let at = position(i, bytes.len());
            bytes.drain(at..(at + n).min(bytes.len()));
        }
        Mutation::Insert(i, inserted) => {
            let at = position(i, bytes.len());
            bytes.splice(at..at, inserted.iter().copied());
        }
        Mutation::Repeat(i, n) => {
            let at = position(i, bytes.len());
            let repeated = bytes[at..(at + n).min(bytes.len())].to_vec();
            bytes.splice(at..at, repeated);
        }
        Mutation::Replace(..) | Mutation::Remove(_) | Mutation::Duplicate(_) => {
            return edit_json(bytes, mutation);
        }
        Mutation::SetByte(..) => {}
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The JSON in `bytes` changed by a JSON `mutation` at the node it picks;
/// text that is no JSON, as it is.
fn edit_json(bytes: Vec<u8>, mutation: &Mutation) -> String {
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let Ok(mut root) = serde_json::from_str::<Value>(&text) else {
        return text;
    };
    let mut all = Vec::new();
    pointers(&root, "", &mut all);
    let (Mutation::Replace(i, _) | Mutation::Remove(i) | Mutation::Duplicate(i)) = mutation else {
        unreachable!("only JSON mutations come here");
    };
    if all.is_empty() {
        return text;
    }
    let pointer = &all[i.index(all.len())];
    let (parent, key) = pointer.rsplit_once('/').expect("pointers start with /");
    let key = key.replace("~1", "/").replace("~0", "~");
    if let Mutation::Replace(_, replacement) = mutation {
        let node = root.pointer_mut(pointer).expect("a pointer into root");
        *node = match node {
            Value::Number(_) if replacement.same_type => replacement.number.clone(),
            Value::String(_) if replacement.same_type => replacement.word.clone(),
            _ => replacement.any.clone(),
        };
        return root.to_string();
    }
    let duplicate = matches!(mutation, Mutation::Duplicate(_));
    match root.pointer_mut(parent).expect("the parent of a node") {
        Value::Object(members) if !duplicate => {
            members.remove(&key);
        }
        Value::Array(items) => {
            let index = key.parse::<usize>().expect("an array index");
            if duplicate {
                items.insert(index, items[index].clone());
            } else {
                items.remove(index);
            }
        }
        _ => {}
    }
    root.to_string()
}

/// Replays `text` on both targets and checks the properties of the module docs.
fn check_reader(text: &str) -> Result<(), TestCaseError> {
    let core = run_vectors(text, Target::Core).map_err(|failure| failure.to_string());
    let shared = run_vectors(text, Target::Shared).map_err(|failure| failure.to_string());
    let core_summary = core.as_ref().map(|summary| (summary.cases, summary.steps));
    let shared_summary = shared
        .as_ref()
        .map(|summary| (summary.cases, summary.steps));
    prop_assert_eq!(&core_summary, &shared_summary, "core and shared differ");
    if let Ok((cases, _steps)) = core_summary {
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        prop_assert_eq!(cases, lines.len());
        for line in lines {
            prop_assert!(
                serde_json::from_str::<Value>(line).is_ok_and(|case| case.is_object()),
                "accepted a line that is no JSON object: {:?}",
                line
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn arbitrary_bytes_are_an_error_not_a_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..2048)
    ) {
        check_reader(&String::from_utf8_lossy(&bytes))?;
    }

    #[test]
    fn arbitrary_text_is_an_error_not_a_panic(text in any::<String>()) {
        check_reader(&text)?;
    }

    #[test]
    fn mutated_cases_are_an_error_or_a_verdict_not_a_panic(
        case in recorded_case(),
        mutations in prop::collection::vec(mutation(), 1..3),
        second_line in any::<bool>(),
    ) {
        let case = case_text(case);
        let mut text = mutations.iter().fold(case.to_owned(), mutate);
        if second_line {
            // A mutated case followed by a good one: the reader stops at the first.
            text = format!("{text}\n{case}");
        }
        check_reader(&text)?;
    }
}
