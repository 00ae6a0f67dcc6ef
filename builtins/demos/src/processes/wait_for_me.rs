//! `wait-for-me`: the lab's "Wait for Me": a child writes a message into a
//! file and the parent reads it. Read without waiting and the parent loses
//! the race (the file is not there yet); wait for the child and it works.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Parser;
use nix::errno::Errno;
use nix::fcntl::{OFlag, open};
use nix::sys::prctl::set_pdeathsig;
use nix::sys::signal::Signal;
use nix::sys::stat::Mode;
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork, getpid, getppid};
use serde::Serialize;

use crate::io::{Io, Status};
use crate::{Out, Output, emit, millis, options};

const HELP: &str = include_str!("wait_for_me.txt");

/// What the child writes.
const MESSAGE: &str = "written by the child\n";

#[derive(Parser)]
#[command(name = "wait-for-me", override_help = HELP)]
struct Options {
    #[arg(long)]
    no_wait: bool,
    #[arg(long, value_name = "D", default_value_t = 100)]
    delay_ms: u64,
    /// None: a file of the demo's own in the temporary directory, removed
    /// at the end.
    file: Option<PathBuf>,
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, Serialize)]
struct Report {
    file: String,
    parent_pid: i32,
    child_pid: i32,
    delay_ms: u64,
    /// Whether the parent waited for the child before reading.
    waited: bool,
    /// When the parent read, in ms since the fork.
    read_at_ms: f64,
    /// What the read gave, when it worked.
    message: Option<String>,
    /// The read's errno name (ENOENT) when it failed.
    error: Option<String>,
    /// Its strerror text.
    error_text: Option<String>,
    /// When waitpid returned, in ms since the fork.
    child_done_ms: f64,
    /// WEXITSTATUS: 0 when the child wrote the file, 1 when it could not.
    child_exit_code: Option<i32>,
    /// With --no-wait: what FILE holds once the child is done.
    #[serde(skip_serializing_if = "Option::is_none")]
    file_after_wait: Option<String>,
}

pub fn run(io: &mut Io) -> Status {
    let options: Options = match options(io) {
        Ok(options) => options,
        Err(status) => return status,
    };
    let out = Out::new(io, &options.output);
    let (file, own) = match &options.file {
        Some(file) => (file.clone(), false),
        None => (
            std::env::temp_dir().join(format!("wait-for-me.{}.txt", getpid())),
            true,
        ),
    };
    let report = measure(&options, &file, &out);
    if own {
        let _ = std::fs::remove_file(&file);
    }
    let report = match report {
        Ok(report) => report,
        Err(e) => return io.fail(e, 1),
    };
    let notice: [&str; 2] = match (report.waited, report.message.is_some()) {
        (true, _) => [
            "waitpid returned once the child had ended, so the file was written",
            "waiting is the simplest synchronization: the parent cannot be early",
        ],
        (false, false) => [
            "the parent read before the child had written: a race, which the parent lost",
            "drop --no-wait and the parent waits with waitpid: the read always works",
        ],
        (false, true) => [
            "this time the child won the race (try a longer --delay-ms)",
            "without waiting, the outcome depends on which process runs first",
        ],
    };
    let printed = emit(io, &options.output, &report, human, &notice);
    match (&report.error, &report.error_text) {
        (Some(name), Some(text)) => io.fail(format_args!("{}: {text} ({name})", report.file), 1),
        _ => printed,
    }
}

fn measure(options: &Options, path: &Path, out: &Out) -> Result<Report, String> {
    let file = path.display().to_string();
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(format!("{file}: {}", minishell_builtins::errors::plain(&e)));
        }
        _ => {}
    }
    // The child's path and message are ready before the fork.
    let c_path = CString::new(path.as_os_str().as_bytes()).map_err(|e| e.to_string())?;
    let delay = Duration::from_millis(options.delay_ms);
    let parent = getpid();
    let start = Instant::now();
    // SAFETY: the demo is single-threaded; the child only sleeps, opens,
    // writes and exits.
    let child = match unsafe { fork() } {
        Ok(ForkResult::Child) => child(&c_path, delay, parent),
        Ok(ForkResult::Parent { child }) => child,
        Err(e) => return Err(format!("fork: {}", e.desc())),
    };
    out.say(format_args!(
        "[parent] PID = {parent}; child PID = {child} writes into {file} after {} ms",
        options.delay_ms
    ));
    let mut report = Report {
        file: file.clone(),
        parent_pid: getpid().as_raw(),
        child_pid: child.as_raw(),
        delay_ms: options.delay_ms,
        waited: !options.no_wait,
        read_at_ms: 0.0,
        message: None,
        error: None,
        error_text: None,
        child_done_ms: 0.0,
        child_exit_code: None,
        file_after_wait: None,
    };
    if report.waited {
        report.child_exit_code = reap(child)?;
        report.child_done_ms = millis(start.elapsed());
    }
    report.read_at_ms = millis(start.elapsed());
    match std::fs::read_to_string(path) {
        Ok(text) => report.message = Some(text),
        Err(e) => {
            let errno = Errno::from_raw(e.raw_os_error().unwrap_or(0));
            report.error = Some(format!("{errno:?}"));
            report.error_text = Some(minishell_builtins::errors::plain(&e));
        }
    }
    if !report.waited {
        // The lab's program leaves the child to finish on its own; the demo
        // waits for it after all, to show what the early read missed.
        report.child_exit_code = reap(child)?;
        report.child_done_ms = millis(start.elapsed());
        report.file_after_wait = std::fs::read_to_string(path).ok();
    }
    Ok(report)
}

/// The child's side: wait, write the message, exit 0 (1 if it could not).
/// It dies with the demo: killed alone (Ctrl-C reaches both, but `kill
/// PID` only the demo), the demo must not leave a child behind that writes
/// FILE later, out of the blue.
fn child(path: &CString, delay: Duration, parent: Pid) -> ! {
    // The kernel sends SIGKILL when the parent dies. Had it died before
    // the request, the child is an orphan already: its PPID has changed.
    if set_pdeathsig(Signal::SIGKILL).is_err() || getppid() != parent {
        // SAFETY: _exit ends the orphan before it writes anything.
        unsafe { libc::_exit(1) }
    }
    std::thread::sleep(delay);
    let flags = OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_TRUNC | OFlag::O_CLOEXEC;
    let code = match open(path.as_c_str(), flags, Mode::from_bits_truncate(0o644)) {
        Ok(fd) => match nix::unistd::write(&fd, MESSAGE.as_bytes()) {
            Ok(n) if n == MESSAGE.len() => 0,
            _ => 1,
        },
        Err(_) => 1,
    };
    // SAFETY: _exit ends the process without unwinding or running the
    // parent's exit handlers a second time.
    unsafe { libc::_exit(code) }
}

/// waitpid for the child; its exit code, if it exited.
fn reap(child: Pid) -> Result<Option<i32>, String> {
    match waitpid(child, None) {
        Ok(WaitStatus::Exited(_, code)) => Ok(Some(code)),
        Ok(_) => Ok(None),
        Err(e) => Err(format!("waitpid {child}: {}", e.desc())),
    }
}

fn human(report: &Report) -> String {
    let mut text = String::new();
    let waitpid_line = format!(
        "[parent] waitpid({}): {} at {:.1} ms\n",
        report.child_pid,
        match report.child_exit_code {
            Some(code) => format!("exited with {code}"),
            None => "did not exit normally".to_owned(),
        },
        report.child_done_ms
    );
    if report.waited {
        text.push_str(&waitpid_line);
    }
    let how = if report.waited {
        "after waiting"
    } else {
        "without waiting"
    };
    match (&report.message, &report.error, &report.error_text) {
        (Some(message), _, _) => text.push_str(&format!(
            "[parent] read {} at {:.1} ms, {how}: {:?}\n",
            report.file,
            report.read_at_ms,
            message.trim_end()
        )),
        (None, Some(name), Some(error)) => text.push_str(&format!(
            "[parent] read {} at {:.1} ms, {how}: {name} ({error})\n",
            report.file, report.read_at_ms
        )),
        _ => {}
    }
    if !report.waited {
        text.push_str(&waitpid_line);
        match &report.file_after_wait {
            Some(message) => text.push_str(&format!(
                "[parent] now {} holds {:?}\n",
                report.file,
                message.trim_end()
            )),
            None => text.push_str(&format!("[parent] {} still cannot be read\n", report.file)),
        }
    }
    text
}
