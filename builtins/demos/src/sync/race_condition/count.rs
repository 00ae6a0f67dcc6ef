//! The counting threads of `race-condition`: a start gate, one CPU each,
//! and the loop each runs, marking its progress as it goes so that the
//! demo can tell when they really counted at the same time.

use std::hint::{self, black_box};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use crate::sync::start::{Gate, allowed_cpus, pin};

/// How a thread protects `var++`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    None,
    Atomic,
    Spinlock,
    Mutex,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::None => "none",
            Method::Atomic => "atomic",
            Method::Spinlock => "spinlock",
            Method::Mutex => "mutex",
        }
    }
}

/// A thread marks the time after every CHUNK increments: often enough to
/// see a pause of a few microseconds, rarely enough (a clock read per
/// thousands of increments) not to slow the loop it watches.
pub const CHUNK: u64 = 4096;

/// One thread's loop, as the thread itself saw it.
pub struct Counted {
    /// The CPU it was held on, when there was one for each thread.
    pub cpu: Option<usize>,
    /// Two marks per chunk of CHUNK increments, as it began and as it
    /// ended (the waits between chunks, to keep in step, lie between
    /// them): the time since the gate opened, and the CPU time the thread
    /// had used, which grows only while it is on a CPU.
    pub marks: Vec<Mark>,
    /// Increments that found var changed by another thread since this
    /// thread's own previous increment: direct evidence that the threads
    /// took turns on var while both were counting.
    pub interleaved: u64,
}

/// One time mark of a thread.
#[derive(Debug, Clone, Copy)]
pub struct Mark {
    pub wall: Duration,
    pub cpu: Duration,
}

impl Mark {
    fn now(origin: Instant) -> Mark {
        Mark {
            wall: origin.elapsed(),
            cpu: thread_cpu_time(),
        }
    }
}

/// The CPU time the calling thread has used (CLOCK_THREAD_CPUTIME_ID).
fn thread_cpu_time() -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid timespec for the call to fill.
    if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) } != 0 {
        return Duration::ZERO;
    }
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// What the threads share: the counter, and the two locks that may guard
/// it. `var` is an atomic even for `none` and `spinlock`, which only load
/// and store it, so that the race is in the program's logic (lost updates)
/// and never a data race, which in Rust, as in C, is undefined behaviour.
struct Shared {
    /// Per thread, the chunks of CHUNK increments it has done (u64::MAX
    /// once it is done): the threads keep in step by them (see `count`).
    chunks: Vec<AtomicU64>,
    /// More threads than CPUs: a thread waiting for the others to catch up
    /// gives its CPU away instead of spinning on it.
    crowded: bool,
    var: AtomicU64,
    spinlock: SpinLock,
    /// For `mutex`, the counter lives inside the lock, as Rust wants it:
    /// it cannot be reached without locking.
    mutex: Mutex<u64>,
}

/// Starts `threads` threads that each increment var `iterations` times with
/// `method`; returns the final var and what each thread saw, in creation
/// order.
pub fn race(
    method: Method,
    threads: usize,
    iterations: u64,
) -> std::io::Result<(u64, Vec<Counted>)> {
    let cpus = allowed_cpus();
    let shared = Shared {
        chunks: (0..threads).map(|_| AtomicU64::new(0)).collect(),
        crowded: threads > cpus.len().max(1),
        var: AtomicU64::new(0),
        spinlock: SpinLock::new(),
        mutex: Mutex::new(0),
    };
    // One CPU each when there are enough: two threads the scheduler put on
    // one CPU would take turns, and turns lose nothing.
    let pinned = threads <= cpus.len();
    let gate = Gate::new(threads, cpus.len());
    let counted = thread::scope(|scope| {
        let mut handles = Vec::with_capacity(threads);
        for index in 0..threads {
            let (shared, gate) = (&shared, &gate);
            let cpu = if pinned {
                cpus.get(index).copied()
            } else {
                None
            };
            let spawned = thread::Builder::new()
                .name(format!("racer-{}", index + 1))
                .spawn_scoped(scope, move || {
                    if let Some(cpu) = cpu {
                        pin(cpu);
                    }
                    // Every mark is allocated before the gate: nothing in
                    // the loop allocates.
                    let mut marks = Vec::with_capacity(2 * iterations.div_ceil(CHUNK) as usize);
                    let origin = gate.pass()?;
                    let interleaved = count(method, shared, index, iterations, origin, &mut marks);
                    Some(Counted {
                        cpu,
                        marks,
                        interleaved,
                    })
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
        let mut counted = Vec::with_capacity(threads);
        for handle in handles {
            match handle.join() {
                Ok(Some(one)) => counted.push(one),
                _ => return Err(std::io::Error::other("a thread panicked")),
            }
        }
        Ok(counted)
    })?;
    let var = match method {
        Method::Mutex => shared
            .mutex
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner),
        _ => shared.var.into_inner(),
    };
    Ok((var, counted))
}

/// One thread's loop: `var++`, `iterations` times, the way `method` says,
/// with a time mark every CHUNK increments. Returns how many increments
/// found another thread's store since its own previous one.
fn count(
    method: Method,
    shared: &Shared,
    me: usize,
    iterations: u64,
    origin: Instant,
    marks: &mut Vec<Mark>,
) -> u64 {
    let mut interleaved = 0;
    // The value this thread left in var; u64::MAX before its first
    // increment, so that finding var already counted up is not counted.
    let mut left = u64::MAX;
    let mut done = 0;
    while done < iterations {
        let chunk = CHUNK.min(iterations - done);
        marks.push(Mark::now(origin));
        for _ in 0..chunk {
            let found = match method {
                Method::None => increment(&shared.var),
                Method::Atomic => shared.var.fetch_add(1, Ordering::Relaxed),
                Method::Spinlock => {
                    shared.spinlock.lock();
                    let found = increment(&shared.var);
                    shared.spinlock.unlock();
                    found
                }
                Method::Mutex => {
                    let mut var = shared.mutex.lock().unwrap_or_else(PoisonError::into_inner);
                    let found = *var;
                    *var += 1;
                    found
                }
            };
            if left != u64::MAX && found != left {
                interleaved += 1;
            }
            left = found + 1;
        }
        done += chunk;
        marks.push(Mark::now(origin));
        keep_in_step(shared, me, done.div_ceil(CHUNK));
    }
    shared.chunks[me].store(u64::MAX, Ordering::Release);
    interleaved
}

/// How many chunks a thread may run ahead of the slowest other thread.
const LEAD: u64 = 4;

/// After its `done`-th chunk, a thread more than LEAD chunks ahead of
/// another waits for it (or for it to finish). On a busy machine the
/// scheduler takes threads off their CPUs at different moments; without
/// this, one would count on alone while another waits for a CPU, and alone
/// nothing is lost. It waits spinning for a few microseconds, then in
/// sleeps of 50: a thread that spins uses up its share of the CPU, while
/// one that sleeps is run again the moment it wakes, so it is counting
/// again as soon as the other is. The increments themselves stay
/// unsynchronized: this only waits between chunks.
fn keep_in_step(shared: &Shared, me: usize, done: u64) {
    shared.chunks[me].store(done, Ordering::Release);
    let behind = || {
        shared.chunks.iter().enumerate().any(|(other, chunks)| {
            other != me && chunks.load(Ordering::Acquire).saturating_add(LEAD) < done
        })
    };
    let mut spins = 0u32;
    while behind() {
        if spins < 1000 && !shared.crowded {
            spins += 1;
            hint::spin_loop();
        } else {
            thread::sleep(Duration::from_micros(50));
        }
    }
}

/// `var++` as two steps, the way a CPU does it without a `lock` prefix:
/// load the value, then store the value plus one. If another thread
/// stores between the two, its increment is overwritten. Returns the value
/// loaded. (`black_box` keeps the compiler from fusing the loop's loads
/// and stores into one addition; relaxed atomics are each a real access.)
fn increment(var: &AtomicU64) -> u64 {
    let value = black_box(var.load(Ordering::Relaxed));
    var.store(value + 1, Ordering::Relaxed);
    value
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
