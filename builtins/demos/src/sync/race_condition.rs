//! `race-condition`: the lecture's `race_condition.c` and its three fixes
//! (Synchronization: race condition, atomics, spinlock, mutex). Threads
//! each increment one shared `var`; without synchronization increments are
//! lost, with an atomic, a spinlock or a mutex the count is exact, and the
//! times show what each costs. Each thread marks its own progress, so the
//! report says how long they really counted at the same time.

mod count;
mod overlap;

use clap::{Parser, ValueEnum};
use serde::Serialize;

use crate::io::{Io, Status};
use crate::{Out, Output, millis, options};
use count::{Counted, Method, race};

const HELP: &str = include_str!("race_condition.txt");

/// Ten million increments each: on a busy two-core machine the two threads
/// still share some milliseconds on two CPUs at once, and a few
/// microseconds of that lose increments. (A million took under a
/// millisecond in a release build, short enough to run on one CPU after
/// the other now and then, and then nothing is lost.)
const DEFAULT_ITERATIONS: u64 = 10_000_000;

#[derive(Parser)]
#[command(name = "race-condition", override_help = HELP)]
struct Options {
    #[arg(long = "sync", value_enum, default_value_t = Choice::None)]
    sync: Choice,
    #[arg(short = 'n', default_value_t = 2, value_parser = thread_count)]
    threads: usize,
    #[arg(long, default_value_t = DEFAULT_ITERATIONS, value_parser = clap::value_parser!(u64).range(1..))]
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

/// More threads than this only measures the thread limit, not the race.
const MAX_THREADS: usize = 1024;

fn thread_count(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (1..=MAX_THREADS).contains(&n) => Ok(n),
        Ok(_) => Err(format!("must be from 1 to {MAX_THREADS}")),
        Err(e) => Err(e.to_string()),
    }
}

/// One thread's loop, in ms from the moment the first thread began its
/// loop.
#[derive(Debug, Serialize)]
struct Span {
    /// 1, 2, ...: in creation order.
    thread: usize,
    /// The CPU it was held on (one each, when there are enough CPUs).
    cpu: Option<usize>,
    /// Just before its first increment.
    began_ms: f64,
    /// Just after its last increment.
    ended_ms: f64,
    /// The part of its span it was counting, from its own time marks:
    /// less than the span when the scheduler took it off its CPU.
    counting_ms: f64,
    /// Its increments that found var changed by another thread since its
    /// own previous one: the threads' turns on var interleaved.
    interleaved: u64,
}

/// One run of the threads with one method.
#[derive(Debug, Serialize)]
struct Run {
    sync: Method,
    /// The shared counter after every thread was joined.
    var: u64,
    /// `expected - var`: the increments that were overwritten.
    lost: u64,
    /// From the first thread's first increment to the last thread's last.
    time_ms: f64,
    spans: Vec<Span>,
    /// How long at least two threads were counting at the same moment,
    /// from their time marks: only then can an increment be lost.
    overlap_ms: f64,
}

#[derive(Debug, Serialize)]
struct Report {
    threads: usize,
    iterations: u64,
    /// THREADS * N: what var would be if no increment were lost.
    expected: u64,
    runs: Vec<Run>,
}

pub fn run(io: &mut Io) -> Status {
    let options: Options = match options(io) {
        Ok(options) => options,
        Err(status) => return status,
    };
    let Some(expected) = (options.threads as u64).checked_mul(options.iterations) else {
        return io.fail("THREADS * N does not fit in 64 bits", 2);
    };
    let out = Out::new(io, &options.output);
    out.say(format_args!(
        "{} threads x {} increments of one shared var: expected var = {expected}",
        options.threads, options.iterations
    ));
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
    let table = methods.len() > 1;
    if table {
        out.say(format_args!(
            "{:<10} {:>12} {:>12} {:>12} {:>12}",
            "sync", "var", "time (ms)", "overlap (ms)", "lost"
        ));
    }
    let mut runs = Vec::with_capacity(methods.len());
    for method in methods {
        let (var, counted) = match race(method, options.threads, options.iterations) {
            Ok(result) => result,
            Err(e) => return io.fail(e, 1),
        };
        let run = judge(method, var, expected, &counted);
        if table {
            out.say(format_args!(
                "{:<10} {:>12} {:>12.1} {:>12.1} {:>12}",
                run.sync.name(),
                run.var,
                run.time_ms,
                run.overlap_ms,
                run.lost
            ));
        } else {
            say_run(&out, &run);
        }
        runs.push(run);
    }
    let report = Report {
        threads: options.threads,
        iterations: options.iterations,
        expected,
        runs,
    };
    for line in notice(&report, options.sync) {
        out.notice(line);
    }
    if out.json() {
        return crate::json(io, &report);
    }
    0
}

/// Turns what the threads saw into the run's figures.
fn judge(method: Method, var: u64, expected: u64, counted: &[Counted]) -> Run {
    let first = counted
        .iter()
        .filter_map(|c| c.marks.first().map(|m| m.wall))
        .min()
        .unwrap_or_default();
    let intervals: Vec<_> = counted
        .iter()
        .map(|c| overlap::counting(&c.marks))
        .collect();
    let spans: Vec<Span> = counted
        .iter()
        .zip(&intervals)
        .enumerate()
        .map(|(index, (c, counting))| Span {
            thread: index + 1,
            cpu: c.cpu,
            began_ms: c.marks.first().map_or(0.0, |m| millis(m.wall - first)),
            ended_ms: c.marks.last().map_or(0.0, |m| millis(m.wall - first)),
            counting_ms: millis(overlap::length(counting)),
            interleaved: c.interleaved,
        })
        .collect();
    Run {
        sync: method,
        var,
        lost: expected.saturating_sub(var),
        time_ms: spans.iter().map(|s| s.ended_ms).fold(0.0, f64::max),
        overlap_ms: millis(overlap::together(&intervals)),
        spans,
    }
}

/// The lecture's `var = X; time = T ms`, then how the threads overlapped.
fn say_run(out: &Out, run: &Run) {
    out.say(format_args!(
        "sync = {}: var = {}; time = {:.1} ms",
        run.sync.name(),
        run.var,
        run.time_ms
    ));
    for span in &run.spans {
        let cpu = span
            .cpu
            .map_or(String::new(), |cpu| format!(" on CPU {cpu}"));
        out.say(format_args!(
            "  thread {}{cpu}: counted {:.1} of its {:.1} ms; {} of its increments found var moved by another thread",
            span.thread,
            span.counting_ms,
            span.ended_ms - span.began_ms,
            span.interleaved
        ));
    }
    match run.spans.len() {
        1 => out.say("1 thread, counting alone"),
        n => out.say(format_args!(
            "at least 2 of the {n} threads were counting at the same moment for {:.1} ms",
            run.overlap_ms
        )),
    }
}

/// The "what to notice" lines, from what this run measured: a loss is
/// explained only when one happened, and overlap only claimed when the
/// threads' own marks show it.
fn notice(report: &Report, sync: Choice) -> Vec<String> {
    let unsynchronized = report.runs.iter().find(|run| run.sync == Method::None);
    if let Some(run) = unsynchronized {
        if run.lost == 0 {
            return match report.threads {
                1 => vec![
                    "`none` lost no increment: a thread alone has no other to store between its load and store".to_owned(),
                    "race it against others: -n 2 or more".to_owned(),
                ],
                _ if run.overlap_ms == 0.0 => vec![
                    "`none` lost no increment this time: the threads' marks show they never counted at the same moment (the scheduler ran them one after the other)".to_owned(),
                    "run it again, or on a less busy machine: more --iterations keep them counting longer".to_owned(),
                ],
                _ => vec![
                    format!(
                        "`none` lost no increment this time, although its threads counted at the same moment for {:.1} ms",
                        run.overlap_ms
                    ),
                    "run it again: more --iterations keep them counting together for longer".to_owned(),
                ],
            };
        }
        let share = 100.0 * run.lost as f64 / report.expected.max(1) as f64;
        let lost = format!(
            "`none` lost {} of {} increments ({share:.1}%), all while its threads counted at the same moment ({:.1} ms): var++ is a load, then a store, and a thread that stores between another's load and store overwrites its increment",
            run.lost, report.expected, run.overlap_ms
        );
        if sync == Choice::All {
            let exact = report
                .runs
                .iter()
                .filter(|r| r.sync != Method::None)
                .all(|r| r.lost == 0);
            let second = if exact {
                "atomic, spinlock and mutex lost none: each makes var++ indivisible; they differ only in cost".to_owned()
            } else {
                "a synchronized method lost increments: that is a bug in the demo".to_owned()
            };
            return vec![lost, second];
        }
        return vec![
            lost,
            "try --sync all: an atomic, a spinlock or a mutex makes the increment indivisible"
                .to_owned(),
        ];
    }
    let fixed = match sync {
        Choice::Atomic => {
            "fetch_add loads, adds and stores as one instruction no other core can come between"
        }
        Choice::Spinlock => {
            "a thread that finds the lock taken spins on the CPU, testing and setting it until the holder lets go"
        }
        _ => {
            "a thread that finds the mutex taken sleeps in the kernel (a futex) until the holder wakes it"
        }
    };
    vec![fixed.to_owned()]
}
