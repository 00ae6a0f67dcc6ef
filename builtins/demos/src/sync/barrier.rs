//! `barrier`: the lecture's barrier demo. N threads each print a "before"
//! line and an "after" line; with a barrier between the two, every
//! "before" comes ahead of every "after", and without it the order is
//! whatever the scheduler makes of it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Instant;

use clap::Parser;
use serde::Serialize;

use crate::io::{Io, Status};
use crate::{Output, emit, millis, options};

const HELP: &str = include_str!("barrier.txt");

#[derive(Parser)]
#[command(name = "barrier", override_help = HELP)]
struct Options {
    #[arg(short = 'n', default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=1000))]
    threads: u32,
    #[arg(long)]
    use_barrier: bool,
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10000))]
    rounds: u32,
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, Serialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Before,
    After,
}

/// One line a thread said.
#[derive(Debug, Serialize)]
struct Line {
    /// Its place in the round: the shared counter's value when it was said.
    seq: usize,
    thread: u32,
    kind: Kind,
    /// Since the round started.
    at_ms: f64,
}

#[derive(Debug, Serialize)]
struct Round {
    /// In the order they were said.
    lines: Vec<Line>,
    /// Every "before" line came ahead of every "after" line.
    before_all_first: bool,
}

#[derive(Debug, Serialize)]
struct Report {
    threads: u32,
    use_barrier: bool,
    rounds: Vec<Round>,
    /// How many rounds had every "before" first.
    rounds_before_all_first: usize,
}

pub fn run(io: &mut Io) -> Status {
    let options: Options = match options(io) {
        Ok(options) => options,
        Err(status) => return status,
    };
    let mut rounds = Vec::new();
    for _ in 0..options.rounds {
        match round(options.threads, options.use_barrier) {
            Ok(round) => rounds.push(round),
            Err(e) => return io.fail(e, 1),
        }
    }
    let report = Report {
        threads: options.threads,
        use_barrier: options.use_barrier,
        rounds_before_all_first: rounds.iter().filter(|r| r.before_all_first).count(),
        rounds,
    };
    let notice = notice(&report);
    let notice: Vec<&str> = notice.iter().map(String::as_str).collect();
    emit(io, &options.output, &report, human, &notice)
}

/// The "what to notice" lines, from the orders measured in this run.
fn notice(report: &Report) -> Vec<String> {
    let (first, rounds) = (report.rounds_before_all_first, report.rounds.len());
    let mixed = rounds - first;
    match (report.use_barrier, mixed) {
        (true, 0) => vec![
            format!(
                "with the barrier, every \"Before\" came first in all {rounds} round(s): no thread said \"After\" until the last one had said \"Before\""
            ),
            "the threads reach the barrier and leave it in an order of the scheduler's choosing"
                .to_owned(),
        ],
        (true, _) => vec![format!(
            "{mixed} of {rounds} rounds had an \"After\" before a \"Before\" even with the barrier: that is a bug in the demo"
        )],
        (false, 0) => vec![
            format!(
                "without a barrier every \"Before\" still came first in all {rounds} round(s): each thread said both lines before the next one ran"
            ),
            "nothing made them wait for each other: try --rounds 20, or --use-barrier".to_owned(),
        ],
        (false, _) => vec![
            format!(
                "without a barrier, an \"After\" came before the last \"Before\" in {mixed} of {rounds} rounds: nothing makes a thread wait for the others"
            ),
            "try --use-barrier: then no thread goes past it until all have reached it".to_owned(),
        ],
    }
}

/// One run of the experiment: N threads, each saying its two lines.
fn round(threads: u32, use_barrier: bool) -> std::io::Result<Round> {
    let barrier = Arc::new(Barrier::new(threads as usize));
    let counter = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut handles = Vec::new();
    for thread in 0..threads {
        let (barrier, counter) = (Arc::clone(&barrier), Arc::clone(&counter));
        let handle = thread::Builder::new()
            .name(format!("thread-{thread}"))
            .spawn(move || {
                // fetch_add gives each line a distinct place; the barrier
                // makes every "before" fetch_add happen before any "after".
                let say = |kind| Line {
                    seq: counter.fetch_add(1, Ordering::SeqCst),
                    thread,
                    kind,
                    at_ms: millis(start.elapsed()),
                };
                let before = say(Kind::Before);
                if use_barrier {
                    barrier.wait();
                }
                let after = say(Kind::After);
                [before, after]
            })?;
        handles.push(handle);
    }
    let mut lines = Vec::new();
    for handle in handles {
        let said = handle
            .join()
            .map_err(|_| std::io::Error::other("a thread panicked"))?;
        lines.extend(said);
    }
    lines.sort_by_key(|line| line.seq);
    let last_before = lines.iter().rposition(|l| l.kind == Kind::Before);
    let first_after = lines.iter().position(|l| l.kind == Kind::After);
    Ok(Round {
        before_all_first: last_before < first_after,
        lines,
    })
}

fn human(report: &Report) -> String {
    let mut text = String::new();
    if let [round] = &report.rounds[..] {
        for line in &round.lines {
            let kind = match line.kind {
                Kind::Before => "Before",
                Kind::After => "After",
            };
            text.push_str(&format!(
                "{kind} barrier: thread name = thread-{} ({:.2} ms)\n",
                line.thread, line.at_ms
            ));
        }
        let answer = if round.before_all_first { "yes" } else { "no" };
        text.push_str(&format!(
            "every \"before\" line came ahead of every \"after\" line: {answer}\n"
        ));
        return text;
    }
    // Many rounds: one line each, B2 for "Before" of thread-2, A2 for "After".
    for (i, round) in report.rounds.iter().enumerate() {
        let order: Vec<String> = round
            .lines
            .iter()
            .map(|line| match line.kind {
                Kind::Before => format!("B{}", line.thread),
                Kind::After => format!("A{}", line.thread),
            })
            .collect();
        let mark = if round.before_all_first {
            ""
        } else {
            "  (an after came before a before)"
        };
        text.push_str(&format!("round {:>2}: {}{mark}\n", i + 1, order.join(" ")));
    }
    text.push_str(&format!(
        "every \"before\" came ahead of every \"after\" in {} of {} rounds ({})\n",
        report.rounds_before_all_first,
        report.rounds.len(),
        if report.use_barrier {
            "with the barrier"
        } else {
            "without a barrier"
        }
    ));
    text
}
