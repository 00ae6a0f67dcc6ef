//! `granularity`: the lecture's `coarse_granularity` and `fine_granularity`
//! (Synchronization: "Critical Section - Granularity"). Two threads
//! increment one var under a mutex, locking either once around the whole
//! loop or once per increment; both are exact, and the times and the
//! spans during which each thread held the lock show the trade-off.

use std::hint::black_box;
use std::sync::{Mutex, MutexGuard, PoisonError, RwLock};
use std::thread;
use std::time::Instant;

use clap::{Parser, ValueEnum};
use serde::Serialize;

use crate::io::{Io, Status};
use crate::{Output, emit, millis, options};

const HELP: &str = include_str!("granularity.txt");

/// The lecture's programs use two threads.
const THREADS: usize = 2;

#[derive(Parser)]
#[command(name = "granularity", override_help = HELP)]
struct Options {
    #[arg(value_enum, value_name = "coarse|fine")]
    granularity: Granularity,
    #[arg(long, default_value_t = 1_000_000)]
    iterations: u64,
    #[command(flatten)]
    output: Output,
}

/// How much of the loop one lock covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
enum Granularity {
    Coarse,
    Fine,
}

/// One thread's use of the lock, in ms from the moment the threads were
/// let go.
#[derive(Debug, Serialize)]
struct Span {
    /// 1, 2: in creation order.
    thread: usize,
    /// How many times it called lock().
    locks: u64,
    /// Just after it first got the lock.
    first_lock_ms: f64,
    /// Just before it let the lock go for the last time.
    last_unlock_ms: f64,
}

#[derive(Debug, Serialize)]
struct Report {
    granularity: Granularity,
    threads: usize,
    iterations: u64,
    expected: u64,
    var: u64,
    /// From letting the threads start to joining both.
    time_ms: f64,
    spans: Vec<Span>,
    /// How long both threads were inside their spans at once: 0 when one
    /// ran its whole loop before the other started.
    overlap_ms: f64,
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
    let notice: &[&str] = match options.granularity {
        Granularity::Coarse => &[
            "one lock per thread: cheap, but the second thread waited for the first one's whole loop (no parallelism)",
            "compare with `granularity fine`: the same var, one lock per increment",
        ],
        Granularity::Fine => &[
            "a lock and an unlock per increment: the threads interleave, and the lock traffic is the time",
            "compare with `granularity coarse`: the same var, one lock per thread",
        ],
    };
    emit(io, &options.output, &report, human, notice)
}

fn measure(options: &Options) -> std::io::Result<Report> {
    let iterations = options.iterations;
    let expected = (THREADS as u64)
        .checked_mul(iterations)
        .ok_or_else(|| std::io::Error::other("2 * N does not fit in 64 bits"))?;
    let var = Mutex::new(0u64);
    // The starting gate: closed while the threads are created, then opened
    // at once, so both ask for the lock at the same moment. It holds the
    // moment it opened, from which every thread counts its times.
    let gate = RwLock::new(Instant::now());
    let (start, spans) = thread::scope(|scope| {
        let mut closed = gate.write().unwrap_or_else(PoisonError::into_inner);
        let mut handles = Vec::with_capacity(THREADS);
        for thread in 1..=THREADS {
            let (var, gate) = (&var, &gate);
            let granularity = options.granularity;
            let handle = thread::Builder::new()
                .name(format!("{granularity:?}-{thread}").to_lowercase())
                .spawn_scoped(scope, move || {
                    let start = *gate.read().unwrap_or_else(PoisonError::into_inner);
                    let mut span = match granularity {
                        Granularity::Coarse => coarse(var, iterations, start),
                        Granularity::Fine => fine(var, iterations, start),
                    };
                    span.thread = thread;
                    span
                })?;
            handles.push(handle);
        }
        *closed = Instant::now();
        let start = *closed;
        drop(closed);
        let mut spans = Vec::with_capacity(THREADS);
        for handle in handles {
            match handle.join() {
                Ok(span) => spans.push(span),
                Err(_) => return Err(std::io::Error::other("a thread panicked")),
            }
        }
        Ok((start, spans))
    })?;
    let time_ms = millis(start.elapsed());
    let var = var.into_inner().unwrap_or_else(PoisonError::into_inner);
    let overlap_ms = overlap(&spans);
    Ok(Report {
        granularity: options.granularity,
        threads: THREADS,
        iterations,
        expected,
        var,
        time_ms,
        spans,
        overlap_ms,
    })
}

/// Coarse: one lock around the whole loop.
fn coarse(var: &Mutex<u64>, iterations: u64, start: Instant) -> Span {
    let mut guard = lock(var);
    let first_lock_ms = millis(start.elapsed());
    for _ in 0..iterations {
        // black_box keeps the compiler from folding the loop into a single
        // `+= iterations`: the thread really does N increments.
        *guard = black_box(*guard) + 1;
    }
    let last_unlock_ms = millis(start.elapsed());
    drop(guard);
    Span {
        thread: 0,
        locks: 1,
        first_lock_ms,
        last_unlock_ms,
    }
}

/// Fine: one lock per increment.
fn fine(var: &Mutex<u64>, iterations: u64, start: Instant) -> Span {
    let mut first_lock_ms = 0.0;
    let mut last_unlock_ms = 0.0;
    for i in 0..iterations {
        let mut guard = lock(var);
        if i == 0 {
            first_lock_ms = millis(start.elapsed());
        }
        *guard += 1;
        if i + 1 == iterations {
            last_unlock_ms = millis(start.elapsed());
        }
    }
    Span {
        thread: 0,
        locks: iterations,
        first_lock_ms,
        last_unlock_ms,
    }
}

/// Locks the counter; a panic in another thread cannot leave it half
/// updated, so a poisoned lock is used as it is.
fn lock(var: &Mutex<u64>) -> MutexGuard<'_, u64> {
    var.lock().unwrap_or_else(PoisonError::into_inner)
}

/// How long every span was open at once.
fn overlap(spans: &[Span]) -> f64 {
    let latest_first = spans.iter().map(|s| s.first_lock_ms).fold(0.0, f64::max);
    let earliest_last = spans
        .iter()
        .map(|s| s.last_unlock_ms)
        .fold(f64::INFINITY, f64::min);
    (earliest_last - latest_first).max(0.0)
}

fn human(report: &Report) -> String {
    let how = match report.granularity {
        Granularity::Coarse => "one lock around each thread's whole loop",
        Granularity::Fine => "one lock per increment",
    };
    let mut text = format!(
        "{} threads x {} increments, {how}: expected var = {}\n",
        report.threads, report.iterations, report.expected
    );
    text.push_str(&format!(
        "var = {}; time = {:.1} ms\n",
        report.var, report.time_ms
    ));
    for span in &report.spans {
        text.push_str(&format!(
            "thread {}: {} lock{}, first taken at {:.1} ms, last released at {:.1} ms\n",
            span.thread,
            span.locks,
            if span.locks == 1 { "" } else { "s" },
            span.first_lock_ms,
            span.last_unlock_ms
        ));
    }
    text.push_str(&format!(
        "the two threads' spans overlapped for {:.1} ms\n",
        report.overlap_ms
    ));
    text
}
