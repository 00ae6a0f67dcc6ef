//! `schedule`: the lecture's "Scheduling Algorithms" simulated over burst
//! times given on the command line: first come first served, round-robin
//! (the lecture's example: P1:4 P2:3 P3:5 with a time slice of 2), fixed
//! priority, priority-based round-robin and CFS. It prints a Gantt chart,
//! each process's response, waiting and turnaround times, and their
//! averages.
//!
//! Each algorithm is a pure function in a file of its own, from the
//! processes (and a time slice) to the timeline of [`Slice`]s it ran. Here:
//! the options, and the times derived from the timeline; [`workload`] reads
//! the processes, [`print`] shows the results. Every process arrives at
//! time 0, as in the lecture's example, so turnaround = completion time,
//! waiting = turnaround - burst, response = the start of its first slice.

mod cfs;
mod fcfs;
mod gantt;
mod print;
mod priority;
mod rr;
mod workload;

pub(crate) use self::cfs::weight;

use clap::{Parser, ValueEnum};
use serde::Serialize;

use self::workload::{MAX_TIME, Process};
use crate::io::{Io, Status};
use crate::{Output, emit, options};

const HELP: &str = include_str!("schedule.txt");

#[derive(Parser)]
#[command(name = "schedule", override_help = HELP)]
struct Options {
    #[arg(long, value_enum, default_value_t = Algo::Rr)]
    algo: Algo,
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_TIME)))]
    quantum: u32,
    #[arg(long)]
    steps: bool,
    #[arg(value_name = "NAME:BURST[:PRIORITY]", value_parser = workload::parse)]
    processes: Vec<Process>,
    #[command(flatten)]
    output: Output,
}

/// The scheduling algorithms the demo simulates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
enum Algo {
    Fcfs,
    Rr,
    Priority,
    PriorityRr,
    Cfs,
}

impl Algo {
    fn title(self) -> &'static str {
        match self {
            Algo::Fcfs => "first come, first served",
            Algo::Rr => "round-robin",
            Algo::Priority => "fixed priority, non-preemptive",
            Algo::PriorityRr => "priority-based round-robin",
            Algo::Cfs => "CFS",
        }
    }

    /// Whether the algorithm cuts bursts into time slices.
    fn preempts(self) -> bool {
        matches!(self, Algo::Rr | Algo::PriorityRr | Algo::Cfs)
    }

    /// What the scheduler keeps its ready processes in, for `--steps`.
    fn holder(self) -> &'static str {
        match self {
            Algo::Fcfs | Algo::Rr => "queue",
            Algo::Priority => "ready",
            Algo::PriorityRr => "queues",
            Algo::Cfs => "tree",
        }
    }

    fn notice(self) -> [&'static str; 2] {
        match self {
            Algo::Fcfs => [
                "each process waits for the whole bursts of all those before it",
                "a long burst in front makes everyone behind it wait: try it last",
            ],
            Algo::Rr => [
                "the processes take turns of one time slice, in the order they were queued",
                "a larger slice means fewer context switches; a smaller one lets every process start sooner",
            ],
            Algo::Priority => [
                "the lowest nice value runs first and to the end; equal ones in the order given",
                "a low-priority process waits for every higher one: with new arrivals, it may starve",
            ],
            Algo::PriorityRr => [
                "the highest-priority queue runs round-robin; lower queues wait until it is empty",
                "a low-priority process waits for every higher one: with new arrivals, it may starve",
            ],
            Algo::Cfs => [
                "each time slice goes to the leftmost process in the tree: the smallest vruntime",
                "a lower nice value means a larger weight: vruntime grows slower, so it runs more often",
            ],
        }
    }
}

/// One dispatch: `process` ran from `start` to `end`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slice {
    /// The process's index in the workload.
    pub process: usize,
    pub start: u32,
    pub end: u32,
    /// What the scheduler chose from, in the order it picks: `process`
    /// first, then those left waiting.
    pub ready: Vec<Ready>,
}

/// A ready process as the scheduler saw it at a dispatch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ready {
    pub process: usize,
    /// cfs only: its vruntime then, in [`cfs::SCALE`]ths of a time unit.
    pub vruntime: Option<u64>,
}

impl Ready {
    /// The processes `ids` as a ready list without vruntimes.
    fn list(ids: impl IntoIterator<Item = usize>) -> Vec<Ready> {
        ids.into_iter()
            .map(|process| Ready {
                process,
                vruntime: None,
            })
            .collect()
    }
}

#[derive(Debug, Serialize)]
struct Report {
    algorithm: Algo,
    /// The time slice, for the algorithms that use one.
    quantum: Option<u32>,
    /// The CPU's time line, one entry per dispatch.
    gantt: Vec<Bar>,
    processes: Vec<Row>,
    average_response: f64,
    average_waiting: f64,
    average_turnaround: f64,
    /// Dispatches of a process other than the one that ran just before.
    context_switches: usize,
}

#[derive(Debug, Serialize)]
struct Bar {
    process: String,
    start: u32,
    end: u32,
    /// What was ready, in the order the scheduler picks.
    ready: Vec<Entry>,
}

#[derive(Debug, Serialize)]
struct Entry {
    process: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    vruntime: Option<f64>,
}

#[derive(Debug, Serialize)]
struct Row {
    name: String,
    burst: u32,
    priority: i32,
    /// When it first ran; it arrived at 0, so this is its response time.
    response: u32,
    /// When it finished; it arrived at 0, so this is its turnaround too.
    completion: u32,
    waiting: u32,
    turnaround: u32,
    /// cfs only: its vruntime at the end, in time units.
    #[serde(skip_serializing_if = "Option::is_none")]
    vruntime: Option<f64>,
}

/// The lecture's example, run when no process is given.
const LECTURE: [&str; 3] = ["P1:4", "P2:3", "P3:5"];

pub fn run(io: &mut Io) -> Status {
    let mut options: Options = match options(io) {
        Ok(options) => options,
        Err(status) => return status,
    };
    if options.processes.is_empty() {
        options.processes = LECTURE
            .iter()
            .filter_map(|p| workload::parse(p).ok())
            .collect();
        if !options.output.json {
            io.out.line(format_args!(
                "the lecture's example: {} (give NAME:BURST[:PRIORITY]... for others)",
                LECTURE.join(" ")
            ));
        }
    }
    if let Err(message) = workload::check(&options.processes) {
        return io.fail(message, 2);
    }
    let slices = simulate(options.algo, &options.processes, options.quantum);
    let report = report(&options, &slices);
    let steps = options.steps;
    emit(
        io,
        &options.output,
        &report,
        |report| print::human(report, steps),
        &options.algo.notice(),
    )
}

fn simulate(algo: Algo, processes: &[Process], quantum: u32) -> Vec<Slice> {
    match algo {
        Algo::Fcfs => fcfs::schedule(processes),
        Algo::Rr => rr::schedule(processes, quantum),
        Algo::Priority => priority::schedule(processes),
        Algo::PriorityRr => priority::schedule_rr(processes, quantum),
        Algo::Cfs => cfs::schedule(processes, quantum),
    }
}

/// Derives each process's times from the timeline.
fn report(options: &Options, slices: &[Slice]) -> Report {
    let processes = &options.processes;
    let name = |i: usize| processes[i].name.clone();
    let vruntimes = (options.algo == Algo::Cfs).then(|| cfs::vruntimes(processes, slices));
    let rows: Vec<Row> = processes
        .iter()
        .enumerate()
        .map(|(i, process)| {
            let own = || slices.iter().filter(move |s| s.process == i);
            let response = own().map(|s| s.start).min().unwrap_or(0);
            let completion = own().map(|s| s.end).max().unwrap_or(0);
            Row {
                name: process.name.clone(),
                burst: process.burst,
                priority: process.priority,
                response,
                completion,
                waiting: completion - process.burst,
                turnaround: completion,
                vruntime: vruntimes.as_ref().map(|v| cfs::in_units(v[i])),
            }
        })
        .collect();
    let average = |value: fn(&Row) -> u32| {
        rows.iter().map(|r| f64::from(value(r))).sum::<f64>() / rows.len() as f64
    };
    Report {
        algorithm: options.algo,
        quantum: options.algo.preempts().then_some(options.quantum),
        gantt: slices
            .iter()
            .map(|slice| Bar {
                process: name(slice.process),
                start: slice.start,
                end: slice.end,
                ready: slice
                    .ready
                    .iter()
                    .map(|r| Entry {
                        process: name(r.process),
                        vruntime: r.vruntime.map(cfs::in_units),
                    })
                    .collect(),
            })
            .collect(),
        average_response: average(|r| r.response),
        average_waiting: average(|r| r.waiting),
        average_turnaround: average(|r| r.turnaround),
        context_switches: slices
            .windows(2)
            .filter(|pair| pair[0].process != pair[1].process)
            .count(),
        processes: rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A workload from the command line's words.
    pub fn workload(words: &str) -> Vec<Process> {
        words
            .split_whitespace()
            .map(|w| workload::parse(w).unwrap())
            .collect()
    }

    /// The order the processes ran in and when each finished.
    pub fn outcome(processes: &[Process], slices: &[Slice]) -> (String, Vec<u32>) {
        let order: Vec<&str> = slices
            .iter()
            .map(|s| processes[s.process].name.as_str())
            .collect();
        let completion = (0..processes.len())
            .map(|i| {
                slices
                    .iter()
                    .filter(|s| s.process == i)
                    .map(|s| s.end)
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        (order.join(" "), completion)
    }

    #[test]
    fn times_come_from_the_timeline() {
        let options = Options::try_parse_from(["schedule", "P1:4", "P2:3", "P3:5"]).unwrap();
        let slices = simulate(options.algo, &options.processes, options.quantum);
        let report = report(&options, &slices);
        let waiting: Vec<u32> = report.processes.iter().map(|r| r.waiting).collect();
        assert_eq!(waiting, [4, 6, 7]);
        let response: Vec<u32> = report.processes.iter().map(|r| r.response).collect();
        assert_eq!(response, [0, 2, 4]);
        assert_eq!(report.context_switches, 5);
        assert!((report.average_turnaround - 29.0 / 3.0).abs() < 1e-9);
    }
}
