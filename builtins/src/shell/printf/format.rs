//! The format engine of `printf`: walks the format, expanding its escapes
//! and turning each conversion into text from the next argument, and
//! reuses the format until the arguments run out. It is a pure function of
//! the format, the arguments and the locale, so every rule bash follows is
//! tested here without a shell.

use super::escape::{self, Mode};
use super::float::{self, Flags};
use super::number::{self, Problem};
use super::quote::quote;
use super::time;

/// What the engine needs to know about the world.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// The locale's character set is UTF-8 (`\u` escapes, `%q`, `'c`).
    pub utf8: bool,
    /// `%(…)T`'s `-2`: when the shell started, in seconds since the epoch.
    pub shell_start: i64,
}

/// The text `printf` produced, its complaints (each to follow `printf: `),
/// and its status.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub output: Vec<u8>,
    pub messages: Vec<Message>,
    pub status: i32,
}

/// A complaint, and how much output there was when it was made: bash's
/// standard output is line-buffered, so the lines finished by then were
/// already written, and the rest comes after the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub at: usize,
    pub text: String,
}

/// The arguments, consumed one per conversion; once they run out each
/// conversion gets an empty string (0 as a number).
struct Args<'a> {
    list: &'a [&'a [u8]],
    next: usize,
}

impl<'a> Args<'a> {
    fn take(&mut self) -> Option<&'a [u8]> {
        let arg = self.list.get(self.next).copied();
        if arg.is_some() {
            self.next += 1;
        }
        arg
    }
}

/// Why a pass over the format ended early.
enum Halt {
    /// `\c` in a `%b` argument: print nothing more, and succeed.
    Stop,
    /// A bad conversion: bash prints what it has and returns 1.
    BadFormat,
}

/// One conversion's specification: `%-08.3d` is flags `-0`, width 8,
/// precision 3.
#[derive(Debug, Default, Clone, Copy)]
struct Spec {
    flags: Flags,
    width: usize,
    precision: Option<usize>,
    /// A width or precision too large for C's `int`: glibc's printf fails,
    /// so bash prints nothing for the conversion.
    overflow: bool,
}

/// Runs `format` over `args` as bash's `printf` does.
pub fn render(format: &[u8], args: &[&[u8]], settings: &Settings) -> Outcome {
    let mut engine = Engine {
        settings: *settings,
        outcome: Outcome::default(),
        args: Args {
            list: args,
            next: 0,
        },
    };
    loop {
        let before = engine.args.next;
        match engine.pass(format) {
            Ok(()) => {}
            Err(Halt::Stop) => {
                // bash returns success after `\c`, whatever came before.
                engine.outcome.status = 0;
                break;
            }
            Err(Halt::BadFormat) => break,
        }
        let rest = engine.args.next < args.len();
        if !rest || engine.args.next == before {
            break;
        }
    }
    engine.outcome
}

struct Engine<'a> {
    settings: Settings,
    outcome: Outcome,
    args: Args<'a>,
}

impl Engine<'_> {
    fn complain(&mut self, text: String, status: i32) {
        let at = self.outcome.output.len();
        self.outcome.messages.push(Message { at, text });
        if status != 0 {
            self.outcome.status = status;
        }
    }

    /// Reports a number's problem: an invalid one sets status 1, one out
    /// of range only warns.
    fn number_problem(&mut self, arg: &[u8], problem: Option<Problem>) {
        if let Some(problem) = problem {
            let status = i32::from(problem == Problem::Invalid);
            self.complain(problem.message(arg), status);
        }
    }

    /// One pass over the whole format.
    fn pass(&mut self, format: &[u8]) -> Result<(), Halt> {
        let mut i = 0;
        while i < format.len() {
            match format[i] {
                b'\\' => {
                    let mut seen = escape::Expanded::default();
                    let used = escape::one(
                        &format[i + 1..],
                        Mode::Format,
                        self.settings.utf8,
                        &mut self.outcome.output,
                        &mut seen,
                    );
                    for warning in seen.warnings {
                        self.complain(warning, 0);
                    }
                    i += 1 + used;
                }
                b'%' if format.get(i + 1) == Some(&b'%') => {
                    self.outcome.output.push(b'%');
                    i += 2;
                }
                b'%' => i = self.conversion(format, i)?,
                byte => {
                    self.outcome.output.push(byte);
                    i += 1;
                }
            }
        }
        Ok(())
    }

    /// A number given with `*`: the next argument as a C `int`, the way
    /// bash's `getint` has it: clamped with a warning that names the
    /// argument after it, or, when it was the last argument, cut to 32 bits
    /// as C's conversion does.
    fn star(&mut self) -> i64 {
        let arg = self.args.take().unwrap_or_default();
        let (value, problem) = number::signed(arg, self.settings.utf8);
        self.number_problem(arg, problem);
        let Some(&next) = self.args.list.get(self.args.next) else {
            return i64::from(value as i32);
        };
        if value > i64::from(i32::MAX) || value < i64::from(i32::MIN) {
            self.number_problem(next, Some(Problem::OutOfRange));
            return value.clamp(i64::from(i32::MIN), i64::from(i32::MAX));
        }
        value
    }

    /// The conversion starting at `format[start]` (a `%`); returns where
    /// the format goes on.
    fn conversion(&mut self, format: &[u8], start: usize) -> Result<usize, Halt> {
        let mut i = start + 1;
        let mut spec = Spec::default();
        while let Some(&flag) = format.get(i) {
            match flag {
                b'-' => spec.flags.left = true,
                b'+' => spec.flags.plus = true,
                b' ' => spec.flags.space = true,
                b'#' => spec.flags.alternate = true,
                b'0' => spec.flags.zero = true,
                b'\'' => {}
                _ => break,
            }
            i += 1;
        }
        if format.get(i) == Some(&b'*') {
            let width = self.star();
            if width < 0 {
                spec.flags.left = true;
            }
            spec.width = width.unsigned_abs() as usize;
            spec.overflow |= width.unsigned_abs() > i32::MAX as u64;
            i += 1;
        } else {
            let (width, used) = literal(&format[i..]);
            spec.overflow |= width > i64::from(i32::MAX);
            spec.width = width as usize;
            i += used;
        }
        if format.get(i) == Some(&b'.') {
            i += 1;
            if format.get(i) == Some(&b'*') {
                let precision = self.star();
                spec.precision = usize::try_from(precision).ok();
                i += 1;
            } else {
                let (precision, used) = literal(&format[i..]);
                spec.overflow |= precision > i64::from(i32::MAX);
                spec.precision = Some(precision as usize);
                i += used;
            }
        }
        while format.get(i).is_some_and(|b| b"hjlLtz".contains(b)) {
            i += 1;
        }
        let Some(&letter) = format.get(i) else {
            let text = String::from_utf8_lossy(&format[start..]);
            self.complain(format!("`{text}': missing format character"), 1);
            return Err(Halt::BadFormat);
        };
        if letter == b'(' {
            return self.time(format, start, i + 1, spec);
        }
        if !b"bcdiouxXeEfFgGaAsqQn".contains(&letter) {
            let shown = String::from_utf8_lossy(&format[i..i + 1]).into_owned();
            self.complain(format!("`{shown}': invalid format character"), 1);
            return Err(Halt::BadFormat);
        }
        let arg = self.args.take();
        if spec.overflow {
            // glibc refuses the whole conversion; nothing is worked out.
            return Ok(i + 1);
        }
        let text = self.convert(letter, arg, spec)?;
        self.outcome.output.extend_from_slice(&text);
        Ok(i + 1)
    }

    /// The text of one conversion `letter` of `arg`.
    fn convert(&mut self, letter: u8, arg: Option<&[u8]>, spec: Spec) -> Result<Vec<u8>, Halt> {
        let utf8 = self.settings.utf8;
        let raw = arg.unwrap_or_default();
        // glibc ignores `0` for text, and for integers given a precision.
        let text_flags = Flags {
            zero: false,
            ..spec.flags
        };
        let text = |body: &[u8]| {
            let body = match spec.precision {
                Some(p) if p < body.len() => &body[..p],
                _ => body,
            };
            float::pad(b"", b"", body, text_flags, spec.width)
        };
        Ok(match letter {
            b's' => text(raw),
            b'c' => float::pad(
                b"",
                b"",
                &[raw.first().copied().unwrap_or(0)],
                text_flags,
                spec.width,
            ),
            b'q' => text(&quote(raw, utf8)),
            b'Q' => {
                let cut = match spec.precision {
                    Some(p) if p < raw.len() => &raw[..p],
                    _ => raw,
                };
                float::pad(b"", b"", &quote(cut, utf8), text_flags, spec.width)
            }
            b'b' => {
                let mut expanded = Vec::new();
                let seen = escape::argument(raw, utf8, &mut expanded);
                for warning in seen.warnings {
                    self.complain(warning, 0);
                }
                let out = text(&expanded);
                if seen.stop {
                    self.outcome.output.extend_from_slice(&out);
                    return Err(Halt::Stop);
                }
                out
            }
            b'n' => Vec::new(),
            b'd' | b'i' => {
                let (value, problem) = number::signed(raw, utf8);
                self.number_problem(raw, problem);
                let sign: &[u8] = if value < 0 {
                    b"-"
                } else if spec.flags.plus {
                    b"+"
                } else if spec.flags.space {
                    b" "
                } else {
                    b""
                };
                integer(sign, value.unsigned_abs(), 10, letter, spec)
            }
            b'o' | b'u' | b'x' | b'X' => {
                let (value, problem) = number::unsigned(raw, utf8);
                self.number_problem(raw, problem);
                let radix = match letter {
                    b'o' => 8,
                    b'u' => 10,
                    _ => 16,
                };
                integer(b"", value, radix, letter, spec)
            }
            _ => {
                let (value, problem) = number::floating(raw, utf8);
                self.number_problem(raw, problem);
                float::format(value, letter, spec.flags, spec.width, spec.precision)
            }
        })
    }

    /// `%(FORMAT)T`, whose `(` is at `format[open - 1]`.
    fn time(
        &mut self,
        format: &[u8],
        start: usize,
        open: usize,
        spec: Spec,
    ) -> Result<usize, Halt> {
        let Some(close) = format[open..].iter().position(|&b| b == b')') else {
            let text = String::from_utf8_lossy(&format[start..]);
            self.complain(format!("`{text}': missing time format specification"), 1);
            return Err(Halt::BadFormat);
        };
        let letter_at = open + close + 1;
        match format.get(letter_at) {
            Some(b'T') => {}
            Some(&other) => {
                let shown = String::from_utf8_lossy(&[other]).into_owned();
                self.complain(format!("`{shown}': invalid format character"), 1);
                return Err(Halt::BadFormat);
            }
            None => {
                let text = String::from_utf8_lossy(&format[start..]);
                self.complain(format!("`{text}': missing format character"), 1);
                return Err(Halt::BadFormat);
            }
        }
        let seconds = match self.args.take() {
            None => -1,
            Some(arg) => {
                let (value, problem) = number::signed(arg, self.settings.utf8);
                self.number_problem(arg, problem);
                value
            }
        };
        let seconds = match seconds {
            -1 => time::now(),
            -2 => self.settings.shell_start,
            s => s,
        };
        let shown = time::strftime(&format[open..open + close], seconds).unwrap_or_default();
        let body = match spec.precision {
            Some(p) if p < shown.len() => &shown[..p],
            _ => &shown[..],
        };
        let flags = Flags {
            zero: false,
            ..spec.flags
        };
        let text = float::pad(b"", b"", body, flags, spec.width);
        if !spec.overflow {
            self.outcome.output.extend_from_slice(&text);
        }
        Ok(letter_at + 1)
    }
}

/// A decimal number written in the format (a width or precision): its
/// value, saturated, and how many digits it took.
fn literal(text: &[u8]) -> (i64, usize) {
    let used = text.iter().take_while(|b| b.is_ascii_digit()).count();
    let value = text[..used].iter().fold(0i64, |acc, &d| {
        acc.saturating_mul(10).saturating_add(i64::from(d - b'0'))
    });
    (value, used)
}

/// An integer conversion as C's printf lays it out.
fn integer(sign: &[u8], value: u64, radix: u32, letter: u8, spec: Spec) -> Vec<u8> {
    let mut digits = match radix {
        8 => format!("{value:o}"),
        16 if letter == b'X' => format!("{value:X}"),
        16 => format!("{value:x}"),
        _ => value.to_string(),
    }
    .into_bytes();
    if spec.precision == Some(0) && value == 0 {
        digits.clear();
    }
    if let Some(p) = spec.precision {
        if digits.len() < p {
            let mut padded = vec![b'0'; p - digits.len()];
            padded.extend_from_slice(&digits);
            digits = padded;
        }
    }
    let mut prefix: &[u8] = b"";
    if spec.flags.alternate {
        match letter {
            b'o' if digits.first() != Some(&b'0') => digits.insert(0, b'0'),
            b'x' if value != 0 => prefix = b"0x",
            b'X' if value != 0 => prefix = b"0X",
            _ => {}
        }
    }
    let flags = Flags {
        zero: spec.flags.zero && spec.precision.is_none(),
        ..spec.flags
    };
    float::pad(sign, prefix, &digits, flags, spec.width)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(format: &str, args: &[&str]) -> Outcome {
        let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        let settings = Settings {
            utf8: false,
            shell_start: 0,
        };
        render(format.as_bytes(), &args, &settings)
    }

    fn texts(outcome: &Outcome) -> Vec<&str> {
        outcome.messages.iter().map(|m| m.text.as_str()).collect()
    }

    fn out(format: &str, args: &[&str]) -> String {
        String::from_utf8(run(format, args).output).unwrap()
    }

    #[test]
    fn the_format_is_reused_until_arguments_run_out() {
        assert_eq!(out("%s\n", &["a", "b", "c"]), "a\nb\nc\n");
        assert_eq!(out("%s %s\n", &["a", "b", "c"]), "a b\nc \n");
        assert_eq!(out("x\n", &["a", "b"]), "x\n");
        assert_eq!(out("\\%s|\\q", &["a"]), "\\a|\\q");
        assert_eq!(out("%d|%s|%c|\n", &[]), "0||\0|\n");
    }

    #[test]
    fn integers_as_c_prints_them() {
        assert_eq!(
            out(
                "%-5d|%05d|%+d|% d|%#o|%#x|%#X|%.3d|%.0d|%5.3d|%-05d|",
                &["3", "4", "5", "6", "8", "255", "255", "7", "0", "9", "1"]
            ),
            "3    |00004|+5| 6|010|0xff|0XFF|007||  009|1    |"
        );
        assert_eq!(
            out("%x %o %u", &["-1", "-1", "-1"]),
            "ffffffffffffffff 1777777777777777777777 18446744073709551615"
        );
        assert_eq!(
            out(
                "%#.3o|%#5o|%#05x|%-#5x|%#.0x|%.0x|%#.0o|",
                &["8", "8", "255", "255", "0", "0", "0"]
            ),
            "010|  010|0x0ff|0xff |||0|"
        );
        assert_eq!(out("%+u|% u|", &["5", "5"]), "5|5|");
    }

    #[test]
    fn stars_take_width_and_precision_from_arguments() {
        assert_eq!(
            out("%.*f|%*d|%-*d|", &["2", "3.14159", "5", "42", "4", "7"]),
            "3.14|   42|7   |"
        );
        assert_eq!(out("%*d|%.*d|", &["-5", "42", "-3", "42"]), "42   |42|");
    }

    #[test]
    fn text_conversions() {
        assert_eq!(
            out(
                "%s|%5s|%-5s|%.2s|%c|%05s|",
                &["abc", "ab", "ab", "abcdef", "xyz", "d"]
            ),
            "abc|   ab|ab   |ab|x|    d|"
        );
        assert_eq!(
            out("%5b|%-5b|%.2b|", &["a\\tb", "x", "\\x41BC"]),
            "  a\tb|x    |AB|"
        );
        assert_eq!(
            out("%q|%5q|%Q|%.2Q|", &["a b", "a", "a b", "a b c"]),
            "a\\ b|    a|a\\ b|a\\ |"
        );
        assert_eq!(out("%n%s|", &["a", "b"]), "b|");
    }

    #[test]
    fn backslash_c_in_b_stops_everything() {
        let o = run("%s %b %s\n", &["1", "a\\cb", "3"]);
        assert_eq!(o.output, b"1 a");
        assert_eq!(o.status, 0);
        assert_eq!(out("%5b|", &["a\\cb"]), "    a");
        assert_eq!(run("%d %b", &["x", "\\c"]).status, 0);
    }

    #[test]
    fn bad_numbers_complain_and_go_on() {
        let o = run("%d %d\n", &["1", "x", "2", "3"]);
        assert_eq!(o.output, b"1 0\n2 3\n");
        assert_eq!(texts(&o), ["x: invalid number"]);
        assert_eq!(o.messages[0].at, 2);
        assert_eq!(o.status, 1);
        let o = run("%d\n", &["99999999999999999999"]);
        assert_eq!(o.output, b"9223372036854775807\n");
        assert_eq!(o.status, 0);
    }

    #[test]
    fn bad_conversions_stop_with_status_1() {
        let o = run("a%yb%d\n", &["5"]);
        assert_eq!((&o.output[..], o.status), (&b"a"[..], 1));
        assert_eq!(texts(&o), ["`y': invalid format character"]);
        let o = run("ab%", &[]);
        assert_eq!(texts(&o), ["`%': missing format character"]);
        assert_eq!(texts(&run("%5%", &[])), ["`%': invalid format character"]);
        assert_eq!(texts(&run("%z", &[])), ["`%z': missing format character"]);
        assert_eq!(
            out("%ld|%hhd|%Lf|", &["1", "300", "1.5"]),
            "1|300|1.500000|"
        );
    }

    #[test]
    fn times_use_strftime() {
        assert_eq!(
            out("%(%s)T|%5(%s)T|%.1(%s)T|", &["86400", "7", "86400"]),
            "86400|    7|8|"
        );
    }
}
