//! `printf`'s floating-point numbers as bash has them: x86's 80-bit `long
//! double` (bash reads them with `strtold` and prints them with `%Lf`), so
//! `printf '%.20f' 0.1` shows `0.10000000000000000000`, not the 17 exact
//! digits of a 64-bit double. Rust has no such type, so this module keeps
//! the 64-bit significand and the exponent itself, rounds decimal input to
//! it exactly as `strtold` does (to nearest, ties to even), and prints its
//! exact decimal expansion rounded as glibc rounds it.

use super::big::Big;

/// The exponent of the lowest significand bit of the smallest values:
/// subnormals and the smallest normal numbers (2^-16382 is 2^63 × 2^-16445).
const MIN_EXP: i64 = -16445;
/// The largest exponent of the lowest significand bit: the largest finite
/// value is (2^64 − 1) × 2^16320.
const MAX_EXP: i64 = 16320;

/// An 80-bit extended-precision value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extended {
    /// `mantissa × 2^exponent`; the top bit of `mantissa` is set unless the
    /// value is subnormal or zero.
    Finite {
        negative: bool,
        mantissa: u64,
        exponent: i64,
    },
    Infinite {
        negative: bool,
    },
    NotANumber {
        negative: bool,
    },
}

impl Extended {
    pub fn from_i128(value: i128) -> Extended {
        let negative = value < 0;
        let big = Big::from_u128(value.unsigned_abs());
        round(&big, 0, false, negative).0
    }

    fn negative(self) -> bool {
        match self {
            Extended::Finite { negative, .. }
            | Extended::Infinite { negative }
            | Extended::NotANumber { negative } => negative,
        }
    }
}

/// What `strtold` made of the start of a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parsed {
    pub value: Extended,
    /// How many bytes of the input the number took; 0 when there was none.
    pub used: usize,
    /// `ERANGE`: the value overflowed to infinity or underflowed (to zero
    /// or to an inexact subnormal).
    pub out_of_range: bool,
}

/// Reads a floating-point number from the start of `text` as glibc's
/// `strtold` does: blanks, a sign, then decimal digits with an optional
/// point and exponent, `0x` hexadecimal digits with an optional `p`
/// exponent, `inf`/`infinity` or `nan`/`nan(chars)`, in any case.
pub fn parse(text: &[u8]) -> Parsed {
    let mut i = 0;
    while i < text.len() && is_space(text[i]) {
        i += 1;
    }
    let negative = text.get(i) == Some(&b'-');
    if matches!(text.get(i), Some(b'-' | b'+')) {
        i += 1;
    }
    let none = Parsed {
        value: Extended::Finite {
            negative: false,
            mantissa: 0,
            exponent: 0,
        },
        used: 0,
        out_of_range: false,
    };
    let rest = &text[i..];
    let starts =
        |word: &[u8]| rest.len() >= word.len() && rest[..word.len()].eq_ignore_ascii_case(word);
    if starts(b"inf") {
        let used = if starts(b"infinity") { 8 } else { 3 };
        return Parsed {
            value: Extended::Infinite { negative },
            used: i + used,
            out_of_range: false,
        };
    }
    if starts(b"nan") {
        let mut used = 3;
        if rest.get(3) == Some(&b'(') {
            if let Some(close) = rest[4..]
                .iter()
                .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_'))
            {
                if rest[4 + close] == b')' {
                    used = 4 + close + 1;
                }
            }
        }
        return Parsed {
            value: Extended::NotANumber { negative },
            used: i + used,
            out_of_range: false,
        };
    }
    let hex = rest.len() > 2
        && rest[0] == b'0'
        && (rest[1] | 0x20) == b'x'
        && (rest[2].is_ascii_hexdigit()
            || (rest[2] == b'.' && rest.get(3).is_some_and(u8::is_ascii_hexdigit)));
    let parsed = if hex {
        parse_hex(&rest[2..], negative).map(|(value, used, range)| (value, used + 2, range))
    } else {
        parse_decimal(rest, negative)
    };
    match parsed {
        Some((value, used, out_of_range)) => Parsed {
            value,
            used: i + used,
            out_of_range,
        },
        None => none,
    }
}

/// isspace in the C locale.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Digits with an optional point: the digits (leading zeros dropped), how
/// many of them came after the point, and the bytes used. `None` when there
/// is no digit.
fn mantissa_digits(text: &[u8], is_digit: fn(&u8) -> bool) -> Option<(Vec<u8>, i64, usize)> {
    let mut digits = Vec::new();
    let mut after_point = 0i64;
    let mut seen_point = false;
    let mut seen_digit = false;
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        if is_digit(&b) {
            seen_digit = true;
            if !(digits.is_empty() && b == b'0') {
                digits.push(b);
            }
            if seen_point {
                after_point += 1;
            }
        } else if b == b'.' && !seen_point {
            seen_point = true;
        } else {
            break;
        }
        i += 1;
    }
    seen_digit.then_some((digits, after_point, i))
}

/// An exponent `e12`, `p-3`: its value (clamped far beyond any that
/// matters) and bytes used, or `(0, 0)` when `text` holds none.
fn exponent(text: &[u8], letter: u8) -> (i64, usize) {
    if text.first().map(|b| b | 0x20) != Some(letter) {
        return (0, 0);
    }
    let mut i = 1;
    let negative = text.get(i) == Some(&b'-');
    if matches!(text.get(i), Some(b'-' | b'+')) {
        i += 1;
    }
    let start = i;
    let mut value = 0i64;
    while let Some(d) = text.get(i).filter(|b| b.is_ascii_digit()) {
        value = (value * 10 + i64::from(d - b'0')).min(1 << 40);
        i += 1;
    }
    if i == start {
        return (0, 0);
    }
    (if negative { -value } else { value }, i)
}

fn parse_decimal(text: &[u8], negative: bool) -> Option<(Extended, usize, bool)> {
    let (digits, after_point, mut used) = mantissa_digits(text, u8::is_ascii_digit)?;
    let (exp, exp_used) = exponent(&text[used..], b'e');
    used += exp_used;
    let zero = Extended::Finite {
        negative,
        mantissa: 0,
        exponent: 0,
    };
    // Trailing zeros only scale the value.
    let significant = digits.iter().rposition(|&d| d != b'0').map_or(0, |p| p + 1);
    if significant == 0 {
        return Some((zero, used, false));
    }
    let mut scale = exp - after_point + (digits.len() - significant) as i64;
    let mut digits = digits[..significant].to_vec();
    // Beyond this many digits only whether the rest is zero can change the
    // rounding (an exact tie needs fewer), so the rest becomes one nonzero
    // digit: exact enough, and no quadratic work on a 100 000-digit word.
    const KEEP: usize = 20_000;
    if digits.len() > KEEP + 1 {
        let dropped = digits.len() - KEEP - 1;
        digits.truncate(KEEP);
        digits.push(b'1');
        scale += dropped as i64;
    }
    // The value is below 10^magnitude and at least 10^(magnitude-1).
    let magnitude = scale + digits.len() as i64;
    if magnitude > 4933 {
        return Some((Extended::Infinite { negative }, used, true));
    }
    if magnitude < -4952 {
        return Some((zero, used, true));
    }
    let mut number = Big::default();
    for &d in &digits {
        number.mul_add_small(10, u32::from(d - b'0'));
    }
    let (value, out_of_range) = if scale >= 0 {
        number.mul_pow10(scale as u64);
        round(&number, 0, false, negative)
    } else {
        let mut divisor = Big::from_u128(1);
        divisor.mul_pow10(scale.unsigned_abs());
        // Enough quotient bits that rounding sees two more than it keeps,
        // and always past the subnormal boundary for tiny values.
        let mut shift = 68 + divisor.bit_len() as i64 - number.bit_len() as i64;
        shift = shift.max(0);
        number.shl(shift as u64);
        let (quotient, inexact) = number.div_small_quotient(&divisor);
        round(&Big::from_u128(quotient), -shift, inexact, negative)
    };
    Some((value, used, out_of_range))
}

fn parse_hex(text: &[u8], negative: bool) -> Option<(Extended, usize, bool)> {
    let (digits, after_point, mut used) = mantissa_digits(text, u8::is_ascii_hexdigit)?;
    let (exp, exp_used) = exponent(&text[used..], b'p');
    used += exp_used;
    let mut number = Big::default();
    for &d in &digits {
        let value = char::from(d).to_digit(16).unwrap_or(0);
        number.mul_add_small(16, value);
    }
    if number.is_zero() {
        let zero = Extended::Finite {
            negative,
            mantissa: 0,
            exponent: 0,
        };
        return Some((zero, used, false));
    }
    let scale = exp - 4 * after_point;
    let top = scale + number.bit_len() as i64;
    if top > 16400 {
        return Some((Extended::Infinite { negative }, used, true));
    }
    if top < -16500 {
        let zero = Extended::Finite {
            negative,
            mantissa: 0,
            exponent: 0,
        };
        return Some((zero, used, true));
    }
    let (value, out_of_range) = round(&number, scale, false, negative);
    Some((value, used, out_of_range))
}

/// Rounds `(number + ε) × 2^exp0` to the nearest extended value, ties to
/// even, where `ε` is some fraction in (0, 1) when `sticky` (bits already
/// lost below `number`), else 0. Also says whether the result is out of
/// range as `strtold` reports it.
fn round(number: &Big, exp0: i64, sticky: bool, negative: bool) -> (Extended, bool) {
    let length = number.bit_len() as i64;
    if length == 0 {
        let zero = Extended::Finite {
            negative,
            mantissa: 0,
            exponent: 0,
        };
        return (zero, sticky);
    }
    let mut exponent = (exp0 + length - 64).max(MIN_EXP);
    let shift = exponent - exp0;
    let (mut mantissa, inexact) = if shift <= 0 {
        let mut exact = number.clone();
        exact.shl(shift.unsigned_abs());
        (exact.low_u128(), sticky)
    } else {
        let shift = shift as u64;
        let half = number.bit(shift - 1);
        let below = number.any_below(shift - 1) || sticky;
        let mut kept = number.clone();
        kept.shr(shift);
        let mut kept = kept.low_u128();
        if half && (below || kept & 1 == 1) {
            kept += 1;
        }
        (kept, half || below)
    };
    if mantissa >> 64 != 0 {
        mantissa >>= 1;
        exponent += 1;
    }
    if exponent > MAX_EXP {
        return (Extended::Infinite { negative }, true);
    }
    let mantissa = mantissa as u64;
    let value = Extended::Finite {
        negative,
        mantissa,
        exponent,
    };
    let underflow = inexact && mantissa >> 63 == 0;
    (value, underflow)
}

/// A conversion's flags, as far as numbers care.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flags {
    pub left: bool,
    pub plus: bool,
    pub space: bool,
    pub alternate: bool,
    pub zero: bool,
}

/// Exact decimal digits: the value is `0.DIGITS × 10^point`, `digits` has
/// no leading or trailing zero, and is empty for zero.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Decimal {
    digits: Vec<u8>,
    point: i64,
}

impl Decimal {
    fn of(mantissa: u64, exponent: i64) -> Decimal {
        if mantissa == 0 {
            return Decimal {
                digits: Vec::new(),
                point: 0,
            };
        }
        let mut number = Big::from_u128(u128::from(mantissa));
        let fraction_digits = if exponent >= 0 {
            number.shl(exponent as u64);
            0
        } else {
            // m × 2^-k = m × 5^k / 10^k.
            number.mul_pow5(exponent.unsigned_abs());
            exponent.unsigned_abs() as i64
        };
        let mut digits = number.to_decimal();
        let point = digits.len() as i64 - fraction_digits;
        while digits.last() == Some(&b'0') {
            digits.pop();
        }
        Decimal { digits, point }
    }

    /// Keeps the first `keep` digits (counted from the first significant
    /// one; 0 or less keeps none), rounding to nearest with ties to even
    /// on the exact value, as glibc does.
    fn round(&self, keep: i64) -> Decimal {
        if keep >= self.digits.len() as i64 {
            return self.clone();
        }
        let zero = Decimal {
            digits: Vec::new(),
            point: 0,
        };
        if keep < 0 {
            return zero;
        }
        let keep = keep as usize;
        let next = self.digits[keep];
        let more = self.digits.len() > keep + 1;
        let odd = keep > 0 && (self.digits[keep - 1] - b'0') % 2 == 1;
        let up = next > b'5' || (next == b'5' && (more || odd));
        let mut digits = self.digits[..keep].to_vec();
        let mut point = self.point;
        if up {
            let mut i = digits.len();
            loop {
                if i == 0 {
                    digits.insert(0, b'1');
                    point += 1;
                    break;
                }
                i -= 1;
                if digits[i] == b'9' {
                    digits[i] = b'0';
                } else {
                    digits[i] += 1;
                    break;
                }
            }
        }
        while digits.last() == Some(&b'0') {
            digits.pop();
        }
        if digits.is_empty() {
            return zero;
        }
        Decimal { digits, point }
    }

    /// The digit at `position` after the point (negative: before it).
    fn digit(&self, position: i64) -> u8 {
        let index = position + self.point;
        if index < 0 {
            return b'0';
        }
        self.digits.get(index as usize).copied().unwrap_or(b'0')
    }

    /// `%f` digits: the integer part, then `precision` fraction digits.
    fn fixed(&self, precision: usize, alternate: bool) -> Vec<u8> {
        let rounded = self.round(self.point + precision as i64);
        let mut out = Vec::new();
        if rounded.point <= 0 || rounded.digits.is_empty() {
            out.push(b'0');
        } else {
            out.extend((0..rounded.point).map(|i| rounded.digit(i - rounded.point)));
        }
        if precision > 0 || alternate {
            out.push(b'.');
        }
        out.extend((0..precision as i64).map(|i| rounded.digit(i)));
        out
    }

    /// `%e` digits: `d.ddd` with `precision` digits after the point, and the
    /// power of ten.
    fn scientific(&self, precision: usize, alternate: bool) -> (Vec<u8>, i64) {
        if self.digits.is_empty() {
            let mut out = vec![b'0'];
            if precision > 0 || alternate {
                out.push(b'.');
            }
            out.resize(out.len() + precision, b'0');
            return (out, 0);
        }
        let rounded = self.round(precision as i64 + 1);
        let mut out = vec![rounded.digits[0]];
        if precision > 0 || alternate {
            out.push(b'.');
        }
        out.extend((1..=precision).map(|i| rounded.digits.get(i).copied().unwrap_or(b'0')));
        (out, rounded.point - 1)
    }
}

fn exponent_text(out: &mut Vec<u8>, letter: u8, exponent: i64, min_digits: usize) {
    out.push(letter);
    out.push(if exponent < 0 { b'-' } else { b'+' });
    let digits = exponent.unsigned_abs().to_string();
    for _ in digits.len()..min_digits {
        out.push(b'0');
    }
    out.extend_from_slice(digits.as_bytes());
}

/// Strips the zeros `%g` drops after the point, and the point if nothing
/// is left after it.
fn strip_fraction_zeros(body: &mut Vec<u8>) {
    if !body.contains(&b'.') {
        return;
    }
    while body.last() == Some(&b'0') {
        body.pop();
    }
    if body.last() == Some(&b'.') {
        body.pop();
    }
}

/// Formats `value` as `%f %F %e %E %g %G %a %A` do (`conversion` is the
/// letter), with the flags, width and precision given.
pub fn format(
    value: Extended,
    conversion: u8,
    flags: Flags,
    width: usize,
    precision: Option<usize>,
) -> Vec<u8> {
    let upper = conversion.is_ascii_uppercase();
    let sign: &[u8] = if value.negative() {
        b"-"
    } else if flags.plus {
        b"+"
    } else if flags.space {
        b" "
    } else {
        b""
    };
    let (mantissa, exponent) = match value {
        Extended::Finite {
            mantissa, exponent, ..
        } => (mantissa, exponent),
        Extended::Infinite { .. } | Extended::NotANumber { .. } => {
            let word: &[u8] = match (value, upper) {
                (Extended::Infinite { .. }, false) => b"inf",
                (Extended::Infinite { .. }, true) => b"INF",
                (_, false) => b"nan",
                (_, true) => b"NAN",
            };
            let flags = Flags {
                zero: false,
                ..flags
            };
            return pad(sign, b"", word, flags, width);
        }
    };
    let (prefix, body): (&[u8], Vec<u8>) = match conversion | 0x20 {
        b'f' => (
            b"",
            Decimal::of(mantissa, exponent).fixed(precision.unwrap_or(6), flags.alternate),
        ),
        b'e' => {
            let (mut body, power) =
                Decimal::of(mantissa, exponent).scientific(precision.unwrap_or(6), flags.alternate);
            exponent_text(&mut body, if upper { b'E' } else { b'e' }, power, 2);
            (b"", body)
        }
        b'g' => (b"", general(mantissa, exponent, upper, flags, precision)),
        _ => (
            if upper { b"0X" } else { b"0x" },
            hexadecimal(mantissa, exponent, upper, flags, precision),
        ),
    };
    pad(sign, prefix, &body, flags, width)
}

fn general(
    mantissa: u64,
    exponent: i64,
    upper: bool,
    flags: Flags,
    precision: Option<usize>,
) -> Vec<u8> {
    let precision = match precision.unwrap_or(6) {
        0 => 1,
        p => p,
    };
    let decimal = Decimal::of(mantissa, exponent);
    let power = if decimal.digits.is_empty() {
        0
    } else {
        decimal.round(precision as i64).point - 1
    };
    let mut body = if (precision as i64) > power && power >= -4 {
        decimal.fixed((precision as i64 - 1 - power) as usize, flags.alternate)
    } else {
        let (mut body, power) = decimal.scientific(precision - 1, flags.alternate);
        if !flags.alternate {
            strip_fraction_zeros(&mut body);
        }
        exponent_text(&mut body, if upper { b'E' } else { b'e' }, power, 2);
        return body;
    };
    if !flags.alternate {
        strip_fraction_zeros(&mut body);
    }
    body
}

/// `%a` as glibc prints a `long double`: the first hex digit holds the top
/// four significand bits (`1.0` is `0x8p-3`), the other fifteen follow the
/// point.
fn hexadecimal(
    mantissa: u64,
    exponent: i64,
    upper: bool,
    flags: Flags,
    precision: Option<usize>,
) -> Vec<u8> {
    let (mut lead, mut fraction, mut power) = if mantissa == 0 {
        (0u64, 0u64, 0i64)
    } else {
        (mantissa >> 60, mantissa & ((1 << 60) - 1), exponent + 60)
    };
    let mut digits = 15;
    if let Some(p) = precision.filter(|&p| p < 15) {
        let dropped = 4 * (15 - p) as u32;
        let half = 1u64 << (dropped - 1);
        let below = fraction & ((1u64 << dropped) - 1);
        fraction >>= dropped;
        if below > half || (below == half && (fraction | if p == 0 { lead } else { 0 }) & 1 == 1) {
            fraction += 1;
            if fraction >> (4 * p) != 0 {
                fraction = 0;
                lead += 1;
            }
        }
        if lead == 16 {
            lead = 1;
            power += 4;
        }
        digits = p;
    }
    let hex = |d: u64| {
        let c = b"0123456789abcdef"[d as usize];
        if upper { c.to_ascii_uppercase() } else { c }
    };
    let mut body = vec![hex(lead)];
    let mut fraction_digits: Vec<u8> = (0..digits)
        .rev()
        .map(|i| hex((fraction >> (4 * i)) & 0xf))
        .collect();
    match precision {
        None => {
            while fraction_digits.last() == Some(&b'0') {
                fraction_digits.pop();
            }
        }
        Some(p) => fraction_digits.resize(p.max(digits), b'0'),
    }
    if !fraction_digits.is_empty() || flags.alternate {
        body.push(b'.');
    }
    body.extend_from_slice(&fraction_digits);
    exponent_text(&mut body, if upper { b'P' } else { b'p' }, power, 1);
    body
}

/// Lays out sign, prefix (`0x`) and digits in `width`: spaces before, or
/// after with `-`, or zeros between the prefix and the digits with `0`.
pub fn pad(sign: &[u8], prefix: &[u8], body: &[u8], flags: Flags, width: usize) -> Vec<u8> {
    let length = sign.len() + prefix.len() + body.len();
    let fill = width.saturating_sub(length);
    let mut out = Vec::with_capacity(length + fill);
    if flags.left {
        out.extend_from_slice(sign);
        out.extend_from_slice(prefix);
        out.extend_from_slice(body);
        out.resize(out.len() + fill, b' ');
    } else if flags.zero {
        out.extend_from_slice(sign);
        out.extend_from_slice(prefix);
        out.resize(out.len() + fill, b'0');
        out.extend_from_slice(body);
    } else {
        out.resize(fill, b' ');
        out.extend_from_slice(sign);
        out.extend_from_slice(prefix);
        out.extend_from_slice(body);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(text: &str, conversion: u8, precision: Option<usize>) -> String {
        let value = parse(text.as_bytes()).value;
        String::from_utf8(format(value, conversion, Flags::default(), 0, precision)).unwrap()
    }

    #[test]
    fn decimal_input_rounds_to_long_double() {
        assert_eq!(show("0.1", b'f', Some(20)), "0.10000000000000000000");
        assert_eq!(
            show("1.1", b'f', Some(30)),
            "1.100000000000000000021684043450"
        );
        assert_eq!(show("3.14159", b'a', None), "0xc.90fcf80dc33721dp-2");
        assert_eq!(show("1", b'a', None), "0x8p-3");
        assert_eq!(show("0", b'a', None), "0x0p+0");
    }

    #[test]
    fn fixed_scientific_and_general() {
        assert_eq!(show("2.5", b'f', Some(0)), "2");
        assert_eq!(show("3.5", b'f', Some(0)), "4");
        assert_eq!(show("123456", b'e', None), "1.234560e+05");
        assert_eq!(show("1e-5", b'g', None), "1e-05");
        assert_eq!(show("100000", b'g', None), "100000");
        assert_eq!(show("1000000", b'g', None), "1e+06");
        assert_eq!(show("0.0001", b'g', None), "0.0001");
        assert_eq!(show("1e100", b'G', None), "1E+100");
        assert_eq!(show("0.5", b'e', Some(0)), "5e-01");
        assert_eq!(show("9.9996", b'g', Some(4)), "10");
    }

    #[test]
    fn hexadecimal_rounds_ties_to_even() {
        assert_eq!(show("1.0625", b'a', Some(0)), "0x8p-3");
        assert_eq!(show("1.1875", b'a', Some(0)), "0xap-3");
        assert_eq!(show("1.9375", b'a', Some(0)), "0x1p+1");
        assert_eq!(show("1.99999", b'a', Some(1)), "0x1.0p+1");
        assert_eq!(show("3.6e-4951", b'a', None), "0x0.000000000000001p-16385");
    }

    #[test]
    fn parse_reports_what_it_used_and_range() {
        let p = parse(b" -1.5e3x");
        assert_eq!(p.used, 7);
        assert_eq!(show("-1.5e3", b'f', Some(1)), "-1500.0");
        assert_eq!(parse(b"1e").used, 1);
        assert_eq!(parse(b"0x").used, 1);
        assert_eq!(parse(b"abc").used, 0);
        assert_eq!(parse(b"infinity").used, 8);
        assert_eq!(parse(b"nan(12)x").used, 7);
        assert!(parse(b"1e5000").out_of_range);
        assert!(parse(b"1e-5000").out_of_range);
        assert!(!parse(b"1e-4000").out_of_range);
        assert_eq!(show("0x1p3", b'f', Some(0)), "8");
        assert_eq!(
            show("1.18973149535723176502e+4932", b'a', None),
            "0xf.fffffffffffffffp+16380"
        );
    }
}
