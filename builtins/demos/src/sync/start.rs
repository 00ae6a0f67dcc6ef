//! Starting threads together for the race demos (`race-condition`,
//! `broken-lock`): one CPU each where there are enough, and a gate they
//! all spin at until every one is running, so that they really run at the
//! same time from their first step.

use std::hint;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use nix::sched::{CpuSet, sched_getaffinity, sched_setaffinity};
use nix::unistd::Pid;

/// The CPUs this process may run on, in order.
pub fn allowed_cpus() -> Vec<usize> {
    let Ok(set) = sched_getaffinity(Pid::from_raw(0)) else {
        return Vec::new();
    };
    (0..CpuSet::count())
        .filter(|&cpu| set.is_set(cpu).unwrap_or(false))
        .collect()
}

/// Holds the calling thread on `cpu` (pid 0: this thread, not the process).
pub fn pin(cpu: usize) {
    let mut set = CpuSet::new();
    if set.set(cpu).is_ok() {
        let _ = sched_setaffinity(Pid::from_raw(0), &set);
    }
}

/// The starting gate: the threads spin at it, on their CPUs, until every
/// one is there, so they begin their loops within microseconds of each
/// other. (Threads that sleep at a gate instead, at a lock or a Barrier,
/// are woken by the kernel one after another, and the first could be
/// done before the last is awake.)
///
/// It takes two rounds with a short sleep between. Round 1 waits until
/// every thread has started. A thread that was just moved to its CPU, or
/// that shares it with a busy process, may not be running at that moment;
/// one that wakes from a sleep is put on its CPU at once. So every thread
/// then sleeps 1 ms, and round 2 waits until all are running again.
pub struct Gate {
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
    /// When round 2 was complete: the origin of every time mark.
    opened: Mutex<Option<Instant>>,
}

impl Gate {
    pub fn new(threads: usize, cpus: usize) -> Gate {
        Gate {
            threads,
            arrived: AtomicUsize::new(0),
            running: AtomicUsize::new(0),
            crowded: threads > cpus.max(1),
            abandoned: AtomicBool::new(false),
            opened: Mutex::new(None),
        }
    }

    /// Waits at the gate until every thread is there and running; returns
    /// the moment it opened, or `None` if the main thread gave up on
    /// starting them all.
    pub fn pass(&self) -> Option<Instant> {
        if !self.count_in(&self.arrived) {
            return None;
        }
        if !self.crowded {
            thread::sleep(Duration::from_millis(1));
        }
        if !self.count_in(&self.running) {
            return None;
        }
        // The first thread through sets the origin; the lock is taken
        // once per thread, before any counting.
        let mut opened = self.opened.lock().unwrap_or_else(PoisonError::into_inner);
        Some(*opened.get_or_insert_with(Instant::now))
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

    pub fn abandon(&self) {
        self.abandoned.store(true, Ordering::Release);
    }
}
