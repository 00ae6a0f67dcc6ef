//! `orphan`: a child whose parent exits first is adopted, by init or by a
//! subreaper. The demo starts its child and exits; the child, an orphan
//! now, sees its PPID change and reports who adopted it.

use std::io::Read;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::Instant;

use clap::Parser;
use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::unistd::{getpid, getppid, pipe2};
use serde::Serialize;

use super::poll_for;
use crate::hold::{self, Hold};
use crate::io::{Io, Status};
use crate::postfork::Relaunch;
use crate::{Out, Output, millis, options};

const HELP: &str = include_str!("orphan.txt");

/// Where the orphan finds the pipe on which it tells the demo it runs.
const READY_FD: i32 = 3;

#[derive(Parser)]
#[command(name = "orphan", override_help = HELP)]
struct Options {
    /// Set in the child only: the lab binary re-run as the orphan, with
    /// the demo's PID. (A child does its real work after an execve, never
    /// between fork and exec.)
    #[arg(long, hide = true)]
    adopted_from: Option<i32>,
    #[command(flatten)]
    hold: Hold,
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, Serialize)]
struct Report {
    orphan_pid: i32,
    /// getppid() in the child before its parent, the demo, exited.
    ppid_before: i32,
    /// getppid() once it changed.
    ppid_after: i32,
    /// /proc/PPID/comm of the adopter.
    adopter: String,
    /// ms from telling the parent to go until getppid() changed.
    after_ms: f64,
    /// How long the orphan then stayed, for ps to see (--hold, --pause).
    held_ms: f64,
}

pub fn run(io: &mut Io) -> Status {
    let options: Options = match options(io) {
        Ok(options) => options,
        Err(status) => return status,
    };
    if let Err(e) = options.hold.check() {
        return io.fail(e, 2);
    }
    match options.adopted_from {
        Some(parent) => orphan(io, &options, parent),
        None => parent(io, &options),
    }
}

/// The demo's side: start the child (the lab binary again, as the orphan)
/// and exit as soon as it says it runs and has read its PPID.
fn parent(io: &mut Io, options: &Options) -> Status {
    let out = Out::new(io, &options.output);
    let (ready_read, ready_write) = match pipe2(OFlag::O_CLOEXEC) {
        Ok(pipe) => pipe,
        Err(e) => return io.fail(format_args!("pipe: {}", e.desc()), 1),
    };
    let mut args = vec!["--adopted-from".to_owned(), getpid().to_string()];
    if let Some(seconds) = options.hold.hold {
        args.extend(["--hold".to_owned(), seconds.to_string()]);
    }
    for (flag, on) in [
        ("--pause", options.hold.pause),
        ("--json", options.output.json),
        ("--quiet", options.output.quiet),
    ] {
        if on {
            args.push(flag.to_owned());
        }
    }
    let child = match Relaunch::new("orphan", &args).and_then(|lab| {
        lab.spawn(&[(ready_write.as_raw_fd(), READY_FD)])
            .map_err(|e| format!("fork: {e}"))
    }) {
        Ok(child) => child,
        Err(e) => return io.fail(e, 1),
    };
    drop(ready_write);
    out.say(format_args!(
        "[parent] PID = {}; started child {child}; exiting as soon as it runs, leaving it an orphan",
        getpid()
    ));
    // Returns when the child wrote its byte, or exited without.
    let _ = std::fs::File::from(ready_read).read(&mut [0]);
    0
}

/// The orphan's side: note the PPID, let the parent exit, see who adopts.
fn orphan(io: &mut Io, options: &Options, demo: i32) -> Status {
    let out = Out::new(io, &options.output);
    let ppid_before = getppid();
    if ppid_before.as_raw() != demo {
        return io.fail(
            format_args!("started by {ppid_before}, not by the demo {demo}"),
            1,
        );
    }
    // SAFETY: the demo moved the pipe's write end to READY_FD for this
    // program, and nothing else owns that descriptor here.
    let ready = unsafe { OwnedFd::from_raw_fd(READY_FD) };
    let start = Instant::now();
    if let Err(e) = nix::unistd::write(&ready, b"x") {
        return io.fail(format_args!("pipe: {}", e.desc()), 1);
    }
    drop(ready);
    let Some(ppid_after) = poll_for(|| Some(getppid()).filter(|p| *p != ppid_before)) else {
        return io.fail("the parent did not exit", 1);
    };
    let after_ms = millis(start.elapsed());
    let adopter = std::fs::read_to_string(format!("/proc/{ppid_after}/comm"))
        .map(|c| c.trim_end().to_owned())
        .unwrap_or_else(|e| format!("? ({})", Errno::from_raw(e.raw_os_error().unwrap_or(0))));
    let me = getpid();
    out.say(format_args!(
        "[orphan] PID = {me}; PPID = {ppid_before} (the demo) while it lived"
    ));
    out.say(format_args!(
        "[orphan] the demo exited; {after_ms:.1} ms later getppid() = {ppid_after} ({adopter})"
    ));
    out.say(if ppid_after.as_raw() == 1 {
        "[orphan] adopted by PID 1, init of this PID namespace".to_owned()
    } else {
        format!(
            "[orphan] adopted by PID {ppid_after}: not PID 1, so a subreaper among its ancestors"
        )
    });
    let looks = [
        hold::process(me.as_raw()),
        hold::children(ppid_after.as_raw()),
    ];
    let held_ms = options
        .hold
        .keep(io, out.json(), &format!("orphan {me}"), &looks);
    let report = Report {
        orphan_pid: me.as_raw(),
        ppid_before: ppid_before.as_raw(),
        ppid_after: ppid_after.as_raw(),
        adopter,
        after_ms,
        held_ms,
    };
    out.notice("the parent exited first, so the kernel gave its child a new parent");
    out.notice(if report.ppid_after == 1 {
        "init (PID 1) adopted it, and will wait for it when it ends"
    } else {
        "a subreaper (prctl PR_SET_CHILD_SUBREAPER) adopted it, and will wait for it when it ends"
    });
    if out.json() {
        return crate::json(io, &report);
    }
    0
}
