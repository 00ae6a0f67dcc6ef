//! `multithreaded`: the lab's first pthreads program ("Task:
//! Multithreaded"): N threads sleep at the same time, each reports its
//! index and its OS thread id when done, and the whole run takes about one
//! sleep, not N of them. With `--vary` each thread sleeps a different time,
//! given to it as its own argument.

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use clap::Parser;
use clap::builder::RangedU64ValueParser;
use nix::unistd::{getpid, gettid};
use serde::Serialize;

use crate::io::{Io, Status};
use crate::{Out, Output, millis, options};

const HELP: &str = include_str!("multithreaded.txt");

#[derive(Parser)]
#[command(name = "multithreaded", override_help = HELP)]
struct Options {
    #[arg(short = 'n', default_value_t = 5, value_parser = RangedU64ValueParser::<usize>::new().range(1..=MAX_THREADS))]
    threads: usize,
    #[arg(long, default_value_t = 5.0, value_parser = seconds)]
    seconds: f64,
    #[arg(long)]
    vary: bool,
    #[command(flatten)]
    output: Output,
}

/// Enough threads to see them overlap, few enough for any machine's
/// thread limit.
const MAX_THREADS: u64 = 4096;

/// An hour: longer than anyone watches a demo sleep.
const MAX_SECONDS: f64 = 3600.0;

fn seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if (0.0..=MAX_SECONDS).contains(&s) => Ok(s),
        Ok(_) => Err(format!("must be from 0 to {MAX_SECONDS} seconds")),
        Err(e) => Err(e.to_string()),
    }
}

/// One thread's own account of its run, sent to the main thread when done.
#[derive(Debug, Serialize)]
struct Finished {
    /// The index the main thread gave it, 0 to N-1, in creation order.
    index: usize,
    /// Its OS thread id, from gettid(): the kernel schedules it by this id.
    tid: i32,
    /// The sleep it was handed as its argument.
    asked_ms: f64,
    /// How long it actually slept.
    slept_ms: f64,
    /// When it woke, counted from the moment the first thread was started.
    done_at_ms: f64,
}

#[derive(Debug, Serialize)]
struct Report {
    pid: i32,
    /// The main thread's TID: the same number as the PID.
    main_tid: i32,
    threads: usize,
    /// The sleep asked for (--seconds), in ms.
    sleep_ms: f64,
    vary: bool,
    /// In the order the threads finished.
    finished: Vec<Finished>,
    /// From starting the first thread to joining the last.
    elapsed_ms: f64,
    /// What the run would take if the sleeps happened one after another.
    sum_of_sleeps_ms: f64,
}

pub fn run(io: &mut Io) -> Status {
    let options: Options = match options(io) {
        Ok(options) => options,
        Err(status) => return status,
    };
    let out = Out::new(io, &options.output);
    let report = match measure(&options, &out) {
        Ok(report) => report,
        Err(e) => return io.fail(e, 1),
    };
    for line in notice(&report) {
        out.notice(line);
    }
    if out.json() {
        return crate::json(io, &report);
    }
    0
}

/// The "what to notice" lines, from the times and TIDs measured.
fn notice(report: &Report) -> Vec<String> {
    let longest = report
        .finished
        .iter()
        .map(|f| f.slept_ms)
        .fold(0.0, f64::max);
    let mut lines = vec![
        if report.threads > 1 && report.elapsed_ms < report.sum_of_sleeps_ms * 0.75 {
            format!(
                "the threads slept at the same time: the run took {:.0} ms, about the longest sleep ({longest:.0} ms), not their sum ({:.0} ms)",
                report.elapsed_ms, report.sum_of_sleeps_ms
            )
        } else {
            format!(
                "the run took {:.0} ms; the sleeps add up to {:.0} ms",
                report.elapsed_ms, report.sum_of_sleeps_ms
            )
        },
    ];
    let mut tids: Vec<i32> = report.finished.iter().map(|f| f.tid).collect();
    tids.sort_unstable();
    tids.dedup();
    if tids.len() == report.threads {
        lines.push(format!(
            "each of the {} threads had a TID of its own, yet all of them share the one PID {}",
            report.threads, report.pid
        ));
    }
    lines
}

fn measure(options: &Options, out: &Out) -> std::io::Result<Report> {
    let n = options.threads;
    // Thread i's sleep. With --vary the first thread started sleeps
    // longest, so the finishing order is the reverse of the creation order.
    let naps = (0..n)
        .map(|i| {
            let share = if options.vary {
                (n - i) as f64 / n as f64
            } else {
                1.0
            };
            // clap has bounded the seconds; the check stays in case it did not.
            Duration::try_from_secs_f64(options.seconds * share)
                .map_err(|e| std::io::Error::other(format!("--seconds {}: {e}", options.seconds)))
        })
        .collect::<std::io::Result<Vec<Duration>>>()?;

    out.say(format_args!(
        "[main] PID {}, TID {}: starting {n} threads",
        getpid(),
        gettid()
    ));
    let (done, finished) = mpsc::channel();
    let start = Instant::now();
    let mut handles = Vec::with_capacity(n);
    for (index, &nap) in naps.iter().enumerate() {
        let (done, out) = (done.clone(), out.clone());
        // `index` and `nap` are copied into the closure: each thread owns
        // its argument. This is what the lab asks of C, passing each thread
        // a pointer to an int of its own rather than `&i`, which every
        // thread would share and read after the loop had changed it.
        let handle = thread::Builder::new()
            .name(format!("sleeper-{index}"))
            .spawn(move || {
                let tid = gettid().as_raw();
                out.say(format_args!(
                    "[thread {index}] TID {tid}: started {:.1} ms after the first, sleeping {:.0} ms",
                    millis(start.elapsed()),
                    millis(nap)
                ));
                let slept = Instant::now();
                thread::sleep(nap);
                let finished = Finished {
                    index,
                    tid,
                    asked_ms: millis(nap),
                    slept_ms: millis(slept.elapsed()),
                    done_at_ms: millis(start.elapsed()),
                };
                out.say(format_args!(
                    "[thread {index}] TID {tid}: done, slept {:.0} ms (asked {:.0} ms), {:.0} ms after the start",
                    finished.slept_ms, finished.asked_ms, finished.done_at_ms
                ));
                let _ = done.send(finished);
            })?;
        handles.push(handle);
    }
    drop(done);
    // The channel delivers the reports in the order they were sent, that
    // is, in the order the threads woke up.
    let finished: Vec<Finished> = finished.iter().collect();
    for handle in handles {
        let _ = handle.join();
    }
    let elapsed_ms = millis(start.elapsed());
    out.say(format_args!(
        "[main] joined all {n} threads after {elapsed_ms:.0} ms; their sleeps add up to {:.0} ms",
        finished.iter().map(|f| f.slept_ms).sum::<f64>()
    ));
    if finished.len() != n {
        return Err(std::io::Error::other(format!(
            "only {} of {n} threads reported",
            finished.len()
        )));
    }
    Ok(Report {
        pid: getpid().as_raw(),
        main_tid: gettid().as_raw(),
        threads: n,
        sleep_ms: crate::round_ms(options.seconds * 1000.0),
        vary: options.vary,
        sum_of_sleeps_ms: crate::round_ms(finished.iter().map(|f| f.slept_ms).sum()),
        finished,
        elapsed_ms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_out_of_range_are_refused_not_a_panic() {
        assert_eq!(seconds("0.5"), Ok(0.5));
        assert_eq!(seconds("3600"), Ok(3600.0));
        for bad in ["1e30", "3600.5", "-1", "NaN", "inf"] {
            assert!(seconds(bad).is_err(), "{bad}");
        }
    }
}
