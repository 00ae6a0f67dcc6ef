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
use crate::hold::{self, Hold};
use crate::io::{Io, Status};
use crate::{Out, Output, millis, options};

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
    hold: Hold,
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, Serialize)]
struct Report {
    demo_pid: i32,
    /// How long each `sleep` sleeps, in ms.
    sleep_ms: f64,
    /// In the order they were forked.
    children: Vec<Child>,
    waited: bool,
    /// How long the demo kept its sleeping children before going on
    /// (--hold, --pause).
    held_ms: f64,
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
    if let Err(e) = options.hold.check() {
        return io.fail(e, 2);
    }
    let out = Out::new(io, &options.output);
    let report = match measure(io, &options, &out) {
        Ok(report) => report,
        Err(e) => return io.fail(e, 1),
    };
    for line in notice(&report) {
        out.notice(line);
    }
    if out.json() {
        return crate::json(io, &report);
    }
    0
}

/// The "what to notice" lines, from the PPIDs and times measured.
fn notice(report: &Report) -> Vec<String> {
    let ours = report
        .children
        .iter()
        .filter(|c| c.ppid == report.demo_pid)
        .count();
    let n = report.children.len();
    match report.waited_ms {
        Some(ms) => {
            let one_after_another = n as f64 * report.sleep_ms;
            vec![
                format!("{ours} of the {n} sleeps had the demo's PID as their PPID while it waited for them"),
                if ms < one_after_another * 0.75 || n == 1 {
                    format!(
                        "waitpid collected all {n} after {ms:.0} ms: they slept side by side, not one after another ({one_after_another:.0} ms)"
                    )
                } else {
                    format!("waitpid collected all {n} after {ms:.0} ms")
                },
            ]
        }
        None => vec![
            format!(
                "{ours} of the {n} PPIDs are the demo's PID, {}, but only while it lives: it exits now, and init or a subreaper adopts them",
                report.demo_pid
            ),
            "see the adopter with `ptree 1` (or ps -e -H -o pid,ppid,cmd); end them with `kill PID`".to_owned(),
        ],
    }
}

fn measure(io: &Io, options: &Options, out: &Out) -> Result<Report, String> {
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
    let demo = getpid().as_raw();
    out.say(format_args!(
        "[sleepy] PID = {demo}; started {} × `sleep {}` with fork + execvp",
        pids.len(),
        options.seconds
    ));
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
    out.text(&table(&children, options.wait));
    let looks = [hold::children(demo)];
    let held_ms = options.hold.keep(
        io,
        out.json(),
        &format!("the {} sleeping children", children.len()),
        &looks,
    );
    let waited_ms = if options.wait {
        out.say(format_args!(
            "[sleepy] waiting for them with waitpid; each sleeps {} s...",
            options.seconds
        ));
        let start = Instant::now();
        for child in &mut children {
            let status = match waitpid(Pid::from_raw(child.pid), None) {
                Ok(WaitStatus::Exited(_, code)) => {
                    child.exit_code = Some(code);
                    format!("exited with {code}")
                }
                Ok(WaitStatus::Signaled(_, signal, _)) => {
                    child.signal = Some(signal as i32);
                    format!("killed by signal {}", signal as i32)
                }
                Ok(other) => format!("{other:?}"),
                Err(e) => return Err(format!("waitpid {}: {}", child.pid, e.desc())),
            };
            out.say(format_args!(
                "[sleepy] waitpid({}): {status}, {:.1} ms after the first waitpid",
                child.pid,
                millis(start.elapsed())
            ));
        }
        let ms = millis(start.elapsed());
        out.say(format_args!("[sleepy] waited for all of them: {ms:.1} ms"));
        Some(ms)
    } else {
        out.say("[sleepy] exiting without waiting for them");
        None
    };
    Ok(Report {
        held_ms,
        demo_pid: demo,
        sleep_ms: options.seconds as f64 * 1000.0,
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

/// The children as /proc showed them, before any wait.
fn table(children: &[Child], wait: bool) -> String {
    let when = if wait {
        "before waiting"
    } else {
        "just before the demo exits"
    };
    let mut text = format!("[sleepy] each child, from /proc/PID/stat {when}:\n");
    text.push_str(&format!("{:>7} {:>7} COMMAND\n", "PID", "PPID"));
    for child in children {
        text.push_str(&format!(
            "{:>7} {:>7} {}\n",
            child.pid, child.ppid, child.command
        ));
    }
    text
}
