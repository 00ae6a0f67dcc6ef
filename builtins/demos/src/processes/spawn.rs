//! `spawn`: the lecture's "system vs posix_spawn vs fork+exec" and the lab's
//! "Guide: system Dissected". It runs one command the way each API does,
//! traces one call of each with ptrace to show the processes the call
//! created and who called execve with what, and times N calls, from the
//! call to the child reaped, with the parent small and then large.
//!
//! How the processes are measured: the demo makes one call of each method
//! in a copy of itself that it traces with ptrace, following every process
//! the call creates, as strace -f does (see [`crate::trace`]). The
//! timed calls run untraced, in the demo itself. The four methods, and what
//! they prepare before the first call, are in `spawn/methods.rs`.

mod methods;

use std::ffi::OsString;
use std::time::Instant;

use clap::builder::RangedU64ValueParser;
use clap::{Parser, ValueEnum};
use serde::Serialize;

use self::methods::{Method, Outcome, Prepared, spawn_once};
use crate::io::{Io, Status};
use crate::trace::{self, Trace};
use crate::{Output, emit, millis, options};

const HELP: &str = include_str!("spawn.txt");

#[derive(Parser)]
#[command(name = "spawn", override_help = HELP)]
struct Options {
    #[arg(long, value_enum, default_value_t = Choice::All)]
    method: Choice,
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    runs: u32,
    #[arg(long, value_name = "MIB", default_value_t = 0, value_parser = mib())]
    ballast: usize,
    #[arg(long, value_name = "MIB", default_value_t = 256, value_parser = mib())]
    large_ballast: usize,
    #[command(flatten)]
    output: Output,
    /// The command and its arguments; words after CMD are its own, even
    /// when they look like options.
    #[arg(required = true, trailing_var_arg = true, value_name = "CMD")]
    command: Vec<OsString>,
}

/// The largest ballast, in MiB: 16 GiB, more than fork needs to show its
/// cost, and far from overflowing a byte count.
const MAX_BALLAST_MIB: u64 = 16384;

fn mib() -> RangedU64ValueParser<usize> {
    RangedU64ValueParser::new().range(0..=MAX_BALLAST_MIB)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Choice {
    ForkExec,
    Vfork,
    PosixSpawn,
    System,
    All,
}

#[derive(Debug, Serialize)]
struct Report {
    command: Vec<String>,
    runs: u32,
    /// The ballast sizes the methods were timed at, in MiB.
    ballast_mib: Vec<usize>,
    methods: Vec<MethodReport>,
    /// Whether every call ran the command and it exited with 0.
    ok: bool,
}

#[derive(Debug, Serialize)]
struct MethodReport {
    method: &'static str,
    calls: &'static str,
    /// What one traced call did; `None` when it could not be traced.
    traced: Option<Trace>,
    /// Why it could not be traced.
    not_observed: Option<String>,
    /// One timing per ballast size, in the order of `ballast_mib`.
    timings: Vec<Timing>,
}

#[derive(Debug, Serialize)]
struct Timing {
    ballast_mib: usize,
    /// The demo's VmRSS just before the calls.
    rss_kib: Option<u64>,
    /// Calls that ran the command and saw it exit with 0.
    runs: u32,
    median_ms: Option<f64>,
    min_ms: Option<f64>,
    max_ms: Option<f64>,
    /// This median over the smallest median at the same ballast.
    ratio_to_fastest: Option<f64>,
    /// The first call that failed, which ends the timing: `run 1: exited
    /// with 127`.
    failure: Option<String>,
}

pub fn run(io: &mut Io) -> Status {
    let options: Options = match options(io) {
        Ok(options) => options,
        Err(status) => return status,
    };
    let prepared = match Prepared::new(&options.command) {
        Ok(prepared) => prepared,
        Err(message) => return io.fail(message, 2),
    };
    let report = match measure(&options, &prepared) {
        Ok(report) => report,
        Err(e) => return io.fail(e, 1),
    };
    let notice: &[&str] = match options.method {
        Choice::All => &[
            "fork copies the parent's page tables: its time grows with the RSS; vfork's does not",
            "system() starts /bin/sh, which then runs CMD: one more execve, often one more process",
        ],
        Choice::ForkExec => &[
            "the child is a copy (no CLONE_VM); execvpe tries the PATH entries until an execve works",
        ],
        Choice::Vfork => {
            &["the child borrows the parent's memory; the parent sleeps until the child's execve"]
        }
        Choice::PosixSpawn => &[
            "glibc clones with CLONE_VM|CLONE_VFORK: a vfork, with the child on a stack of its own",
        ],
        Choice::System => &[
            "system() execs /bin/sh -c 'CMD'; sh then runs CMD, in place or in a child of its own",
        ],
    };
    let printed = emit(io, &options.output, &report, human, notice);
    if report.ok {
        return printed;
    }
    for method in &report.methods {
        if let Some(failure) = method.timings.iter().find_map(|t| t.failure.as_ref()) {
            io.fail(format_args!("{}: {failure}", method.method), 1);
        }
    }
    1
}

fn measure(options: &Options, prepared: &Prepared) -> Result<Report, String> {
    let methods: Vec<Method> = match options.method {
        Choice::ForkExec => vec![Method::ForkExec],
        Choice::Vfork => vec![Method::Vfork],
        Choice::PosixSpawn => vec![Method::PosixSpawn],
        Choice::System => vec![Method::System],
        Choice::All => Method::ALL.to_vec(),
    };
    let mut sizes = vec![options.ballast];
    if options.method == Choice::All && options.large_ballast > options.ballast {
        sizes.push(options.large_ballast);
    }
    let mut ballast = Ballast::default();
    let mut reports: Vec<MethodReport> = methods
        .iter()
        .map(|&method| MethodReport {
            method: method.name(),
            calls: method.calls(),
            traced: None,
            not_observed: None,
            timings: Vec::new(),
        })
        .collect();
    for (report, &method) in reports.iter_mut().zip(&methods) {
        match observe(method, prepared) {
            Ok(trace) => report.traced = Some(trace),
            Err(why) => report.not_observed = Some(why),
        }
    }
    for (phase, &size) in sizes.iter().enumerate() {
        ballast.grow_to(size)?;
        let timings = time(&methods, prepared, options.runs, size);
        for (report, timing) in reports.iter_mut().zip(timings) {
            report.timings.push(timing);
        }
        let fastest = reports
            .iter()
            .filter_map(|r| r.timings[phase].median_ms)
            .fold(f64::INFINITY, f64::min);
        for report in &mut reports {
            let timing = &mut report.timings[phase];
            timing.ratio_to_fastest = timing.median_ms.map(|m| m / fastest);
        }
    }
    ballast.keep();
    let ok = reports
        .iter()
        .all(|r| r.timings.iter().all(|t| t.failure.is_none()));
    Ok(Report {
        command: options
            .command
            .iter()
            .map(|w| w.to_string_lossy().into_owned())
            .collect(),
        runs: options.runs,
        ballast_mib: sizes,
        methods: reports,
        ok,
    })
}

/// Times `runs` calls of each method, each from the call to the child
/// reaped. The calls go in rounds, one of each method per round, so that a
/// burst of other work on the machine slows every method alike. A method's
/// first failed call ends its timing, so a wrong CMD prints its error once,
/// not N times.
fn time(methods: &[Method], prepared: &Prepared, runs: u32, ballast_mib: usize) -> Vec<Timing> {
    let rss_kib = resident_kib();
    let mut times = vec![Vec::new(); methods.len()];
    let mut failures: Vec<Option<String>> = vec![None; methods.len()];
    for run in 1..=runs {
        for (i, &method) in methods.iter().enumerate() {
            if failures[i].is_some() {
                continue;
            }
            let start = Instant::now();
            let outcome = spawn_once(method, prepared);
            let elapsed = start.elapsed();
            match outcome {
                Outcome::Exited(0) => times[i].push(millis(elapsed)),
                _ => failures[i] = Some(format!("run {run}: {outcome}")),
            }
        }
    }
    times
        .into_iter()
        .zip(failures)
        .map(|(mut times, failure)| {
            times.sort_by(f64::total_cmp);
            Timing {
                ballast_mib,
                rss_kib,
                runs: times.len() as u32,
                median_ms: median(&times),
                min_ms: times.first().copied(),
                max_ms: times.last().copied(),
                ratio_to_fastest: None,
                failure,
            }
        })
        .collect()
}

fn median(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// The demo's resident set size, from /proc/self/status.
fn resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The memory the kernel could give without swapping, from /proc/meminfo.
fn available_kib() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Memory the demo allocates and touches, so that it is resident and fork
/// has page tables to copy.
#[derive(Default)]
struct Ballast {
    blocks: Vec<Vec<u8>>,
    mib: usize,
}

impl Ballast {
    /// Allocates what `mib` MiB needs beyond what is held. A size the
    /// allocator refuses is an error, not an abort.
    fn grow_to(&mut self, mib: usize) -> Result<(), String> {
        if mib <= self.mib {
            return Ok(());
        }
        let refused = || format!("ballast {mib} MiB: the allocation was refused");
        let more = mib - self.mib;
        let bytes = more.checked_mul(1 << 20).ok_or_else(refused)?;
        // Touching more than the kernel can give would not fail here: it
        // would wake the OOM killer, or make the machine swap.
        if let Some(available) = available_kib()
            && more as u64 * 1024 > available
        {
            return Err(format!(
                "ballast {mib} MiB: {more} MiB more is above the {} MiB available (MemAvailable)",
                available / 1024
            ));
        }
        let mut block: Vec<u8> = Vec::new();
        block.try_reserve_exact(bytes).map_err(|_| refused())?;
        // Fresh memory comes from the kernel untouched; writing every byte
        // makes every page resident, whatever the page size.
        block.resize(bytes, 1);
        self.blocks.push(std::hint::black_box(block));
        self.mib = mib;
        Ok(())
    }

    /// Keeps the writes: the ballast is read, as far as the compiler knows.
    fn keep(self) {
        std::hint::black_box(&self.blocks);
    }
}

/// Makes one call of `method` in a traced copy of the demo and records
/// what it and every process it created did.
fn observe(method: Method, prepared: &Prepared) -> Result<Trace, String> {
    // SAFETY: the demo runs in a process of its own with a single thread,
    // so the traced copy may make the call (which may allocate).
    unsafe {
        trace::trace(|| {
            let _ = spawn_once(method, prepared);
        })
    }
}

// --- Printing -----------------------------------------------------------

fn human(report: &Report) -> String {
    let each = if report.methods.len() > 1 {
        " per method"
    } else {
        ""
    };
    let mut text = format!(
        "spawn: {}, {} timed calls{each}\n",
        report.command.join(" "),
        report.runs
    );
    for method in &report.methods {
        text.push_str(&format!(
            "\n{} ({}), one call traced",
            method.method, method.calls
        ));
        match (&method.traced, &method.not_observed) {
            (Some(trace), _) => {
                text.push_str(&format!(
                    " in PID {} (a copy of the demo, PID {}):\n",
                    trace.caller, trace.tracer
                ));
                for event in &trace.events {
                    text.push_str(&format!("  {:>7}  {}", event.pid, event.call));
                    if let Some(result) = &event.result {
                        text.push_str(&format!(" = {result}"));
                    }
                    text.push('\n');
                }
                text.push_str(&format!("  processes created: {}\n", processes(trace)));
                text.push_str(&still_running(trace));
            }
            (None, why) => {
                text.push_str(&format!(
                    ":\n  processes: not observed ({})\n",
                    why.as_deref().unwrap_or("no reason given")
                ));
            }
        }
        if report.methods.len() == 1 {
            for timing in &method.timings {
                text.push_str(&format!(
                    "  time per call, to the child reaped: {}\n",
                    one_timing(timing)
                ));
            }
        }
    }
    if report.methods.len() > 1 {
        text.push_str(&table(report));
    }
    text
}

/// `4243 (/bin/sh, then /bin/true), 4244 (/bin/ls)`: each process created
/// and the programs it ran.
fn processes(trace: &Trace) -> String {
    if trace.processes.is_empty() {
        return "none".to_owned();
    }
    let list: Vec<String> = trace
        .processes
        .iter()
        .map(|p| {
            let ran: Vec<&str> = p
                .execve
                .iter()
                .filter(|e| e.error.is_none())
                .map(|e| e.path.as_str())
                .collect();
            let let_go = trace.left_alone.contains(&p.pid) || trace.killed.contains(&p.pid);
            if ran.is_empty() && let_go {
                format!("{} (no execve seen before the trace let go)", p.pid)
            } else if ran.is_empty() {
                format!("{} (no execve succeeded)", p.pid)
            } else {
                format!("{} ({})", p.pid, ran.join(", then "))
            }
        })
        .collect();
    list.join(", ")
}

/// The processes the call left running, which the trace let go of (or,
/// past the deadline, killed); nothing when there were none.
fn still_running(trace: &Trace) -> String {
    let list = |pids: &[i32]| {
        let pids: Vec<String> = pids.iter().map(i32::to_string).collect();
        pids.join(", ")
    };
    let count = |n: usize| match n {
        1 => "1 process".to_owned(),
        n => format!("{n} processes"),
    };
    let mut text = String::new();
    if !trace.left_alone.is_empty() {
        text.push_str(&format!(
            "  {} still running when the call returned, left alone (PTRACE_DETACH): {}\n",
            count(trace.left_alone.len()),
            list(&trace.left_alone)
        ));
    }
    if !trace.killed.is_empty() {
        text.push_str(&format!(
            "  {} still running did not stop to be let go within {} s, killed: {}\n",
            count(trace.killed.len()),
            trace::LET_GO_DEADLINE.as_secs(),
            list(&trace.killed)
        ));
    }
    text
}

fn one_timing(timing: &Timing) -> String {
    let mut text = match (timing.median_ms, timing.min_ms, timing.max_ms) {
        (Some(median), Some(min), Some(max)) => format!(
            "median {median:.3} ms (min {min:.3}, max {max:.3}) over {} calls",
            timing.runs
        ),
        _ => "no call succeeded".to_owned(),
    };
    text.push_str(&format!(", demo RSS {}", rss(timing.rss_kib)));
    if timing.ballast_mib > 0 {
        text.push_str(&format!(" (ballast {} MiB)", timing.ballast_mib));
    }
    if let Some(failure) = &timing.failure {
        text.push_str(&format!("\n  failed at {failure}"));
    }
    text
}

fn rss(kib: Option<u64>) -> String {
    match kib {
        Some(kib) => format!("{:.1} MiB", kib as f64 / 1024.0),
        None => "not observed".to_owned(),
    }
}

/// The methods side by side: median and ratio at each ballast size.
fn table(report: &Report) -> String {
    let mut text = format!(
        "\ntime per call, to the child reaped (median of {} calls):\n{:<12}",
        report.runs, ""
    );
    for mib in &report.ballast_mib {
        text.push_str(&format!("  {:<28}", format!("ballast {mib} MiB")));
    }
    text.truncate(text.trim_end().len());
    text.push_str(&format!("\n{:<12}", "method"));
    for _ in &report.ballast_mib {
        text.push_str(&format!(
            "  {:>8} {:>9} {:>9}",
            "RSS MiB", "median ms", "x fastest"
        ));
    }
    text.push('\n');
    let mut failures = String::new();
    for method in &report.methods {
        text.push_str(&format!("{:<12}", method.method));
        for timing in &method.timings {
            let rss = timing
                .rss_kib
                .map_or("?".to_owned(), |kib| format!("{:.1}", kib as f64 / 1024.0));
            let median = timing
                .median_ms
                .map_or("failed".to_owned(), |m| format!("{m:.3}"));
            let ratio = timing
                .ratio_to_fastest
                .map_or("-".to_owned(), |r| format!("{r:.2}"));
            text.push_str(&format!("  {rss:>8} {median:>9} {ratio:>9}"));
            if let Some(failure) = &timing.failure {
                failures.push_str(&format!(
                    "{} at ballast {} MiB failed at {failure}\n",
                    method.method, timing.ballast_mib
                ));
            }
        }
        text.push('\n');
    }
    text + &failures
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[1.0, 2.0, 9.0]), Some(2.0));
        assert_eq!(median(&[1.0, 2.0, 4.0, 9.0]), Some(3.0));
    }
}
