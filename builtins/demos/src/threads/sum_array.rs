//! `sum-array`: the lab's benchmark. Sum 100,000,000 ints one way after
//! another (a loop, threads, processes, a library reduce, and threads under
//! one global lock as Python's GIL makes them) and compare the times. Each
//! row is the median of several runs, shown with its spread, and the notes
//! are drawn from those medians. The summing itself is in
//! `sum_array/methods.rs`.

mod methods;

use std::time::Instant;

use clap::{Parser, ValueEnum};
use serde::Serialize;

use super::array::{LAB_LEN, try_random_ints};
use crate::io::{Io, Status};
use crate::{Out, Output, Progress, millis, options};
pub use methods::{Method, sum_slice, sum_with};

const HELP: &str = include_str!("sum_array.txt");

#[derive(Parser)]
#[command(name = "sum-array", override_help = HELP)]
struct Options {
    #[arg(long, value_enum, default_value_t = Choice::Sequential)]
    method: Choice,
    #[arg(short = 'n', long = "workers", value_parser = clap::value_parser!(u16).range(1..=256))]
    workers: Option<u16>,
    #[arg(long, default_value_t = LAB_LEN as u64, value_parser = clap::value_parser!(u64).range(0..=1_000_000_000))]
    len: u64,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Runs per row: the row shows their median and spread. Default: 5
    /// with `all`, 1 otherwise (the lab's one run).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=100))]
    runs: Option<u16>,
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Choice {
    Sequential,
    Threads,
    Processes,
    Rayon,
    Gil,
    All,
}

/// One method with one number of workers, run `runs` times.
#[derive(Debug, Serialize)]
struct Row {
    method: Method,
    workers: usize,
    sum: i64,
    runs: usize,
    /// The median of the runs' times: what the row stands for.
    ms: f64,
    min_ms: f64,
    max_ms: f64,
    /// (max - min) / median, in percent: how far the runs disagree.
    spread_pct: f64,
    /// The sequential median over this row's median.
    speedup: f64,
}

#[derive(Debug, Serialize)]
struct Report {
    len: usize,
    seed: u64,
    runs: usize,
    /// The median time of one plain loop, the speedups' reference.
    sequential_ms: f64,
    rows: Vec<Row>,
}

pub fn run(io: &mut Io) -> Status {
    let options: Options = match options(io) {
        Ok(options) => options,
        Err(status) => return status,
    };
    let out = Out::new(io, &options.output);
    let progress = Progress::new(io);
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let workers = options.workers.map_or(cpus, usize::from);
    let len = options.len as usize;
    let all = options.method == Choice::All;
    let runs = usize::from(options.runs.unwrap_or(if all { 5 } else { 1 }));
    out.say(format_args!(
        "making {len} random ints in [0, 1000) from seed {} (not timed)...",
        options.seed
    ));
    progress.show(format_args!("making {len} random ints..."));
    let array = match try_random_ints(len, options.seed) {
        Ok(array) => array,
        Err(e) => {
            progress.done();
            let message = format!("cannot make {len} ints: {e}");
            return io.fail(message, 1);
        }
    };
    let plan: Vec<(Method, usize)> = match options.method {
        Choice::All => Method::ALL
            .iter()
            .flat_map(|&m| {
                let counts: &[usize] = if m == Method::Sequential {
                    &[1]
                } else {
                    &[1, 2, 4, 8]
                };
                counts.iter().map(move |&n| (m, n))
            })
            .collect(),
        Choice::Sequential => vec![(Method::Sequential, 1)],
        Choice::Threads => vec![(Method::Threads, workers)],
        Choice::Processes => vec![(Method::Processes, workers)],
        Choice::Rayon => vec![(Method::Rayon, workers)],
        Choice::Gil => vec![(Method::Gil, workers)],
    };
    // The speedups compare with one plain loop, measured first in any case.
    let reference = match measure(&array, Method::Sequential, 1, runs, &progress) {
        Ok(row) => row,
        Err(e) => {
            progress.done();
            return io.fail(e, 1);
        }
    };
    if all {
        out.say(format_args!(
            "sum of {len} ints (seed {}): {}; each row the median of {runs} runs\n",
            options.seed, reference.sum
        ));
        out.say(format_args!(
            "{:<11} {:>7} {:>10} {:>8} {:>9}",
            "method", "workers", "median ms", "speedup", "spread"
        ));
    }
    let mut rows: Vec<Row> = Vec::new();
    for (method, workers) in plan {
        let measured = if (method, workers) == (Method::Sequential, 1) {
            Ok(clone_row(&reference))
        } else {
            measure(&array, method, workers, runs, &progress)
        };
        let mut row = match measured {
            Ok(row) => row,
            Err(e) => {
                progress.done();
                return io.fail(format_args!("{} x{workers}: {e}", method.name()), 1);
            }
        };
        row.speedup = crate::round_ms(reference.ms / row.ms.max(1e-6));
        progress.done();
        if all {
            out.say(format_args!(
                "{:<11} {:>7} {:>10.1} {:>7.2}x {:>8.0}%",
                row.method.name(),
                row.workers,
                row.ms,
                row.speedup,
                row.spread_pct
            ));
        } else {
            out.say(format_args!(
                "Array sum is {}\nTime spent: {:.0} ms",
                row.sum, row.ms
            ));
        }
        rows.push(row);
    }
    progress.done();
    let report = Report {
        len,
        seed: options.seed,
        runs,
        sequential_ms: reference.ms,
        rows,
    };
    if all {
        out.text(&chart(&report));
    }
    for line in notice(&report, all) {
        out.notice(line);
    }
    if out.json() {
        return crate::json(io, &report);
    }
    0
}

fn clone_row(row: &Row) -> Row {
    Row {
        method: row.method,
        workers: row.workers,
        sum: row.sum,
        runs: row.runs,
        ms: row.ms,
        min_ms: row.min_ms,
        max_ms: row.max_ms,
        spread_pct: row.spread_pct,
        speedup: row.speedup,
    }
}

/// Sums with `method` `runs` times, timing only the summing, and keeps
/// the median, the fastest and the slowest.
fn measure(
    array: &[i32],
    method: Method,
    workers: usize,
    runs: usize,
    progress: &Progress,
) -> Result<Row, String> {
    let mut sum = 0;
    let mut times = Vec::with_capacity(runs);
    for run in 1..=runs {
        progress.show(format_args!(
            "{} x{workers}: run {run} of {runs}",
            method.name()
        ));
        let start = Instant::now();
        sum = sum_with(array, method, workers)?;
        times.push(millis(start.elapsed()));
    }
    times.sort_by(f64::total_cmp);
    let ms = crate::round_ms(crate::median(&times));
    let (min_ms, max_ms) = (
        times.first().copied().unwrap_or(0.0),
        times.last().copied().unwrap_or(0.0),
    );
    Ok(Row {
        method,
        workers,
        sum,
        runs,
        ms,
        min_ms,
        max_ms,
        spread_pct: if ms > 0.0 {
            crate::round_ms(100.0 * (max_ms - min_ms) / ms)
        } else {
            0.0
        },
        speedup: 1.0,
    })
}

/// The "what to notice" lines, each chosen from this run's medians: a
/// claim the numbers contradict is never printed.
fn notice(report: &Report, all: bool) -> Vec<String> {
    if !all {
        return vec![
            "the array is made before the clock starts; only the summing is timed".to_owned(),
        ];
    }
    let best = |method: Method| {
        report
            .rows
            .iter()
            .filter(|r| r.method == method && r.runs > 0)
            .max_by(|a, b| a.speedup.total_cmp(&b.speedup))
    };
    let mut lines = Vec::new();
    if let (Some(threads), Some(rayon)) = (best(Method::Threads), best(Method::Rayon)) {
        let top = threads.speedup.max(rayon.speedup);
        lines.push(format!(
            "best speedup over one loop: threads {:.2}x (x{}), rayon {:.2}x (x{}){}",
            threads.speedup,
            threads.workers,
            rayon.speedup,
            rayon.workers,
            if top < 1.5 {
                ": more workers hardly helped, as when one core already reads memory as fast as it comes"
            } else {
                ": the work split over the cores"
            }
        ));
    }
    if let Some(gil) = best(Method::Gil) {
        let spread = gil.spread_pct;
        lines.push(if gil.speedup <= 1.25 {
            format!(
                "the GIL rows peaked at {:.2}x: with one global lock, only one thread adds at a time",
                gil.speedup
            )
        } else {
            format!(
                "the GIL rows reached {:.2}x (x{}, its runs spread {spread:.0}%), though only one thread adds at a time: no faster adding, so the difference is in the reference loop's runs or the machine",
                gil.speedup, gil.workers
            )
        });
    }
    if let Some(processes) = best(Method::Processes) {
        let one = report
            .rows
            .iter()
            .find(|r| r.method == Method::Processes && r.workers == 1);
        if let Some(one) = one.filter(|one| one.ms > report.sequential_ms * 1.1) {
            lines.push(format!(
                "one process took {:.1} ms against the loop's {:.1} ms: fork copies the page tables of a parent holding the {:.0} MB array; the best was {:.2}x with {}",
                one.ms,
                report.sequential_ms,
                report.len as f64 * 4.0 / 1e6,
                processes.speedup,
                processes.workers
            ));
        }
    }
    let spread = report.rows.iter().map(|r| r.spread_pct).fold(0.0, f64::max);
    if spread > 50.0 {
        lines.push(format!(
            "some rows' runs differ by up to {spread:.0}% of their median: the machine was busy; compare medians, not single runs"
        ));
    }
    lines
}

/// `--method all`: a bar chart of the medians, after the table.
fn chart(report: &Report) -> String {
    let slowest = report
        .rows
        .iter()
        .map(|r| r.ms)
        .fold(0.0, f64::max)
        .max(1e-9);
    let mut text = String::from("\n");
    for row in &report.rows {
        let width = ((row.ms / slowest) * 40.0).round() as usize;
        text.push_str(&format!(
            "{:>14} |{} {:.1} ms\n",
            format!("{} x{}", row.method.name(), row.workers),
            "#".repeat(width.max(1)),
            row.ms
        ));
    }
    if report.rows.iter().any(|r| r.sum != report.rows[0].sum) {
        text.push_str("WARNING: the methods disagree on the sum\n");
    }
    text
}
