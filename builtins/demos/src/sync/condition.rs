//! `condition`: the lecture's condition-variable demo. A thread waits on a
//! Condvar until the main thread makes its predicate true and notifies it,
//! after some seconds or when the user types `notify`. The wait sits in a
//! loop that checks the predicate again after every wakeup, which is what
//! keeps a spurious wakeup (or a notification meant for someone else) from
//! being taken for the event.

use std::io::BufRead;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use clap::Parser;
use serde::Serialize;

use crate::io::{Io, Status};
use crate::{Output, emit, millis, options};

const HELP: &str = include_str!("condition.txt");

#[derive(Parser)]
#[command(name = "condition", override_help = HELP)]
struct Options {
    #[arg(long, value_parser = seconds)]
    after: Option<f64>,
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=1000))]
    false_alarms: u32,
    #[command(flatten)]
    output: Output,
}

fn seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && (0.0..=86400.0).contains(&s) => Ok(s),
        Ok(_) => Err("must be a number of seconds, 0 to 86400".to_owned()),
        Err(e) => Err(e.to_string()),
    }
}

/// Without --after and away from a terminal, the main thread notifies
/// after this many seconds.
const DEFAULT_AFTER: f64 = 1.0;

/// What the mutex guards.
#[derive(Default)]
struct State {
    /// The predicate: the event happened.
    notified: bool,
    /// The waiter is inside `wait` right now (it set this under the lock
    /// just before waiting, and wait released the lock). The main thread
    /// uses it to send each false alarm to a thread that is really waiting;
    /// a notify with no thread waiting has no effect.
    waiting: bool,
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

impl Shared {
    /// The lock. Nothing panics while holding it, so a poisoned mutex
    /// still guards a consistent state.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One evaluation of the predicate by the waiting thread.
#[derive(Debug, Serialize)]
struct Check {
    at_ms: f64,
    /// What it found: true ends the loop.
    notified: bool,
}

#[derive(Debug, Serialize)]
struct Report {
    /// What made the main thread notify: "timer", "typed notify", or
    /// "end of input" (standard input closed before `notify` was typed).
    trigger: &'static str,
    /// The timer's delay, when a timer was used.
    after_ms: Option<f64>,
    /// Notifications sent with the predicate still false.
    false_alarms: u32,
    /// When the main thread set the predicate and called notify_one.
    notified_ms: f64,
    /// Every check of the predicate: the first one before any wait, then
    /// one after each wakeup.
    checks: Vec<Check>,
    /// How many times wait() returned.
    wakeups: usize,
    /// From the notify to the waiter's leaving the loop; absent when the
    /// waiter found the predicate already true and never waited.
    latency_ms: Option<f64>,
}

pub fn run(io: &mut Io) -> Status {
    let options: Options = match options(io) {
        Ok(options) => options,
        Err(status) => return status,
    };
    let at_terminal = nix::unistd::isatty(std::io::stdin()).unwrap_or(false);
    let trigger = match options.after {
        Some(after) => Trigger::Timer(after),
        None if at_terminal => Trigger::Typed,
        None => Trigger::Timer(DEFAULT_AFTER),
    };
    // At a terminal the main thread prompts, once the waiting thread is
    // started. A prompt, not a measurement: the user has to know what to
    // type. With --json it goes to standard error, away from the report.
    let json = options.output.json;
    if let (Trigger::Timer(after), false) = (trigger, json) {
        io.out.line(format_args!(
            "Main thread: starting the waiting thread; it will notify it after {after} s"
        ));
    }
    let prompt = |io: &mut Io| {
        let out = if json { &io.err } else { &io.out };
        out.text("Main thread: type \"notify\" to notify the waiting thread\n");
    };
    let report = match measure(trigger, options.false_alarms, || prompt(io)) {
        Ok(report) => report,
        Err(e) => return io.fail(e, 1),
    };
    let first = if report.wakeups == 0 {
        "the notify came before the wait and was lost, but the predicate was not: it was true at the first check"
    } else {
        "wait() gave the mutex up while sleeping: the main thread could lock it to set the predicate"
    };
    emit(
        io,
        &options.output,
        &report,
        human,
        &[
            first,
            "the while loop re-checks the predicate after every wakeup: a wakeup alone proves nothing",
        ],
    )
}

#[derive(Clone, Copy)]
enum Trigger {
    Timer(f64),
    Typed,
}

/// Runs the experiment; `prompt` is called before reading the terminal.
fn measure(trigger: Trigger, false_alarms: u32, prompt: impl FnOnce()) -> std::io::Result<Report> {
    let shared = Arc::new(Shared {
        state: Mutex::new(State::default()),
        changed: Condvar::new(),
    });
    let start = Instant::now();
    let waiter = {
        let shared = Arc::clone(&shared);
        thread::Builder::new()
            .name("waiting".into())
            .spawn(move || wait_for_event(&shared, start))?
    };

    for _ in 0..false_alarms {
        false_alarm(&shared);
    }

    let after_ms = match trigger {
        Trigger::Timer(after) => Some(crate::round_ms(after * 1000.0)),
        Trigger::Typed => None,
    };
    let trigger = match trigger {
        Trigger::Timer(after) => {
            let due = Duration::from_secs_f64(after);
            thread::sleep(due.saturating_sub(start.elapsed()));
            "timer"
        }
        Trigger::Typed => {
            prompt();
            read_notify()
        }
    };
    let notified_ms = {
        let mut state = shared.lock();
        state.notified = true;
        shared.changed.notify_one();
        millis(start.elapsed())
    };

    let checks = waiter
        .join()
        .map_err(|_| std::io::Error::other("the waiting thread panicked"))?;
    let wakeups = checks.len() - 1;
    let latency_ms = match checks.last() {
        Some(last) if wakeups > 0 => Some(last.at_ms - notified_ms),
        _ => None,
    };
    Ok(Report {
        trigger,
        after_ms,
        false_alarms,
        notified_ms,
        checks,
        wakeups,
        latency_ms,
    })
}

/// The waiting thread: the lecture's `cond.acquire(); while not
/// notified: cond.wait()`. Returns every check of the predicate.
fn wait_for_event(shared: &Shared, start: Instant) -> Vec<Check> {
    let mut checks = Vec::new();
    let mut check = |state: &State| {
        checks.push(Check {
            at_ms: millis(start.elapsed()),
            notified: state.notified,
        });
        state.notified
    };
    let mut state = shared.lock();
    while !check(&state) {
        state.waiting = true;
        state = shared
            .changed
            .wait(state)
            .unwrap_or_else(PoisonError::into_inner);
        state.waiting = false;
    }
    drop(state);
    checks
}

/// Wakes the waiter without setting the predicate. It waits until the
/// thread is really inside wait(), since a notify with nobody waiting is
/// lost, then clears `waiting` so the next false alarm waits for the
/// thread to come back to wait() again.
fn false_alarm(shared: &Shared) {
    loop {
        let mut state = shared.lock();
        if state.waiting {
            state.waiting = false;
            shared.changed.notify_one();
            return;
        }
        drop(state);
        thread::sleep(Duration::from_millis(1));
    }
}

/// Reads lines from the terminal until one is `notify`.
fn read_notify() -> &'static str {
    for line in std::io::stdin().lock().lines() {
        match line {
            Ok(line) if line.trim() == "notify" => return "typed notify",
            Ok(_) => {}
            Err(_) => break,
        }
    }
    "end of input"
}

fn human(report: &Report) -> String {
    let mut text = String::new();
    let Some((last, earlier)) = report.checks.split_last() else {
        return text;
    };
    if let Some(first) = earlier.first() {
        text.push_str(&format!(
            "Waiting thread: waiting for main thread... ({:.2} ms)\n",
            first.at_ms
        ));
    }
    if report.false_alarms > 0 {
        text.push_str(&format!(
            "Main thread: {} false alarms: notify_one with the predicate still false\n",
            report.false_alarms
        ));
    }
    for check in earlier.iter().skip(1) {
        text.push_str(&format!(
            "Waiting thread: woke at {:.2} ms, notified = {}: waits again\n",
            check.at_ms, check.notified
        ));
    }
    let why = match report.after_ms {
        Some(after) => format!("{} after {} s", report.trigger, after / 1000.0),
        None => report.trigger.to_owned(),
    };
    text.push_str(&format!(
        "Main thread: notified = true, notify_one at {:.2} ms ({why})\n",
        report.notified_ms
    ));
    match report.latency_ms {
        Some(latency) => text.push_str(&format!(
            "Waiting thread: notified by main thread (woke at {:.2} ms, {latency:.2} ms after the notify)\n",
            last.at_ms
        )),
        None => text.push_str(&format!(
            "Waiting thread: notified = true at its first check ({:.2} ms): it never waited\n",
            last.at_ms
        )),
    }
    text.push_str(&format!(
        "predicate loop: checked the predicate {}, wait() returned {}\n",
        times(report.checks.len()),
        times(report.wakeups)
    ));
    text
}

/// "1 time", "2 times".
fn times(n: usize) -> String {
    let s = if n == 1 { "" } else { "s" };
    format!("{n} time{s}")
}
