//! `race-condition`: the lecture's `race_condition.c` and its three fixes
//! (Synchronization: race condition, atomics, spinlock, mutex). Threads
//! each increment one shared `var`; without synchronization increments are
//! lost, with an atomic, a spinlock or a mutex the count is exact, and the
//! times show what each costs.

use std::hint;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use serde::Serialize;

use crate::io::{Io, Status};
use crate::{Output, emit, millis, options};

const HELP: &str = include_str!("race_condition.txt");

#[derive(Parser)]
#[command(name = "race-condition", override_help = HELP)]
struct Options {
    #[arg(long = "sync", value_enum, default_value_t = Choice::None)]
    sync: Choice,
    #[arg(short = 'n', default_value_t = 2, value_parser = thread_count)]
    threads: usize,
    #[arg(long, default_value_t = 1_000_000)]
    iterations: u64,
    #[command(flatten)]
    output: Output,
}

/// What `--sync` asks for: one method, or all four.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Choice {
    None,
    Atomic,
    Spinlock,
    Mutex,
    All,
}

/// How the threads protect `var++`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Method {
    None,
    Atomic,
    Spinlock,
    Mutex,
}

impl Method {
    fn name(self) -> &'static str {
        match self {
            Method::None => "none",
            Method::Atomic => "atomic",
            Method::Spinlock => "spinlock",
            Method::Mutex => "mutex",
        }
    }
}

/// More threads than this only measures the thread limit, not the race.
const MAX_THREADS: usize = 1024;

fn thread_count(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (1..=MAX_THREADS).contains(&n) => Ok(n),
        Ok(_) => Err(format!("must be from 1 to {MAX_THREADS}")),
        Err(e) => Err(e.to_string()),
    }
}

/// One thread's loop, in ms from the moment the first thread began its
/// loop.
#[derive(Debug, Serialize)]
struct Span {
    /// 1, 2, ...: in creation order.
    thread: usize,
    /// Just before its first increment.
    began_ms: f64,
    /// Just after its last increment.
    ended_ms: f64,
}

/// One run of the threads with one method.
#[derive(Debug, Serialize)]
struct Run {
    sync: Method,
    /// The shared counter after every thread was joined.
    var: u64,
    /// `expected - var`: the increments that were overwritten.
    lost: u64,
    /// From the first thread's first increment to the last thread's last.
    time_ms: f64,
    spans: Vec<Span>,
    /// How long every thread was inside its loop at once: 0 when one
    /// finished before another began, and then nothing can be lost.
    overlap_ms: f64,
}

#[derive(Debug, Serialize)]
struct Report {
    threads: usize,
    iterations: u64,
    /// THREADS * N: what var would be if no increment were lost.
    expected: u64,
    runs: Vec<Run>,
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
    // The unsynchronized run may lose nothing: then the notes that explain
    // a loss would explain one that did not happen.
    let nothing_lost = report
        .runs
        .iter()
        .find(|run| run.sync == Method::None && run.lost == 0)
        .map(|run| match report.threads {
            1 => [
                "`none` lost no increment: a thread alone has no other to store between its load and store".to_owned(),
                "race it against others: -n 2 or more".to_owned(),
            ],
            _ => [
                format!(
                    "`none` lost no increment this time: its threads were all counting at once for {:.1} of its {:.1} ms",
                    run.overlap_ms, run.time_ms
                ),
                "run it again, or keep the threads counting together for longer: more --iterations, more threads (-n)".to_owned(),
            ],
        });
    let notice: &[&str] = match (options.sync, &nothing_lost) {
        (_, Some([first, second])) => &[first, second],
        (Choice::None, _) => &[
            "var++ is a load, then a store: a thread that stores between another's load and store overwrites its increment",
            "try --sync all: an atomic, a spinlock or a mutex makes the increment indivisible",
        ],
        (Choice::Atomic, _) => {
            &["fetch_add loads, adds and stores as one instruction no other core can come between"]
        }
        (Choice::Spinlock, _) => &[
            "a thread that finds the lock taken spins on the CPU, testing and setting it until the holder lets go",
        ],
        (Choice::Mutex, _) => &[
            "a thread that finds the mutex taken sleeps in the kernel (a futex) until the holder wakes it",
        ],
        (Choice::All, _) => &[
            "only `none` lost increments: the other three make var++ indivisible",
            "they differ only in cost: one atomic instruction, a busy-waiting lock, a lock that may sleep",
        ],
    };
    emit(io, &options.output, &report, human, notice)
}

fn measure(options: &Options) -> std::io::Result<Report> {
    let threads = options.threads;
    let iterations = options.iterations;
    let expected = (threads as u64)
        .checked_mul(iterations)
        .ok_or_else(|| std::io::Error::other("THREADS * N does not fit in 64 bits"))?;
    let methods = match options.sync {
        Choice::None => vec![Method::None],
        Choice::Atomic => vec![Method::Atomic],
        Choice::Spinlock => vec![Method::Spinlock],
        Choice::Mutex => vec![Method::Mutex],
        Choice::All => vec![
            Method::None,
            Method::Atomic,
            Method::Spinlock,
            Method::Mutex,
        ],
    };
    let mut runs = Vec::with_capacity(methods.len());
    for method in methods {
        let (var, spans) = race(method, threads, iterations)?;
        // The spans start at 0 with the first thread's first increment.
        let last_ended = spans.iter().map(|s| s.ended_ms).fold(0.0, f64::max);
        let last_began = spans.iter().map(|s| s.began_ms).fold(0.0, f64::max);
        let first_ended = spans
            .iter()
            .map(|s| s.ended_ms)
            .fold(f64::INFINITY, f64::min);
        runs.push(Run {
            sync: method,
            var,
            lost: expected.saturating_sub(var),
            time_ms: last_ended,
            spans,
            overlap_ms: (first_ended - last_began).max(0.0),
        });
    }
    Ok(Report {
        threads,
        iterations,
        expected,
        runs,
    })
}

/// What the threads share: the counter, and the two locks that may guard
/// it. `var` is an atomic even for `none` and `spinlock`, which only load
/// and store it, so that the race is in the program's logic (lost updates)
/// and never a data race, which in Rust, as in C, is undefined behaviour.
struct Shared {
    var: AtomicU64,
    spinlock: SpinLock,
    /// For `mutex`, the counter lives inside the lock, as Rust wants it:
    /// it cannot be reached without locking.
    mutex: Mutex<u64>,
}

/// Starts `threads` threads that each increment var `iterations` times with
/// `method`; returns the final var and each thread's span, in ms from the
/// first thread's first increment.
fn race(method: Method, threads: usize, iterations: u64) -> std::io::Result<(u64, Vec<Span>)> {
    let shared = Shared {
        var: AtomicU64::new(0),
        spinlock: SpinLock::new(),
        mutex: Mutex::new(0),
    };
    let gate = Gate::new(threads);
    let origin = Instant::now();
    let times = thread::scope(|scope| {
        let mut handles = Vec::with_capacity(threads);
        for index in 0..threads {
            let (shared, gate) = (&shared, &gate);
            let spawned = thread::Builder::new()
                .name(format!("racer-{index}"))
                .spawn_scoped(scope, move || {
                    if !gate.pass() {
                        return None;
                    }
                    let began = origin.elapsed();
                    count(method, shared, iterations);
                    Some((began, origin.elapsed()))
                });
            match spawned {
                Ok(handle) => handles.push(handle),
                Err(e) => {
                    // Let the threads already at the gate go home, or the
                    // scope would wait for them forever.
                    gate.abandon();
                    return Err(e);
                }
            }
        }
        let mut times = Vec::with_capacity(threads);
        for handle in handles {
            match handle.join() {
                Ok(Some(time)) => times.push(time),
                _ => return Err(std::io::Error::other("a thread panicked")),
            }
        }
        Ok(times)
    })?;
    let first = times
        .iter()
        .map(|&(began, _)| began)
        .min()
        .unwrap_or_default();
    let spans = times
        .iter()
        .enumerate()
        .map(|(index, &(began, ended))| Span {
            thread: index + 1,
            began_ms: millis(began - first),
            ended_ms: millis(ended - first),
        })
        .collect();
    let var = match method {
        Method::Mutex => shared
            .mutex
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner),
        _ => shared.var.into_inner(),
    };
    Ok((var, spans))
}

/// The starting gate: the threads spin at it, on their CPUs, until every
/// one is there, so they begin their loops within microseconds of each
/// other. (Threads that sleep at a gate instead, at a lock the main thread
/// holds or a Barrier, are woken by the kernel one after another; a
/// million unsynchronized increments take under a millisecond in a release
/// build, so the first could be done before the last is awake, and then
/// nothing is lost.)
///
/// It takes two rounds with a short sleep between. Round 1 waits until
/// every thread has started. But the kernel may have started two of them
/// on one CPU while another CPU is idle, and it waits a while (about half
/// a millisecond, as measured here) before it moves a thread that has just
/// run: long enough for one thread to count alone. A thread that wakes
/// from a sleep, though, is put on an idle CPU at once. So every thread
/// then sleeps 1 ms, and round 2 waits until all are running again.
struct Gate {
    threads: usize,
    /// Round 1: how many threads have started.
    arrived: AtomicUsize,
    /// Round 2: how many are running again after their sleep.
    running: AtomicUsize,
    /// More threads than CPUs: they cannot all run at once, and those
    /// still to come (and the main thread creating them) need a CPU, so a
    /// waiting thread offers its own instead of spinning, and does not
    /// sleep between the rounds.
    crowded: bool,
    /// Set when a thread could not be created: the others stop waiting.
    abandoned: AtomicBool,
}

impl Gate {
    fn new(threads: usize) -> Gate {
        let cpus = thread::available_parallelism().map_or(1, |n| n.get());
        Gate {
            threads,
            arrived: AtomicUsize::new(0),
            running: AtomicUsize::new(0),
            crowded: threads > cpus,
            abandoned: AtomicBool::new(false),
        }
    }

    /// Waits at the gate until every thread is there and running; false if
    /// the main thread gave up on starting them all.
    fn pass(&self) -> bool {
        if !self.count_in(&self.arrived) {
            return false;
        }
        if !self.crowded {
            thread::sleep(Duration::from_millis(1));
        }
        self.count_in(&self.running)
    }

    /// Adds this thread to `count` and waits until every thread has.
    fn count_in(&self, count: &AtomicUsize) -> bool {
        count.fetch_add(1, Ordering::AcqRel);
        while count.load(Ordering::Acquire) < self.threads {
            if self.abandoned.load(Ordering::Acquire) {
                return false;
            }
            if self.crowded {
                thread::yield_now();
            } else {
                hint::spin_loop();
            }
        }
        true
    }

    fn abandon(&self) {
        self.abandoned.store(true, Ordering::Release);
    }
}

/// One thread's loop: `var++`, `iterations` times, the way `method` says.
fn count(method: Method, shared: &Shared, iterations: u64) {
    match method {
        Method::None => {
            for _ in 0..iterations {
                increment(&shared.var);
            }
        }
        Method::Atomic => {
            for _ in 0..iterations {
                shared.var.fetch_add(1, Ordering::Relaxed);
            }
        }
        Method::Spinlock => {
            for _ in 0..iterations {
                shared.spinlock.lock();
                increment(&shared.var);
                shared.spinlock.unlock();
            }
        }
        Method::Mutex => {
            for _ in 0..iterations {
                *shared.mutex.lock().unwrap_or_else(PoisonError::into_inner) += 1;
            }
        }
    }
}

/// `var++` as two steps, the way a CPU does it without a `lock` prefix:
/// load the value, then store the value plus one. If another thread
/// stores between the two, its increment is overwritten.
fn increment(var: &AtomicU64) {
    let value = var.load(Ordering::Relaxed);
    var.store(value + 1, Ordering::Relaxed);
}

/// The lecture's spinlock: lock with `while (atomic_flag_test_and_set(&lock));`,
/// unlock with `lock = 0`.
struct SpinLock {
    locked: AtomicBool,
}

impl SpinLock {
    const fn new() -> SpinLock {
        SpinLock {
            locked: AtomicBool::new(false),
        }
    }

    /// Test-and-set until it was clear: `swap` writes true and returns what
    /// was there, in one atomic step, so only one thread can see `false`.
    /// Acquire makes the previous holder's writes to var visible here.
    fn lock(&self) {
        while self.locked.swap(true, Ordering::Acquire) {
            // Busy-waiting: tell the CPU we are spinning (PAUSE on x86),
            // which saves power and lets the other hyperthread run.
            hint::spin_loop();
        }
    }

    /// A plain store; Release publishes our writes to var to the next
    /// thread that takes the lock.
    fn unlock(&self) {
        self.locked.store(false, Ordering::Release);
    }
}

fn human(report: &Report) -> String {
    let mut text = format!(
        "{} threads x {} increments of one shared var: expected var = {}\n",
        report.threads, report.iterations, report.expected
    );
    if let [run] = &report.runs[..] {
        text.push_str(&format!(
            "sync = {}: var = {}; time = {:.1} ms\n",
            run.sync.name(),
            run.var,
            run.time_ms
        ));
        text.push_str(&match report.threads {
            1 => format!("1 thread, counting alone for {:.1} ms\n", run.overlap_ms),
            n => format!(
                "all {n} threads were counting at once for {:.1} ms\n",
                run.overlap_ms
            ),
        });
        return text;
    }
    text.push_str(&format!(
        "{:<10} {:>12} {:>12} {:>12} {:>12}\n",
        "sync", "var", "time (ms)", "overlap (ms)", "lost"
    ));
    for run in &report.runs {
        text.push_str(&format!(
            "{:<10} {:>12} {:>12.1} {:>12.1} {:>12}\n",
            run.sync.name(),
            run.var,
            run.time_ms,
            run.overlap_ms,
            run.lost
        ));
    }
    text
}
