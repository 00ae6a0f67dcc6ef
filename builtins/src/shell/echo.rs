//! `echo`: print the arguments, as bash's builtin does (`-n`, `-e`, `-E`).

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};

pub static ECHO: Builtin = Builtin {
    name: "echo",
    summary: "print the arguments, separated by spaces",
    help: "echo [-neE] [ARG ...]
    Print the arguments separated by single spaces, then a newline.
      -n  do not print the trailing newline
      -e  interpret backslash escapes: \\a \\b \\c (stop here) \\e \\f \\n \\r \\t
          \\v \\\\ \\0NNN (octal) \\xHH (hex) \\uHHHH \\UHHHHHHHH (Unicode)
      -E  do not interpret them (the default)
    As in bash, only arguments made entirely of these letters are options,
    and `--help` is printed like any other argument.
",
    place: Place::Anywhere,
    group: Group::Shell,
    help_option: false,
    run,
};

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let mut newline = true;
    // `shopt -s xpg_echo`: escapes by default, as POSIX's echo.
    let mut escapes = ctx.option("xpg_echo") == Some(true);
    let mut words = &args[1.min(args.len())..];
    while let Some(first) = words.first() {
        let flags = first.as_bytes();
        let is_option = flags.len() > 1
            && flags[0] == b'-'
            && flags[1..].iter().all(|f| matches!(f, b'n' | b'e' | b'E'));
        if !is_option {
            break;
        }
        for flag in &flags[1..] {
            match flag {
                b'n' => newline = false,
                b'e' => escapes = true,
                _ => escapes = false,
            }
        }
        words = &words[1..];
    }

    let mut line = Vec::with_capacity(words.iter().map(|w| w.len() + 1).sum::<usize>() + 1);
    for (i, word) in words.iter().enumerate() {
        if i > 0 {
            line.push(b' ');
        }
        if escapes {
            if let Stop::Now = unescape(word.as_bytes(), &mut line) {
                newline = false;
                break;
            }
        } else {
            line.extend_from_slice(word.as_bytes());
        }
    }
    if newline {
        line.push(b'\n');
    }
    // A write error is reported by the one output path (crate::output).
    let _ = ctx
        .stdout()
        .write_all(&line)
        .and_then(|()| ctx.stdout().flush());
    0
}

enum Stop {
    Now,
    Continue,
}

/// Appends `text` to `out` with `-e` escapes turned into the bytes they
/// name. `\c` stops all output, which the caller must honour.
fn unescape(text: &[u8], out: &mut Vec<u8>) -> Stop {
    let mut i = 0;
    while i < text.len() {
        if text[i] != b'\\' || i + 1 == text.len() {
            out.push(text[i]);
            i += 1;
            continue;
        }
        let escape = text[i + 1];
        i += 2;
        let simple = match escape {
            b'a' => Some(0x07),
            b'b' => Some(0x08),
            b'e' | b'E' => Some(0x1b),
            b'f' => Some(0x0c),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            b'v' => Some(0x0b),
            b'\\' => Some(b'\\'),
            _ => None,
        };
        if let Some(byte) = simple {
            out.push(byte);
            continue;
        }
        match escape {
            b'c' => return Stop::Now,
            b'0' => {
                let (value, used) = number(&text[i..], 8, 3);
                out.push(value as u8);
                i += used;
            }
            b'x' => match number(&text[i..], 16, 2) {
                (_, 0) => out.extend_from_slice(b"\\x"),
                (value, used) => {
                    out.push(value as u8);
                    i += used;
                }
            },
            b'u' | b'U' => {
                let width = if escape == b'u' { 4 } else { 8 };
                match number(&text[i..], 16, width) {
                    (_, 0) => out.extend_from_slice(&[b'\\', escape]),
                    (value, used) => {
                        let c = char::from_u32(value).unwrap_or(char::REPLACEMENT_CHARACTER);
                        out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                        i += used;
                    }
                }
            }
            other => out.extend_from_slice(&[b'\\', other]),
        }
    }
    Stop::Continue
}

/// Reads up to `max_digits` digits of `radix` from the start of `text`:
/// the value and how many bytes it used.
fn number(text: &[u8], radix: u32, max_digits: usize) -> (u32, usize) {
    let mut value = 0u32;
    let mut used = 0;
    for &b in text.iter().take(max_digits) {
        match char::from(b).to_digit(radix) {
            Some(digit) => {
                value = value.wrapping_mul(radix).wrapping_add(digit);
                used += 1;
            }
            None => break,
        }
    }
    (value, used)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(text: &str) -> Vec<u8> {
        let mut out = Vec::new();
        unescape(text.as_bytes(), &mut out);
        out
    }

    #[test]
    fn escapes_name_bytes() {
        assert_eq!(escaped(r"a\tb\n"), b"a\tb\n");
        assert_eq!(escaped(r"\0101\x41\u00e9"), "AAé".as_bytes());
        assert_eq!(escaped(r"\q\x"), br"\q\x");
        assert_eq!(escaped("end\\"), b"end\\");
    }

    #[test]
    fn backslash_c_stops_output() {
        let mut out = Vec::new();
        assert!(matches!(unescape(br"ab\cd", &mut out), Stop::Now));
        assert_eq!(out, b"ab");
    }
}
