//! `create-cost`: creating a thread against creating a process (fork,
//! vfork, clone with CLONE_VM, pthread_create), and switching between two
//! threads against two processes (a ping-pong over pipes on one CPU), each
//! a median of many runs, to put numbers on the lecture's table: slower
//! creation (a page table to build), longer switches (the TLB flushed).

use std::ffi::c_void;
use std::os::fd::OwnedFd;
use std::time::Instant;

use clap::Parser;
use nix::fcntl::OFlag;
use nix::sched::{CpuSet, sched_getaffinity, sched_setaffinity};
use nix::sys::wait::{WaitPidFlag, waitpid};
use nix::unistd::{ForkResult, Pid, fork, pipe2};
use serde::Serialize;

use crate::io::{Io, Status};
use crate::{Out, Output, Progress, median, millis, options, round_ms};

const HELP: &str = include_str!("create_cost.txt");

/// Switching batches: the switch row is the median of these.
const BATCHES: usize = 9;

#[derive(Parser)]
#[command(name = "create-cost", override_help = HELP)]
struct Options {
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    runs: u32,
    #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    round_trips: u32,
    #[arg(long, value_name = "MIB", default_value_t = 64, value_parser = clap::value_parser!(u64).range(0..=16384))]
    ballast: u64,
    #[command(flatten)]
    output: Output,
}

/// Times of one row, in ms.
#[derive(Debug, Serialize)]
struct Timing {
    what: &'static str,
    runs: usize,
    median_ms: f64,
    min_ms: f64,
    max_ms: f64,
}

#[derive(Debug, Serialize)]
struct Report {
    ballast_mib: u64,
    /// The demo's resident size while it measured, from /proc/self/status.
    rss_kib: Option<u64>,
    create: Vec<Timing>,
    /// A thousand passes of the byte, that is a thousand switches, for
    /// threads and processes (a thousand, so that the times keep their
    /// digits at a microsecond's rounding).
    switch: Vec<Timing>,
    /// The CPU the ping-pong was held on.
    cpu: Option<usize>,
    round_trips: u32,
}

pub fn run(io: &mut Io) -> Status {
    let options: Options = match options(io) {
        Ok(options) => options,
        Err(status) => return status,
    };
    let out = Out::new(io, &options.output);
    let progress = Progress::new(io);
    out.say(format_args!(
        "allocating and touching {} MiB, so that fork has page tables to copy...",
        options.ballast
    ));
    // The ballast: touched, so fork has page tables to copy for it.
    let ballast = vec![1u8; options.ballast as usize * 1024 * 1024];
    std::hint::black_box(&ballast);
    let rss_kib = resident_kib();
    out.say(format_args!(
        "creating each kind of task {} times (the demo holds {} MiB)...",
        options.runs,
        rss_kib.map_or(0, |k| k / 1024)
    ));
    let mut create = Vec::new();
    for (what, make) in CREATORS {
        progress.show(format_args!("timing {what}"));
        match timed(what, options.runs as usize, make) {
            Ok(timing) => {
                progress.done();
                out.say(row(&timing));
                create.push(timing);
            }
            Err(e) => {
                progress.done();
                return io.fail(format_args!("{what}: {e}"), 1);
            }
        }
    }
    out.say(format_args!(
        "switching: a byte passed back and forth {} times per batch, on one CPU...",
        options.round_trips
    ));
    let (cpu, switch) = match switching(options.round_trips, &progress) {
        Ok(result) => result,
        Err(e) => return io.fail(e, 1),
    };
    progress.done();
    for timing in &switch {
        out.say(row(timing));
    }
    drop(ballast);
    let report = Report {
        ballast_mib: options.ballast,
        rss_kib,
        create,
        switch,
        cpu,
        round_trips: options.round_trips,
    };
    for line in notice(&report) {
        out.notice(line);
    }
    if out.json() {
        return crate::json(io, &report);
    }
    0
}

fn row(timing: &Timing) -> String {
    format!(
        "  {:<22} median {:>9.4} ms   (min {:.4}, max {:.4}, {} runs)",
        timing.what, timing.median_ms, timing.min_ms, timing.max_ms, timing.runs
    )
}

/// The "what to notice" lines, from the medians measured.
fn notice(report: &Report) -> Vec<String> {
    let find =
        |rows: &[Timing], what: &str| rows.iter().find(|t| t.what == what).map(|t| t.median_ms);
    let mut lines = Vec::new();
    if let (Some(fork), Some(thread)) = (
        find(&report.create, "fork"),
        find(&report.create, "pthread_create"),
    ) {
        lines.push(if fork > thread {
            format!(
                "fork took {:.1}x as long as pthread_create ({fork:.4} against {thread:.4} ms): a process needs page tables of its own, copied from a parent holding {} MiB",
                fork / thread.max(1e-9),
                report.rss_kib.map_or(0, |k| k / 1024)
            )
        } else {
            format!("fork was not slower than pthread_create this time ({fork:.4} against {thread:.4} ms)")
        });
    }
    if let (Some(threads), Some(processes)) = (
        find(&report.switch, "1000 switches: threads"),
        find(&report.switch, "1000 switches: processes"),
    ) {
        lines.push(if processes > threads {
            format!(
                "a switch between processes took {:.1}x a switch between threads ({processes:.3} against {threads:.3} ms per 1000): the memory map changes, and the TLB's entries with it",
                processes / threads.max(1e-9)
            )
        } else {
            format!(
                "switching between processes was not slower than between threads this time ({processes:.3} against {threads:.3} ms per 1000)"
            )
        });
    }
    lines
}

/// Makes one task and waits for it.
type Create = fn() -> Result<(), String>;

/// The ways to create a task.
const CREATORS: [(&str, Create); 4] = [
    ("fork", create_fork),
    ("vfork", create_vfork),
    ("clone CLONE_VM", create_clone_vm),
    ("pthread_create", create_thread),
];

fn timed(what: &'static str, runs: usize, make: Create) -> Result<Timing, String> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        make()?;
        times.push(millis(start.elapsed()));
    }
    Ok(summary(what, &mut times))
}

fn summary(what: &'static str, times: &mut [f64]) -> Timing {
    times.sort_by(f64::total_cmp);
    Timing {
        what,
        runs: times.len(),
        median_ms: round_ms(median(times)),
        min_ms: times.first().copied().unwrap_or(0.0),
        max_ms: times.last().copied().unwrap_or(0.0),
    }
}

fn create_fork() -> Result<(), String> {
    // SAFETY: the demo is single-threaded here; the child only _exits.
    match unsafe { fork() }.map_err(|e| e.to_string())? {
        // SAFETY: _exit is async-signal-safe.
        ForkResult::Child => unsafe { libc::_exit(0) },
        ForkResult::Parent { child } => reap(child, WaitPidFlag::empty()),
    }
}

/// A stack for the clone children: they run only `exit_at_once`, a few
/// bytes deep, so 64 KiB is plenty.
const STACK: usize = 64 * 1024;

/// The clone children's whole life: return 0, which glibc's wrapper
/// passes to exit(2). It touches nothing, so sharing the parent's memory
/// (and its thread-locals) is harmless.
extern "C" fn exit_at_once(_: *mut c_void) -> libc::c_int {
    0
}

fn create_vfork() -> Result<(), String> {
    clone_with(libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD)
}

fn create_clone_vm() -> Result<(), String> {
    clone_with(libc::CLONE_VM | libc::SIGCHLD)
}

/// clone(2) through glibc's wrapper, with a stack of the demo's own; waits
/// for the child (SIGCHLD as its exit signal makes it an ordinary child).
fn clone_with(flags: libc::c_int) -> Result<(), String> {
    let mut stack = vec![0u8; STACK];
    // SAFETY: the stack outlives the child (it is waited for below), its
    // top is 16-byte aligned, and the child runs only `exit_at_once`.
    let tid = unsafe {
        let top = stack.as_mut_ptr().add(STACK).cast::<c_void>();
        let top = top.map_addr(|a| a & !15);
        libc::clone(exit_at_once, top, flags, std::ptr::null_mut())
    };
    let child = nix::errno::Errno::result(tid).map_err(|e| e.to_string())?;
    let result = reap(Pid::from_raw(child), WaitPidFlag::__WALL);
    drop(stack);
    result
}

fn create_thread() -> Result<(), String> {
    let mut thread: libc::pthread_t = 0;
    extern "C" fn nothing(_: *mut c_void) -> *mut c_void {
        std::ptr::null_mut()
    }
    // SAFETY: default attributes; `nothing` returns at once and is joined.
    let error = unsafe {
        libc::pthread_create(&mut thread, std::ptr::null(), nothing, std::ptr::null_mut())
    };
    if error != 0 {
        return Err(nix::errno::Errno::from_raw(error).to_string());
    }
    // SAFETY: joined once, as created joinable.
    unsafe { libc::pthread_join(thread, std::ptr::null_mut()) };
    Ok(())
}

fn reap(child: Pid, flags: WaitPidFlag) -> Result<(), String> {
    loop {
        match waitpid(child, Some(flags)) {
            Err(nix::Error::EINTR) => {}
            Err(e) => return Err(format!("waitpid: {e}")),
            Ok(_) => return Ok(()),
        }
    }
}

/// The two ping-pongs, threads then processes, held on the first CPU this
/// process may use, BATCHES batches each.
fn switching(
    round_trips: u32,
    progress: &Progress,
) -> Result<(Option<usize>, Vec<Timing>), String> {
    let allowed =
        sched_getaffinity(Pid::from_raw(0)).map_err(|e| format!("sched_getaffinity: {e}"))?;
    let cpu = (0..CpuSet::count()).find(|&c| allowed.is_set(c).unwrap_or(false));
    if let Some(cpu) = cpu {
        let mut one = CpuSet::new();
        let _ = one.set(cpu);
        let _ = sched_setaffinity(Pid::from_raw(0), &one);
    }
    let mut threads = Vec::with_capacity(BATCHES);
    let mut processes = Vec::with_capacity(BATCHES);
    for batch in 1..=BATCHES {
        progress.show(format_args!("ping-pong batch {batch} of {BATCHES}"));
        threads.push(ping_pong(round_trips, false)?);
        processes.push(ping_pong(round_trips, true)?);
    }
    let _ = sched_setaffinity(Pid::from_raw(0), &allowed);
    Ok((
        cpu,
        vec![
            summary("1000 switches: threads", &mut threads),
            summary("1000 switches: processes", &mut processes),
        ],
    ))
}

/// One batch: the byte goes out and back `round_trips` times; returns the
/// time of a thousand passes (half a round trip each), in ms.
fn ping_pong(round_trips: u32, processes: bool) -> Result<f64, String> {
    let (to_read, to_write) = pipe2(OFlag::O_CLOEXEC).map_err(|e| format!("pipe: {e}"))?;
    let (back_read, back_write) = pipe2(OFlag::O_CLOEXEC).map_err(|e| format!("pipe: {e}"))?;
    let start = Instant::now();
    if processes {
        // SAFETY: single-threaded here; the child only reads and writes
        // pipes and exits, all async-signal-safe.
        match unsafe { fork() }.map_err(|e| format!("fork: {e}"))? {
            ForkResult::Child => {
                echo(&to_read, &back_write, round_trips);
                // SAFETY: _exit is async-signal-safe.
                unsafe { libc::_exit(0) }
            }
            ForkResult::Parent { child } => {
                serve(&to_write, &back_read, round_trips)?;
                reap(child, WaitPidFlag::empty())?;
            }
        }
    } else {
        std::thread::scope(|scope| {
            let echoer = scope.spawn(|| echo(&to_read, &back_write, round_trips));
            let served = serve(&to_write, &back_read, round_trips);
            let _ = echoer.join();
            served
        })?;
    }
    Ok(round_ms(
        millis(start.elapsed()) * 1000.0 / (2.0 * f64::from(round_trips)),
    ))
}

/// The side that starts: send, wait for the answer, `round_trips` times.
fn serve(out: &OwnedFd, back: &OwnedFd, round_trips: u32) -> Result<(), String> {
    let mut byte = [0u8; 1];
    for _ in 0..round_trips {
        nix::unistd::write(out, b"p").map_err(|e| format!("write: {e}"))?;
        nix::unistd::read(back, &mut byte).map_err(|e| format!("read: {e}"))?;
    }
    Ok(())
}

/// The other side: wait for the byte, send it back.
fn echo(input: &OwnedFd, back: &OwnedFd, round_trips: u32) {
    let mut byte = [0u8; 1];
    for _ in 0..round_trips {
        if nix::unistd::read(input, &mut byte).is_err() || nix::unistd::write(back, &byte).is_err()
        {
            return;
        }
    }
}

/// The demo's resident size, from /proc/self/status.
fn resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
