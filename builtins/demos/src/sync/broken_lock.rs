//! `broken-lock`: the lecture's "Synchronization Mistake - TOCTOU": the
//! lock `if (lock == 0) lock = 1` lets two threads into the critical
//! section at once. The demo catches each time it happens and counts it,
//! beside a real test-and-set lock that never does.

use std::hint::{self, black_box};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::thread;
use std::time::Instant;

use clap::{Parser, ValueEnum};
use serde::Serialize;

use crate::io::{Io, Status};
use crate::sync::start::{Gate, allowed_cpus, pin};
use crate::{Out, Output, millis, options};

const HELP: &str = include_str!("broken_lock.txt");

/// The lecture's two threads.
const THREADS: usize = 2;

#[derive(Parser)]
#[command(name = "broken-lock", override_help = HELP)]
struct Options {
    #[arg(long, value_enum, default_value_t = Choice::Both)]
    lock: Choice,
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..=1_000_000_000))]
    iterations: u64,
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Choice {
    Broken,
    Tas,
    Both,
}

/// How a thread takes the lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Lock {
    /// Test, then set: `while (lock) ; lock = 1;`.
    Broken,
    /// Test-and-set in one atomic swap.
    Tas,
}

/// One lock, two threads.
#[derive(Debug, Serialize)]
struct Run {
    lock: Lock,
    iterations: u64,
    /// Entries into the critical section, all threads together.
    entries: u64,
    /// Entries that found another thread already inside: the lock failed.
    breaches: u64,
    /// Per thread, its breaches.
    breaches_by_thread: Vec<u64>,
    /// The plain counter incremented inside: it should be `entries`.
    counter: u64,
    /// `entries - counter`: increments lost while two were inside.
    lost: u64,
    /// The CPU each thread was held on, when there was one for each.
    cpus: Vec<Option<usize>>,
    time_ms: f64,
}

#[derive(Debug, Serialize)]
struct Report {
    runs: Vec<Run>,
}

pub fn run(io: &mut Io) -> Status {
    let options: Options = match options(io) {
        Ok(options) => options,
        Err(status) => return status,
    };
    let out = Out::new(io, &options.output);
    let locks = match options.lock {
        Choice::Broken => vec![Lock::Broken],
        Choice::Tas => vec![Lock::Tas],
        Choice::Both => vec![Lock::Broken, Lock::Tas],
    };
    let mut runs = Vec::new();
    for lock in locks {
        out.say(format_args!(
            "{}: {THREADS} threads take the lock {} times each...",
            name(lock),
            options.iterations
        ));
        let run = match race(lock, options.iterations) {
            Ok(run) => run,
            Err(e) => return io.fail(e, 1),
        };
        out.say(format_args!(
            "  {} entries, {} of them found another thread inside (by thread: {:?}); counter = {}, {} increments lost; {:.1} ms",
            run.entries, run.breaches, run.breaches_by_thread, run.counter, run.lost, run.time_ms
        ));
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

fn name(lock: Lock) -> &'static str {
    match lock {
        Lock::Broken => "broken (test, then set)",
        Lock::Tas => "test-and-set",
    }
}

/// The "what to notice" lines, from the breaches counted.
fn notice(runs: &[Run]) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(broken) = runs.iter().find(|r| r.lock == Lock::Broken) {
        lines.push(if broken.breaches > 0 {
            format!(
                "the broken lock let both threads in {} times: both tested a free lock before either set it",
                broken.breaches
            )
        } else {
            "the broken lock let no two threads in this time: their tests and sets never crossed (try more --iterations)".to_owned()
        });
    }
    if let Some(tas) = runs.iter().find(|r| r.lock == Lock::Tas) {
        lines.push(if tas.breaches == 0 && tas.lost == 0 {
            "test-and-set let one thread in at a time: the swap tests and sets in one step no other CPU can come between".to_owned()
        } else {
            format!("test-and-set let two in {} times: that is a bug in the demo", tas.breaches)
        });
    }
    lines
}

/// What the threads share: the lock, who is inside, and the counter.
struct Shared {
    lock: AtomicBool,
    inside: AtomicUsize,
    /// Incremented inside with a plain load and store; an atomic only so
    /// that two threads inside are a lost update, not undefined behaviour.
    counter: AtomicU64,
}

fn race(lock: Lock, iterations: u64) -> std::io::Result<Run> {
    let shared = Shared {
        lock: AtomicBool::new(false),
        inside: AtomicUsize::new(0),
        counter: AtomicU64::new(0),
    };
    let cpus = allowed_cpus();
    let pinned = THREADS <= cpus.len();
    let gate = Gate::new(THREADS, cpus.len());
    let began = Instant::now();
    let results = thread::scope(|scope| {
        let mut handles = Vec::with_capacity(THREADS);
        for index in 0..THREADS {
            let (shared, gate) = (&shared, &gate);
            let cpu = if pinned {
                cpus.get(index).copied()
            } else {
                None
            };
            let spawned = thread::Builder::new()
                .name(format!("locker-{}", index + 1))
                .spawn_scoped(scope, move || {
                    if let Some(cpu) = cpu {
                        pin(cpu);
                    }
                    gate.pass()?;
                    Some((cpu, enter_many(lock, shared, iterations)))
                });
            match spawned {
                Ok(handle) => handles.push(handle),
                Err(e) => {
                    gate.abandon();
                    return Err(e);
                }
            }
        }
        let mut results = Vec::with_capacity(THREADS);
        for handle in handles {
            match handle.join() {
                Ok(Some(result)) => results.push(result),
                _ => return Err(std::io::Error::other("a thread panicked")),
            }
        }
        Ok(results)
    })?;
    let entries = iterations * THREADS as u64;
    let counter = shared.counter.into_inner();
    let breaches_by_thread: Vec<u64> = results.iter().map(|(_, b)| *b).collect();
    Ok(Run {
        lock,
        iterations,
        entries,
        breaches: breaches_by_thread.iter().sum(),
        breaches_by_thread,
        counter,
        lost: entries.saturating_sub(counter),
        cpus: results.iter().map(|(cpu, _)| *cpu).collect(),
        time_ms: millis(began.elapsed()),
    })
}

/// One thread: take the lock, enter, check who is there, increment, leave,
/// let go; `iterations` times. Returns the entries that found another
/// thread inside.
fn enter_many(lock: Lock, shared: &Shared, iterations: u64) -> u64 {
    let mut breaches = 0;
    for _ in 0..iterations {
        match lock {
            Lock::Broken => {
                // The test...
                while shared.lock.load(Ordering::Acquire) {
                    hint::spin_loop();
                }
                // ...and, apart from it, the set: another thread may test
                // in between and find the lock still free.
                shared.lock.store(true, Ordering::Release);
            }
            Lock::Tas => {
                while shared.lock.swap(true, Ordering::Acquire) {
                    hint::spin_loop();
                }
            }
        }
        // Caught: someone was already inside.
        if shared.inside.fetch_add(1, Ordering::AcqRel) > 0 {
            breaches += 1;
        }
        let value = black_box(shared.counter.load(Ordering::Relaxed));
        shared.counter.store(value + 1, Ordering::Relaxed);
        shared.inside.fetch_sub(1, Ordering::AcqRel);
        shared.lock.store(false, Ordering::Release);
    }
    breaches
}
