//! `umask`: the permission bits new files do not get, shown or set in
//! octal (`022`) or in chmod's symbolic words (`u=rwx,g=rx,o=rx`, which
//! name the bits files do get).

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

use nix::sys::stat::Mode;

use super::fail;
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};

pub static UMASK: Builtin = Builtin {
    name: "umask",
    summary: "show or set the file creation mask",
    help: "umask [-p] [-S] [MODE]
    Show the file creation mask, or set it to MODE: the permission bits a
    new file will not have. MODE is octal (022) or symbolic, as chmod
    reads it, naming the bits files keep: u=rwx,g=rx,o= or g-w or a+r.
      -S  show the mask symbolically (u=rwx,g=rx,o=rx), also after setting
      -p  show it as a command that sets it again (umask 0022)
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run,
};

/// Why a symbolic mode was refused: the character, and whether an
/// operator (`+-=`) was expected there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refused {
    /// Not `+`, `-` or `=` where one must be; NUL at the end of the mode.
    Operator(u8),
    /// Not `r`, `w` or `x` after the operator.
    Character(u8),
}

/// The mask an octal MODE gives, as bash reads it: octal digits up to
/// 07777, of which the permission bits count.
fn octal(text: &[u8]) -> Option<u32> {
    if text.is_empty() {
        return None;
    }
    let mut value = 0u32;
    for &b in text {
        if !(b'0'..=b'7').contains(&b) {
            return None;
        }
        value = value * 8 + u32::from(b - b'0');
        if value > 0o7777 {
            return None;
        }
    }
    Some(value & 0o777)
}

/// The mask a symbolic MODE gives from `mask`. Each comma-separated clause
/// is `[ugoa]*` (none means all), one of `+-=`, then `r`, `w`, `x`; bash
/// takes no more (no `X`, `s`, `t`, no `g=u`, one operator per clause).
fn symbolic(text: &[u8], mask: u32) -> Result<u32, Refused> {
    let mut allowed = !mask & 0o777;
    let mut i = 0;
    loop {
        let mut who = 0u32;
        while let Some(&b) = text.get(i) {
            who |= match b {
                b'u' => 0o700,
                b'g' => 0o070,
                b'o' => 0o007,
                b'a' => 0o777,
                _ => break,
            };
            i += 1;
        }
        if who == 0 {
            who = 0o777;
        }
        let op = text.get(i).copied().unwrap_or(0);
        if !matches!(op, b'+' | b'-' | b'=') {
            return Err(Refused::Operator(op));
        }
        i += 1;
        let mut bits = 0u32;
        while let Some(&b) = text.get(i) {
            bits |= match b {
                b'r' => 0o444,
                b'w' => 0o222,
                b'x' => 0o111,
                b',' => break,
                other => return Err(Refused::Character(other)),
            };
            i += 1;
        }
        let bits = bits & who;
        allowed = match op {
            b'+' => allowed | bits,
            b'-' => allowed & !bits,
            _ => (allowed & !who) | bits,
        };
        if text.get(i) == Some(&b',') {
            i += 1;
            continue;
        }
        return Ok(!allowed & 0o777);
    }
}

/// `u=rwx,g=rx,o=rx` for `mask`.
fn words(mask: u32) -> String {
    let allowed = !mask & 0o777;
    let part = |shift: u32| {
        let bits = (allowed >> shift) & 7;
        let mut text = String::new();
        for (bit, letter) in [(4, 'r'), (2, 'w'), (1, 'x')] {
            if bits & bit != 0 {
                text.push(letter);
            }
        }
        text
    };
    format!("u={},g={},o={}", part(6), part(3), part(0))
}

/// The current mask. umask(2) can only be read by setting it, so it is set
/// back at once.
fn current() -> u32 {
    let mask = nix::sys::stat::umask(Mode::from_bits_truncate(0o022));
    nix::sys::stat::umask(mask);
    mask.bits()
}

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let mut symbolic_output = false;
    let mut reusable = false;
    let mut i = 1;
    while let Some(arg) = args.get(i) {
        let bytes = arg.as_bytes();
        if bytes == b"--" {
            i += 1;
            break;
        }
        if bytes.len() < 2 || bytes[0] != b'-' {
            break;
        }
        for &letter in &bytes[1..] {
            match letter {
                b'S' => symbolic_output = true,
                b'p' => reusable = true,
                other => {
                    let shown = String::from_utf8_lossy(&[other]).into_owned();
                    fail(ctx, "umask", format_args!("-{shown}: invalid option"), 2);
                    let _ = writeln!(ctx.stderr(), "umask: usage: umask [-p] [-S] [mode]");
                    return 2;
                }
            }
        }
        i += 1;
    }

    let mask = current();
    let Some(mode) = args.get(i) else {
        let text = match (reusable, symbolic_output) {
            (false, false) => format!("{mask:04o}\n"),
            (false, true) => format!("{}\n", words(mask)),
            (true, false) => format!("umask {mask:04o}\n"),
            (true, true) => format!("umask -S {}\n", words(mask)),
        };
        return print(ctx, &text);
    };
    let mode = mode.as_bytes();
    let new = if mode.first().is_some_and(u8::is_ascii_digit) {
        match octal(mode) {
            Some(new) => new,
            None => {
                let shown = String::from_utf8_lossy(mode);
                return fail(
                    ctx,
                    "umask",
                    format_args!("{shown}: octal number out of range"),
                    1,
                );
            }
        }
    } else {
        match symbolic(mode, mask) {
            Ok(new) => new,
            Err(refused) => return refuse(ctx, refused),
        }
    };
    nix::sys::stat::umask(Mode::from_bits_truncate(new));
    if symbolic_output {
        return print(ctx, &format!("{}\n", words(new)));
    }
    0
}

/// bash's message quotes the offending byte, a NUL one included when the
/// mode ended where an operator was due.
fn refuse(ctx: &mut dyn Context, refused: Refused) -> Status {
    let (byte, what) = match refused {
        Refused::Operator(b) => (b, "operator"),
        Refused::Character(b) => (b, "character"),
    };
    let mut line = ctx.message_prefix().into_bytes();
    line.extend_from_slice(b"umask: `");
    line.push(byte);
    line.extend_from_slice(format!("': invalid symbolic mode {what}\n").as_bytes());
    let _ = ctx.stderr().write_all(&line);
    1
}

/// A write error is reported by the one output path (crate::output).
fn print(ctx: &mut dyn Context, text: &str) -> Status {
    let _ = ctx.stdout().write_all(text.as_bytes());
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn octal_masks() {
        assert_eq!(octal(b"022"), Some(0o022));
        assert_eq!(octal(b"00022"), Some(0o022));
        assert_eq!(octal(b"7777"), Some(0o777));
        assert_eq!(octal(b"17777"), None);
        assert_eq!(octal(b"8"), None);
        assert_eq!(octal(b"1a"), None);
    }

    #[test]
    fn symbolic_modes_name_the_bits_kept() {
        assert_eq!(symbolic(b"u=rwx,g=rx,o=", 0o022), Ok(0o027));
        assert_eq!(symbolic(b"a+w", 0o027), Ok(0o005));
        assert_eq!(symbolic(b"go-w", 0o005), Ok(0o027));
        assert_eq!(symbolic(b"u=", 0o027), Ok(0o727));
        assert_eq!(symbolic(b"+x", 0o727), Ok(0o626));
        assert_eq!(symbolic(b"=", 0o022), Ok(0o777));
        assert_eq!(symbolic(b"ugo=rx", 0o777), Ok(0o222));
    }

    #[test]
    fn symbolic_errors_name_the_byte() {
        assert_eq!(symbolic(b"abc", 0), Err(Refused::Operator(b'b')));
        assert_eq!(symbolic(b"u=q", 0), Err(Refused::Character(b'q')));
        assert_eq!(symbolic(b"u", 0), Err(Refused::Operator(0)));
        assert_eq!(symbolic(b"", 0), Err(Refused::Operator(0)));
        assert_eq!(symbolic(b"a=rwx,", 0), Err(Refused::Operator(0)));
        assert_eq!(symbolic(b",u=r", 0), Err(Refused::Operator(b',')));
        assert_eq!(symbolic(b"u=rw+x", 0), Err(Refused::Character(b'+')));
        assert_eq!(symbolic(b"g=u", 0), Err(Refused::Character(b'u')));
        assert_eq!(symbolic(b"u+s", 0), Err(Refused::Character(b's')));
    }

    #[test]
    fn masks_in_words() {
        assert_eq!(words(0o022), "u=rwx,g=rx,o=rx");
        assert_eq!(words(0o077), "u=rwx,g=,o=");
        assert_eq!(words(0o777), "u=,g=,o=");
    }
}
