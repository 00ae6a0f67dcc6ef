//! Backslash escapes, in `printf`'s format and in a `%b` argument. The two
//! differ in small ways bash keeps: an octal escape is `\NNN` in the format
//! but `\0NNN` (or `\NNN`) in `%b`, `\c` stops all output only in `%b`, and
//! `\'`, `\"`, `\?` lose their backslash only in the format.

/// Where the escapes are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Format,
    Argument,
}

/// What expanding a piece of text did besides appending bytes.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Expanded {
    /// `\c` was met (in `%b`): print nothing more.
    pub stop: bool,
    /// Warnings such as `missing hex digit for \x`.
    pub warnings: Vec<String>,
}

/// Expands the one escape at the start of `text`, which follows a
/// backslash, appending its bytes to `out`. Returns how many bytes of
/// `text` it used.
pub fn one(text: &[u8], mode: Mode, utf8: bool, out: &mut Vec<u8>, seen: &mut Expanded) -> usize {
    let Some(&letter) = text.first() else {
        out.push(b'\\');
        return 0;
    };
    let simple = match letter {
        b'a' => Some(0x07),
        b'b' => Some(0x08),
        b'e' | b'E' => Some(0x1b),
        b'f' => Some(0x0c),
        b'n' => Some(b'\n'),
        b'r' => Some(b'\r'),
        b't' => Some(b'\t'),
        b'v' => Some(0x0b),
        b'\\' => Some(b'\\'),
        b'\'' | b'"' | b'?' if mode == Mode::Format => Some(letter),
        _ => None,
    };
    if let Some(byte) = simple {
        out.push(byte);
        return 1;
    }
    match letter {
        b'0'..=b'7' => {
            // In %b a leading 0 does not count among the three digits.
            let skip = usize::from(mode == Mode::Argument && letter == b'0');
            let (value, used) = digits(&text[skip..], 8, 3);
            out.push(value as u8);
            skip + used
        }
        b'x' => match digits(&text[1..], 16, 2) {
            (_, 0) => {
                seen.warnings.push("missing hex digit for \\x".to_owned());
                out.extend_from_slice(b"\\x");
                1
            }
            (value, used) => {
                out.push(value as u8);
                1 + used
            }
        },
        b'u' | b'U' => {
            let width = if letter == b'u' { 4 } else { 8 };
            match digits(&text[1..], 16, width) {
                (_, 0) => {
                    seen.warnings.push(format!(
                        "missing unicode digit for \\{}",
                        char::from(letter)
                    ));
                    out.extend_from_slice(&[b'\\', letter]);
                    1
                }
                (value, used) => {
                    unicode(value, utf8, out);
                    1 + used
                }
            }
        }
        b'c' if mode == Mode::Argument => {
            seen.stop = true;
            1
        }
        // In the format only the backslash is printed: the next byte is
        // read again as format text, so `\%d` is a backslash and a
        // conversion.
        _ if mode == Mode::Format => {
            out.push(b'\\');
            0
        }
        _ => {
            out.extend_from_slice(&[b'\\', letter]);
            1
        }
    }
}

/// Expands every escape of a `%b` argument into `out`, stopping at `\c`.
pub fn argument(text: &[u8], utf8: bool, out: &mut Vec<u8>) -> Expanded {
    let mut seen = Expanded::default();
    let mut i = 0;
    while i < text.len() {
        if text[i] == b'\\' {
            i += 1 + one(&text[i + 1..], Mode::Argument, utf8, out, &mut seen);
            if seen.stop {
                break;
            }
        } else {
            out.push(text[i]);
            i += 1;
        }
    }
    seen
}

/// Up to `max` digits of `radix` at the start of `text`: value and count.
fn digits(text: &[u8], radix: u32, max: usize) -> (u32, usize) {
    let mut value = 0u32;
    let mut used = 0;
    for &b in text.iter().take(max) {
        match char::from(b).to_digit(radix) {
            Some(d) => {
                value = value.wrapping_mul(radix).wrapping_add(d);
                used += 1;
            }
            None => break,
        }
    }
    (value, used)
}

/// A `\u`/`\U` character: UTF-8 in a UTF-8 locale (bash encodes any value
/// up to 2^31, surrogates included); elsewhere ASCII as itself and the
/// rest written back as an escape, `\u00E9`, as bash does when the locale
/// cannot show it.
fn unicode(value: u32, utf8: bool, out: &mut Vec<u8>) {
    if value < 0x80 {
        out.push(value as u8);
    } else if !utf8 {
        let text = if value <= 0xffff {
            format!("\\u{value:04X}")
        } else {
            format!("\\U{value:08X}")
        };
        out.extend_from_slice(text.as_bytes());
    } else {
        encode_utf8(value, out);
    }
}

/// The original UTF-8 scheme, up to six bytes, which bash's encoder
/// follows: values past U+10FFFF and surrogates are encoded like any other.
fn encode_utf8(value: u32, out: &mut Vec<u8>) {
    let length = match value {
        0..=0x7f => 1,
        0x80..=0x7ff => 2,
        0x800..=0xffff => 3,
        0x1_0000..=0x1f_ffff => 4,
        0x20_0000..=0x3ff_ffff => 5,
        0x400_0000..=0x7fff_ffff => 6,
        _ => return,
    };
    if length == 1 {
        out.push(value as u8);
        return;
    }
    let lead: u8 = [0, 0, 0xc0, 0xe0, 0xf0, 0xf8, 0xfc][length];
    out.push(lead | (value >> (6 * (length - 1))) as u8);
    for i in (0..length - 1).rev() {
        out.push(0x80 | ((value >> (6 * i)) & 0x3f) as u8);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(text: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut seen = Expanded::default();
        let mut i = 0;
        while i < text.len() {
            if text[i] == b'\\' {
                i += 1 + one(&text[i + 1..], Mode::Format, false, &mut out, &mut seen);
            } else {
                out.push(text[i]);
                i += 1;
            }
        }
        out
    }

    fn arg(text: &[u8]) -> (Vec<u8>, bool) {
        let mut out = Vec::new();
        let seen = argument(text, false, &mut out);
        (out, seen.stop)
    }

    #[test]
    fn octal_counts_differ_between_format_and_argument() {
        assert_eq!(format(br"\101\0101\08"), b"A\x081\x008");
        assert_eq!(arg(br"\0101\1011\0777").0, b"AA1\xff");
        assert_eq!(format(br"\400"), b"\x00");
    }

    #[test]
    fn quotes_lose_their_backslash_only_in_the_format() {
        assert_eq!(format(br#"\'\"\?\c\q"#), br#"'"?\c\q"#);
        assert_eq!(arg(br#"\'\"\?"#).0, br#"\'\"\?"#);
    }

    #[test]
    fn backslash_c_stops_an_argument() {
        assert_eq!(arg(br"ab\cde"), (b"ab".to_vec(), true));
    }

    #[test]
    fn unicode_depends_on_the_locale() {
        let mut out = Vec::new();
        unicode(0xe9, false, &mut out);
        unicode(0x1f600, false, &mut out);
        unicode(0x41, false, &mut out);
        assert_eq!(out, br"\u00E9\U0001F600A");
        let mut out = Vec::new();
        unicode(0xe9, true, &mut out);
        unicode(0xd800, true, &mut out);
        unicode(0x7fff_ffff, true, &mut out);
        assert_eq!(out, b"\xc3\xa9\xed\xa0\x80\xfd\xbf\xbf\xbf\xbf\xbf");
    }

    #[test]
    fn missing_digits_warn_and_stay() {
        let mut out = Vec::new();
        let seen = argument(br"\xG\u", false, &mut out);
        assert_eq!(out, br"\xG\u");
        assert_eq!(seen.warnings.len(), 2);
    }
}
