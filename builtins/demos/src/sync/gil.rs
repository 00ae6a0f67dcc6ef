//! `gil`: the lab's `race_condition.py` under an interpreter's global
//! lock. Two threads run `var += 1` and `var -= 1` as bytecodes (LOAD, ADD,
//! STORE) of a tiny interpreter: without a global lock updates are lost;
//! with one held per statement var always ends at 0; with one handed over
//! every K bytecodes, as CPython does, a hand-over inside a statement can
//! still lose an update.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};
use std::thread;
use std::time::Instant;

use clap::{Parser, ValueEnum};
use serde::Serialize;

use crate::io::{Io, Status};
use crate::sync::start::{Gate, allowed_cpus, pin};
use crate::{Out, Output, millis, options};

const HELP: &str = include_str!("gil.txt");

#[derive(Parser)]
#[command(name = "gil", override_help = HELP)]
struct Options {
    #[arg(long, value_enum, default_value_t = Choice::All)]
    variant: Choice,
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    iterations: u64,
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    switch_every: u64,
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Choice {
    None,
    Statement,
    Bytecode,
    All,
}

/// How the interpreter shares itself between the threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Variant {
    None,
    Statement,
    Bytecode,
}

/// The three bytecodes of `var += k`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Load,
    Add,
    Store,
}

const STATEMENT: [Op; 3] = [Op::Load, Op::Add, Op::Store];

#[derive(Debug, Serialize)]
struct Run {
    variant: Variant,
    iterations: u64,
    /// For `bytecode`: bytecodes between hand-overs.
    switch_every: Option<u64>,
    /// Where var ended: 0 unless an update was lost.
    var: i64,
    /// Times the lock passed from one thread to the other.
    hand_overs: u64,
    /// Hand-overs that fell between a statement's LOAD and its STORE.
    torn_statements: u64,
    time_ms: f64,
}

#[derive(Debug, Serialize)]
struct Report {
    runs: Vec<Run>,
}

pub fn run(io: &mut Io) -> Status {
    let options: Options = match options(io) {
        Ok(options) => options,
        Err(status) => return status,
    };
    let out = Out::new(io, &options.output);
    let variants = match options.variant {
        Choice::None => vec![Variant::None],
        Choice::Statement => vec![Variant::Statement],
        Choice::Bytecode => vec![Variant::Bytecode],
        Choice::All => vec![Variant::None, Variant::Statement, Variant::Bytecode],
    };
    out.say(format_args!(
        "two threads: `var += 1` and `var -= 1`, {} times each, as LOAD, ADD, STORE; expected var = 0",
        options.iterations
    ));
    let mut runs = Vec::new();
    for variant in variants {
        let run = match interpret(variant, options.iterations, options.switch_every) {
            Ok(run) => run,
            Err(e) => return io.fail(e, 1),
        };
        out.say(format_args!(
            "{:<10} var = {:>8}; {} hand-overs, {} inside a statement; {:.1} ms",
            format!("{:?}", run.variant).to_lowercase(),
            run.var,
            run.hand_overs,
            run.torn_statements,
            run.time_ms
        ));
        runs.push(run);
    }
    for line in notice(&runs) {
        out.notice(line);
    }
    if out.json() {
        return crate::json(io, &Report { runs });
    }
    0
}

/// The "what to notice" lines, from each variant's var and hand-overs.
fn notice(runs: &[Run]) -> Vec<String> {
    let mut lines = Vec::new();
    for run in runs {
        let line = match (run.variant, run.var) {
            (Variant::None, 0) => "no lock: var ended at 0 this time, the threads' LOADs and STOREs never crossed (try more --iterations)".to_owned(),
            (Variant::None, var) => format!(
                "no lock: var ended at {var}: a STORE between the other thread's LOAD and STORE overwrote its update"
            ),
            (Variant::Statement, 0) => format!(
                "lock per statement: var = 0 after {} hand-overs, none inside a statement: each line ran whole, as the lab says of the GIL",
                run.hand_overs
            ),
            (Variant::Statement, var) => format!("lock per statement, yet var = {var}: a bug in the demo"),
            (Variant::Bytecode, var) if run.torn_statements == 0 => format!(
                "lock handed over every {} bytecodes, never inside a statement: var = {var}",
                run.switch_every.unwrap_or(0)
            ),
            (Variant::Bytecode, 0) => format!(
                "lock handed over between bytecodes: {} hand-overs fell inside a statement, yet var = 0: the lost updates cancelled out, or none was lost",
                run.torn_statements
            ),
            (Variant::Bytecode, var) => format!(
                "lock handed over between bytecodes: {} hand-overs fell between a LOAD and its STORE, and var = {var}: under a GIL `var += 1` is still three steps",
                run.torn_statements
            ),
        };
        lines.push(line);
    }
    lines
}

/// The global interpreter lock, fair as CPython's: a thread that lets it
/// go while another waits does not take it back until that one has had
/// it (std's Mutex alone would let the same thread win again and again).
struct Gil {
    /// Which thread holds it (0 or 1), or none; and how many hand-overs.
    state: Mutex<GilState>,
    changed: Condvar,
}

struct GilState {
    holder: Option<usize>,
    /// Who held it last, to count hand-overs from one thread to the other.
    last: Option<usize>,
    waiting: [bool; 2],
    hand_overs: u64,
    torn: u64,
}

impl Gil {
    fn new() -> Gil {
        Gil {
            state: Mutex::new(GilState {
                holder: None,
                last: None,
                waiting: [false; 2],
                hand_overs: 0,
                torn: 0,
            }),
            changed: Condvar::new(),
        }
    }

    fn take(&self, me: usize) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.waiting[me] = true;
        while state.holder.is_some() {
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        state.waiting[me] = false;
        if state.last.is_some_and(|last| last != me) {
            state.hand_overs += 1;
        }
        state.holder = Some(me);
        state.last = Some(me);
        // A thread handing over waits to see it taken.
        self.changed.notify_all();
    }

    fn release(&self) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.holder = None;
        self.changed.notify_all();
    }

    /// A switch point: if the other thread waits, hand the lock over and
    /// wait for it back; `inside` says whether a statement is half done.
    fn switch(&self, me: usize, inside: bool) {
        let other = 1 - me;
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if !state.waiting[other] {
            return;
        }
        if inside {
            state.torn += 1;
        }
        state.holder = None;
        self.changed.notify_all();
        // Wait until the other has taken it (it may have let it go again
        // since, its statements done), then queue for it again.
        while state.last != Some(other) {
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        drop(state);
        self.take(me);
    }
}

/// Runs the two threads' statements under `variant`.
fn interpret(variant: Variant, iterations: u64, switch_every: u64) -> std::io::Result<Run> {
    // Atomic so that the lost updates are the program's logic, not
    // undefined behaviour; every access is a plain load or store.
    let var = AtomicI64::new(0);
    let gil = Gil::new();
    // One CPU each and a common start, as in race-condition: without a
    // lock, the threads must really run at the same time to collide.
    let cpus = allowed_cpus();
    let gate = Gate::new(2, cpus.len());
    let began = Instant::now();
    thread::scope(|scope| {
        let mut handles = Vec::new();
        for (me, step) in [(0usize, 1i64), (1, -1)] {
            let (var, gil, gate) = (&var, &gil, &gate);
            let cpu = if cpus.len() >= 2 {
                cpus.get(me).copied()
            } else {
                None
            };
            let handle = thread::Builder::new()
                .name(format!("py-thread-{me}"))
                .spawn_scoped(scope, move || {
                    if let Some(cpu) = cpu {
                        pin(cpu);
                    }
                    if gate.pass().is_some() {
                        run_thread(variant, me, step, iterations, switch_every, var, gil);
                    }
                })?;
            handles.push(handle);
        }
        for handle in handles {
            handle
                .join()
                .map_err(|_| std::io::Error::other("a thread panicked"))?;
        }
        Ok::<(), std::io::Error>(())
    })?;
    let state = gil
        .state
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    Ok(Run {
        variant,
        iterations,
        switch_every: (variant == Variant::Bytecode).then_some(switch_every),
        var: var.into_inner(),
        hand_overs: state.hand_overs,
        torn_statements: state.torn,
        time_ms: millis(began.elapsed()),
    })
}

/// One Python thread: `iterations` statements `var += step`, bytecode by
/// bytecode, taking the interpreter's lock as `variant` says.
fn run_thread(
    variant: Variant,
    me: usize,
    step: i64,
    iterations: u64,
    switch_every: u64,
    var: &AtomicI64,
    gil: &Gil,
) {
    let mut stack = 0i64;
    let mut executed = 0u64;
    if variant == Variant::Bytecode {
        gil.take(me);
    }
    for _ in 0..iterations {
        if variant == Variant::Statement {
            gil.take(me);
        }
        for (at, op) in STATEMENT.iter().enumerate() {
            match op {
                Op::Load => stack = var.load(Ordering::Relaxed),
                Op::Add => stack = std::hint::black_box(stack + step),
                Op::Store => var.store(stack, Ordering::Relaxed),
            }
            executed += 1;
            if variant == Variant::Bytecode && executed % switch_every == 0 {
                gil.switch(me, at + 1 < STATEMENT.len());
            }
        }
        if variant == Variant::Statement {
            gil.release();
        }
    }
    if variant == Variant::Bytecode {
        gil.release();
    }
}
