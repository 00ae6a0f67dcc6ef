//! `sum-array-bugs`: the lab's sum-array with its two bugs ("Safety",
//! "Wait for It", "Memory Corruption"), each run with threads and with
//! processes to show how far the damage reaches. A segfault in one thread
//! kills the whole process; in one child process it kills only that child.
//! A worker that overwrites the array spoils the other threads' sums, but
//! not the other processes', which sum their own copy-on-write copies.
//! The array ends where a page with no access rights begins, so that the
//! read past its end faults for sure (see `guarded.rs`).

use std::io::Read;
use std::ops::Range;
use std::os::fd::OwnedFd;
use std::sync::Barrier;
use std::thread;
use std::time::Instant;

use clap::builder::RangedU64ValueParser;
use clap::{Args, Parser, Subcommand};
use nix::fcntl::OFlag;
use nix::sys::resource::{Resource, getrlimit, setrlimit};
use nix::sys::signal::Signal;
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork, getpid, pipe2};
use serde::Serialize;

use super::array::{LAB_LEN, split};
use super::guarded::GuardedArray;
use crate::io::{Io, Status};
use crate::{Output, emit, millis, options};

const HELP: &str = include_str!("sum_array_bugs.txt");

/// The most ints `--len` takes: 4 GB of them, ten times the lab's array.
/// Anything larger would not fit in a student's machine anyway, and the
/// bound keeps the sizes far from overflowing.
const MAX_LEN: u64 = 1_000_000_000;

#[derive(Parser)]
#[command(name = "sum-array-bugs", override_help = HELP, disable_help_subcommand = true)]
struct Options {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    #[command(override_help = HELP)]
    Segfault(Setup),
    #[command(override_help = HELP)]
    Corruption {
        #[command(flatten)]
        setup: Setup,
        #[arg(long)]
        corrupt: bool,
    },
}

#[derive(Args)]
struct Setup {
    #[command(flatten)]
    workers: Workers,
    #[arg(short = 'n', default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
    n: u16,
    #[arg(long, default_value_t = LAB_LEN, value_parser = RangedU64ValueParser::<usize>::new().range(1..=MAX_LEN))]
    len: usize,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    #[command(flatten)]
    output: Output,
}

/// Exactly one of `--threads` and `--processes`.
#[derive(Args)]
#[group(required = true, multiple = false)]
struct Workers {
    #[arg(long)]
    threads: bool,
    #[arg(long)]
    processes: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Threads,
    Processes,
}

/// The lab's two bugs, as the buggy worker commits them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Mistake {
    /// Reads one element past the end of the array.
    Segfault,
    /// Negates the other workers' parts before they sum them.
    Corruption,
}

/// How one worker ended.
#[derive(Debug, Serialize)]
struct WorkerEnd {
    index: usize,
    /// The child's PID, for processes.
    pid: Option<i32>,
    /// Its part of the array: `start..end`.
    start: usize,
    end: usize,
    /// Whether this worker has the bug.
    buggy: bool,
    /// WIFEXITED, then WEXITSTATUS (processes).
    exit_code: Option<i32>,
    /// WIFSIGNALED, then WTERMSIG (processes).
    signal: Option<i32>,
    signal_name: Option<&'static str>,
    /// The partial sum it reported, if it lived to report one.
    partial_sum: Option<i64>,
}

#[derive(Debug, Serialize)]
struct Report {
    bug: Mistake,
    kind: Kind,
    /// Whether the bug was let loose: always for segfault, with
    /// `--corrupt` for corruption.
    buggy: bool,
    workers: usize,
    len: usize,
    seed: u64,
    pid: i32,
    /// The sum of the whole array, computed before any worker started.
    expected_sum: i64,
    /// The partial sums that reached the main thread, added up.
    obtained_sum: i64,
    /// From starting the first worker to collecting the last.
    ms: f64,
    ends: Vec<WorkerEnd>,
}

pub fn run(io: &mut Io) -> Status {
    let options: Options = match options(io) {
        Ok(options) => options,
        Err(status) => return status,
    };
    let (setup, bug, buggy) = match &options.command {
        Command::Segfault(setup) => (setup, Mistake::Segfault, true),
        Command::Corruption { setup, corrupt } => (setup, Mistake::Corruption, *corrupt),
    };
    let kind = if setup.workers.threads {
        Kind::Threads
    } else {
        Kind::Processes
    };
    let workers = usize::from(setup.n);
    if setup.len < workers {
        let e = format!(
            "--len {} is less than {workers} workers: some would have nothing to sum",
            setup.len
        );
        return io.fail(e, 2);
    }
    if bug == Mistake::Corruption && buggy && workers < 2 {
        let e = "--corrupt needs 2 workers or more: worker 0 overwrites the others' parts";
        return io.fail(e, 2);
    }
    if bug == Mistake::Segfault {
        turn_off_core_dumps();
    }
    let report = match measure(setup, kind, bug, buggy, io) {
        Ok(report) => report,
        Err(e) => return io.fail(e, 1),
    };
    let notice: &[&str] = match (bug, kind, buggy) {
        (Mistake::Segfault, Kind::Processes, _) => &[
            "one child died of SIGSEGV; its siblings finished, and the parent still added up their sums",
            "with --threads the same bug kills the whole process, and no sum is printed at all",
        ],
        // Not expected: the guard page makes the read fault.
        (Mistake::Segfault, Kind::Threads, _) => {
            &["the buggy thread did not crash: its read past the end succeeded"]
        }
        (Mistake::Corruption, Kind::Threads, true) => &[
            "the threads share one array: worker 0's writes reached the parts the others summed",
            "with --processes each child writes into its own copy-on-write copy, and the sum stays right",
        ],
        (Mistake::Corruption, Kind::Processes, true) => &[
            "worker 0 wrote into its own copy-on-write copy: its siblings' arrays did not change",
            "with --threads the workers share one array, and the same writes spoil the sum",
        ],
        (Mistake::Corruption, _, false) => {
            &["add --corrupt to let worker 0 overwrite the others' parts first"]
        }
    };
    let printed = emit(io, &setup.output, &report, human, notice);
    // A segfault demo whose threads all lived did not show what it is for.
    let missed = bug == Mistake::Segfault && kind == Kind::Threads;
    printed.max(i32::from(missed))
}

/// A deliberate crash should not leave a core file behind in the
/// student's directory: the soft limit on core files becomes 0 for the
/// demo and its children. The shell then reports `Segmentation fault`
/// without `(core dumped)`.
fn turn_off_core_dumps() {
    if let Ok((_, hard)) = getrlimit(Resource::RLIMIT_CORE) {
        let _ = setrlimit(Resource::RLIMIT_CORE, 0, hard);
    }
}

/// How one worker ended, before the report names it.
#[derive(Default)]
struct Outcome {
    pid: Option<Pid>,
    /// How the child ended, for processes.
    status: Option<WaitStatus>,
    partial_sum: Option<i64>,
}

fn measure(
    setup: &Setup,
    kind: Kind,
    bug: Mistake,
    buggy: bool,
    io: &mut Io,
) -> Result<Report, String> {
    let workers = usize::from(setup.n);
    let array = GuardedArray::random(setup.len, setup.seed).map_err(|e| format!("mmap: {e}"))?;
    let expected_sum = sum(array.all());
    let parts = split(array.len(), workers);
    // The segfault is the last worker's: its part ends where the array
    // does, so its one element too many lies in the guard page. The
    // corruption is worker 0's, which the others wait for.
    let culprit = match (bug, buggy) {
        (Mistake::Segfault, _) => Some(workers - 1),
        (Mistake::Corruption, true) => Some(0),
        (Mistake::Corruption, false) => None,
    };
    let mut report = Report {
        bug,
        kind,
        buggy,
        workers,
        len: array.len(),
        seed: setup.seed,
        pid: getpid().as_raw(),
        expected_sum,
        obtained_sum: 0,
        ms: 0.0,
        ends: Vec::new(),
    };
    if bug == Mistake::Segfault && kind == Kind::Threads && !setup.output.json {
        // The demo will not live to print its report: say now what it does.
        io.out.text(&heading(&report));
    }
    let start = Instant::now();
    let outcomes = match kind {
        Kind::Threads => with_threads(&array, &parts, bug, culprit),
        Kind::Processes => with_processes(&array, &parts, bug, culprit)?,
    };
    report.ms = millis(start.elapsed());
    for (index, (part, outcome)) in parts.iter().zip(outcomes).enumerate() {
        let (exit_code, signal) = match outcome.status {
            Some(WaitStatus::Exited(_, code)) => (Some(code), None),
            Some(WaitStatus::Signaled(_, signal, _)) => (None, Some(signal)),
            _ => (None, None),
        };
        report.ends.push(WorkerEnd {
            index,
            pid: outcome.pid.map(Pid::as_raw),
            start: part.start,
            end: part.end,
            buggy: culprit == Some(index),
            exit_code,
            signal: signal.map(|s| s as i32),
            signal_name: signal.map(Signal::as_str),
            partial_sum: outcome.partial_sum,
        });
    }
    report.obtained_sum = report.ends.iter().filter_map(|e| e.partial_sum).sum();
    Ok(report)
}

fn sum(part: &[i32]) -> i64 {
    part.iter().map(|&x| i64::from(x)).sum()
}

/// The workers as threads of this process, all reading the one array.
/// For the corruption every worker meets at a barrier after worker 0's
/// writes and before anyone sums, so the outcome does not depend on which
/// thread the scheduler runs first.
fn with_threads(
    array: &GuardedArray,
    parts: &[Range<usize>],
    bug: Mistake,
    culprit: Option<usize>,
) -> Vec<Outcome> {
    let barrier = Barrier::new(parts.len());
    thread::scope(|scope| {
        let handles: Vec<_> = parts
            .iter()
            .enumerate()
            .map(|(index, part)| {
                let barrier = &barrier;
                scope.spawn(move || {
                    let own = (culprit == Some(index)).then(|| {
                        // SAFETY: none is kept, on purpose: this is the
                        // lab's bug. For the corruption, the other threads
                        // are waiting at the barrier below, not reading.
                        unsafe { buggy_worker(array, part.clone(), bug) }
                    });
                    if bug == Mistake::Corruption {
                        barrier.wait();
                    }
                    own.unwrap_or_else(|| sum(array.part(part.clone())))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| Outcome {
                partial_sum: handle.join().ok(),
                ..Outcome::default()
            })
            .collect()
    })
}

/// The workers as child processes, each with the array as it was at
/// fork: the pages are shared until someone writes, and a write copies
/// the page for the writer alone. Each child writes `index sum` into a
/// pipe and exits; the parent reads the pipe to its end, then waits for
/// every child and keeps how it ended.
fn with_processes(
    array: &GuardedArray,
    parts: &[Range<usize>],
    bug: Mistake,
    culprit: Option<usize>,
) -> Result<Vec<Outcome>, String> {
    let (results_read, results_write) =
        pipe2(OFlag::O_CLOEXEC).map_err(|e| format!("pipe: {e}"))?;
    // For the corruption the workers after worker 0 read `go` until it
    // ends, which is when worker 0, its only writer, closes it.
    let (go_read, go_write) = pipe2(OFlag::O_CLOEXEC).map_err(|e| format!("pipe: {e}"))?;
    let mut go_write = Some(go_write);
    let mut children = Vec::new();
    let mut failure = None;
    for (index, part) in parts.iter().enumerate() {
        // SAFETY: the demo is single-threaded here (processes mode starts
        // no thread); the child only sums, writes to a pipe and exits.
        match unsafe { fork() } {
            Ok(ForkResult::Child) => {
                drop(results_read);
                let worker = ChildWorker {
                    index,
                    part: part.clone(),
                    bug,
                    buggy: culprit == Some(index),
                };
                worker.run(array, &results_write, &go_read, go_write.take())
            }
            Ok(ForkResult::Parent { child }) => children.push(child),
            Err(e) => {
                failure = Some(format!("fork: {e}"));
                break;
            }
        }
        // Worker 0 has its copy of the write end; the parent's goes, so
        // later children do not inherit it.
        go_write = None;
    }
    drop(results_write);
    drop(go_read);
    let reported = read_all(results_read);
    let mut outcomes: Vec<Outcome> = children
        .iter()
        .map(|&pid| Outcome {
            pid: Some(pid),
            status: wait_for(pid),
            partial_sum: None,
        })
        .collect();
    if let Some(e) = failure {
        return Err(e);
    }
    for line in reported.lines() {
        if let Some((index, partial)) = line.split_once(' ')
            && let (Ok(index), Ok(partial)) = (index.parse::<usize>(), partial.parse::<i64>())
            && let Some(outcome) = outcomes.get_mut(index)
        {
            outcome.partial_sum = Some(partial);
        }
    }
    Ok(outcomes)
}

/// What a child worker was told before the fork.
struct ChildWorker {
    index: usize,
    part: Range<usize>,
    bug: Mistake,
    /// Whether this child commits the bug.
    buggy: bool,
}

impl ChildWorker {
    /// The child's whole life: commit the bug or wait for the go-ahead,
    /// sum its part, report, exit. Worker 0 holds `go_write`.
    fn run(
        &self,
        array: &GuardedArray,
        results: &OwnedFd,
        go: &OwnedFd,
        go_write: Option<OwnedFd>,
    ) -> ! {
        let own = self.buggy.then(|| {
            // SAFETY: none is kept, on purpose: this is the lab's bug. Its
            // writes land in this child's own copy of the array.
            unsafe { buggy_worker(array, self.part.clone(), self.bug) }
        });
        match go_write {
            // Worker 0 is done writing: closing `go` lets the others sum.
            Some(go_write) => drop(go_write),
            None if self.bug == Mistake::Corruption => {
                let mut byte = [0u8; 1];
                while let Err(nix::Error::EINTR) = nix::unistd::read(go, &mut byte) {}
            }
            None => {}
        }
        let partial = own.unwrap_or_else(|| sum(array.part(self.part.clone())));
        let line = format!("{} {partial}\n", self.index);
        let code = match nix::unistd::write(results, line.as_bytes()) {
            Ok(_) => 0,
            Err(_) => 1,
        };
        // SAFETY: _exit ends the child without unwinding into the demo's
        // code or running its exit handlers a second time.
        unsafe { libc::_exit(code) }
    }
}

/// The buggy worker: it sums its own part like the others, but through a
/// raw pointer with no bounds, as a C worker does, and it commits the
/// lab's bug. Safe Rust cannot express either bug: slices are
/// bounds-checked, and a worker holding a shared view of the array cannot
/// write to it. This is the one place the demo breaks memory safety, on
/// purpose, so that the consequences can be watched.
///
/// # Safety
///
/// There is none to keep. `Segfault` reads the element after the last,
/// which lies in the array's guard page: the process gets SIGSEGV.
/// `Corruption` writes into the parts the other workers sum; callers make
/// them wait until this returns, so they read changed values but never
/// race with the writes.
unsafe fn buggy_worker(array: &GuardedArray, own: Range<usize>, bug: Mistake) -> i64 {
    let base = array.as_ptr();
    match bug {
        Mistake::Segfault => {
            let mut sum = 0;
            let mut i = own.start;
            // `<=` where `<` was meant: one element too many.
            while i <= own.end {
                // SAFETY: none: at i == own.end, the array's length, this
                // reads the guard page. Volatile, so the read happens.
                sum += i64::from(unsafe { base.add(i).read_volatile() });
                i += 1;
            }
            sum
        }
        Mistake::Corruption => {
            for i in (0..array.len()).filter(|i| !own.contains(i)) {
                // SAFETY: i < len: inside the array, but in another
                // worker's part, which that worker has not started reading.
                unsafe { base.add(i).write(-base.add(i).read()) };
            }
            sum(array.part(own))
        }
    }
}

fn wait_for(pid: Pid) -> Option<WaitStatus> {
    loop {
        match waitpid(pid, None) {
            Err(nix::Error::EINTR) => {}
            result => return result.ok(),
        }
    }
}

fn read_all(fd: OwnedFd) -> String {
    let mut text = String::new();
    let _ = std::fs::File::from(fd).read_to_string(&mut text);
    text
}

/// The first lines: who sums what, and the right sum.
fn heading(report: &Report) -> String {
    let workers = match (report.kind, report.workers) {
        (Kind::Threads, 1) => "thread",
        (Kind::Threads, _) => "threads",
        (Kind::Processes, 1) => "child process",
        (Kind::Processes, _) => "child processes",
    };
    let bug = match (report.bug, report.buggy) {
        (Mistake::Segfault, _) => format!(
            "worker {} reads one element past the end",
            report.workers - 1
        ),
        (Mistake::Corruption, true) => "worker 0 first negates the other workers' parts".to_owned(),
        (Mistake::Corruption, false) => "no worker misbehaves".to_owned(),
    };
    format!(
        "[main] PID {}: {} {workers} sum {} ints (seed {}); {bug}\n\
         expected sum, computed first by the main thread: {}\n",
        report.pid, report.workers, report.len, report.seed, report.expected_sum
    )
}

fn human(report: &Report) -> String {
    let mut text = heading(report);
    for end in &report.ends {
        let pid = end.pid.map(|p| format!(" PID {p}")).unwrap_or_default();
        let how = match (end.exit_code, end.signal, end.signal_name) {
            (Some(code), _, _) => format!(" exited {code},"),
            (None, Some(signal), Some(name)) => format!(" killed by signal {signal} ({name}),"),
            _ => String::new(),
        };
        let partial = match end.partial_sum {
            Some(partial) => format!("partial sum {partial}"),
            None => "no sum".to_owned(),
        };
        text.push_str(&format!(
            "  worker {}{pid}: ints {}..{},{how} {partial}\n",
            end.index, end.start, end.end
        ));
    }
    let reported = report
        .ends
        .iter()
        .filter(|e| e.partial_sum.is_some())
        .count();
    text.push_str(&match report.bug {
        Mistake::Segfault => format!(
            "sum of the survivors: {} from {reported} of {} workers; full sum {} ({:.1} ms)\n",
            report.obtained_sum, report.workers, report.expected_sum, report.ms
        ),
        Mistake::Corruption => format!(
            "sum obtained: {}; expected {}: {} ({:.1} ms)\n",
            report.obtained_sum,
            report.expected_sum,
            if report.obtained_sum == report.expected_sum {
                "right"
            } else {
                "wrong"
            },
            report.ms
        ),
    });
    text
}
