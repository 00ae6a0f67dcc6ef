//! `sum-array-bugs`: the lab's sum-array with its two bugs ("Safety",
//! "Wait for It", "Memory Corruption"), each run with threads and with
//! processes to show how far the damage reaches. A segfault in one thread
//! kills the whole process; in one child process it kills only that child.
//! A worker that overwrites the array spoils the other threads' sums, but
//! not the other processes', which sum their own copy-on-write copies.
//! The array ends where a page with no access rights begins, so that the
//! read past its end faults for sure (see `guarded.rs`). The threads that
//! are to crash run in a process of their own that the demo watches
//! (`sum_array_bugs/watch.rs`), so that the report is still printed.

mod print;
mod watch;
mod workers;

use std::ops::Range;
use std::os::fd::RawFd;
use std::time::Instant;

use clap::builder::RangedU64ValueParser;
use clap::{Args, Parser, Subcommand};
use nix::sys::resource::{Resource, getrlimit, setrlimit};
use nix::sys::signal::Signal;
use nix::sys::wait::WaitStatus;
use nix::unistd::{Pid, getpid};
use serde::Serialize;

use super::array::{LAB_LEN, split};
use super::guarded::GuardedArray;
use crate::io::{Io, Status};
use crate::{Out, Output, millis, options};
use workers::{Outcome, sum, with_processes, with_threads};

const HELP: &str = include_str!("sum_array_bugs.txt");

/// The most ints `--len` takes: 4 GB of them, ten times the lab's array.
/// Anything larger would not fit in a student's machine anyway, and the
/// bound keeps the sizes far from overflowing.
const MAX_LEN: u64 = 1_000_000_000;

/// Without a subcommand: the segfault, with threads then processes, and
/// the options of `setup`.
#[derive(Parser)]
#[command(
    name = "sum-array-bugs",
    override_help = HELP,
    disable_help_subcommand = true,
    args_conflicts_with_subcommands = true
)]
struct Options {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    setup: Setup,
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
    /// Set only in the process the demo watches (see watch.rs): the
    /// descriptor its threads report on.
    #[arg(long, hide = true)]
    watched: Option<RawFd>,
    #[command(flatten)]
    output: Output,
}

/// At most one of `--threads` and `--processes`; neither: both, threads
/// first.
#[derive(Args)]
#[group(multiple = false)]
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

/// How the watched process that ran the threads ended.
#[derive(Debug, Serialize)]
struct Ended {
    pid: i32,
    exit_code: Option<i32>,
    signal: Option<i32>,
    signal_name: Option<&'static str>,
}

/// Every run, in order.
#[derive(Debug, Serialize)]
struct Report {
    runs: Vec<Run>,
}

/// One bug, one kind of worker.
#[derive(Debug, Serialize)]
struct Run {
    bug: Mistake,
    kind: Kind,
    /// Whether the bug was let loose: always for segfault, with
    /// `--corrupt` for corruption.
    buggy: bool,
    workers: usize,
    len: usize,
    seed: u64,
    /// The process whose main thread started the workers: the demo, or
    /// for the threads' segfault the process it watched.
    pid: i32,
    /// The sum of the whole array, computed before any worker started.
    expected_sum: i64,
    /// The partial sums that reached the main thread, added up; `None`
    /// when the main thread died before it could add them.
    obtained_sum: Option<i64>,
    /// From starting the first worker to collecting the last.
    ms: f64,
    ends: Vec<WorkerEnd>,
    /// For the threads' segfault: how their whole process ended.
    process: Option<Ended>,
}

pub fn run(io: &mut Io) -> Status {
    let options: Options = match options(io) {
        Ok(options) => options,
        Err(status) => return status,
    };
    let (setup, bug, buggy) = match &options.command {
        None => (&options.setup, Mistake::Segfault, true),
        Some(Command::Segfault(setup)) => (setup, Mistake::Segfault, true),
        Some(Command::Corruption { setup, corrupt }) => (setup, Mistake::Corruption, *corrupt),
    };
    let kinds = match (setup.workers.threads, setup.workers.processes) {
        (true, _) => vec![Kind::Threads],
        (_, true) => vec![Kind::Processes],
        _ => vec![Kind::Threads, Kind::Processes],
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
    if let Some(fd) = setup.watched {
        return watch::watched(setup, fd);
    }
    let out = Out::new(io, &setup.output);
    let mut runs = Vec::with_capacity(kinds.len());
    for &kind in &kinds {
        let run = if bug == Mistake::Segfault && kind == Kind::Threads {
            watch::watch(setup, &out)
        } else {
            measure(setup, kind, bug, buggy, &out)
        };
        match run {
            Ok(run) => {
                for line in notice(&run) {
                    out.notice(line);
                }
                runs.push(run);
            }
            Err(e) => return io.fail(e, 1),
        }
    }
    let ending = ending(&runs);
    if out.json() {
        crate::json(io, &Report { runs });
    }
    match ending {
        Ending::Status(status) => status,
        Ending::Signal(signal) => die_of(signal),
    }
}

/// How the demo ends.
enum Ending {
    Status(Status),
    /// Killed by this signal, as the lab's program is: the threads'
    /// segfault, run alone, ends the demo the way it ended their process,
    /// so the shell reports `Segmentation fault` and $? is 139.
    Signal(i32),
}

fn ending(runs: &[Run]) -> Ending {
    let crash = runs
        .iter()
        .find(|r| r.bug == Mistake::Segfault && r.kind == Kind::Threads);
    let signal = crash
        .and_then(|run| run.process.as_ref())
        .and_then(|p| p.signal);
    match (crash, signal, runs.len()) {
        // A segfault demo whose threads all lived did not show what it
        // is for.
        (Some(_), None, _) => Ending::Status(1),
        (Some(_), Some(signal), 1) => Ending::Signal(signal),
        _ => Ending::Status(0),
    }
}

/// Ends the demo by `signal`, its default action restored (core dumps are
/// off, so no core file is left).
fn die_of(signal: i32) -> Status {
    // SAFETY: restoring the default action and raising a signal at this
    // process have no preconditions.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
    128 + signal
}

/// The "what to notice" lines, from how each worker ended.
fn notice(run: &Run) -> Vec<String> {
    let died = run.ends.iter().filter(|e| e.signal.is_some()).count();
    let summed = run.ends.iter().filter(|e| e.partial_sum.is_some()).count();
    match (run.bug, run.kind, run.buggy) {
        (Mistake::Segfault, Kind::Processes, _) => vec![
            format!(
                "{died} of {} children died of a signal; the {summed} others finished, and the parent still added up their sums: {} of {}",
                run.workers,
                run.obtained_sum.unwrap_or(0),
                run.expected_sum
            ),
            "processes are isolated: one child's crash cannot touch another's memory".to_owned(),
        ],
        (Mistake::Segfault, Kind::Threads, _) => match &run.process {
            Some(Ended {
                signal: Some(_),
                signal_name,
                ..
            }) => vec![
                format!(
                    "{} killed the whole process, all {} threads with it: its main thread never added up a sum",
                    signal_name.unwrap_or("the signal"),
                    run.workers
                ),
                "a signal such as SIGSEGV is the process's: threads share it, as they share the memory".to_owned(),
            ],
            _ => vec!["the buggy thread did not crash: its read past the end succeeded".to_owned()],
        },
        (Mistake::Corruption, kind, true) => {
            let right = run.obtained_sum == Some(run.expected_sum);
            vec![match (kind, right) {
                (Kind::Threads, false) => "the threads share one array: worker 0's writes reached the parts the others summed, and the sum is wrong".to_owned(),
                (Kind::Processes, true) => "worker 0 wrote into its own copy-on-write copy: its siblings' arrays did not change, and the sum is right".to_owned(),
                (_, right) => format!("the sum came out {}", if right { "right" } else { "wrong" }),
            }]
        }
        (Mistake::Corruption, _, false) => {
            vec!["add --corrupt to let worker 0 overwrite the others' parts first".to_owned()]
        }
    }
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

fn measure(setup: &Setup, kind: Kind, bug: Mistake, buggy: bool, out: &Out) -> Result<Run, String> {
    let workers = usize::from(setup.n);
    let mut run = Run {
        bug,
        kind,
        buggy,
        workers,
        len: setup.len,
        seed: setup.seed,
        pid: getpid().as_raw(),
        expected_sum: 0,
        obtained_sum: None,
        ms: 0.0,
        ends: Vec::new(),
        process: None,
    };
    out.say(print::plan(&run));
    let array = GuardedArray::random(setup.len, setup.seed).map_err(|e| format!("mmap: {e}"))?;
    run.expected_sum = sum(array.all());
    out.say(print::expected(&run));
    let parts = split(array.len(), workers);
    let culprit = culprit(bug, buggy, workers);
    let start = Instant::now();
    let outcomes = match kind {
        Kind::Threads => with_threads(&array, &parts, bug, culprit, None),
        Kind::Processes => with_processes(&array, &parts, bug, culprit)?,
    };
    run.ms = millis(start.elapsed());
    run.ends = ends(&parts, outcomes, culprit);
    run.obtained_sum = Some(run.ends.iter().filter_map(|e| e.partial_sum).sum());
    out.text(&print::ends(&run));
    Ok(run)
}

/// Which worker has the bug. The segfault is the last worker's: its part
/// ends where the array does, so its one element too many lies in the
/// guard page. The corruption is worker 0's, which the others wait for.
fn culprit(bug: Mistake, buggy: bool, workers: usize) -> Option<usize> {
    match (bug, buggy) {
        (Mistake::Segfault, _) => Some(workers - 1),
        (Mistake::Corruption, true) => Some(0),
        (Mistake::Corruption, false) => None,
    }
}

/// Each worker's part with how it ended.
fn ends(parts: &[Range<usize>], outcomes: Vec<Outcome>, culprit: Option<usize>) -> Vec<WorkerEnd> {
    parts
        .iter()
        .zip(outcomes)
        .enumerate()
        .map(|(index, (part, outcome))| {
            let (exit_code, signal) = match outcome.status {
                Some(WaitStatus::Exited(_, code)) => (Some(code), None),
                Some(WaitStatus::Signaled(_, signal, _)) => (None, Some(signal)),
                _ => (None, None),
            };
            WorkerEnd {
                index,
                pid: outcome.pid.map(Pid::as_raw),
                start: part.start,
                end: part.end,
                buggy: culprit == Some(index),
                exit_code,
                signal: signal.map(|s| s as i32),
                signal_name: signal.map(Signal::as_str),
                partial_sum: outcome.partial_sum,
            }
        })
        .collect()
}
