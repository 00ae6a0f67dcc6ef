//! `deadlock`: the lecture's `deadlock.py` (Synchronization: "Deadlock").
//! Two threads take two locks in opposite order and wait for each other
//! forever. The demo makes the deadlock certain, detects it with timed lock
//! attempts, prints the cycle and exits with status 1 instead of hanging;
//! `--fix` takes the locks in one global order and finishes.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Barrier, Mutex, MutexGuard, TryLockError};
use std::thread;
use std::time::{Duration, Instant};

use clap::Parser;
use serde::Serialize;

use crate::io::{Io, Status};
use crate::{Output, emit, millis, options};

const HELP: &str = include_str!("deadlock.txt");

#[derive(Parser)]
#[command(name = "deadlock", override_help = HELP)]
struct Options {
    #[arg(long)]
    fix: bool,
    #[arg(long, default_value_t = 2.0, value_parser = seconds)]
    timeout: f64,
    #[command(flatten)]
    output: Output,
}

fn seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 && s <= 3600.0 => Ok(s),
        Ok(_) => Err("must be a number of seconds, more than 0 and at most 3600".to_owned()),
        Err(e) => Err(e.to_string()),
    }
}

/// What happened to a thread and a lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Step {
    /// It got the lock.
    Locked,
    /// It had waited the whole timeout without getting the lock.
    TimedOut,
    /// It let the lock go: recorded just before, while it still held it,
    /// so that this comes before the next holder's `Locked`.
    Unlocked,
}

/// One step, as the thread that took it recorded it.
#[derive(Debug, Clone, Serialize)]
struct Event {
    /// The order the steps happened in: 0, 1, 2... across all threads.
    /// Taken while the thread holds the lock the step is about, so a lock
    /// changes hands between one holder's `unlocked` and the next one's
    /// `locked`, in this order too.
    seq: usize,
    /// ms since the threads were started.
    at_ms: f64,
    thread: usize,
    step: Step,
    resource: usize,
    /// How long the thread had been waiting for this lock (for `locked`
    /// and `timed_out`).
    waited_ms: f64,
}

/// One link of the cycle: a thread, what it holds, what it waits for, and
/// who holds that.
#[derive(Debug, Serialize)]
struct Link {
    thread: usize,
    holds: Vec<usize>,
    waits_for: usize,
    /// `None` if nobody holds it: then the wait is no deadlock.
    held_by: Option<usize>,
}

#[derive(Debug, Serialize)]
struct Report {
    fix: bool,
    timeout_ms: f64,
    /// `orders[i]`: the resources thread i+1 locks, in its order.
    orders: Vec<[usize; 2]>,
    /// Every step of every thread, in the order they happened (by `seq`).
    events: Vec<Event>,
    /// The threads that timed out waiting for a lock, each with what it
    /// holds and waits for, followed from one to the next. Empty when every
    /// thread finished.
    waits: Vec<Link>,
    /// Whether following `waits` comes back to the first thread: a cycle,
    /// the definition of a deadlock.
    deadlock: bool,
    /// The threads that took both locks and let them go.
    finished: Vec<usize>,
    /// From starting the threads until each finished or was seen stuck.
    elapsed_ms: f64,
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
    let notice: &[&str] = if report.deadlock {
        &[
            "each thread holds the lock the other waits for: neither can ever go on, so the lecture's program hangs",
            "try --fix: when every thread takes the locks in the same order, no cycle can form",
        ]
    } else if report.waits.is_empty() {
        &[
            "both threads lock resource 1 before resource 2: whoever holds 1 can always get 2, so no cycle can form",
        ]
    } else {
        &["a wait with no cycle ends by itself: this timeout was too short to tell"]
    };
    let printed = emit(io, &options.output, &report, human, notice);
    if report.waits.is_empty() {
        return printed;
    }
    // The stuck threads still hold their locks and still wait: joining
    // them would hang like the lecture's program. End the whole process
    // instead, which ends its threads with it. (The demo runs in a process
    // of its own, so this ends only the demo, never the shell; its output
    // is unbuffered, so nothing is lost.)
    std::process::exit(1)
}

/// What the two threads share.
struct Table {
    /// Resource 1 and resource 2: a lock each.
    resources: [Mutex<()>; 2],
    /// Without `--fix`: both threads wait here once they hold their first
    /// lock. With it: they wait here before locking, to start together.
    barrier: Barrier,
    /// Hands out the events' `seq` numbers.
    steps: AtomicUsize,
    start: Instant,
    timeout: Duration,
}

fn measure(options: &Options) -> std::io::Result<Report> {
    // The lecture's order: thread 1 takes resource 1 then 2, thread 2
    // takes 2 then 1. The fix: both take 1 then 2.
    let orders = if options.fix {
        vec![[1, 2], [1, 2]]
    } else {
        vec![[1, 2], [2, 1]]
    };
    let table = Arc::new(Table {
        resources: [Mutex::new(()), Mutex::new(())],
        barrier: Barrier::new(orders.len()),
        steps: AtomicUsize::new(0),
        start: Instant::now(),
        timeout: Duration::from_secs_f64(options.timeout),
    });
    let (log, events) = mpsc::channel();
    let mut handles = Vec::with_capacity(orders.len());
    for (index, &order) in orders.iter().enumerate() {
        let (table, log, fix) = (Arc::clone(&table), log.clone(), options.fix);
        let handle = thread::Builder::new()
            .name(format!("thread-{}", index + 1))
            .spawn(move || worker(index + 1, order, fix, &table, log))?;
        handles.push(handle);
    }
    drop(log);
    // Every thread drops its end of the channel when it finishes, or when
    // it has waited out the timeout and settles into waiting forever. So
    // this loop ends either way, and never hangs on a deadlock.
    let mut events: Vec<Event> = events.iter().collect();
    let elapsed_ms = millis(table.start.elapsed());
    events.sort_by_key(|event| event.seq);

    let waits = wait_chain(&events);
    let deadlock = waits.len() > 1
        && waits.last().and_then(|link| link.held_by) == waits.first().map(|link| link.thread);
    let finished: Vec<usize> = (1..=orders.len())
        .filter(|&thread| {
            let unlocks = events
                .iter()
                .filter(|e| e.thread == thread && e.step == Step::Unlocked);
            unlocks.count() == 2
        })
        .collect();
    if waits.is_empty() {
        // Nobody is stuck: these joins return at once.
        for handle in handles {
            let _ = handle.join();
        }
    }
    Ok(Report {
        fix: options.fix,
        timeout_ms: millis(table.timeout),
        orders,
        events,
        waits,
        deadlock,
        finished,
        elapsed_ms,
    })
}

/// One thread: lock `order[0]`, then `order[1]`, then let both go. Every
/// step is sent to the main thread, `locked` just after taking the lock and
/// `unlocked` just before letting it go.
fn worker(me: usize, order: [usize; 2], fix: bool, table: &Table, log: Sender<Event>) {
    let record = |step, resource, waited: Duration| {
        let _ = log.send(Event {
            // Increments of one atomic happen in one order, and that order
            // agrees with the Mutex's hand-over (its unlock releases, its
            // lock acquires): Relaxed is enough.
            seq: table.steps.fetch_add(1, Ordering::Relaxed),
            at_ms: millis(table.start.elapsed()),
            thread: me,
            step,
            resource,
            waited_ms: millis(waited),
        });
    };
    let [first, second] = order.map(|resource| &table.resources[resource - 1]);
    if fix {
        table.barrier.wait();
    }
    let asked = Instant::now();
    let Some(first_guard) = lock_within(first, table.timeout) else {
        record(Step::TimedOut, order[0], asked.elapsed());
        return;
    };
    record(Step::Locked, order[0], asked.elapsed());
    if !fix {
        // Both threads now hold their first lock: from here the deadlock
        // is certain, whatever the scheduler does.
        table.barrier.wait();
    }
    let asked = Instant::now();
    match lock_within(second, table.timeout) {
        Some(second_guard) => {
            record(Step::Locked, order[1], asked.elapsed());
            // Each `unlocked` is recorded while the lock is still held:
            // recorded after, it could come after the other thread's
            // `locked`, as if both had held the lock at once.
            record(Step::Unlocked, order[1], Duration::ZERO);
            drop(second_guard);
            record(Step::Unlocked, order[0], Duration::ZERO);
            drop(first_guard);
        }
        None => {
            record(Step::TimedOut, order[1], asked.elapsed());
            // Tell the main thread this thread is done reporting, then wait
            // as the lecture's program does: forever, still holding the
            // first lock, if this is a deadlock.
            drop(log);
            let _second_guard = second.lock();
            drop(first_guard);
        }
    }
}

/// Locks `mutex`, or gives up after `timeout`. std's Mutex has no timed
/// lock (as pthread_mutex_timedlock), so: try, and while another thread
/// holds it, sleep a millisecond and try again.
fn lock_within(mutex: &Mutex<()>, timeout: Duration) -> Option<MutexGuard<'_, ()>> {
    let deadline = Instant::now() + timeout;
    loop {
        match mutex.try_lock() {
            Ok(guard) => return Some(guard),
            // A thread panicked holding it; the lock still works.
            Err(TryLockError::Poisoned(poisoned)) => return Some(poisoned.into_inner()),
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                thread::sleep(Duration::from_millis(1));
            }
            Err(TryLockError::WouldBlock) => return None,
        }
    }
}

/// The wait-for chain, built from the events: start at the first thread
/// that timed out, go to the thread holding what it waits for, and so on
/// until a thread repeats (a cycle) or the chain ends.
fn wait_chain(events: &[Event]) -> Vec<Link> {
    // Who holds each resource at the end, and what each thread waits for.
    let mut holder: Vec<(usize, usize)> = Vec::new(); // (resource, thread)
    let mut waiting: Vec<(usize, usize)> = Vec::new(); // (thread, resource)
    for event in events {
        let held = (event.resource, event.thread);
        match event.step {
            Step::Locked => holder.push(held),
            // Only this thread's hold ends: the next holder's stays.
            Step::Unlocked => holder.retain(|&h| h != held),
            Step::TimedOut => waiting.push((event.thread, event.resource)),
        }
    }
    let mut chain: Vec<Link> = Vec::new();
    let mut next = waiting.first().map(|&(thread, _)| thread);
    while let Some(thread) = next {
        if chain.iter().any(|link| link.thread == thread) {
            break;
        }
        let Some(&(_, waits_for)) = waiting.iter().find(|&&(t, _)| t == thread) else {
            break;
        };
        let held_by = holder
            .iter()
            .find(|&&(r, _)| r == waits_for)
            .map(|&(_, t)| t);
        chain.push(Link {
            thread,
            holds: holder
                .iter()
                .filter(|&&(_, t)| t == thread)
                .map(|&(r, _)| r)
                .collect(),
            waits_for,
            held_by,
        });
        next = held_by;
    }
    chain
}

fn human(report: &Report) -> String {
    let mut text = String::new();
    for event in &report.events {
        let order = report.orders[event.thread - 1];
        let line = match event.step {
            // The lecture's line; with --fix the second thread may have
            // waited for its first lock, and then says how long.
            Step::Locked if event.resource == order[0] => format!(
                "Thread {}: locked resource {}{}. Waiting for resource {}...",
                event.thread,
                event.resource,
                if event.waited_ms >= 0.05 {
                    format!(" after waiting {:.1} ms", event.waited_ms)
                } else {
                    String::new()
                },
                order[1]
            ),
            Step::Locked => format!(
                "Thread {}: locked resource {} after waiting {:.1} ms.",
                event.thread, event.resource, event.waited_ms
            ),
            Step::Unlocked => format!(
                "Thread {}: unlocked resource {}.",
                event.thread, event.resource
            ),
            Step::TimedOut => format!(
                "Thread {}: still no resource {} after {:.0} ms.",
                event.thread, event.resource, event.waited_ms
            ),
        };
        text.push_str(&line);
        text.push('\n');
    }
    if report.waits.is_empty() {
        text.push_str(&format!(
            "no deadlock: threads {:?} took both locks and finished in {:.1} ms\n",
            report.finished, report.elapsed_ms
        ));
        return text;
    }
    if report.deadlock {
        text.push_str(&format!(
            "deadlock: a cycle of {} threads, each waiting for a lock the next one holds:\n",
            report.waits.len()
        ));
    } else {
        text.push_str("a thread waited out the timeout, but the waits form no cycle:\n");
    }
    for link in &report.waits {
        let holds: Vec<String> = link.holds.iter().map(|r| format!("resource {r}")).collect();
        let holder = match link.held_by {
            Some(thread) => format!("held by thread {thread}"),
            None => "held by no thread".to_owned(),
        };
        text.push_str(&format!(
            "  thread {} holds {} and waits for resource {}, {holder}\n",
            link.thread,
            if holds.is_empty() {
                "nothing".to_owned()
            } else {
                holds.join(" and ")
            },
            link.waits_for
        ));
    }
    if report.deadlock {
        let mut cycle = String::new();
        for link in &report.waits {
            cycle.push_str(&format!(
                "thread {} -> resource {} -> ",
                link.thread, link.waits_for
            ));
        }
        cycle.push_str(&format!("thread {}", report.waits[0].thread));
        text.push_str(&format!("  cycle: {cycle}\n"));
    }
    text.push_str("exiting with status 1 instead of waiting forever\n");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(seq: usize, thread: usize, step: Step, resource: usize) -> Event {
        Event {
            seq,
            at_ms: 0.0,
            thread,
            step,
            resource,
            waited_ms: 0.0,
        }
    }

    #[test]
    fn an_unlock_does_not_erase_the_next_holder() {
        // Thread 2 took resource 1 from thread 1, and the two then wait
        // for each other. Even listed out of order, with thread 2's
        // `locked` before thread 1's `unlocked`, thread 2 holds resource 1.
        let events = [
            event(0, 1, Step::Locked, 1),
            event(1, 2, Step::Locked, 1),
            event(2, 1, Step::Unlocked, 1),
            event(3, 1, Step::Locked, 2),
            event(4, 1, Step::TimedOut, 1),
            event(5, 2, Step::TimedOut, 2),
        ];
        let chain = wait_chain(&events);
        let links: Vec<_> = chain
            .iter()
            .map(|l| (l.thread, l.holds.clone(), l.waits_for, l.held_by))
            .collect();
        assert_eq!(
            links,
            [(1, vec![2], 1, Some(2)), (2, vec![1], 2, Some(1))],
            "{chain:?}"
        );
    }

    #[test]
    fn each_lock_is_unlocked_before_the_next_thread_locks_it() {
        let options = Options {
            fix: true,
            timeout: 5.0,
            output: Output {
                json: false,
                quiet: true,
            },
        };
        // The hand-over is a race, and its window is narrow (the waiting
        // thread retries every millisecond): many runs give it chances.
        for _ in 0..100 {
            let report = measure(&options).expect("threads start");
            assert!(report.waits.is_empty(), "{report:?}");
            let seqs: Vec<usize> = report.events.iter().map(|e| e.seq).collect();
            assert_eq!(seqs, (0..8).collect::<Vec<_>>(), "{report:?}");
            for resource in [1, 2] {
                let mut holder = None;
                let mut at_ms = 0.0;
                for e in report.events.iter().filter(|e| e.resource == resource) {
                    assert!(e.at_ms >= at_ms, "times agree with seq: {report:?}");
                    at_ms = e.at_ms;
                    match e.step {
                        Step::Locked => {
                            assert_eq!(holder, None, "two holders of {resource}: {report:?}");
                            holder = Some(e.thread);
                        }
                        Step::Unlocked => {
                            assert_eq!(holder, Some(e.thread), "{report:?}");
                            holder = None;
                        }
                        Step::TimedOut => panic!("{report:?}"),
                    }
                }
                assert_eq!(holder, None, "{report:?}");
            }
        }
    }
}
