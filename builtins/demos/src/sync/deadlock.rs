//! `deadlock`: the lecture's `deadlock.py` (Synchronization: "Deadlock").
//! Two threads take two locks in opposite order and wait for each other
//! forever, asleep in the kernel on the mutexes' futexes. A watcher thread
//! (the main one) reads their state from /proc, sees the cycle, says where
//! each is stuck, leaves them hanging a while (Ctrl-C shows them again, as
//! in the lecture) and ends the demo with status 1; `--fix` takes the
//! locks in one global order and finishes.

mod chain;
mod watch;

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Barrier, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use clap::Parser;
use serde::Serialize;

use crate::hold::{self, Hold};
use crate::io::{Io, Status};
use crate::{Out, Output, millis, options};
use chain::{Event, Link, Step, is_cycle, wait_chain};
use watch::TaskState;

const HELP: &str = include_str!("deadlock.txt");

#[derive(Parser)]
#[command(name = "deadlock", override_help = HELP)]
struct Options {
    #[arg(long)]
    fix: bool,
    #[arg(long, default_value_t = 2.0, value_parser = seconds)]
    timeout: f64,
    #[command(flatten)]
    hold: Hold,
    #[command(flatten)]
    output: Output,
}

fn seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && (0.0..=3600.0).contains(&s) => Ok(s),
        Ok(_) => Err("must be a number of seconds from 0 to 3600".to_owned()),
        Err(e) => Err(e.to_string()),
    }
}

/// How often the watcher looks at the threads.
const POLL: Duration = Duration::from_millis(5);

/// One link of the cycle with where its thread is stuck.
#[derive(Debug, Serialize)]
struct Stuck {
    #[serde(flatten)]
    link: Link,
    /// The thread as /proc showed it when the watcher called it a deadlock.
    task: Option<TaskState>,
}

#[derive(Debug, Serialize)]
struct Report {
    fix: bool,
    /// The demo's PID, whose threads /proc/PID/task lists.
    pid: i32,
    /// `orders[i]`: the resources thread i+1 locks, in its order.
    orders: Vec<[usize; 2]>,
    /// Every step of every thread, in the order they happened (by `seq`).
    events: Vec<Event>,
    /// The threads still waiting for a lock when the watcher stopped, each
    /// with what it holds and waits for, followed from one to the next,
    /// and how /proc showed it. Empty when every thread finished.
    waits: Vec<Stuck>,
    /// Whether following `waits` comes back to the first thread while
    /// every waiting thread sleeps in futex: a deadlock.
    deadlock: bool,
    /// When the watcher saw it, in ms since the threads were started.
    detected_ms: Option<f64>,
    /// How long the demo then left the threads stuck (--timeout, --hold).
    hung_ms: f64,
    /// Whether Ctrl-C ended the hang.
    interrupted: bool,
    /// The threads that took both locks and let them go.
    finished: Vec<usize>,
    /// From starting the threads until the demo ended.
    elapsed_ms: f64,
}

/// What the threads and the watcher share.
struct Table {
    /// Resource 1 and resource 2: a lock each.
    resources: [Mutex<()>; 2],
    /// Without `--fix`: both threads wait here once they hold their first
    /// lock. With it: they wait here before locking, to start together.
    barrier: Barrier,
    /// Every step, in order: pushed under this lock while the thread holds
    /// (or is about to ask for) the resource the step is about.
    log: Mutex<Vec<Event>>,
    /// Each thread's kernel thread ID, for /proc/self/task/TID.
    tids: [AtomicI32; 2],
    /// Set by each thread when it has let both locks go.
    done: [AtomicBool; 2],
    start: Instant,
}

impl Table {
    fn record(&self, thread: usize, step: Step, resource: usize, waited: Duration) {
        let mut log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        let seq = log.len();
        log.push(Event {
            seq,
            at_ms: millis(self.start.elapsed()),
            thread,
            step,
            resource,
            waited_ms: millis(waited),
        });
    }

    fn events(&self) -> Vec<Event> {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Set by the SIGINT handler: the student pressed Ctrl-C.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_interrupt(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

pub fn run(io: &mut Io) -> Status {
    let options: Options = match options(io) {
        Ok(options) => options,
        Err(status) => return status,
    };
    if let Err(e) = options.hold.check() {
        return io.fail(e, 2);
    }
    let out = Out::new(io, &options.output);
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
        log: Mutex::new(Vec::new()),
        tids: [AtomicI32::new(0), AtomicI32::new(0)],
        done: [AtomicBool::new(false), AtomicBool::new(false)],
        start: Instant::now(),
    });
    // Ctrl-C reaches the watcher, never a stuck thread: SIGINT is blocked
    // while the threads are created (they inherit the mask), and the
    // watcher's handler only sets a flag.
    let mut sigint = nix::sys::signal::SigSet::empty();
    sigint.add(nix::sys::signal::Signal::SIGINT);
    let _ = sigint.thread_block();
    let mut handles = Vec::with_capacity(orders.len());
    for (index, &order) in orders.iter().enumerate() {
        let (table, out, fix) = (Arc::clone(&table), out.clone(), options.fix);
        match thread::Builder::new()
            .name(format!("thread-{}", index + 1))
            .spawn(move || worker(index + 1, order, fix, &table, &out))
        {
            Ok(handle) => handles.push(handle),
            Err(e) => return io.fail(e, 1),
        }
    }
    catch_interrupt();
    let _ = sigint.thread_unblock();

    let (deadlock, states) = watch(&table, orders.len());
    let detected_ms = deadlock.then(|| millis(table.start.elapsed()));
    let chain = wait_chain(&table.events());
    let waits: Vec<Stuck> = chain
        .into_iter()
        .map(|link| {
            let task = states.get(link.thread - 1).cloned().flatten();
            Stuck { link, task }
        })
        .collect();
    let pid = std::process::id() as i32;
    let mut hung_ms = 0.0;
    if deadlock {
        say_deadlock(&out, &waits, detected_ms.unwrap_or(0.0));
        hung_ms = hang(io, &out, &options, pid);
    } else {
        // Nobody is stuck: these joins return at once.
        for handle in handles {
            let _ = handle.join();
        }
    }
    let interrupted = INTERRUPTED.load(Ordering::SeqCst);
    if interrupted {
        out.say("Ctrl-C: the threads are still where they were stuck:");
        for stuck in &waits {
            if let Some(now) =
                TaskState::read(table.tids[stuck.link.thread - 1].load(Ordering::Acquire))
            {
                out.say(format_args!(
                    "  thread {}: {}",
                    stuck.link.thread,
                    now.describe()
                ));
            }
        }
    }
    let events = table.events();
    let finished: Vec<usize> = (1..=orders.len())
        .filter(|&thread| table.done[thread - 1].load(Ordering::Acquire))
        .collect();
    if !deadlock {
        out.say(format_args!(
            "no deadlock: threads {finished:?} took both locks and finished in {:.1} ms",
            millis(table.start.elapsed())
        ));
    }
    let report = Report {
        fix: options.fix,
        pid,
        orders,
        events,
        waits,
        deadlock,
        detected_ms,
        hung_ms,
        interrupted,
        finished,
        elapsed_ms: millis(table.start.elapsed()),
    };
    for line in notice(&report) {
        out.notice(line);
    }
    if out.json() {
        crate::json(io, &report);
    }
    if !report.deadlock {
        return 0;
    }
    out.say("exiting with status 1 instead of waiting forever");
    // The stuck threads still hold their locks and still wait: joining
    // them would hang like the lecture's program. End the whole process
    // instead, which ends its threads with it. (The demo runs in a process
    // of its own, so this ends only the demo, never the shell; its output
    // is unbuffered, so nothing is lost.)
    std::process::exit(if interrupted { 130 } else { 1 })
}

/// Installs the SIGINT handler that sets INTERRUPTED.
fn catch_interrupt() {
    // SAFETY: the handler only stores to an atomic, which is
    // async-signal-safe; the sigaction struct is zeroed then filled.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_interrupt as *const () as usize;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut());
    }
}

/// The watcher: every POLL, reads each thread's state from /proc. Returns
/// when every thread has finished (false), or when the threads form a
/// wait-for cycle and every waiting one sleeps in futex, seen twice in a
/// row (true), with the states it saw then.
fn watch(table: &Table, threads: usize) -> (bool, Vec<Option<TaskState>>) {
    let mut seen_once = false;
    loop {
        thread::sleep(POLL);
        if table
            .done
            .iter()
            .take(threads)
            .all(|d| d.load(Ordering::Acquire))
        {
            return (false, Vec::new());
        }
        let states: Vec<Option<TaskState>> = table
            .tids
            .iter()
            .take(threads)
            .map(|tid| TaskState::read(tid.load(Ordering::Acquire)))
            .collect();
        let chain = wait_chain(&table.events());
        let asleep = chain.iter().all(|link| {
            states
                .get(link.thread - 1)
                .and_then(Option::as_ref)
                .is_some_and(TaskState::in_futex)
        });
        if is_cycle(&chain) && asleep {
            if seen_once {
                return (true, states);
            }
            seen_once = true;
        } else {
            seen_once = false;
        }
    }
}

/// One thread: lock `order[0]`, then `order[1]`, then let both go, saying
/// each step as it happens. In a deadlock it never gets past its second
/// `lock()`: it sleeps there, in the kernel, for good.
fn worker(me: usize, order: [usize; 2], fix: bool, table: &Table, out: &Out) {
    table.tids[me - 1].store(nix::unistd::gettid().as_raw(), Ordering::Release);
    let [first, second] = order.map(|resource| &table.resources[resource - 1]);
    if fix {
        table.barrier.wait();
    }
    table.record(me, Step::Waiting, order[0], Duration::ZERO);
    let asked = Instant::now();
    let first_guard = first.lock().unwrap_or_else(PoisonError::into_inner);
    let waited = asked.elapsed();
    table.record(me, Step::Locked, order[0], waited);
    // The lecture's line; with --fix the second thread may have waited for
    // its first lock, and then says how long.
    let after = if millis(waited) >= 0.05 {
        format!(" after waiting {:.1} ms", millis(waited))
    } else {
        String::new()
    };
    out.say(format_args!(
        "Thread {me}: locked resource {}{after}. Waiting for resource {}...",
        order[0], order[1]
    ));
    if !fix {
        // Both threads now hold their first lock: from here the deadlock
        // is certain, whatever the scheduler does.
        table.barrier.wait();
    }
    table.record(me, Step::Waiting, order[1], Duration::ZERO);
    let asked = Instant::now();
    let second_guard = second.lock().unwrap_or_else(PoisonError::into_inner);
    let waited = asked.elapsed();
    table.record(me, Step::Locked, order[1], waited);
    out.say(format_args!(
        "Thread {me}: locked resource {} after waiting {:.1} ms.",
        order[1],
        millis(waited)
    ));
    // Each `unlocked` is recorded while the lock is still held: recorded
    // after, it could come after the other thread's `locked`, as if both
    // had held the lock at once.
    table.record(me, Step::Unlocked, order[1], Duration::ZERO);
    drop(second_guard);
    table.record(me, Step::Unlocked, order[0], Duration::ZERO);
    drop(first_guard);
    out.say(format_args!("Thread {me}: unlocked both resources."));
    table.done[me - 1].store(true, Ordering::Release);
}

/// What the watcher saw, the moment it saw it.
fn say_deadlock(out: &Out, waits: &[Stuck], detected_ms: f64) {
    out.say(format_args!(
        "watcher: at {detected_ms:.1} ms every thread is asleep in the kernel (futex), each waiting for a lock the next one holds: a deadlock of {} threads",
        waits.len()
    ));
    for stuck in waits {
        let link = &stuck.link;
        let holds: Vec<String> = link.holds.iter().map(|r| format!("resource {r}")).collect();
        let holder = match link.held_by {
            Some(thread) => format!("held by thread {thread}"),
            None => "held by no thread".to_owned(),
        };
        out.say(format_args!(
            "  thread {} holds {} and waits for resource {}, {holder}",
            link.thread,
            if holds.is_empty() {
                "nothing".to_owned()
            } else {
                holds.join(" and ")
            },
            link.waits_for
        ));
        if let Some(task) = &stuck.task {
            out.say(format_args!("    {}", task.describe()));
        }
    }
    let mut cycle = String::new();
    for stuck in waits {
        cycle.push_str(&format!(
            "thread {} -> resource {} -> ",
            stuck.link.thread, stuck.link.waits_for
        ));
    }
    if let Some(first) = waits.first() {
        cycle.push_str(&format!("thread {}", first.link.thread));
    }
    out.say(format_args!("  cycle: {cycle}"));
}

/// Leaves the deadlocked threads as they are for --timeout (or as --hold
/// or --pause say), ending early on Ctrl-C. Returns how long, in ms.
fn hang(io: &Io, out: &Out, options: &Options, pid: i32) -> f64 {
    let looks = [
        hold::threads(pid),
        format!("cat /proc/{pid}/task/*/syscall"),
        format!("cat /proc/{pid}/task/*/wchan"),
    ];
    let interrupted = || INTERRUPTED.load(Ordering::SeqCst);
    if options.hold.wanted() {
        return options.hold.keep_until(
            io,
            out.json(),
            "the deadlocked threads",
            &looks,
            &interrupted,
        );
    }
    out.say(format_args!(
        "the threads stay stuck for {} s (Ctrl-C shows where, as in the lecture; --hold S keeps them longer): {}",
        options.timeout, looks[0]
    ));
    let began = Instant::now();
    let limit = Duration::from_secs_f64(options.timeout);
    while !interrupted() && began.elapsed() < limit {
        thread::sleep(POLL.min(limit.saturating_sub(began.elapsed())));
    }
    millis(began.elapsed())
}

/// The "what to notice" lines, from what the watcher saw.
fn notice(report: &Report) -> Vec<String> {
    if report.deadlock {
        let asleep = report
            .waits
            .iter()
            .filter(|s| s.task.as_ref().is_some_and(TaskState::in_futex))
            .count();
        return vec![
            format!(
                "{asleep} threads sleep in futex(): each holds the lock the other waits for, so neither can ever go on, and the lecture's program hangs"
            ),
            "try --fix: when every thread takes the locks in the same order, no cycle can form"
                .to_owned(),
        ];
    }
    let waited = report
        .events
        .iter()
        .filter(|e| e.step == Step::Locked && e.waited_ms >= 0.05)
        .count();
    vec![format!(
        "both threads lock resource 1 before resource 2: whoever holds 1 can always get 2, so no cycle can form ({waited} of the locks were waited for, and each wait ended)"
    )]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_lock_is_unlocked_before_the_next_thread_locks_it() {
        // The hand-over is a race: many runs give it chances.
        for _ in 0..50 {
            let table = Table {
                resources: [Mutex::new(()), Mutex::new(())],
                barrier: Barrier::new(2),
                log: Mutex::new(Vec::new()),
                tids: [AtomicI32::new(0), AtomicI32::new(0)],
                done: [AtomicBool::new(false), AtomicBool::new(false)],
                start: Instant::now(),
            };
            let out = Out::new(
                &Io::memory(&["deadlock"]),
                &Output {
                    json: true,
                    quiet: true,
                },
            );
            thread::scope(|scope| {
                for me in [1, 2] {
                    let (table, out) = (&table, &out);
                    scope.spawn(move || worker(me, [1, 2], true, table, out));
                }
            });
            let events = table.events();
            assert!(wait_chain(&events).is_empty(), "{events:?}");
            for resource in [1, 2] {
                let mut holder = None;
                for e in events.iter().filter(|e| e.resource == resource) {
                    match e.step {
                        Step::Locked => {
                            assert_eq!(holder, None, "two holders of {resource}: {events:?}");
                            holder = Some(e.thread);
                        }
                        Step::Unlocked => {
                            assert_eq!(holder, Some(e.thread), "{events:?}");
                            holder = None;
                        }
                        Step::Waiting => {}
                    }
                }
                assert_eq!(holder, None, "{events:?}");
            }
        }
    }
}
