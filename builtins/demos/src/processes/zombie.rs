//! `zombie`: a child that exits before its parent waits stays a zombie
//! (state Z in /proc, `<defunct>` in ps) until waitpid reaps it. With
//! `--hold` the demo keeps it a zombie for a while, for `ps` to see.

use std::path::Path;
use std::time::Instant;

use clap::Parser;
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork, getpid};
use serde::Serialize;

use super::poll_for;
use super::ptree::Stat;
use crate::hold::{self, Hold};
use crate::io::{Io, Status};
use crate::{Out, Output, millis, options};

const HELP: &str = include_str!("zombie.txt");

#[derive(Parser)]
#[command(name = "zombie", override_help = HELP)]
struct Options {
    #[command(flatten)]
    hold: Hold,
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, Serialize)]
struct Report {
    parent_pid: i32,
    child_pid: i32,
    /// The child as /proc showed it before the parent waited.
    zombie: Zombie,
    /// How long the demo kept it a zombie on purpose (--hold, --pause).
    held_ms: f64,
    /// Its state once more, just before waitpid: still Z after the hold.
    state_before_wait: Option<char>,
    /// WEXITSTATUS from the waitpid that reaped it.
    exit_code: Option<i32>,
    /// Whether /proc/CHILD still existed after waitpid.
    proc_entry_after_wait: bool,
    /// What a second waitpid for the child gave: ECHILD, no such child.
    second_waitpid: String,
}

#[derive(Debug, Serialize)]
struct Zombie {
    /// The state letter of /proc/CHILD/stat: Z.
    state: char,
    /// ms from the fork until /proc showed that state.
    after_ms: f64,
    ppid: i32,
    comm: String,
    /// Bytes in /proc/CHILD/cmdline: 0 for a zombie.
    cmdline_bytes: usize,
    /// The VmRSS line of /proc/CHILD/status, in kB; none for a zombie.
    vm_rss_kb: Option<u64>,
}

pub fn run(io: &mut Io) -> Status {
    let options: Options = match options(io) {
        Ok(options) => options,
        Err(status) => return status,
    };
    if let Err(e) = options.hold.check() {
        return io.fail(e, 2);
    }
    let out = Out::new(io, &options.output);
    let report = match measure(io, &options, &out) {
        Ok(report) => report,
        Err(e) => return io.fail(e, 1),
    };
    out.notice(
        "a zombie is only a process-table entry holding the exit status until the parent asks",
    );
    if report.exit_code.is_some() && !report.proc_entry_after_wait {
        out.notice(
            "waitpid reaped it: it returned the status, and the entry, /proc/PID included, is gone",
        );
    }
    if out.json() {
        return crate::json(io, &report);
    }
    0
}

fn measure(io: &Io, options: &Options, out: &Out) -> Result<Report, String> {
    let start = Instant::now();
    let parent = getpid();
    // SAFETY: the demo is single-threaded; the child only exits.
    let child = match unsafe { fork() } {
        // SAFETY: _exit ends the child without running the parent's exit
        // handlers a second time.
        Ok(ForkResult::Child) => unsafe { libc::_exit(0) },
        Ok(ForkResult::Parent { child }) => child,
        Err(e) => return Err(format!("fork: {}", e.desc())),
    };
    out.say(format_args!(
        "[parent] PID = {parent}; forked child {child}, which exits at once; not waiting for it"
    ));
    let stat = poll_for(|| Stat::of(child.as_raw()).ok().filter(|s| s.state == 'Z'));
    let Some(stat) = stat else {
        let _ = waitpid(child, None);
        return Err(format!(
            "child {child} never showed state Z in /proc (is SIGCHLD ignored?)"
        ));
    };
    let zombie = Zombie {
        state: stat.state,
        after_ms: millis(start.elapsed()),
        ppid: stat.ppid,
        comm: stat.comm,
        cmdline_bytes: std::fs::read(format!("/proc/{child}/cmdline")).map_or(0, |b| b.len()),
        vm_rss_kb: vm_rss_kb(child),
    };
    say_zombie(out, child, &zombie);
    let looks = [
        hold::children(parent.as_raw()),
        hold::status(child.as_raw()),
    ];
    let held_ms = options
        .hold
        .keep(io, out.json(), &format!("zombie {child}"), &looks);
    let state_before_wait = Stat::of(child.as_raw()).ok().map(|s| s.state);
    if options.hold.wanted() {
        out.say(format_args!(
            "[parent] after {:.0} ms, /proc/{child}/stat still says state {}",
            held_ms,
            state_before_wait.unwrap_or('?')
        ));
    }
    let exit_code = match waitpid(child, None) {
        Ok(WaitStatus::Exited(_, code)) => Some(code),
        Ok(_) => None,
        Err(e) => return Err(format!("waitpid {child}: {}", e.desc())),
    };
    let second_waitpid = match waitpid(child, None) {
        Err(errno) => format!("{errno:?}"),
        Ok(status) => format!("{status:?}"),
    };
    let report = Report {
        parent_pid: parent.as_raw(),
        child_pid: child.as_raw(),
        zombie,
        held_ms,
        state_before_wait,
        exit_code,
        proc_entry_after_wait: Path::new(&format!("/proc/{child}")).exists(),
        second_waitpid,
    };
    say_reaped(out, &report);
    Ok(report)
}

/// The VmRSS of /proc/PID/status in kB, absent once the memory is freed.
fn vm_rss_kb(pid: Pid) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn say_zombie(out: &Out, child: Pid, z: &Zombie) {
    out.say(format_args!(
        "[parent] /proc/{child}/stat at {:.1} ms: ({}) state {}, PPID {}",
        z.after_ms, z.comm, z.state, z.ppid
    ));
    let rss = match z.vm_rss_kb {
        Some(kb) => format!("VmRSS {kb} kB"),
        None => "no VmRSS line (its memory is freed)".to_owned(),
    };
    out.say(format_args!(
        "[parent] /proc/{child}/cmdline: {} bytes (ps shows [{}] <defunct>); /proc/{child}/status: {rss}",
        z.cmdline_bytes, z.comm
    ));
}

fn say_reaped(out: &Out, report: &Report) {
    let child = report.child_pid;
    let code = match report.exit_code {
        Some(code) => format!("exited with {code}"),
        None => "did not exit normally".to_owned(),
    };
    let entry = if report.proc_entry_after_wait {
        "still exists"
    } else {
        "is gone"
    };
    out.say(format_args!(
        "[parent] waitpid({child}): {code}; now /proc/{child} {entry}, and waitpid({child}) again gives {}",
        report.second_waitpid
    ));
}
