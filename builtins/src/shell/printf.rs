//! `printf`: formatted output as bash's builtin gives it, or assigned to a
//! variable with `-v`. The options and the output are here; the format
//! engine, numbers, escapes and quoting are in the submodules.

mod big;
mod escape;
mod float;
mod format;
mod number;
mod quote;
mod time;

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;

use super::{fail, is_assignable, shown};
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};

pub static PRINTF: Builtin = Builtin {
    name: "printf",
    summary: "format and print the arguments",
    help: "printf [-v VAR] FORMAT [ARGUMENTS ...]
    Print ARGUMENTS under the control of FORMAT, as C's printf does, or
    assign the text to the variable VAR with -v.

    FORMAT is printed as it is, but for backslash escapes (\\n \\t \\\\ \\a
    \\b \\e \\f \\r \\v, \\NNN octal, \\xHH hex, \\uHHHH and \\UHHHHHHHH Unicode)
    and conversions, each taking the next argument:
      %s %c      the argument, or its first character
      %d %i      a signed integer      %u %o %x %X  unsigned, in base 10, 8, 16
      %f %e %g   floating point (also %F %E %G), %a %A in hexadecimal
      %b         the argument with its backslash escapes expanded; \\c in it
                 stops all output
      %q %Q      the argument quoted so the shell can read it back
      %(FMT)T    a time in seconds since 1970 through strftime(3) FMT
                 (-1 is now, -2 when the shell started)
      %%         a percent sign
    A conversion may carry flags (- + space # 0), a width and a precision,
    either of them `*` to take it from the arguments. Numeric arguments
    may be C constants (0x1f, 010) or 'c for the code of character c.
    FORMAT is reused until the arguments are used up; missing ones count
    as empty strings or 0. A bad number is reported, counts as what could
    be read, and makes the status 1.
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run,
};

const USAGE: &str = "printf: usage: printf [-v var] format [arguments]";

fn usage(ctx: &mut dyn Context) -> Status {
    let _ = writeln!(ctx.stderr(), "{USAGE}");
    2
}

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let mut target: Option<OsString> = None;
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
        if bytes[1] != b'v' {
            let option = String::from_utf8_lossy(&bytes[..2]).into_owned();
            fail(ctx, "printf", format_args!("{option}: invalid option"), 2);
            return usage(ctx);
        }
        if bytes.len() > 2 {
            target = Some(OsStr::from_bytes(&bytes[2..]).to_owned());
            i += 1;
        } else {
            match args.get(i + 1) {
                Some(name) => target = Some(name.clone()),
                None => {
                    fail(ctx, "printf", "-v: option requires an argument", 2);
                    return usage(ctx);
                }
            }
            i += 2;
        }
    }
    if let Some(name) = &target {
        if !is_assignable(name.as_bytes()) {
            return fail(
                ctx,
                "printf",
                format_args!("`{}': not a valid identifier", shown(name)),
                2,
            );
        }
    }
    let Some(format) = args.get(i) else {
        return usage(ctx);
    };
    let operands: Vec<&[u8]> = args[i + 1..].iter().map(|a| a.as_bytes()).collect();
    let settings = format::Settings {
        utf8: utf8_locale(ctx),
        shell_start: shell_start(),
    };
    let outcome = format::render(format.as_bytes(), &operands, &settings);
    let mut status = outcome.status;
    match target {
        Some(name) => {
            for message in &outcome.messages {
                fail(ctx, "printf", &message.text, 1);
            }
            let name = String::from_utf8_lossy(name.as_bytes()).into_owned();
            if let Err(message) = ctx.set_var(&name, OsStr::from_bytes(&outcome.output)) {
                let prefix = ctx.message_prefix();
                let _ = writeln!(ctx.stderr(), "{prefix}{message}");
                status = 1;
            }
        }
        None => {
            // A write error is reported by the one output path.
            let _ = print(ctx, &outcome);
        }
    }
    status
}

/// Writes the output with the messages where bash's line-buffered output
/// puts them: after the lines finished before each was made. With no
/// message, that is one write. After a failed write nothing more is
/// written, and the error is returned once all messages are out.
fn print(ctx: &mut dyn Context, outcome: &format::Outcome) -> std::io::Result<()> {
    let output = &outcome.output;
    let mut written = 0;
    let mut result = Ok(());
    for message in &outcome.messages {
        let cut = output[..message.at]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        if cut > written && result.is_ok() {
            result = ctx.stdout().write_all(&output[written..cut]);
            written = cut;
        }
        fail(ctx, "printf", &message.text, 1);
    }
    if written < output.len() && result.is_ok() {
        result = ctx.stdout().write_all(&output[written..]);
    }
    result.and_then(|()| ctx.stdout().flush())
}

/// Whether the locale's characters are UTF-8, as the shell's locale
/// variables say (`LC_ALL`, then `LC_CTYPE`, then `LANG`).
pub(crate) fn utf8_locale(ctx: &dyn Context) -> bool {
    ctx.utf8_locale()
}

/// [`Context::utf8_locale`] read from the variables themselves.
pub(crate) fn utf8_locale_of_vars<C: Context + ?Sized>(ctx: &C) -> bool {
    ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|name| ctx.var(name).filter(|v| !v.is_empty()))
        .is_some_and(|value| {
            let value = String::from_utf8_lossy(value.as_bytes()).to_ascii_lowercase();
            value.contains("utf-8") || value.contains("utf8")
        })
}

/// When this process started, in seconds since the epoch, for `%(…)T`'s
/// `-2`: from the kernel's boot time and the process's start in clock
/// ticks. (The shell's own start would be exact; a builtin run in a
/// forked child sees the child's.)
fn shell_start() -> i64 {
    let boot = std::fs::read_to_string("/proc/stat").ok().and_then(|stat| {
        stat.lines()
            .find_map(|line| line.strip_prefix("btime "))
            .and_then(|t| t.trim().parse::<i64>().ok())
    });
    let ticks = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| {
            // The command name may hold spaces: fields count from its `)`.
            let after = &stat[stat.rfind(')')? + 1..];
            after.split_whitespace().nth(19)?.parse::<i64>().ok()
        });
    // SAFETY: sysconf only reads a configuration value.
    let hertz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    match (boot, ticks) {
        (Some(boot), Some(ticks)) if hertz > 0 => boot + ticks / hertz,
        _ => time::now(),
    }
}
