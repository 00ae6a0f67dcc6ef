//! `create-process`: the lab's fork, wait and exit code ("Task: Create
//! Process"): a child exits with 22 and the parent decodes it with
//! WIFEXITED and WEXITSTATUS; with `--grandchild` the child forks again.
//! Every process says what `fork()` returned to it: the child's PID in
//! the parent, 0 in the child.

use std::io::{BufRead, BufReader};
use std::os::fd::{AsRawFd, OwnedFd};

use clap::Parser;
use minishell_builtins::wait_status::WaitBits;
use nix::fcntl::OFlag;
use nix::sys::wait::waitpid;
use nix::unistd::{ForkResult, fork, getpid, getppid, pipe2};
use serde::Serialize;

use crate::io::{Io, Status};
use crate::postfork::Line;
use crate::{Out, Output, options};

const HELP: &str = include_str!("create_process.txt");

#[derive(Parser)]
#[command(name = "create-process", override_help = HELP)]
struct Options {
    #[arg(long, default_value_t = 22)]
    exit_code: u8,
    #[arg(long)]
    grandchild: bool,
    #[command(flatten)]
    output: Output,
}

/// One process as it saw itself: its own getpid() and getppid(), and what
/// the fork() that made it returned there.
#[derive(Debug, Serialize, PartialEq, Eq)]
struct Member {
    pid: i32,
    ppid: i32,
    /// What fork() returned in this process: 0 in the child and the
    /// grandchild; in the parent, the PID of the child it created.
    fork_returned: i32,
}

#[derive(Debug, Serialize)]
struct Report {
    parent: Member,
    child: Option<Member>,
    /// What the child's own fork() returned to it: the grandchild's PID.
    child_fork_returned: Option<i32>,
    grandchild: Option<Member>,
    /// WIFEXITED: the child called exit.
    exited: bool,
    /// WEXITSTATUS, when it exited.
    exit_code: Option<i32>,
    /// WTERMSIG, when a signal killed it.
    signal: Option<i32>,
}

pub fn run(io: &mut Io) -> Status {
    let options: Options = match options(io) {
        Ok(options) => options,
        Err(status) => return status,
    };
    let out = Out::new(io, &options.output);
    let report = match measure(&options, &out) {
        Ok(report) => report,
        Err(e) => return io.fail(e, 1),
    };
    say_status(&out, &report);
    for line in notice(&report) {
        out.notice(line);
    }
    let printed = if out.json() {
        crate::json(io, &report)
    } else {
        0
    };
    let status = if report.exit_code == Some(i32::from(options.exit_code)) {
        0
    } else {
        1
    };
    printed.max(status)
}

/// Forks the family; each member reports its own PID, PPID and fork()'s
/// return through a pipe, since only the parent prints; it prints each
/// line as it arrives.
fn measure(options: &Options, out: &Out) -> Result<Report, String> {
    let (read_end, write_end) = pipe2(OFlag::O_CLOEXEC).map_err(|e| format!("pipe: {e}"))?;
    let (pid, ppid) = (getpid().as_raw(), getppid().as_raw());
    // SAFETY: the demo runs in a process of its own with a single thread;
    // the child only forks, formats on the stack, writes to the pipe,
    // waits and exits, all async-signal-safe.
    let child = match unsafe { fork() }.map_err(|e| format!("fork: {e}"))? {
        ForkResult::Child => child(&write_end, options),
        ForkResult::Parent { child } => child,
    };
    drop(write_end);
    let parent = Member {
        pid,
        ppid,
        fork_returned: child.as_raw(),
    };
    out.say(format_args!(
        "[parent] PID = {pid}; fork() returned {child} here: the new child's PID"
    ));
    let mut report = Report {
        parent,
        child: None,
        child_fork_returned: None,
        grandchild: None,
        exited: false,
        exit_code: None,
        signal: None,
    };
    for line in BufReader::new(std::fs::File::from(read_end)).lines() {
        let line = line.map_err(|e| format!("read: {e}"))?;
        let fields: Vec<i32> = line
            .split_whitespace()
            .skip(1)
            .filter_map(|w| w.parse().ok())
            .collect();
        match (line.split_whitespace().next(), &fields[..]) {
            (Some("forked"), &[grandchild]) => {
                out.say(format_args!(
                    "[child] fork() returned {grandchild} here: the grandchild's PID"
                ));
                report.child_fork_returned = Some(grandchild);
            }
            (Some(role), &[pid, ppid, fork_returned]) => {
                let tag = if role == "child" {
                    "child"
                } else {
                    "grandchild"
                };
                out.say(format_args!(
                    "[{tag}] PID = {pid}; PPID = {ppid}; fork() returned {fork_returned} here"
                ));
                let member = Some(Member {
                    pid,
                    ppid,
                    fork_returned,
                });
                match role {
                    "child" => report.child = member,
                    _ => report.grandchild = member,
                }
            }
            _ => return Err(format!("a garbled report from the family: {line:?}")),
        }
    }
    // The raw status word, decoded by the shell's own decoder (the one
    // behind `$?` and explain mode).
    let mut raw = 0;
    // SAFETY: `raw` outlives the call.
    if unsafe { libc::waitpid(child.as_raw(), &mut raw, 0) } < 0 {
        return Err(format!("waitpid: {}", nix::errno::Errno::last()));
    }
    match WaitBits::decode(raw) {
        WaitBits::Exited(code) => {
            report.exited = true;
            report.exit_code = Some(code);
        }
        WaitBits::Signaled { signal, .. } => report.signal = Some(signal),
        _ => {}
    }
    Ok(report)
}

/// The child's side: say what fork() returned to it (0), optionally fork
/// the grandchild and wait for it, then exit with the chosen code.
fn child(pipe: &OwnedFd, options: &Options) -> ! {
    tell(pipe, "child", 0);
    if options.grandchild {
        // SAFETY: still single-threaded; the grandchild only reports and
        // exits.
        match unsafe { fork() } {
            Ok(ForkResult::Child) => {
                tell(pipe, "grandchild", 0);
                // SAFETY: _exit ends the process without unwinding or
                // running the parent's exit handlers twice.
                unsafe { libc::_exit(0) }
            }
            Ok(ForkResult::Parent { child }) => {
                let mut line = Line::new();
                line.text("forked ").int(child.as_raw().into()).text("\n");
                line.write_to(pipe.as_raw_fd());
                let _ = waitpid(child, None);
            }
            Err(_) => {}
        }
    }
    // SAFETY: as above.
    unsafe { libc::_exit(i32::from(options.exit_code)) }
}

/// Writes `role pid ppid fork_returned` into the pipe, as this process
/// sees itself, formatted on the stack (no allocation after fork).
fn tell(pipe: &OwnedFd, role: &str, fork_returned: i32) {
    let mut line = Line::new();
    line.text(role)
        .text(" ")
        .int(getpid().as_raw().into())
        .text(" ")
        .int(getppid().as_raw().into())
        .text(" ")
        .int(fork_returned.into())
        .text("\n");
    line.write_to(pipe.as_raw_fd());
}

fn say_status(out: &Out, report: &Report) {
    match (report.exit_code, report.signal) {
        (Some(code), _) => out.say(format_args!(
            "[parent] child exited: WIFEXITED = true, WEXITSTATUS = {code}"
        )),
        (None, Some(signal)) => out.say(format_args!(
            "[parent] child killed: WIFSIGNALED = true, WTERMSIG = {signal}"
        )),
        (None, None) => out.say("[parent] child neither exited nor was killed"),
    }
}

/// The "what to notice" lines, checked against what the family reported.
fn notice(report: &Report) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(child) = &report.child {
        let returned = report.parent.fork_returned;
        lines.push(if returned == child.pid && child.ppid == report.parent.pid {
            format!(
                "fork() returned twice: {returned} in the parent (the child's PID) and {} in the child, whose PPID {} is the parent's PID",
                child.fork_returned, child.ppid
            )
        } else {
            format!(
                "fork() returned {returned} in the parent, but the child reports PID {} and PPID {}",
                child.pid, child.ppid
            )
        });
    }
    if let Some(code) = report.exit_code {
        lines.push(format!(
            "the exit code {code} travelled from exit() in the child to waitpid() in the parent"
        ));
    }
    lines
}
