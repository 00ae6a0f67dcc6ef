//! `ulimit`: show and set the resource limits (`getrlimit`/`setrlimit`)
//! the shell and every command it starts run under, in bash's units and
//! bash's words.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

use nix::sys::resource::{Resource, getrlimit, setrlimit};

use super::fail;
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};
use crate::errors::plain;

pub static ULIMIT: Builtin = Builtin {
    name: "ulimit",
    summary: "show or set resource limits",
    help: "ulimit [-SHa] [-Rcdefilmnpqrstuvx [LIMIT]] ...
    Show or set the limits on resources the shell and the commands it
    starts may use. With a LIMIT the option's limit is set, else shown;
    several options are shown with their names. LIMIT is a number in the
    option's unit, or `unlimited`, `soft` or `hard` (the current limits).
      -S  the soft limit (the one enforced, which may be raised up to...)
      -H  the hard limit (...which only privileged users may raise)
          Without either, both are set and the soft one is shown.
      -a  show every limit
      -R  real-time run time before blocking (microseconds)
      -c  core file size (1024-byte blocks)  -d  data segment (kbytes)
      -e  scheduling priority (nice)         -f  file size (blocks; default)
      -i  pending signals                    -l  locked memory (kbytes)
      -m  resident set size (kbytes)         -n  open file descriptors
      -p  pipe buffer (512 bytes; read only) -q  POSIX message queues (bytes)
      -r  real-time priority                 -s  stack size (kbytes)
      -t  CPU time (seconds)                 -u  user processes
      -v  virtual memory (kbytes)            -x  file locks
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run,
};

const USAGE: &str = "ulimit: usage: ulimit [-SHabcdefiklmnpqrstuvxPRT] [limit]";

/// One limit `ulimit` knows, in `ulimit -a` order. (bash's "blocks" for
/// `-c` and `-f` are 1024 bytes, like its kbytes; only `-p` counts in 512.)
struct Limit {
    option: u8,
    description: &'static str,
    /// The unit shown after the description, if any.
    unit: Option<&'static str>,
    /// Bytes (or other units) per unit shown.
    factor: u64,
    /// `None` for the pipe size, which is not a resource limit.
    resource: Option<Resource>,
}

const LIMITS: &[Limit] = &[
    Limit {
        option: b'R',
        description: "real-time non-blocking time",
        unit: Some("microseconds"),
        factor: 1,
        resource: Some(Resource::RLIMIT_RTTIME),
    },
    Limit {
        option: b'c',
        description: "core file size",
        unit: Some("blocks"),
        factor: 1024,
        resource: Some(Resource::RLIMIT_CORE),
    },
    Limit {
        option: b'd',
        description: "data seg size",
        unit: Some("kbytes"),
        factor: 1024,
        resource: Some(Resource::RLIMIT_DATA),
    },
    Limit {
        option: b'e',
        description: "scheduling priority",
        unit: None,
        factor: 1,
        resource: Some(Resource::RLIMIT_NICE),
    },
    Limit {
        option: b'f',
        description: "file size",
        unit: Some("blocks"),
        factor: 1024,
        resource: Some(Resource::RLIMIT_FSIZE),
    },
    Limit {
        option: b'i',
        description: "pending signals",
        unit: None,
        factor: 1,
        resource: Some(Resource::RLIMIT_SIGPENDING),
    },
    Limit {
        option: b'l',
        description: "max locked memory",
        unit: Some("kbytes"),
        factor: 1024,
        resource: Some(Resource::RLIMIT_MEMLOCK),
    },
    Limit {
        option: b'm',
        description: "max memory size",
        unit: Some("kbytes"),
        factor: 1024,
        resource: Some(Resource::RLIMIT_RSS),
    },
    Limit {
        option: b'n',
        description: "open files",
        unit: None,
        factor: 1,
        resource: Some(Resource::RLIMIT_NOFILE),
    },
    Limit {
        option: b'p',
        description: "pipe size",
        unit: Some("512 bytes"),
        factor: 512,
        resource: None,
    },
    Limit {
        option: b'q',
        description: "POSIX message queues",
        unit: Some("bytes"),
        factor: 1,
        resource: Some(Resource::RLIMIT_MSGQUEUE),
    },
    Limit {
        option: b'r',
        description: "real-time priority",
        unit: None,
        factor: 1,
        resource: Some(Resource::RLIMIT_RTPRIO),
    },
    Limit {
        option: b's',
        description: "stack size",
        unit: Some("kbytes"),
        factor: 1024,
        resource: Some(Resource::RLIMIT_STACK),
    },
    Limit {
        option: b't',
        description: "cpu time",
        unit: Some("seconds"),
        factor: 1,
        resource: Some(Resource::RLIMIT_CPU),
    },
    Limit {
        option: b'u',
        description: "max user processes",
        unit: None,
        factor: 1,
        resource: Some(Resource::RLIMIT_NPROC),
    },
    Limit {
        option: b'v',
        description: "virtual memory",
        unit: Some("kbytes"),
        factor: 1024,
        resource: Some(Resource::RLIMIT_AS),
    },
    Limit {
        option: b'x',
        description: "file locks",
        unit: None,
        factor: 1,
        resource: Some(Resource::RLIMIT_LOCKS),
    },
];

const INFINITY: u64 = libc::RLIM_INFINITY;

/// The pipe buffer `-p` shows, in bytes: POSIX's atomic write size, as
/// bash reports it.
const PIPE_SIZE: u64 = libc::PIPE_BUF as u64;

fn limit(option: u8) -> Option<&'static Limit> {
    LIMITS.iter().find(|l| l.option == option)
}

/// Which of the two limits an invocation reads or changes.
#[derive(Debug, Clone, Copy, Default)]
struct Which {
    soft: bool,
    hard: bool,
}

/// A limit asked for, and the value to set it to, if any.
struct Request<'a> {
    limit: &'static Limit,
    value: Option<&'a OsString>,
}

/// The line `ulimit -a` shows for `limit`, without the value.
fn label(limit: &Limit) -> String {
    let unit = match limit.unit {
        Some(unit) => format!("({unit}, -{}) ", char::from(limit.option)),
        None => format!("(-{}) ", char::from(limit.option)),
    };
    format!("{:<20} {:>20}", limit.description, unit)
}

/// The soft and hard values of `limit`.
fn current(limit: &Limit) -> nix::Result<(u64, u64)> {
    match limit.resource {
        Some(resource) => getrlimit(resource),
        None => Ok((PIPE_SIZE, PIPE_SIZE)),
    }
}

fn shown_value(value: u64, factor: u64) -> String {
    if value == INFINITY {
        "unlimited".to_owned()
    } else {
        (value / factor).to_string()
    }
}

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let mut which = Which::default();
    let mut all = false;
    let mut requests: Vec<Request<'_>> = Vec::new();
    let mut i = 1;
    let mut operands_only = false;
    while let Some(arg) = args.get(i) {
        let bytes = arg.as_bytes();
        i += 1;
        if !operands_only && bytes == b"--" {
            operands_only = true;
            continue;
        }
        if operands_only || bytes.len() < 2 || bytes[0] != b'-' {
            // A limit for the last option, or for -f when none came; one
            // more is ignored, as bash ignores it.
            if all {
                continue;
            }
            match requests.last_mut() {
                Some(last) if last.value.is_none() => last.value = Some(arg),
                Some(_) => {}
                None => requests.push(Request {
                    limit: &LIMITS[4],
                    value: Some(arg),
                }),
            }
            continue;
        }
        for &letter in &bytes[1..] {
            match letter {
                b'S' => which.soft = true,
                b'H' => which.hard = true,
                b'a' => all = true,
                _ => match limit(letter) {
                    Some(limit) => requests.push(Request { limit, value: None }),
                    None => {
                        let option = String::from_utf8_lossy(&[letter]).into_owned();
                        fail(ctx, "ulimit", format_args!("-{option}: invalid option"), 2);
                        let _ = writeln!(ctx.stderr(), "{USAGE}");
                        return 2;
                    }
                },
            }
        }
    }

    let mut out = String::new();
    let mut status = 0;
    if all {
        for limit in LIMITS {
            match current(limit) {
                Ok(values) => {
                    let value = if which.hard && !which.soft {
                        values.1
                    } else {
                        values.0
                    };
                    out.push_str(&format!(
                        "{}{}\n",
                        label(limit),
                        shown_value(value, limit.factor)
                    ));
                }
                Err(e) => status = cannot(ctx, "get", limit, e),
            }
        }
        return print(ctx, &out, status);
    }
    if requests.is_empty() {
        requests.push(Request {
            limit: &LIMITS[4],
            value: None,
        });
    }
    let labelled = requests.len() > 1;
    for request in &requests {
        let limit = request.limit;
        let values = match current(limit) {
            Ok(values) => values,
            Err(e) => {
                status = cannot(ctx, "get", limit, e);
                continue;
            }
        };
        match request.value {
            None => {
                let value = if which.hard && !which.soft {
                    values.1
                } else {
                    values.0
                };
                if labelled {
                    out.push_str(&label(limit));
                }
                out.push_str(&shown_value(value, limit.factor));
                out.push('\n');
            }
            Some(text) => {
                if let Err(failed) = set(ctx, limit, which, values, text.as_bytes()) {
                    status = failed;
                }
            }
        }
    }
    print(ctx, &out, status)
}

/// A write error is reported by the one output path (crate::output).
fn print(ctx: &mut dyn Context, out: &str, status: Status) -> Status {
    let _ = ctx.stdout().write_all(out.as_bytes());
    status
}

fn cannot(ctx: &mut dyn Context, what: &str, limit: &Limit, error: nix::Error) -> Status {
    let error = std::io::Error::from_raw_os_error(error as i32);
    fail(
        ctx,
        "ulimit",
        format_args!(
            "{}: cannot {what} limit: {}",
            limit.description,
            plain(&error)
        ),
        1,
    )
}

/// What a LIMIT word asks for, in the resource's own units.
fn new_value(text: &[u8], limit: &Limit, values: (u64, u64)) -> Result<u64, String> {
    match text {
        b"unlimited" => return Ok(INFINITY),
        b"soft" => return Ok(values.0),
        b"hard" => return Ok(values.1),
        _ => {}
    }
    let shown = String::from_utf8_lossy(text).into_owned();
    if text.is_empty() || !text.iter().all(u8::is_ascii_digit) {
        let kind = match text {
            [b'0', b'x', ..] => "invalid hex number",
            [b'0', d, ..] if d.is_ascii_digit() => "invalid octal number",
            _ => "invalid number",
        };
        return Err(format!("{shown}: {kind}"));
    }
    let number = text.iter().fold(0u64, |acc, &d| {
        acc.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    });
    if limit.factor > 1 && number > i64::MAX as u64 / limit.factor {
        return Err(format!("{shown}: limit out of range"));
    }
    Ok(number.saturating_mul(limit.factor))
}

fn set(
    ctx: &mut dyn Context,
    limit: &Limit,
    which: Which,
    values: (u64, u64),
    text: &[u8],
) -> Result<(), Status> {
    let value = new_value(text, limit, values).map_err(|m| fail(ctx, "ulimit", m, 1))?;
    let Some(resource) = limit.resource else {
        return Err(cannot(ctx, "modify", limit, nix::Error::EINVAL));
    };
    let (soft, hard) = match (which.soft, which.hard) {
        (true, false) => (value, values.1),
        (false, true) => (values.0, value),
        _ => (value, value),
    };
    setrlimit(resource, soft, hard).map_err(|e| cannot(ctx, "modify", limit, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_line_up_as_bash_prints_them() {
        let label_of = |c: u8| label(limit(c).unwrap());
        assert_eq!(label_of(b's'), "stack size                  (kbytes, -s) ");
        assert_eq!(label_of(b'e'), "scheduling priority                 (-e) ");
        assert_eq!(
            label_of(b'R'),
            "real-time non-blocking time  (microseconds, -R) "
        );
        assert_eq!(label_of(b'p'), "pipe size                (512 bytes, -p) ");
    }

    #[test]
    fn values_scale_by_the_unit() {
        let core = limit(b'c').unwrap();
        assert_eq!(shown_value(10240, core.factor), "10");
        assert_eq!(shown_value(INFINITY, core.factor), "unlimited");
        let values = (100, 200);
        assert_eq!(new_value(b"10", core, values), Ok(10240));
        assert_eq!(new_value(b"010", core, values), Ok(10240));
        assert_eq!(new_value(b"hard", core, values), Ok(200));
        assert_eq!(new_value(b"unlimited", core, values), Ok(INFINITY));
        assert_eq!(
            new_value(b"0x10", core, values),
            Err("0x10: invalid hex number".to_owned())
        );
        assert_eq!(
            new_value(b"1+1", core, values),
            Err("1+1: invalid number".to_owned())
        );
        assert_eq!(
            new_value(b"36028797018963967", core, values),
            Err("36028797018963967: limit out of range".to_owned())
        );
    }
}
