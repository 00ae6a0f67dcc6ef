//! The numbers `printf`'s arguments stand for, read as bash reads them:
//! C's `strtoimax`/`strtoumax` with base 0 (`0x1f`, `010` octal, blanks and
//! a sign first), `strtold` for floats, and `'c` or `"c` for the code of a
//! character. A bad number still yields the value read so far, with bash's
//! complaint.

use super::float::{self, Extended};

/// What went wrong reading a number; the value is still usable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Bytes were left over: `printf: 12abc: invalid number` (bash also
    /// says `invalid octal number` or `invalid hex number`), status 1.
    Invalid,
    /// The value does not fit: a warning, and the status stays 0.
    OutOfRange,
}

impl Problem {
    /// The message after `printf: `, naming the argument.
    pub fn message(&self, arg: &[u8]) -> String {
        let shown = String::from_utf8_lossy(arg);
        match self {
            Problem::OutOfRange => format!("warning: {shown}: Numerical result out of range"),
            Problem::Invalid => {
                let kind = match arg {
                    [b'0', b'x', ..] => "invalid hex number",
                    [b'0', d, ..] if d.is_ascii_digit() => "invalid octal number",
                    _ => "invalid number",
                };
                format!("{shown}: {kind}")
            }
        }
    }
}

/// The value of a character constant `'c` or `"c`: the code of the
/// character after the quote (0 if none). In a UTF-8 locale a multibyte
/// character counts whole (`'é` is 233), else its first byte does.
fn character(arg: &[u8], utf8: bool) -> Option<u32> {
    let (&quote, rest) = arg.split_first()?;
    if quote != b'\'' && quote != b'"' {
        return None;
    }
    let Some(&first) = rest.first() else {
        return Some(0);
    };
    if utf8 && first >= 0x80 {
        let length = match first {
            0xc0..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf7 => 4,
            _ => 1,
        };
        if let Some(c) = rest
            .get(..length)
            .and_then(|bytes| std::str::from_utf8(bytes).ok())
            .and_then(|s| s.chars().next())
        {
            return Some(u32::from(c));
        }
    }
    Some(u32::from(first))
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// The unsigned magnitude of a `strtoimax`-style number: sign, magnitude
/// (saturated, with whether it overflowed), and whether any byte is left
/// unread.
fn scan(arg: &[u8]) -> (bool, u64, bool, bool) {
    let mut i = 0;
    while i < arg.len() && is_space(arg[i]) {
        i += 1;
    }
    let negative = arg.get(i) == Some(&b'-');
    if matches!(arg.get(i), Some(b'-' | b'+')) {
        i += 1;
    }
    let rest = &arg[i..];
    let (radix, skip) = match rest {
        [b'0', x, h, ..] if (x | 0x20) == b'x' && h.is_ascii_hexdigit() => (16, 2),
        [b'0', ..] => (8, 0),
        _ => (10, 0),
    };
    let mut magnitude = 0u64;
    let mut overflow = false;
    let mut used = 0;
    for &b in &rest[skip..] {
        let Some(digit) = char::from(b).to_digit(radix) else {
            break;
        };
        match magnitude
            .checked_mul(u64::from(radix))
            .and_then(|m| m.checked_add(u64::from(digit)))
        {
            Some(m) => magnitude = m,
            None => overflow = true,
        }
        used += 1;
    }
    if used == 0 {
        // No digits at all: nothing was read, not even the blanks or sign.
        return (false, 0, false, !arg.is_empty());
    }
    if overflow {
        magnitude = u64::MAX;
    }
    let leftover = i + skip + used < arg.len();
    (negative, magnitude, overflow, leftover)
}

/// An argument of `%d %i`, and of `*` widths: `strtoimax`.
pub fn signed(arg: &[u8], utf8: bool) -> (i64, Option<Problem>) {
    if let Some(code) = character(arg, utf8) {
        return (i64::from(code), None);
    }
    let (negative, magnitude, overflow, leftover) = scan(arg);
    let (value, range) = if negative {
        match magnitude {
            m if m <= 1 << 63 => ((m as i64).wrapping_neg(), overflow),
            _ => (i64::MIN, true),
        }
    } else {
        match i64::try_from(magnitude) {
            Ok(v) => (v, overflow),
            Err(_) => (i64::MAX, true),
        }
    };
    (value, problem(leftover, range))
}

/// An argument of `%o %u %x %X`: `strtoumax`, where `-1` wraps around.
pub fn unsigned(arg: &[u8], utf8: bool) -> (u64, Option<Problem>) {
    if let Some(code) = character(arg, utf8) {
        return (u64::from(code), None);
    }
    let (negative, magnitude, overflow, leftover) = scan(arg);
    let value = if negative && !overflow {
        magnitude.wrapping_neg()
    } else {
        magnitude
    };
    (value, problem(leftover, overflow))
}

/// An argument of `%f %e %g %a`: `strtold`.
pub fn floating(arg: &[u8], utf8: bool) -> (Extended, Option<Problem>) {
    if let Some(code) = character(arg, utf8) {
        return (Extended::from_i128(i128::from(code)), None);
    }
    let parsed = float::parse(arg);
    let leftover = if parsed.used == 0 {
        !arg.is_empty()
    } else {
        parsed.used < arg.len()
    };
    (parsed.value, problem(leftover, parsed.out_of_range))
}

/// Leftover bytes win over a range error, as in bash.
fn problem(leftover: bool, out_of_range: bool) -> Option<Problem> {
    if leftover {
        Some(Problem::Invalid)
    } else if out_of_range {
        Some(Problem::OutOfRange)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_reads_as_strtoimax() {
        assert_eq!(signed(b"0x1f", false), (31, None));
        assert_eq!(signed(b"010", false), (8, None));
        assert_eq!(signed(b" -5", false), (-5, None));
        assert_eq!(signed(b"+5", false), (5, None));
        assert_eq!(signed(b"", false), (0, None));
        assert_eq!(signed(b"'a", false), (97, None));
        assert_eq!(signed(b"'", false), (0, None));
        assert_eq!(signed(b"12abc", false), (12, Some(Problem::Invalid)));
        assert_eq!(signed(b"08", false), (0, Some(Problem::Invalid)));
        assert_eq!(signed(b"0x", false), (0, Some(Problem::Invalid)));
        assert_eq!(signed(b"0x1G", false), (1, Some(Problem::Invalid)));
        assert_eq!(signed(b"- 5", false), (0, Some(Problem::Invalid)));
        assert_eq!(signed(b"-5 ", false), (-5, Some(Problem::Invalid)));
        assert_eq!(
            signed(b"99999999999999999999", false),
            (i64::MAX, Some(Problem::OutOfRange))
        );
        assert_eq!(signed(b"-9223372036854775808", false), (i64::MIN, None));
        assert_eq!(signed("'é".as_bytes(), true), (233, None));
        assert_eq!(signed("'é".as_bytes(), false), (195, None));
    }

    #[test]
    fn unsigned_wraps_negatives() {
        assert_eq!(unsigned(b"-1", false), (u64::MAX, None));
        assert_eq!(
            unsigned(b"-9223372036854775809", false).0,
            9223372036854775807
        );
        assert_eq!(unsigned(b"18446744073709551615", false), (u64::MAX, None));
        assert_eq!(
            unsigned(b"18446744073709551616", false),
            (u64::MAX, Some(Problem::OutOfRange))
        );
    }

    #[test]
    fn messages_name_the_kind_of_number() {
        assert_eq!(Problem::Invalid.message(b"08"), "08: invalid octal number");
        assert_eq!(
            Problem::Invalid.message(b"0x1g"),
            "0x1g: invalid hex number"
        );
        assert_eq!(Problem::Invalid.message(b"0X1G"), "0X1G: invalid number");
        assert_eq!(Problem::Invalid.message(b"0b1"), "0b1: invalid number");
    }
}
