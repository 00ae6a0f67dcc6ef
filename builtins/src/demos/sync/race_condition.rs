//! `race-condition`: the lecture's `race_condition.c` and its three fixes
//! (Synchronization: race condition, atomics, spinlock, mutex). Threads
//! each increment one shared `var`; without synchronization increments are
//! lost, with an atomic, a spinlock or a mutex the count is exact, and the
//! times show what each costs.

use std::ffi::OsString;
use std::hint;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError, RwLock};
use std::thread;
use std::time::Instant;

use clap::{Parser, ValueEnum};
use serde::Serialize;

use crate::context::{Context, Status};
use crate::demos::{Output, emit, millis, options};
use crate::registry::{Builtin, Group, Place};

pub static RACE_CONDITION: Builtin = Builtin {
    name: "race-condition",
    summary: "threads increment one var: lost updates, then atomic, spinlock, mutex",
    help: HELP,
    place: Place::Process,
    group: Group::Synchronization,
    help_option: false,
    run,
};

const HELP: &str = "race-condition [--sync none|atomic|spinlock|mutex|all] [-n THREADS] [--iterations N] [--json] [--quiet]
    The lecture's race_condition programs. THREADS threads each increment
    one shared var N times, all starting at the same moment; the demo
    prints the final var and the time, as `var = X; time = T ms`.
      --sync none      var++ as a separate load and store, unprotected: an
                       increment stored between another thread's load and
                       store is lost (the default, race_condition.c)
      --sync atomic    one atomic read-modify-write (fetch_add)
      --sync spinlock  the load and store inside a test-and-set spinlock
                       that busy-waits
      --sync mutex     the increment inside std's Mutex, which puts a
                       waiting thread to sleep
      --sync all       the four one after another, side by side with the
                       expected value THREADS * N
      -n THREADS       how many threads (default 2, as in the lecture)
      --iterations N   increments per thread (default 1000000)
      --json           print the measurements as one JSON object
      --quiet          leave out the \"what to notice\" lines
";

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

/// One run of the threads with one method.
#[derive(Debug, Serialize)]
struct Run {
    sync: Method,
    /// The shared counter after every thread was joined.
    var: u64,
    /// `expected - var`: the increments that were overwritten.
    lost: u64,
    /// From letting the threads start to joining the last of them.
    time_ms: f64,
}

#[derive(Debug, Serialize)]
struct Report {
    threads: usize,
    iterations: u64,
    /// THREADS * N: what var would be if no increment were lost.
    expected: u64,
    runs: Vec<Run>,
}

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let options: Options = match options(args, ctx) {
        Ok(options) => options,
        Err(status) => return status,
    };
    let report = match measure(&options) {
        Ok(report) => report,
        Err(e) => return crate::shell::fail(ctx, "race-condition", e, 1),
    };
    let notice: &[&str] = match options.sync {
        Choice::None => &[
            "var++ is a load, then a store: a thread that stores between another's load and store overwrites its increment",
            "try --sync all: an atomic, a spinlock or a mutex makes the increment indivisible",
        ],
        Choice::Atomic => {
            &["fetch_add loads, adds and stores as one instruction no other core can come between"]
        }
        Choice::Spinlock => &[
            "a thread that finds the lock taken spins on the CPU, testing and setting it until the holder lets go",
        ],
        Choice::Mutex => &[
            "a thread that finds the mutex taken sleeps in the kernel (a futex) until the holder wakes it",
        ],
        Choice::All => &[
            "only `none` loses increments: the other three make var++ indivisible",
            "they differ only in cost: one atomic instruction, a busy-waiting lock, a lock that may sleep",
        ],
    };
    emit(ctx, &options.output, &report, human, notice)
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
        let (var, time) = race(method, threads, iterations)?;
        runs.push(Run {
            sync: method,
            var,
            lost: expected.saturating_sub(var),
            time_ms: millis(time),
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
/// `method`; returns the final var and the time from start to last join.
fn race(
    method: Method,
    threads: usize,
    iterations: u64,
) -> std::io::Result<(u64, std::time::Duration)> {
    let shared = Shared {
        var: AtomicU64::new(0),
        spinlock: SpinLock::new(),
        mutex: Mutex::new(0),
    };
    // The starting gate: the main thread holds it closed while it creates
    // the threads, so they all begin counting at the same moment and race
    // from the first increment. (A Barrier would do the same, but would
    // leave the others waiting forever if creating one thread failed.)
    let gate = RwLock::new(());
    let time = thread::scope(|scope| {
        let closed = gate.write().unwrap_or_else(PoisonError::into_inner);
        for index in 0..threads {
            let (shared, gate) = (&shared, &gate);
            thread::Builder::new()
                .name(format!("racer-{index}"))
                .spawn_scoped(scope, move || {
                    drop(gate.read().unwrap_or_else(PoisonError::into_inner));
                    count(method, shared, iterations);
                })?;
        }
        let start = Instant::now();
        drop(closed);
        // The scope joins every thread before it returns, so the time
        // covers the last increment. Measured here, it is the time to
        // open the gate and wait for the threads, nothing else.
        Ok::<_, std::io::Error>(start)
    })?
    .elapsed();
    let var = match method {
        Method::Mutex => shared
            .mutex
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner),
        _ => shared.var.into_inner(),
    };
    Ok((var, time))
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
        return text;
    }
    text.push_str(&format!(
        "{:<10} {:>12} {:>12} {:>12}\n",
        "sync", "var", "time (ms)", "lost"
    ));
    for run in &report.runs {
        text.push_str(&format!(
            "{:<10} {:>12} {:>12.1} {:>12}\n",
            run.sync.name(),
            run.var,
            run.time_ms,
            run.lost
        ));
    }
    text
}
