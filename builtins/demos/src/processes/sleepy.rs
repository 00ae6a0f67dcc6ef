//! `sleepy`: the lab's "Sleepy Creator": start N `sleep S` processes with
//! fork and execvp, then exit at once, leaving them to be adopted, or with
//! `--wait` wait for them, so they remain the demo's children.

use std::ffi::CString;
use std::io::Read;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::raw::c_char;
use std::time::Instant;

use clap::Parser;
use nix::errno::Errno;
use nix::fcntl::{OFlag, open};
use nix::sys::signal::{Signal, kill};
use nix::sys::stat::Mode;
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork, getpid, pipe2};
use serde::Serialize;

use super::ptree::{Stat, command_line};
use crate::io::{Io, Status};
use crate::{Output, emit, millis, options};

const HELP: &str = include_str!("sleepy.txt");

#[derive(Parser)]
#[command(name = "sleepy", override_help = HELP)]
struct Options {
    #[arg(short = 'n', value_name = "N", default_value_t = 10)]
    count: u32,
    #[arg(long, default_value_t = 1000)]
    seconds: u64,
    #[arg(long)]
    wait: bool,
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, Serialize)]
struct Report {
    demo_pid: i32,
    seconds: u64,
    /// In the order they were forked.
    children: Vec<Child>,
    waited: bool,
    /// With --wait: from the first waitpid call until the last returned.
    #[serde(skip_serializing_if = "Option::is_none")]
    waited_ms: Option<f64>,
}

/// One sleep, as /proc showed it while the demo was alive.
#[derive(Debug, Serialize)]
struct Child {
    pid: i32,
    /// Field 4 of /proc/PID/stat.
    ppid: i32,
    /// /proc/PID/cmdline, read once the execvp succeeded.
    command: String,
    /// With --wait: WEXITSTATUS, when it exited.
    #[serde(skip_serializing_if = "Option::is_none")]
    exit_code: Option<i32>,
    /// With --wait: WTERMSIG, when a signal killed it.
    #[serde(skip_serializing_if = "Option::is_none")]
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
    let notice: [&str; 2] = if report.waited {
        [
            "the sleeps remained the demo's children: it stayed alive, waiting for them",
            "waitpid returned as each ended; they slept side by side, not one after another",
        ]
    } else {
        [
            "the PPIDs are the demo's PID only while it lives; it exits now, and init or a subreaper adopts them",
            "see the adopter with `ptree 1` (or ps -e -H -o pid,ppid,cmd); end them with `kill PID`",
        ]
    };
    emit(io, &options.output, &report, human, &notice)
}

fn measure(options: &Options) -> Result<Report, String> {
    // Everything the children use is made before the first fork: after it
    // they only call dup2, execvp, write and _exit.
    let seconds = CString::new(options.seconds.to_string()).map_err(|e| e.to_string())?;
    let argv: [*const c_char; 3] = [c"sleep".as_ptr(), seconds.as_ptr(), std::ptr::null()];
    let null = open("/dev/null", OFlag::O_RDWR | OFlag::O_CLOEXEC, Mode::empty())
        .map_err(|e| format!("/dev/null: {}", e.desc()))?;
    // Each child holds the write end until its execvp succeeds (O_CLOEXEC
    // closes it then) and writes its errno there if execvp fails, so
    // reading to the end of the pipe tells how every execvp went.
    let (errors_read, errors_write) =
        pipe2(OFlag::O_CLOEXEC).map_err(|e| format!("pipe: {}", e.desc()))?;
    let mut pids = Vec::new();
    for _ in 0..options.count {
        // SAFETY: the demo is single-threaded, and the child only calls
        // async-signal-safe functions on data made before the fork.
        match unsafe { fork() } {
            Ok(ForkResult::Child) => exec_sleep(&argv, null.as_raw_fd(), errors_write.as_raw_fd()),
            Ok(ForkResult::Parent { child }) => pids.push(child),
            Err(e) => {
                stop(&pids);
                return Err(format!("fork: {}", e.desc()));
            }
        }
    }
    drop(errors_write);
    if let Some(errno) = exec_errors(errors_read).first() {
        stop(&pids);
        return Err(format!("execvp sleep: {} ({errno:?})", errno.desc()));
    }
    let mut children = Vec::new();
    for pid in &pids {
        // Not waited for yet, so even a sleep that already ended is still
        // in /proc, as a zombie.
        let stat = Stat::of(pid.as_raw()).map_err(|e| {
            format!(
                "/proc/{pid}/stat: {}",
                minishell_builtins::errors::plain(&e)
            )
        })?;
        children.push(Child {
            pid: pid.as_raw(),
            ppid: stat.ppid,
            command: command_line(pid.as_raw(), &stat.comm),
            exit_code: None,
            signal: None,
        });
    }
    let waited_ms = if options.wait {
        let start = Instant::now();
        for child in &mut children {
            match waitpid(Pid::from_raw(child.pid), None) {
                Ok(WaitStatus::Exited(_, code)) => child.exit_code = Some(code),
                Ok(WaitStatus::Signaled(_, signal, _)) => child.signal = Some(signal as i32),
                Ok(_) => {}
                Err(e) => return Err(format!("waitpid {}: {}", child.pid, e.desc())),
            }
        }
        Some(millis(start.elapsed()))
    } else {
        None
    };
    Ok(Report {
        demo_pid: getpid().as_raw(),
        seconds: options.seconds,
        children,
        waited: options.wait,
        waited_ms,
    })
}

/// The child's side, from fork to execvp. It runs only async-signal-safe
/// calls on what the parent built before forking.
fn exec_sleep(argv: &[*const c_char; 3], null: RawFd, errors: RawFd) -> ! {
    // SAFETY: dup2 and execvp are async-signal-safe; argv points into C
    // strings the parent keeps alive and ends with a null pointer.
    unsafe {
        libc::dup2(null, 0);
        libc::dup2(null, 1);
        libc::dup2(null, 2);
        libc::execvp(argv[0], argv.as_ptr());
    }
    let errno = Errno::last_raw().to_ne_bytes();
    // SAFETY: the descriptor stays open until this process ends.
    let errors = unsafe { std::os::fd::BorrowedFd::borrow_raw(errors) };
    let _ = nix::unistd::write(errors, &errno);
    // SAFETY: _exit ends the process without running the parent's exit
    // handlers or flushing its buffers a second time.
    unsafe { libc::_exit(127) }
}

/// The errno of every execvp that failed, read until every child has
/// either exec'd or exited.
fn exec_errors(pipe: OwnedFd) -> Vec<Errno> {
    let mut bytes = Vec::new();
    let _ = std::fs::File::from(pipe).read_to_end(&mut bytes);
    bytes
        .chunks_exact(4)
        .map(|b| Errno::from_raw(i32::from_ne_bytes([b[0], b[1], b[2], b[3]])))
        .collect()
}

/// After a failure: ends and reaps the children started so far.
fn stop(pids: &[Pid]) {
    for pid in pids {
        let _ = kill(*pid, Signal::SIGKILL);
        let _ = waitpid(*pid, None);
    }
}

fn human(report: &Report) -> String {
    let mut text = format!(
        "[sleepy] PID = {}; started {} × `sleep {}` with fork + execvp\n",
        report.demo_pid,
        report.children.len(),
        report.seconds
    );
    if report.waited {
        text.push_str(
            "[sleepy] each child, from /proc/PID/stat before waiting, and what waitpid returned:\n",
        );
        text.push_str(&format!(
            "{:>7} {:>7} {:<16} WAITPID\n",
            "PID", "PPID", "COMMAND"
        ));
    } else {
        text.push_str("[sleepy] each child, from /proc/PID/stat just before the demo exits:\n");
        text.push_str(&format!("{:>7} {:>7} COMMAND\n", "PID", "PPID"));
    }
    for child in &report.children {
        let line = match (report.waited, child.exit_code, child.signal) {
            (false, _, _) => format!("{:>7} {:>7} {}\n", child.pid, child.ppid, child.command),
            (true, code, signal) => {
                let status = match (code, signal) {
                    (Some(code), _) => format!("exited with {code}"),
                    (None, Some(signal)) => format!("killed by signal {signal}"),
                    (None, None) => "-".to_owned(),
                };
                format!(
                    "{:>7} {:>7} {:<16} {status}\n",
                    child.pid, child.ppid, child.command
                )
            }
        };
        text.push_str(&line);
    }
    match report.waited_ms {
        Some(ms) => text.push_str(&format!("[sleepy] waited for all of them: {ms:.1} ms\n")),
        None => text.push_str("[sleepy] exiting without waiting for them\n"),
    }
    text
}
