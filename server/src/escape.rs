//! User-controlled text made safe for a log line: control characters (C0,
//! DEL, C1), line separators and bidirectional overrides written as
//! `\u{…}` escapes, so no input can end a line, forge the next one, or
//! reorder what a reader sees.

use std::fmt;

/// Whether `c` is shown as an escape in logs (and refused where text must be printable).
///
/// ```
/// use server::escape::is_unsafe;
///
/// assert!(is_unsafe('\n') && is_unsafe('\u{85}') && is_unsafe('\u{202e}'));
/// assert!(!is_unsafe('é') && !is_unsafe(' '));
/// ```
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}'
                | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// Whether `text` has no character [`is_unsafe`] would escape.
pub fn is_printable(text: &str) -> bool {
    !text.chars().any(is_unsafe)
}

/// Shows a string with unsafe characters (and `\`) escaped; for `%` fields
/// of `tracing` and `format!`.
///
/// ```
/// use server::escape::Escaped;
///
/// assert_eq!(Escaped("a\r\n2099-01-01 INFO forged").to_string(), "a\\u{d}\\u{a}2099-01-01 INFO forged");
/// assert_eq!(Escaped("\u{202e}txt.exe").to_string(), "\\u{202e}txt.exe");
/// assert_eq!(Escaped("caf\\é").to_string(), "caf\\\\é");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Escaped<'a>(pub &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(|c: char| c == '\\' || is_unsafe(c)) {
            f.write_str(&rest[..at])?;
            let c = rest[at..].chars().next().expect("found at a char boundary");
            if c == '\\' {
                f.write_str("\\\\")?;
            } else {
                write!(f, "\\u{{{:x}}}", u32::from(c))?;
            }
            rest = &rest[at + c.len_utf8()..];
        }
        f.write_str(rest)
    }
}
