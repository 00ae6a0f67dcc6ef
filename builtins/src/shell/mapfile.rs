//! `mapfile` (and its other name `readarray`): read lines into an array.

use std::ffi::OsString;
use std::os::fd::BorrowedFd;
use std::os::unix::ffi::{OsStrExt, OsStringExt};

use super::{fail, is_valid_name, shown};
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};

pub static MAPFILE: Builtin = Builtin {
    name: "mapfile",
    summary: "read lines into an array",
    help: "mapfile [-d DELIM] [-n COUNT] [-O ORIGIN] [-s COUNT] [-t] [-u FD] [-C CALLBACK] [-c QUANTUM] [ARRAY]
    Read lines from standard input (or FD) into the indexed array ARRAY
    (MAPFILE by default), one element each.
      -d DELIM  end lines at DELIM's first byte, not newline ('' is NUL)
      -n COUNT  read at most COUNT lines     -s COUNT  skip the first COUNT
      -O ORIGIN start at index ORIGIN, keeping what is before
      -t        drop each line's delimiter
      -u FD     read descriptor FD
      -C CALLBACK -c QUANTUM  run CALLBACK with the index and the line
                every QUANTUM lines (5000 by default)
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run,
};

pub static READARRAY: Builtin = Builtin {
    name: "readarray",
    summary: "the same as mapfile",
    help: "readarray [-d DELIM] [-n COUNT] [-O ORIGIN] [-s COUNT] [-t] [-u FD] [-C CALLBACK] [-c QUANTUM] [ARRAY]
    Another name for mapfile.
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run,
};

struct Options {
    delimiter: u8,
    count: Option<usize>,
    origin: Option<i64>,
    skip: usize,
    trim: bool,
    fd: i32,
    callback: Option<OsString>,
    quantum: usize,
}

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let name = shown(&args[0]).into_owned();
    let mut options = Options {
        delimiter: b'\n',
        count: None,
        origin: None,
        skip: 0,
        trim: false,
        fd: 0,
        callback: None,
        quantum: 5000,
    };
    let mut rest = &args[1..];
    while let Some(arg) = rest.first() {
        let bytes = arg.as_bytes();
        if bytes == b"--" {
            rest = &rest[1..];
            break;
        }
        let [b'-', letter, inline @ ..] = bytes else {
            break;
        };
        let takes_value = b"dnOsuCc".contains(letter);
        let value = if !takes_value {
            None
        } else if !inline.is_empty() {
            Some(inline.to_vec())
        } else {
            rest = &rest[1..];
            match rest.first() {
                Some(v) => Some(v.as_bytes().to_vec()),
                None => {
                    let message = format!("-{}: option requires an argument", char::from(*letter));
                    return fail(ctx, &name, message, 2);
                }
            }
        };
        let number = |v: &Option<Vec<u8>>| -> Option<i64> {
            std::str::from_utf8(v.as_deref()?).ok()?.trim().parse().ok()
        };
        let bad = |ctx: &mut dyn Context, what: &str, v: &Option<Vec<u8>>| {
            let text = String::from_utf8_lossy(v.as_deref().unwrap_or_default()).into_owned();
            fail(ctx, &name, format_args!("{text}: invalid {what}"), 1)
        };
        match letter {
            b'd' => {
                options.delimiter = value
                    .as_deref()
                    .and_then(|v| v.first().copied())
                    .unwrap_or(0)
            }
            b'n' => match number(&value) {
                Some(n) if n >= 0 => options.count = (n > 0).then_some(n as usize),
                _ => return bad(ctx, "line count", &value),
            },
            b'O' => match number(&value) {
                Some(n) if n >= 0 => options.origin = Some(n),
                _ => return bad(ctx, "array origin", &value),
            },
            b's' => match number(&value) {
                Some(n) if n >= 0 => options.skip = n as usize,
                _ => return bad(ctx, "line count", &value),
            },
            b'u' => match number(&value) {
                Some(n) if n >= 0 && n <= i64::from(i32::MAX) => options.fd = n as i32,
                _ => return bad(ctx, "file descriptor specification", &value),
            },
            b'C' => options.callback = value.map(OsString::from_vec),
            b'c' => match number(&value) {
                Some(n) if n > 0 => options.quantum = n as usize,
                _ => return bad(ctx, "callback quantum", &value),
            },
            b't' => options.trim = true,
            other => {
                let usage = format!(
                    "-{}: invalid option\n{name}: usage: {name} [-d delim] [-n count] [-O origin] [-s count] [-t] [-u fd] [-C callback] [-c quantum] [array]",
                    char::from(*other)
                );
                return fail(ctx, &name, usage, 2);
            }
        }
        rest = &rest[1..];
    }
    let array = rest
        .first()
        .map_or_else(|| "MAPFILE".to_owned(), |a| shown(a).into_owned());
    if !is_valid_name(array.as_bytes()) {
        return fail(
            ctx,
            &name,
            format_args!("`{array}': not a valid identifier"),
            1,
        );
    }
    let Some(fd) = ctx.input_fd(options.fd) else {
        return fail(
            ctx,
            &name,
            format_args!(
                "{}: invalid file descriptor: Bad file descriptor",
                options.fd
            ),
            1,
        );
    };
    let lines = read_lines(fd, &options);
    let origin = options.origin.unwrap_or(0);
    if options.origin.is_none()
        && let Err(message) = ctx.set_array(&array, Vec::new())
    {
        return fail(ctx, &name, message, 1);
    }
    let mut values = Vec::with_capacity(lines.len());
    for (i, line) in lines.into_iter().enumerate() {
        values.push(OsString::from_vec(line));
        if let Some(callback) = &options.callback
            && (i + 1) % options.quantum == 0
        {
            let mut text = callback.as_bytes().to_vec();
            text.extend_from_slice(format!(" {} ", origin + i as i64).as_bytes());
            text.extend(quote(values[i].as_bytes()));
            let _ = ctx.set_array_from(&array, origin, values.clone());
            ctx.eval(&text);
        }
    }
    match ctx.set_array_from(&array, origin, values) {
        Ok(()) => 0,
        Err(message) => fail(ctx, &name, message, 1),
    }
}

/// The lines to store, after the skipped ones, up to the count. Reads a
/// byte at a time when a count limits it, so input after the last line
/// stays for the next command.
fn read_lines(fd: i32, options: &Options) -> Vec<Vec<u8>> {
    // SAFETY: the shell keeps `fd` open while the builtin runs; it is only
    // read here.
    let borrowed = unsafe { BorrowedFd::borrow_raw(fd) };
    let mut lines = Vec::new();
    let mut line = Vec::new();
    let mut skipped = 0;
    let mut buf = vec![0u8; if options.count.is_some() { 1 } else { 8192 }];
    loop {
        let n = match nix::unistd::read(borrowed, &mut buf) {
            Ok(0) | Err(_) => 0,
            Ok(n) => n,
        };
        if n == 0 {
            if !line.is_empty() && skipped >= options.skip {
                lines.push(line);
            }
            return lines;
        }
        for &b in &buf[..n] {
            if b != options.delimiter {
                line.push(b);
                continue;
            }
            if !options.trim {
                line.push(b);
            }
            if skipped < options.skip {
                skipped += 1;
                line.clear();
                continue;
            }
            lines.push(std::mem::take(&mut line));
            if options.count.is_some_and(|c| lines.len() >= c) {
                return lines;
            }
        }
    }
}

/// A word as the shell reads it back: in single quotes.
fn quote(text: &[u8]) -> Vec<u8> {
    let mut out = vec![b'\''];
    for &b in text {
        if b == b'\'' {
            out.extend_from_slice(b"'\\''");
        } else {
            out.push(b);
        }
    }
    out.push(b'\'');
    out
}
