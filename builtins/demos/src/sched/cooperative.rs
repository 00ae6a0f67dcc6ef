//! `cooperative`: the lecture's "Cooperative Scheduler - Demo" (Unikraft's
//! ukschedcoop): a user-level scheduler that keeps its ready tasks in a run
//! queue and runs the one at the front until it yields or finishes.
//! Nothing interrupts a task; only its own yield gives the CPU back.
//!
//! The tasks are not OS threads: they are values in this one process and
//! its one thread, which the scheduler resumes in turn. A user-level
//! thread library saves where a thread stopped in the registers on its
//! stack; a [`Task`] saves it in a field, its next step.

use std::collections::VecDeque;

use clap::Parser;
use serde::Serialize;

use crate::io::{Io, Status};
use crate::{Output, emit, options};

const HELP: &str = include_str!("cooperative.txt");

#[derive(Parser)]
#[command(name = "cooperative", override_help = HELP)]
struct Options {
    #[arg(long = "yield")]
    yields: bool,
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=26))]
    tasks: u32,
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(0..=100))]
    steps: u32,
    #[command(flatten)]
    output: Output,
}

/// One thing a task did, in the order the tasks did them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Event {
    task: u32,
    what: What,
    /// The step's number, for a step.
    #[serde(skip_serializing_if = "Option::is_none")]
    step: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum What {
    Created,
    Step,
    Finished,
}

impl Event {
    /// The line the lecture's demo prints for it.
    fn line(&self) -> String {
        match (self.what, self.step) {
            (What::Created, _) => format!("Thread {} created!", self.task),
            (What::Step, step) => format!("Thread {}: step {}", self.task, step.unwrap_or(0)),
            (What::Finished, _) => format!("Thread {} finished!", self.task),
        }
    }
}

/// A task: the lecture's thread function as a state machine, so that the
/// scheduler can leave it at a yield and resume it there later.
struct Task {
    id: u32,
    steps: u32,
    yields: bool,
    started: bool,
    /// Where it stopped: the step it runs next.
    next_step: u32,
}

/// Why a task gave the CPU back to the scheduler.
enum Stop {
    Yielded,
    Finished,
}

impl Task {
    /// Runs the task from where it stopped until it yields or finishes,
    /// recording what it does in `log`.
    fn resume(&mut self, log: &mut Vec<Event>) -> Stop {
        let event = |what, step| Event {
            task: self.id,
            what,
            step,
        };
        if !self.started {
            self.started = true;
            log.push(event(What::Created, None));
        }
        while self.next_step < self.steps {
            log.push(event(What::Step, Some(self.next_step)));
            self.next_step += 1;
            if self.yields {
                return Stop::Yielded;
            }
        }
        log.push(event(What::Finished, None));
        Stop::Finished
    }
}

#[derive(Debug, Serialize)]
struct Report {
    yields: bool,
    tasks: u32,
    steps: u32,
    /// What the tasks did, in the order they ran.
    events: Vec<Event>,
    /// How many times the scheduler resumed a task.
    resumes: u32,
    /// Resumes of a task other than the one that ran just before.
    context_switches: u32,
}

pub fn run(io: &mut Io) -> Status {
    let options: Options = match options(io) {
        Ok(options) => options,
        Err(status) => return status,
    };
    let report = schedule(options.tasks, options.steps, options.yields);
    let notice = if options.yields {
        [
            "each yield sends the task to the back of the run queue: the steps alternate",
            "a task still decides when to yield: one that never does keeps the CPU",
        ]
    } else {
        [
            "nothing preempts a task: without a yield, task 1 keeps the CPU until it finishes",
            "task 2 does not even start until then: a task that never ended would starve it",
        ]
    };
    emit(io, &options.output, &report, human, &notice)
}

/// The scheduler: take the task at the front of the run queue, resume it,
/// and put it at the back if it yielded; until the queue is empty.
fn schedule(tasks: u32, steps: u32, yields: bool) -> Report {
    let mut queue: VecDeque<Task> = (1..=tasks)
        .map(|id| Task {
            id,
            steps,
            yields,
            started: false,
            next_step: 0,
        })
        .collect();
    let mut events = Vec::new();
    let (mut resumes, mut context_switches) = (0, 0);
    let mut last = None;
    while let Some(mut task) = queue.pop_front() {
        resumes += 1;
        if last.is_some_and(|id| id != task.id) {
            context_switches += 1;
        }
        last = Some(task.id);
        match task.resume(&mut events) {
            Stop::Yielded => queue.push_back(task),
            Stop::Finished => {}
        }
    }
    Report {
        yields,
        tasks,
        steps,
        events,
        resumes,
        context_switches,
    }
}

fn human(report: &Report) -> String {
    let mut text = String::new();
    for event in &report.events {
        text.push_str(&event.line());
        text.push('\n');
    }
    text.push_str(&format!(
        "[scheduler] tasks resumed: {}; context switches: {}\n",
        report.resumes, report.context_switches
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(report: &Report) -> Vec<String> {
        report.events.iter().map(Event::line).collect()
    }

    #[test]
    fn without_yield_task_1_runs_to_the_end_first() {
        let report = schedule(2, 3, false);
        assert_eq!(
            lines(&report),
            [
                "Thread 1 created!",
                "Thread 1: step 0",
                "Thread 1: step 1",
                "Thread 1: step 2",
                "Thread 1 finished!",
                "Thread 2 created!",
                "Thread 2: step 0",
                "Thread 2: step 1",
                "Thread 2: step 2",
                "Thread 2 finished!",
            ]
        );
        assert_eq!((report.resumes, report.context_switches), (2, 1));
    }

    #[test]
    fn with_yield_the_steps_interleave_as_in_the_lecture() {
        let report = schedule(2, 3, true);
        assert_eq!(
            lines(&report),
            [
                "Thread 1 created!",
                "Thread 1: step 0",
                "Thread 2 created!",
                "Thread 2: step 0",
                "Thread 1: step 1",
                "Thread 2: step 1",
                "Thread 1: step 2",
                "Thread 2: step 2",
                "Thread 1 finished!",
                "Thread 2 finished!",
            ]
        );
        // Three yields and the final resume each, alternating every time.
        assert_eq!((report.resumes, report.context_switches), (8, 7));
    }

    #[test]
    fn a_task_without_steps_just_starts_and_finishes() {
        let report = schedule(1, 0, true);
        assert_eq!(lines(&report), ["Thread 1 created!", "Thread 1 finished!"]);
    }
}
