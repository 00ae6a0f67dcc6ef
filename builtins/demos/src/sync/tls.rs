//! `tls`: the race-condition counter as a thread-local variable (the
//! lecture's `thread_local int tmp`; the lab's CLONE_SETTLS). Every thread
//! increments a copy of its own, at an address of its own, so nothing is
//! shared and no synchronization is needed; the price is that there is no
//! single total until the main thread adds the copies up.

use std::cell::Cell;
use std::hint::black_box;
use std::thread;
use std::time::Instant;

use clap::Parser;
use nix::unistd::gettid;
use serde::Serialize;

use crate::io::{Io, Status};
use crate::{Output, emit, millis, options};

const HELP: &str = include_str!("tls.txt");

/// More threads than this only measures the thread limit.
const MAX_THREADS: usize = 1024;

#[derive(Parser)]
#[command(name = "tls", override_help = HELP)]
struct Options {
    #[arg(short = 'n', default_value_t = 2, value_parser = thread_count)]
    threads: usize,
    #[arg(long, default_value_t = 1_000_000)]
    iterations: u64,
    #[command(flatten)]
    output: Output,
}

fn thread_count(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (1..=MAX_THREADS).contains(&n) => Ok(n),
        Ok(_) => Err(format!("must be from 1 to {MAX_THREADS}")),
        Err(e) => Err(e.to_string()),
    }
}

thread_local! {
    /// The counter. Each thread that touches it gets a fresh copy, set to 0,
    /// in its own thread-local storage block (which the kernel was told
    /// about with CLONE_SETTLS when the thread was created).
    static VAR: Cell<u64> = const { Cell::new(0) };
}

/// One thread's copy of var, as that thread saw it.
#[derive(Debug, Serialize)]
struct ThreadCopy {
    /// 1 to THREADS, in creation order; 0 for the main thread.
    thread: usize,
    tid: i32,
    /// The copy's value when the thread was done.
    var: u64,
    /// Where the copy lives, in the process's one address space.
    #[serde(serialize_with = "crate::hex")]
    address: u64,
}

#[derive(Debug, Serialize)]
struct Report {
    threads: usize,
    iterations: u64,
    /// In creation order.
    copies: Vec<ThreadCopy>,
    /// The main thread's own copy, which no thread incremented.
    main: ThreadCopy,
    /// The copies added up by the main thread after joining each thread.
    sum: u64,
    /// From starting the first thread to joining the last.
    time_ms: f64,
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
    emit(
        io,
        &options.output,
        &report,
        human,
        &[
            "each thread incremented a copy of its own (see the addresses): nothing is shared, so nothing is lost",
            "one shared total would need an atomic or a lock (race-condition); here main adds the copies after join",
        ],
    )
}

fn measure(options: &Options) -> std::io::Result<Report> {
    let iterations = options.iterations;
    let start = Instant::now();
    let mut handles = Vec::with_capacity(options.threads);
    for thread in 1..=options.threads {
        let handle = thread::Builder::new()
            .name(format!("tls-{thread}"))
            .spawn(move || {
                for _ in 0..iterations {
                    // black_box keeps the compiler from folding the loop
                    // into one addition: each thread does N increments.
                    VAR.with(|var| var.set(black_box(var.get()) + 1));
                }
                this_copy(thread)
            })?;
        handles.push(handle);
    }
    // Joining is the synchronization that makes each thread's result
    // visible to the main thread: it waits for the thread to end.
    let mut copies = Vec::with_capacity(handles.len());
    for handle in handles {
        match handle.join() {
            Ok(copy) => copies.push(copy),
            Err(_) => return Err(std::io::Error::other("a thread panicked")),
        }
    }
    let time_ms = millis(start.elapsed());
    let sum = copies.iter().map(|copy| copy.var).sum();
    Ok(Report {
        threads: options.threads,
        iterations,
        copies,
        main: this_copy(0),
        sum,
        time_ms,
    })
}

/// The calling thread's copy of var: its value and address.
fn this_copy(thread: usize) -> ThreadCopy {
    VAR.with(|var| ThreadCopy {
        thread,
        tid: gettid().as_raw(),
        var: var.get(),
        address: std::ptr::from_ref(var) as usize as u64,
    })
}

fn human(report: &Report) -> String {
    let mut text = format!(
        "{} threads x {} increments of a thread-local var, no lock, no atomic:\n",
        report.threads, report.iterations
    );
    for copy in &report.copies {
        text.push_str(&format!(
            "thread {} (TID {}): var = {} at {:#x}\n",
            copy.thread, copy.tid, copy.var, copy.address
        ));
    }
    text.push_str(&format!(
        "main     (TID {}): var = {} at {:#x}\n",
        report.main.tid, report.main.var, report.main.address
    ));
    text.push_str(&format!(
        "time = {:.1} ms; the copies add up to {}\n",
        report.time_ms, report.sum
    ));
    text
}
