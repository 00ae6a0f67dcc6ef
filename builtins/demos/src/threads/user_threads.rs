//! `user-threads`: the lecture's user-level against kernel-level threads.
//! One thread's blocking `read` stalls every user-level thread, which all
//! live on one kernel thread; among kernel threads it stalls only itself.
//! The user-level threads are tasks in a run queue, as in `cooperative`;
//! the kernel threads are std threads.

use std::collections::VecDeque;
use std::os::fd::OwnedFd;
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use nix::fcntl::OFlag;
use nix::unistd::{gettid, pipe2};
use serde::Serialize;

use crate::io::{Io, Status};
use crate::{Out, Output, millis, options};

const HELP: &str = include_str!("user_threads.txt");

/// Steps each of B and C makes: enough to cover the block and after.
const STEPS: u32 = 40;
/// One step's work.
const STEP: Duration = Duration::from_millis(1);

#[derive(Parser)]
#[command(name = "user-threads", override_help = HELP)]
struct Options {
    #[arg(long, value_enum, default_value_t = Choice::Both)]
    model: Choice,
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=60_000))]
    block: u64,
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Choice {
    User,
    Kernel,
    Both,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Model {
    User,
    Kernel,
}

#[derive(Debug, Serialize)]
struct Run {
    model: Model,
    /// The kernel threads the three ran on: 1 for user-level threads.
    kernel_threads: usize,
    /// When A's read began and returned, in ms since the start.
    read_began_ms: f64,
    read_returned_ms: f64,
    /// Steps B and C made while A's read was blocked.
    steps_during_read: u32,
    /// All steps of B and C.
    steps: u32,
    /// The longest pause between two steps of B or C.
    longest_gap_ms: f64,
    elapsed_ms: f64,
}

#[derive(Debug, Serialize)]
struct Report {
    block_ms: u64,
    runs: Vec<Run>,
}

pub fn run(io: &mut Io) -> Status {
    let options: Options = match options(io) {
        Ok(options) => options,
        Err(status) => return status,
    };
    let out = Out::new(io, &options.output);
    let models = match options.model {
        Choice::User => vec![Model::User],
        Choice::Kernel => vec![Model::Kernel],
        Choice::Both => vec![Model::User, Model::Kernel],
    };
    let block = Duration::from_millis(options.block);
    let mut runs = Vec::new();
    for model in models {
        out.say(format_args!(
            "{}: A reads a pipe filled in {} ms; B and C step, 1 ms each...",
            match model {
                Model::User => "user-level threads (one kernel thread, a run queue)",
                Model::Kernel => "kernel threads",
            },
            options.block
        ));
        let run = match measure(model, block) {
            Ok(run) => run,
            Err(e) => return io.fail(e, 1),
        };
        out.say(format_args!(
            "  A's read blocked from {:.1} to {:.1} ms; B and C made {} of their {} steps meanwhile; longest gap between steps {:.1} ms ({} kernel thread{})",
            run.read_began_ms,
            run.read_returned_ms,
            run.steps_during_read,
            run.steps,
            run.longest_gap_ms,
            run.kernel_threads,
            if run.kernel_threads == 1 { "" } else { "s" }
        ));
        runs.push(run);
    }
    let report = Report {
        block_ms: options.block,
        runs,
    };
    for line in notice(&report) {
        out.notice(line);
    }
    if out.json() {
        return crate::json(io, &report);
    }
    0
}

/// The "what to notice" lines, from the steps counted during the read.
fn notice(report: &Report) -> Vec<String> {
    report
        .runs
        .iter()
        .map(|run| match (run.model, run.steps_during_read) {
            (Model::User, 0) => format!(
                "user-level: no step of B or C while A's read blocked ({:.0} ms gap): the kernel saw one thread, and put it to sleep",
                run.longest_gap_ms
            ),
            (Model::User, n) => format!("user-level: {n} steps during the read, yet they share one kernel thread: a bug in the demo"),
            (Model::Kernel, 0) => "kernel threads: no step during the read this time (was the machine that busy?)".to_owned(),
            (Model::Kernel, n) => format!(
                "kernel threads: B and C made {n} steps while A slept in its read: the kernel blocks only the thread that reads"
            ),
        })
        .collect()
}

/// The times B and C noted, and A's read, from the start.
#[derive(Default)]
struct Log {
    steps: Vec<Duration>,
    read: Option<(Duration, Duration)>,
    tids: Vec<i32>,
}

/// A writer outside the threads under test (a kernel thread of its own,
/// for both models) fills the pipe after `block`.
fn start_writer(block: Duration) -> std::io::Result<(OwnedFd, thread::JoinHandle<()>)> {
    let (read_end, write_end) = pipe2(OFlag::O_CLOEXEC).map_err(std::io::Error::from)?;
    let writer = thread::Builder::new()
        .name("writer".into())
        .spawn(move || {
            thread::sleep(block);
            let _ = nix::unistd::write(&write_end, b"x");
        })?;
    Ok((read_end, writer))
}

fn measure(model: Model, block: Duration) -> std::io::Result<Run> {
    let log = Mutex::new(Log::default());
    let start = Instant::now();
    let (input, writer) = start_writer(block)?;
    match model {
        Model::User => user_level(&input, &log, start),
        Model::Kernel => kernel_level(&input, &log, start)?,
    }
    let _ = writer.join();
    let log = log.into_inner().unwrap_or_else(|e| e.into_inner());
    let (began, returned) = log.read.unwrap_or_default();
    let mut steps = log.steps.clone();
    steps.sort();
    let during = steps.iter().filter(|&&t| t > began && t < returned).count() as u32;
    let longest_gap = steps
        .windows(2)
        .map(|w| w[1] - w[0])
        .max()
        .unwrap_or_default();
    let mut tids = log.tids.clone();
    tids.sort_unstable();
    tids.dedup();
    Ok(Run {
        model,
        kernel_threads: tids.len(),
        read_began_ms: millis(began),
        read_returned_ms: millis(returned),
        steps_during_read: during,
        steps: steps.len() as u32,
        longest_gap_ms: millis(longest_gap),
        elapsed_ms: millis(start.elapsed()),
    })
}

/// One step of work: 1 ms of computing (not a sleep: a user-level thread
/// that slept would put the one kernel thread to sleep too).
fn step(log: &Mutex<Log>, start: Instant) {
    let until = Instant::now() + STEP;
    let mut x = 0u64;
    while Instant::now() < until {
        x = std::hint::black_box(x + 1);
    }
    let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
    log.steps.push(start.elapsed());
    log.tids.push(gettid().as_raw());
}

/// A's one job: a blocking read of one byte.
fn read_one(input: &OwnedFd, log: &Mutex<Log>, start: Instant) {
    let began = start.elapsed();
    log.lock()
        .unwrap_or_else(|e| e.into_inner())
        .tids
        .push(gettid().as_raw());
    let mut byte = [0u8; 1];
    while let Err(nix::Error::EINTR) = nix::unistd::read(input, &mut byte) {}
    log.lock().unwrap_or_else(|e| e.into_inner()).read = Some((began, start.elapsed()));
}

/// A user-level thread: the task's name and the steps it has left. A
/// real library would keep its registers and stack; here the next step
/// is enough.
struct Task {
    name: char,
    left: u32,
}

/// The run queue: the front task runs one step and yields (goes to the
/// back), all on this one kernel thread. B and C step first, then A reads.
fn user_level(input: &OwnedFd, log: &Mutex<Log>, start: Instant) {
    let mut queue: VecDeque<Task> = VecDeque::from([
        Task {
            name: 'B',
            left: STEPS,
        },
        Task {
            name: 'C',
            left: STEPS,
        },
        Task { name: 'A', left: 1 },
    ]);
    // A goes after a few rounds of B and C, so that they are mid-way.
    let mut rounds = 0;
    while let Some(mut task) = queue.pop_front() {
        if task.name == 'A' && rounds < 10 {
            queue.push_back(task);
            rounds += 1;
            continue;
        }
        match task.name {
            'A' => read_one(input, log, start),
            _ => step(log, start),
        }
        task.left -= 1;
        if task.left > 0 {
            queue.push_back(task);
        }
    }
}

/// Kernel threads: A, B and C each a std thread; the kernel schedules them.
fn kernel_level(input: &OwnedFd, log: &Mutex<Log>, start: Instant) -> std::io::Result<()> {
    thread::scope(|scope| {
        let mut handles = Vec::new();
        for name in ['A', 'B', 'C'] {
            let handle = thread::Builder::new()
                .name(format!("thread-{name}"))
                .spawn_scoped(scope, move || {
                    if name == 'A' {
                        // As in the user model: a few steps of B and C first.
                        thread::sleep(STEP * 5);
                        read_one(input, log, start);
                    } else {
                        for _ in 0..STEPS {
                            step(log, start);
                        }
                    }
                })?;
            handles.push(handle);
        }
        for handle in handles {
            handle
                .join()
                .map_err(|_| std::io::Error::other("a thread panicked"))?;
        }
        Ok(())
    })
}
