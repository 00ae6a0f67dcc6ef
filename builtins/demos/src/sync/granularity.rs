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
use crate::{Out, Output, millis, options};

const HELP: &str = include_str!("granularity.txt");

/// The lecture's programs use two threads.
const THREADS: usize = 2;

#[derive(Parser)]
#[command(name = "granularity", override_help = HELP)]
struct Options {
    /// None: both, fine then coarse, to compare.
    #[arg(value_enum, value_name = "coarse|fine")]
    granularity: Option<Granularity>,
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

/// Every run, in order.
#[derive(Debug, Serialize)]
struct Report {
    runs: Vec<Run>,
}

/// One program: two threads, one granularity.
#[derive(Debug, Serialize)]
struct Run {
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
    let out = Out::new(io, &options.output);
    let kinds = match options.granularity {
        Some(kind) => vec![kind],
        None => vec![Granularity::Fine, Granularity::Coarse],
    };
    let mut runs = Vec::with_capacity(kinds.len());
    for kind in kinds {
        out.say(format_args!(
            "{THREADS} threads x {} increments, {}: expected var = {}",
            options.iterations,
            how(kind),
            THREADS as u64 * options.iterations
        ));
        let run = match measure(kind, options.iterations) {
            Ok(run) => run,
            Err(e) => return io.fail(e, 1),
        };
        out.text(&human(&run));
        runs.push(run);
    }
    for line in notice(&runs) {
        out.notice(line);
    }
    if out.json() {
        return crate::json(io, &Report { runs });
    }
    0
}

/// The "what to notice" lines, from the spans and times measured.
fn notice(runs: &[Run]) -> Vec<String> {
    let mut lines = Vec::new();
    let find = |kind| runs.iter().find(|run| run.granularity == kind);
    if let Some(coarse) = find(Granularity::Coarse) {
        lines.push(if coarse.overlap_ms == 0.0 {
            "coarse: one lock per thread, and the spans never overlapped: the second thread waited out the first one's whole loop (no parallelism)".to_owned()
        } else {
            format!(
                "coarse: one lock per thread; the spans overlapped for {:.1} ms",
                coarse.overlap_ms
            )
        });
    }
    if let Some(fine) = find(Granularity::Fine) {
        lines.push(format!(
            "fine: {} locks and unlocks per thread, their spans overlapping for {:.1} ms: the threads take turns at the lock, and the lock traffic is the time",
            fine.iterations, fine.overlap_ms
        ));
    }
    match (find(Granularity::Fine), find(Granularity::Coarse)) {
        (Some(fine), Some(coarse)) if fine.time_ms > coarse.time_ms => lines.push(format!(
            "the same increments took {:.1}x as long locked one at a time ({:.1} ms against {:.1} ms)",
            fine.time_ms / coarse.time_ms.max(0.001),
            fine.time_ms,
            coarse.time_ms
        )),
        (Some(fine), Some(coarse)) => lines.push(format!(
            "fine was not slower this time ({:.1} ms against coarse's {:.1} ms)",
            fine.time_ms, coarse.time_ms
        )),
        (Some(_), None) => lines.push("compare with `granularity coarse`: the same var, one lock per thread".to_owned()),
        (None, _) => lines.push("compare with `granularity fine`: the same var, one lock per increment".to_owned()),
    }
    lines
}

fn how(kind: Granularity) -> &'static str {
    match kind {
        Granularity::Coarse => "one lock around each thread's whole loop",
        Granularity::Fine => "one lock per increment",
    }
}

fn measure(granularity: Granularity, iterations: u64) -> std::io::Result<Run> {
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
    Ok(Run {
        granularity,
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

fn human(report: &Run) -> String {
    let mut text = format!("var = {}; time = {:.1} ms\n", report.var, report.time_ms);
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
