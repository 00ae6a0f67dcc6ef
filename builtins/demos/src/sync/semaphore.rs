//! `semaphore`: a server with a pool of P slots serving WORKERS requests,
//! in the spirit of the lab's apache2 simulator: a counting semaphore lets
//! at most P requests inside at once, and the others wait at the door.
//!
//! std has no semaphore, so [`Semaphore`] below builds one from a Mutex
//! and a Condvar, the way the lecture describes it: an atomic counter whose
//! `acquire` blocks at zero and whose `release` wakes a waiter.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use clap::Parser;
use serde::Serialize;

use crate::io::{Io, Status};
use crate::{Output, emit, millis, options};

const HELP: &str = include_str!("semaphore.txt");

#[derive(Parser)]
#[command(name = "semaphore", override_help = HELP)]
struct Options {
    #[arg(short = 'n', default_value_t = 6, value_parser = clap::value_parser!(u32).range(1..=1000))]
    workers: u32,
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=1000))]
    permits: u32,
    #[arg(long, default_value_t = 500)]
    serve: u64,
    #[command(flatten)]
    output: Output,
}

/// A counting semaphore: a number of permits, taken by [`acquire`] and
/// given back by [`release`]. `acquire` waits while none is left.
///
/// Unlike a mutex it has no owner: any thread may release, which makes it
/// a notification as well as a lock with P holders (the lecture's
/// "ordering" primitive). Built from std's Mutex, which guards the count,
/// and Condvar, on which `acquire` sleeps until a `release` wakes it; the
/// `while` loop around the wait re-checks the count, since a woken thread
/// may find that another one took the permit first.
///
/// [`acquire`]: Semaphore::acquire
/// [`release`]: Semaphore::release
#[derive(Debug)]
pub struct Semaphore {
    permits: Mutex<usize>,
    released: Condvar,
}

impl Semaphore {
    /// A semaphore holding `permits` permits.
    pub fn new(permits: usize) -> Self {
        Semaphore {
            permits: Mutex::new(permits),
            released: Condvar::new(),
        }
    }

    /// Takes one permit, waiting until one is free: `counter--`, blocking
    /// at zero.
    pub fn acquire(&self) {
        let mut permits = self.count();
        while *permits == 0 {
            permits = self
                .released
                .wait(permits)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *permits -= 1;
    }

    /// Takes one permit if one is free, without waiting.
    pub fn try_acquire(&self) -> bool {
        let mut permits = self.count();
        if *permits == 0 {
            return false;
        }
        *permits -= 1;
        true
    }

    /// Gives one permit back and wakes one waiting thread: `counter++`.
    pub fn release(&self) {
        *self.count() += 1;
        self.released.notify_one();
    }

    /// How many permits are free right now (already stale when it returns,
    /// if other threads use the semaphore).
    pub fn available(&self) -> usize {
        *self.count()
    }

    /// The count, locked. No code panics while holding the lock, so a
    /// poisoned mutex still holds a consistent count and is used as is.
    fn count(&self) -> MutexGuard<'_, usize> {
        self.permits.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One request's life, in ms since the start.
#[derive(Debug, Serialize)]
struct Request {
    id: u32,
    /// When its thread asked for a slot.
    arrived_ms: f64,
    /// When acquire returned.
    entered_ms: f64,
    /// When it was done, just before release.
    left_ms: f64,
    /// How long it waited at the door.
    waited_ms: f64,
}

#[derive(Debug, Serialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Enter,
    Leave,
}

/// An entry or exit, in the order they happened (taken under the log's
/// lock), with the number inside right after it.
#[derive(Debug, Serialize)]
struct Event {
    at_ms: f64,
    request: u32,
    kind: Kind,
    inside: usize,
}

#[derive(Debug, Serialize)]
struct Report {
    workers: u32,
    permits: u32,
    serve_ms: u64,
    requests: Vec<Request>,
    events: Vec<Event>,
    /// The most requests ever inside at once.
    max_inside: usize,
    /// From starting the first request to joining the last.
    elapsed_ms: f64,
}

pub fn run(io: &mut Io) -> Status {
    let options: Options = match options(io) {
        Ok(options) => options,
        Err(status) => return status,
    };
    if !options.output.json {
        io.out
            .text(&plan(options.permits, options.workers, options.serve));
    }
    let report = match measure(&options) {
        Ok(report) => report,
        Err(e) => return io.fail(e, 1),
    };
    emit(
        io,
        &options.output,
        &report,
        human,
        &[
            "no more than P requests are ever inside: the others wait in acquire until a release",
            "a waiting request enters as soon as another leaves: release wakes one waiter",
        ],
    )
}

/// The measuring instrument: who is inside, kept under a lock of its own
/// so the count is exact whatever the semaphore does.
struct Log {
    start: Instant,
    inside: usize,
    max_inside: usize,
    events: Vec<Event>,
}

impl Log {
    fn record(&mut self, request: u32, kind: Kind) -> f64 {
        match kind {
            Kind::Enter => self.inside += 1,
            Kind::Leave => self.inside -= 1,
        }
        self.max_inside = self.max_inside.max(self.inside);
        let at_ms = millis(self.start.elapsed());
        self.events.push(Event {
            at_ms,
            request,
            kind,
            inside: self.inside,
        });
        at_ms
    }
}

fn measure(options: &Options) -> std::io::Result<Report> {
    let server = Arc::new(Semaphore::new(options.permits as usize));
    let start = Instant::now();
    let log = Arc::new(Mutex::new(Log {
        start,
        inside: 0,
        max_inside: 0,
        events: Vec::new(),
    }));
    let serve = Duration::from_millis(options.serve);
    let mut handles = Vec::new();
    for id in 0..options.workers {
        let server = Arc::clone(&server);
        let log = Arc::clone(&log);
        let handle = thread::Builder::new()
            .name(format!("request-{id}"))
            .spawn(move || {
                let record = |kind| {
                    log.lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .record(id, kind)
                };
                let arrived_ms = millis(start.elapsed());
                server.acquire();
                let entered_ms = record(Kind::Enter);
                thread::sleep(serve);
                let left_ms = record(Kind::Leave);
                server.release();
                Request {
                    id,
                    arrived_ms,
                    entered_ms,
                    left_ms,
                    waited_ms: crate::round_ms(entered_ms - arrived_ms),
                }
            })?;
        handles.push(handle);
    }
    let mut requests = Vec::new();
    for handle in handles {
        let request = handle
            .join()
            .map_err(|_| std::io::Error::other("a request thread panicked"))?;
        requests.push(request);
    }
    let elapsed_ms = millis(start.elapsed());
    // Every thread is joined, so the log has no other owner left.
    let log = Arc::try_unwrap(log)
        .map_err(|_| std::io::Error::other("the log is still shared"))?
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    Ok(Report {
        workers: options.workers,
        permits: options.permits,
        serve_ms: options.serve,
        requests,
        events: log.events,
        max_inside: log.max_inside,
        elapsed_ms,
    })
}

/// The first line, printed before the requests start.
fn plan(permits: u32, workers: u32, serve_ms: u64) -> String {
    format!(
        "server: {permits} slot{} (a semaphore initialised to {permits}), {workers} requests, each served {serve_ms} ms\n",
        if permits == 1 { "" } else { "s" },
    )
}

fn human(report: &Report) -> String {
    let mut text = String::new();
    for event in &report.events {
        let what = match event.kind {
            Kind::Enter => "enters",
            Kind::Leave => "leaves",
        };
        text.push_str(&format!(
            "{:>8.1} ms  request {} {what} ({} inside)\n",
            event.at_ms, event.request, event.inside
        ));
    }
    let longest = report
        .requests
        .iter()
        .map(|r| r.waited_ms)
        .fold(0.0, f64::max);
    text.push_str(&format!(
        "largest number inside at once: {} (permits {}); longest wait at the door {:.1} ms; all done in {:.1} ms\n",
        report.max_inside, report.permits, longest, report.elapsed_ms
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn permits_are_taken_and_given_back() {
        let semaphore = Semaphore::new(2);
        assert!(semaphore.try_acquire());
        assert!(semaphore.try_acquire());
        assert!(!semaphore.try_acquire(), "no third permit");
        assert_eq!(semaphore.available(), 0);
        semaphore.release();
        assert_eq!(semaphore.available(), 1);
        semaphore.acquire(); // does not block: one is free
        assert_eq!(semaphore.available(), 0);
    }

    #[test]
    fn acquire_waits_for_a_release_from_another_thread() {
        // Count 0: a notification. The main thread waits for the helper.
        let semaphore = Arc::new(Semaphore::new(0));
        let done = Arc::new(AtomicUsize::new(0));
        let helper = {
            let (semaphore, done) = (Arc::clone(&semaphore), Arc::clone(&done));
            thread::spawn(move || {
                thread::sleep(Duration::from_millis(20));
                done.store(1, Ordering::SeqCst);
                semaphore.release();
            })
        };
        semaphore.acquire();
        assert_eq!(
            done.load(Ordering::SeqCst),
            1,
            "acquire returned before the release"
        );
        helper.join().unwrap();
    }

    #[test]
    fn never_more_holders_than_permits() {
        let semaphore = Arc::new(Semaphore::new(3));
        let inside = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (semaphore, inside, most) = (
                    Arc::clone(&semaphore),
                    Arc::clone(&inside),
                    Arc::clone(&most),
                );
                thread::spawn(move || {
                    for _ in 0..200 {
                        semaphore.acquire();
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        thread::yield_now();
                        inside.fetch_sub(1, Ordering::SeqCst);
                        semaphore.release();
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        assert!(most.load(Ordering::SeqCst) <= 3);
        assert_eq!(semaphore.available(), 3, "every permit came back");
    }
}
