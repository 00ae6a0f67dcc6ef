//! `times`: the processor time the shell and its finished children have
//! used, from `getrusage(2)`.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

use nix::sys::resource::{UsageWho, getrusage};
use nix::sys::time::TimeVal;

use super::fail;
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};
use crate::errors::plain;

pub static TIMES: Builtin = Builtin {
    name: "times",
    summary: "show the processor time used",
    help: "times
    Print the user and system CPU time used by the shell, then by all the
    children it has waited for, as MmS.SSSs pairs. A child's time counts
    only once it has ended and been waited for.
",
    place: Place::Anywhere,
    group: Group::Shell,
    help_option: true,
    run,
};

/// `0m1.250s`: minutes, then seconds to the millisecond, rounded half up
/// on the microseconds as bash rounds them.
fn shown(time: TimeVal) -> String {
    let mut seconds = time.tv_sec().max(0);
    let micros = time.tv_usec().clamp(0, 999_999);
    let mut millis = micros / 1000 + i64::from(micros % 1000 >= 500);
    if millis >= 1000 {
        seconds += 1;
        millis -= 1000;
    }
    format!("{}m{}.{:03}s", seconds / 60, seconds % 60, millis)
}

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    // times takes no option; other words are ignored, as in bash.
    if let Some(option) = args[1..]
        .first()
        .map(|a| a.as_bytes())
        .filter(|a| a.len() > 1 && a[0] == b'-' && *a != b"--")
    {
        let option = String::from_utf8_lossy(&option[..2]).into_owned();
        fail(ctx, "times", format_args!("{option}: invalid option"), 2);
        let _ = writeln!(ctx.stderr(), "times: usage: times");
        return 2;
    }
    let mut text = String::new();
    for who in [UsageWho::RUSAGE_SELF, UsageWho::RUSAGE_CHILDREN] {
        match getrusage(who) {
            Ok(usage) => {
                text.push_str(&format!(
                    "{} {}\n",
                    shown(usage.user_time()),
                    shown(usage.system_time())
                ));
            }
            Err(e) => {
                let error = std::io::Error::from_raw_os_error(e as i32);
                return fail(ctx, "times", plain(&error), 1);
            }
        }
    }
    // A write error is reported by the one output path (crate::output).
    let _ = ctx.stdout().write_all(text.as_bytes());
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_seconds_and_rounded_milliseconds() {
        assert_eq!(shown(TimeVal::new(0, 1_499)), "0m0.001s");
        assert_eq!(shown(TimeVal::new(0, 1_500)), "0m0.002s");
        assert_eq!(shown(TimeVal::new(61, 999_600)), "1m2.000s");
        assert_eq!(shown(TimeVal::new(3600, 0)), "60m0.000s");
    }
}
