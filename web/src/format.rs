//! Numbers as the page shows them, written with integer arithmetic.
//!
//! Formatting an `f64` (`{:.1}`, `{:.0}`, or an `f64` given to a view as
//! text or as an attribute value) links Rust's float printing into the
//! wasm, about 13 KiB; these helpers show the same numbers from integers.

/// Milliseconds as seconds with one decimal, rounded to the nearest tenth:
/// `4950` → `"5.0"`.
pub(crate) fn seconds_tenths(ms: u64) -> String {
    let tenths = ms.saturating_add(50) / 100;
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// A time left as the page shows it: `"12.3 s"` under a minute,
/// `"4 min 05 s"` under an hour, `"2 h 03 min"` beyond (a force may last a
/// day).
pub(crate) fn time_left(ms: u64) -> String {
    let seconds = ms / 1000;
    match seconds {
        0..60 => format!("{} s", seconds_tenths(ms)),
        60..3600 => format!("{} min {:02} s", seconds / 60, seconds % 60),
        _ => format!("{} h {:02} min", seconds / 3600, seconds / 60 % 60),
    }
}

/// A fraction as a whole percentage, rounded: `0.255` → `26`. Negative and
/// NaN read as zero.
pub(crate) fn percent(ratio: f64) -> u64 {
    whole(ratio * 100.0)
}

/// `value` rounded to the nearest whole number (halves up), at least zero.
pub(crate) fn whole(value: f64) -> u64 {
    // `as` saturates: NaN and negatives become 0, huge values u64::MAX.
    (value + 0.5) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenths_of_a_second_round_to_the_nearest() {
        assert_eq!(seconds_tenths(5000), "5.0");
        assert_eq!(seconds_tenths(4949), "4.9");
        assert_eq!(seconds_tenths(4950), "5.0");
        assert_eq!(seconds_tenths(49), "0.0");
        assert_eq!(seconds_tenths(0), "0.0");
        assert_eq!(seconds_tenths(90_000), "90.0");
    }

    #[test]
    fn times_left_read_in_the_largest_units() {
        assert_eq!(time_left(12_340), "12.3 s");
        assert_eq!(time_left(59_999), "60.0 s");
        assert_eq!(time_left(60_000), "1 min 00 s");
        assert_eq!(time_left(245_900), "4 min 05 s");
        assert_eq!(time_left(3_600_000), "1 h 00 min");
        assert_eq!(time_left(86_400_000), "24 h 00 min");
    }

    #[test]
    fn whole_numbers_saturate() {
        assert_eq!(whole(2.5), 3);
        assert_eq!(whole(2.49), 2);
        assert_eq!(whole(-3.0), 0);
        assert_eq!(whole(f64::NAN), 0);
        assert_eq!(whole(f64::INFINITY), u64::MAX);
    }

    #[test]
    fn percentages_are_whole() {
        assert_eq!(percent(0.25), 25);
        assert_eq!(percent(0.255), 26);
        assert_eq!(percent(1.0), 100);
        assert_eq!(percent(0.0), 0);
        assert_eq!(percent(-0.5), 0);
    }
}
