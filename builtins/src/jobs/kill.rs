//! `kill`: send a signal to processes or jobs.

use std::ffi::OsString;

use nix::sys::signal::Signal;

use super::{find_job, signal_job};
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, JobState, Status};
use crate::shell::{fail, shown};
use crate::signals;

pub static KILL: Builtin = Builtin {
    name: "kill",
    summary: "send a signal to a process or job",
    help: "kill [-s SIGNAL | -SIGNAL] PID|%JOB ...
kill -l [NUMBER]
    Send SIGNAL (TERM by default) to each process or job. A signal is a
    name (TERM, SIGTERM) or a number (15). A job gets the signal in its
    whole process group; a stopped job is also continued so it can die.
      -l  list the signal names, or name the signal NUMBER
",
    place: Place::Shell,
    group: Group::Jobs,
    help_option: true,
    run,
};

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let args: Vec<String> = args[1..].iter().map(|a| shown(a).into_owned()).collect();
    let mut signal = libc::SIGTERM;
    let mut targets = args.as_slice();
    match targets.first().map(String::as_str) {
        Some("-l") | Some("-L") => return list(ctx, &targets[1..]),
        Some("-s") | Some("-n") => {
            let Some(name) = targets.get(1) else {
                return fail(ctx, "kill", "-s: option requires an argument", 2);
            };
            match signals::number(name) {
                Some(n) => signal = n,
                None => {
                    return fail(
                        ctx,
                        "kill",
                        format_args!("{name}: invalid signal specification"),
                        1,
                    );
                }
            }
            targets = &targets[2..];
        }
        Some("--") => targets = &targets[1..],
        Some(flag) if flag.starts_with('-') && flag.len() > 1 => {
            match signals::number(&flag[1..]) {
                Some(n) => signal = n,
                None => {
                    return fail(
                        ctx,
                        "kill",
                        format_args!("{}: invalid signal specification", &flag[1..]),
                        1,
                    );
                }
            }
            targets = &targets[1..];
        }
        _ => {}
    }
    if targets.is_empty() {
        return fail(
            ctx,
            "kill",
            "usage: kill [-s SIGNAL | -SIGNAL] PID|%JOB ...",
            2,
        );
    }
    let mut status = 0;
    for target in targets {
        if let Err(message) = send(ctx, target, signal) {
            status = fail(ctx, "kill", message, 1);
        }
    }
    status
}

/// Sends `signal` to one target: a `%` job (its process group, or each of
/// its processes) or a PID.
fn send(ctx: &mut dyn Context, target: &str, signal: i32) -> Result<(), String> {
    let signal = match signal {
        0 => None,
        n => Some(Signal::try_from(n).map_err(|_| format!("{n}: invalid signal specification"))?),
    };
    if target.starts_with('%') {
        let jobs = ctx.jobs();
        let id = find_job(target, &jobs)?;
        let job = jobs.iter().find(|j| j.id == id).ok_or("no such job")?;
        signal_job(job.pgid, &job.pids, signal, &mut |p, s| ctx.kill(p, s))
            .map_err(|e| format!("{target}: {}", e.desc()))?;
        // A stopped job cannot act on SIGTERM or SIGHUP until it runs
        // again; bash continues it for those two.
        let ends_it = [Some(Signal::SIGTERM), Some(Signal::SIGHUP)];
        if job.state == JobState::Stopped && ends_it.contains(&signal) {
            let _ = signal_job(job.pgid, &job.pids, Signal::SIGCONT, &mut |p, s| {
                ctx.kill(p, s)
            });
        }
        return Ok(());
    }
    let pid: i32 = target
        .parse()
        .map_err(|_| format!("{target}: arguments must be process or job IDs"))?;
    ctx.kill(pid, signal)
        .map_err(|e| format!("({pid}) - {}", e.desc()))
}

/// `kill -l`: every standard signal, numbered, five to a row as bash
/// prints them (bash goes on with the real-time ones, 34 to 64); or
/// `kill -l N`: the name of signal N (or of the signal that killed a
/// process whose status was N, 128 + N).
fn list(ctx: &mut dyn Context, numbers: &[String]) -> Status {
    let mut text = String::new();
    if numbers.is_empty() {
        text = signals::table();
    }
    let mut status = 0;
    for spec in numbers {
        // A number gives its name; a name, its number.
        let answer = match spec.parse::<i32>() {
            Ok(0) => Some("EXIT".to_owned()),
            Ok(n) => signals::name(if n > 128 { n - 128 } else { n }),
            Err(_) => signals::number(spec).map(|n| n.to_string()),
        };
        match answer {
            Some(answer) => text.push_str(&format!("{answer}\n")),
            None => {
                status = fail(
                    ctx,
                    "kill",
                    format_args!("{spec}: invalid signal specification"),
                    1,
                );
            }
        }
    }
    match ctx.stdout().write_all(text.as_bytes()) {
        Ok(()) => status,
        Err(_) => 1,
    }
}
