//! `create-process`: the lab's fork, wait and exit code ("Task: Create
//! Process"): a child exits with 22 and the parent decodes it with
//! WIFEXITED and WEXITSTATUS; with `--grandchild` the child forks again.

use std::os::fd::{AsFd, OwnedFd};

use clap::Parser;
use nix::fcntl::OFlag;
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, fork, getpid, getppid, pipe2};
use serde::Serialize;

use crate::io::{Io, Status};
use crate::{Output, emit, options};

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

/// One process as it saw itself: its own getpid() and getppid().
#[derive(Debug, Serialize, PartialEq, Eq)]
struct Member {
    pid: i32,
    ppid: i32,
}

#[derive(Debug, Serialize)]
struct Report {
    parent: Member,
    child: Option<Member>,
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
    let report = match measure(&options) {
        Ok(report) => report,
        Err(e) => return io.fail(e, 1),
    };
    let status = if report.exit_code == Some(i32::from(options.exit_code)) {
        0
    } else {
        1
    };
    let printed = emit(
        io,
        &options.output,
        &report,
        human,
        &[
            "the child's PPID is the parent's PID: fork made the parent its parent",
            "the exit code travels from exit() in the child to waitpid() in the parent",
        ],
    );
    printed.max(status)
}

/// Forks the family; each member reports its own PID and PPID through a
/// pipe, since only the parent prints.
fn measure(options: &Options) -> nix::Result<Report> {
    let (read_end, write_end) = pipe2(OFlag::O_CLOEXEC)?;
    // SAFETY: the demo runs in a process of its own with a single thread;
    // the child only computes, writes to the pipe and exits.
    let child = match unsafe { fork() }? {
        ForkResult::Child => {
            drop(read_end);
            child(&write_end, options)
        }
        ForkResult::Parent { child } => child,
    };
    drop(write_end);
    let status = waitpid(child, None)?;
    let mut report = Report {
        parent: Member {
            pid: getpid().as_raw(),
            ppid: getppid().as_raw(),
        },
        child: None,
        grandchild: None,
        exited: false,
        exit_code: None,
        signal: None,
    };
    match status {
        WaitStatus::Exited(_, code) => {
            report.exited = true;
            report.exit_code = Some(code);
        }
        WaitStatus::Signaled(_, signal, _) => report.signal = Some(signal as i32),
        _ => {}
    }
    for line in read_all(read_end).lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if let [role, pid, ppid] = fields[..] {
            let member = Member {
                pid: pid.parse().unwrap_or(-1),
                ppid: ppid.parse().unwrap_or(-1),
            };
            match role {
                "child" => report.child = Some(member),
                _ => report.grandchild = Some(member),
            }
        }
    }
    Ok(report)
}

/// The child's side: optionally fork the grandchild and wait for it, then
/// report and exit with the chosen code.
fn child(pipe: &OwnedFd, options: &Options) -> ! {
    if options.grandchild {
        // SAFETY: still single-threaded; the grandchild only reports and exits.
        match unsafe { fork() } {
            Ok(ForkResult::Child) => {
                tell(pipe, "grandchild");
                // SAFETY: _exit ends the process without unwinding or
                // running the parent's exit handlers twice.
                unsafe { libc::_exit(0) }
            }
            Ok(ForkResult::Parent { child }) => {
                let _ = waitpid(child, None);
            }
            Err(_) => {}
        }
    }
    tell(pipe, "child");
    // SAFETY: as above.
    unsafe { libc::_exit(i32::from(options.exit_code)) }
}

/// Writes `role pid ppid` into the pipe, as this process sees itself.
fn tell(pipe: &OwnedFd, role: &str) {
    let line = format!("{role} {} {}\n", getpid(), getppid());
    let _ = nix::unistd::write(pipe.as_fd(), line.as_bytes());
}

fn read_all(fd: OwnedFd) -> String {
    use std::io::Read;
    let mut text = String::new();
    let _ = std::fs::File::from(fd).read_to_string(&mut text);
    text
}

fn human(report: &Report) -> String {
    let mut text = format!("[parent] PID = {}\n", report.parent.pid);
    if let Some(child) = &report.child {
        text.push_str(&format!(
            "[child] PID = {}; PPID = {}\n",
            child.pid, child.ppid
        ));
    }
    if let Some(grandchild) = &report.grandchild {
        text.push_str(&format!(
            "[grandchild] PID = {}; PPID = {}\n",
            grandchild.pid, grandchild.ppid
        ));
    }
    match (report.exit_code, report.signal) {
        (Some(code), _) => text.push_str(&format!(
            "[parent] child exited: WIFEXITED = true, WEXITSTATUS = {code}\n"
        )),
        (None, Some(signal)) => text.push_str(&format!(
            "[parent] child killed: WIFSIGNALED = true, WTERMSIG = {signal}\n"
        )),
        (None, None) => text.push_str("[parent] child neither exited nor was killed\n"),
    }
    text
}
