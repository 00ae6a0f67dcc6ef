//! `zombie` and `orphan`: the two ways a parent and child can part. A
//! child that exits before its parent waits stays a zombie until waitpid
//! reaps it; a child whose parent exits first is an orphan, adopted by
//! init or a subreaper.

use std::io::Read;
use std::os::fd::OwnedFd;
use std::path::Path;
use std::time::{Duration, Instant};

use clap::Parser;
use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork, getpid, getppid, pipe2};
use serde::Serialize;

use super::ptree::Stat;
use crate::io::{Io, Status};
use crate::{Output, emit, millis, options};

/// How long either demo waits for the kernel to show what it expects.
const PATIENCE: Duration = Duration::from_secs(5);
/// How often it looks meanwhile.
const POLL: Duration = Duration::from_millis(1);

const ZOMBIE_HELP: &str = include_str!("zombie.txt");

#[derive(Parser)]
#[command(name = "zombie", override_help = ZOMBIE_HELP)]
struct ZombieOptions {
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, Serialize)]
struct ZombieReport {
    parent_pid: i32,
    child_pid: i32,
    /// The child as /proc showed it before the parent waited.
    zombie: Zombie,
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

pub fn run_zombie(io: &mut Io) -> Status {
    let options: ZombieOptions = match options(io) {
        Ok(options) => options,
        Err(status) => return status,
    };
    let report = match measure_zombie() {
        Ok(report) => report,
        Err(e) => return io.fail(e, 1),
    };
    emit(
        io,
        &options.output,
        &report,
        human_zombie,
        &[
            "a zombie is only a process-table entry holding the exit status until the parent asks",
            "waitpid reaps it: it returns the status and the entry, /proc/PID included, is gone",
        ],
    )
}

fn measure_zombie() -> Result<ZombieReport, String> {
    let start = Instant::now();
    // SAFETY: the demo is single-threaded; the child only exits.
    let child = match unsafe { fork() } {
        // SAFETY: _exit ends the child without running the parent's exit
        // handlers a second time.
        Ok(ForkResult::Child) => unsafe { libc::_exit(0) },
        Ok(ForkResult::Parent { child }) => child,
        Err(e) => return Err(format!("fork: {}", e.desc())),
    };
    let stat = poll(|| Stat::of(child.as_raw()).ok().filter(|s| s.state == 'Z'));
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
    let exit_code = match waitpid(child, None) {
        Ok(WaitStatus::Exited(_, code)) => Some(code),
        Ok(_) => None,
        Err(e) => return Err(format!("waitpid {child}: {}", e.desc())),
    };
    let second_waitpid = match waitpid(child, None) {
        Err(errno) => format!("{errno:?}"),
        Ok(status) => format!("{status:?}"),
    };
    Ok(ZombieReport {
        parent_pid: getpid().as_raw(),
        child_pid: child.as_raw(),
        zombie,
        exit_code,
        proc_entry_after_wait: Path::new(&format!("/proc/{child}")).exists(),
        second_waitpid,
    })
}

/// The VmRSS of /proc/PID/status in kB, absent once the memory is freed.
fn vm_rss_kb(pid: Pid) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn human_zombie(report: &ZombieReport) -> String {
    let child = report.child_pid;
    let z = &report.zombie;
    let mut text = format!(
        "[parent] PID = {}; forked child {child}, which exits at once; not waiting for it\n",
        report.parent_pid
    );
    text.push_str(&format!(
        "[parent] /proc/{child}/stat at {:.1} ms: ({}) state {}, PPID {}\n",
        z.after_ms, z.comm, z.state, z.ppid
    ));
    let rss = match z.vm_rss_kb {
        Some(kb) => format!("VmRSS {kb} kB"),
        None => "no VmRSS line (its memory is freed)".to_owned(),
    };
    text.push_str(&format!(
        "[parent] /proc/{child}/cmdline: {} bytes (ps shows [{}] <defunct>); /proc/{child}/status: {rss}\n",
        z.cmdline_bytes, z.comm
    ));
    let code = match report.exit_code {
        Some(code) => format!("exited with {code}"),
        None => "did not exit normally".to_owned(),
    };
    let entry = if report.proc_entry_after_wait {
        "still exists"
    } else {
        "is gone"
    };
    text.push_str(&format!(
        "[parent] waitpid({child}): {code}; now /proc/{child} {entry}, and waitpid({child}) again gives {}\n",
        report.second_waitpid
    ));
    text
}

const ORPHAN_HELP: &str = include_str!("orphan.txt");

#[derive(Parser)]
#[command(name = "orphan", override_help = ORPHAN_HELP)]
struct OrphanOptions {
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, Serialize)]
struct OrphanReport {
    orphan_pid: i32,
    /// getppid() in the child before its parent, the demo, exited.
    ppid_before: i32,
    /// getppid() once it changed.
    ppid_after: i32,
    /// /proc/PPID/comm of the adopter.
    adopter: String,
    /// ms from telling the parent to go until getppid() changed.
    after_ms: f64,
}

pub fn run_orphan(io: &mut Io) -> Status {
    let options: OrphanOptions = match options(io) {
        Ok(options) => options,
        Err(status) => return status,
    };
    let (ready_read, ready_write) = match pipe2(OFlag::O_CLOEXEC) {
        Ok(pipe) => pipe,
        Err(e) => return io.fail(format_args!("pipe: {}", e.desc()), 1),
    };
    // SAFETY: the demo is single-threaded, so the child may go on running
    // the demo's code: it is the one that reports.
    match unsafe { fork() } {
        Ok(ForkResult::Child) => {
            drop(ready_read);
            orphan(io, &options, ready_write)
        }
        Ok(ForkResult::Parent { .. }) => {
            drop(ready_write);
            // Returns when the child wrote its byte, or exited without.
            let _ = std::fs::File::from(ready_read).read(&mut [0]);
            0
        }
        Err(e) => io.fail(format_args!("fork: {}", e.desc()), 1),
    }
}

/// The child's side: note the PPID, let the parent exit, see who adopts.
fn orphan(io: &mut Io, options: &OrphanOptions, ready: OwnedFd) -> Status {
    let ppid_before = getppid();
    let start = Instant::now();
    if let Err(e) = nix::unistd::write(&ready, b"x") {
        return io.fail(format_args!("pipe: {}", e.desc()), 1);
    }
    drop(ready);
    let Some(ppid_after) = poll(|| Some(getppid()).filter(|p| *p != ppid_before)) else {
        return io.fail("the parent did not exit", 1);
    };
    let adopter = std::fs::read_to_string(format!("/proc/{ppid_after}/comm"))
        .map(|c| c.trim_end().to_owned())
        .unwrap_or_else(|e| format!("? ({})", Errno::from_raw(e.raw_os_error().unwrap_or(0))));
    let report = OrphanReport {
        orphan_pid: getpid().as_raw(),
        ppid_before: ppid_before.as_raw(),
        ppid_after: ppid_after.as_raw(),
        adopter,
        after_ms: millis(start.elapsed()),
    };
    emit(
        io,
        &options.output,
        &report,
        human_orphan,
        &[
            "the parent exited first, so the kernel gave its child a new parent",
            "init (PID 1) or a subreaper adopts orphans, and waits for them when they end",
        ],
    )
}

fn human_orphan(report: &OrphanReport) -> String {
    let by = if report.ppid_after == 1 {
        "PID 1, init of this PID namespace".to_owned()
    } else {
        format!(
            "PID {}: not PID 1, so a subreaper among its ancestors",
            report.ppid_after
        )
    };
    format!(
        "[orphan] PID = {}; PPID = {} (the demo) while it lived\n\
         [orphan] the demo exited; {:.1} ms later getppid() = {} ({})\n\
         [orphan] adopted by {by}\n",
        report.orphan_pid, report.ppid_before, report.after_ms, report.ppid_after, report.adopter
    )
}

/// Calls `check` every [`POLL`] until it gives a value, for at most
/// [`PATIENCE`].
fn poll<T>(mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let start = Instant::now();
    loop {
        if let Some(value) = check() {
            return Some(value);
        }
        if start.elapsed() > PATIENCE {
            return None;
        }
        std::thread::sleep(POLL);
    }
}
