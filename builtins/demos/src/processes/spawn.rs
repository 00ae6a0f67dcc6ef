//! `spawn`: the lecture's "system vs posix_spawn vs fork+exec" and the lab's
//! "Guide: system Dissected". It runs one command (/bin/true by default)
//! the way each API does, traces one call of each with ptrace to show the
//! processes the call created and who called execve with what, and times N
//! calls, from the call to the child reaped, with the parent small and
//! then large.
//!
//! How the processes are measured: for each method the demo re-runs itself
//! (fork, then exec of the lab binary with hidden arguments) to make one
//! call, and traces that process with ptrace, following every process the
//! call creates, as strace -f does (see [`crate::trace`]). The timed calls
//! run untraced, in the demo itself. The four methods, and what they
//! prepare before the first call, are in `spawn/methods.rs`; the ballast in
//! `spawn/ballast.rs`; the printing in `spawn/print.rs`.

mod ballast;
mod methods;
mod print;

use std::ffi::OsString;
use std::time::Instant;

use clap::builder::RangedU64ValueParser;
use clap::{Parser, ValueEnum};
use serde::Serialize;

use self::ballast::{Ballast, resident_kib};
use self::methods::{Method, Outcome, Prepared, spawn_once};
use crate::io::{Io, Status};
use crate::postfork::Relaunch;
use crate::trace::{self, Trace};
use crate::{Out, Output, Progress, millis, options};

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
    /// Set only when the demo re-runs itself to make one traced call of
    /// --method: it makes the call and exits (a child does its work after
    /// execve, never between fork and exec).
    #[arg(long, hide = true)]
    traced_call: bool,
    #[command(flatten)]
    output: Output,
    /// The command and its arguments (default /bin/true); words after CMD
    /// are its own, even when they look like options.
    #[arg(trailing_var_arg = true, value_name = "CMD")]
    command: Vec<OsString>,
}

/// The command run when none is given: the quickest program there is, so
/// that the times are the methods' own.
const DEFAULT_COMMAND: &str = "/bin/true";

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
pub struct Report {
    pub command: Vec<String>,
    pub runs: u32,
    /// The ballast sizes the methods were timed at, in MiB.
    pub ballast_mib: Vec<usize>,
    pub methods: Vec<MethodReport>,
    /// Whether every call ran the command and it exited with 0.
    pub ok: bool,
}

#[derive(Debug, Serialize)]
pub struct MethodReport {
    pub method: &'static str,
    pub calls: &'static str,
    /// What one traced call did; `None` when it could not be traced.
    pub traced: Option<Trace>,
    /// Why it could not be traced.
    pub not_observed: Option<String>,
    /// One timing per ballast size, in the order of `ballast_mib`.
    pub timings: Vec<Timing>,
}

#[derive(Debug, Serialize)]
pub struct Timing {
    pub ballast_mib: usize,
    /// The demo's VmRSS just before the calls.
    pub rss_kib: Option<u64>,
    /// Calls that ran the command and saw it exit with 0.
    pub runs: u32,
    pub median_ms: Option<f64>,
    pub min_ms: Option<f64>,
    pub max_ms: Option<f64>,
    /// This median over the smallest median at the same ballast.
    pub ratio_to_fastest: Option<f64>,
    /// The first call that failed, which ends the timing: `run 1: exited
    /// with 127`.
    pub failure: Option<String>,
}

pub fn run(io: &mut Io) -> Status {
    let mut options: Options = match options(io) {
        Ok(options) => options,
        Err(status) => return status,
    };
    if options.command.is_empty() {
        options.command = vec![DEFAULT_COMMAND.into()];
    }
    let prepared = match Prepared::new(&options.command) {
        Ok(prepared) => prepared,
        Err(message) => return io.fail(message, 2),
    };
    if options.traced_call {
        return match methods_of(options.method).as_slice() {
            [method] => match spawn_once(*method, &prepared) {
                Outcome::Exited(0) => 0,
                _ => 1,
            },
            _ => io.fail("--traced-call makes one call of one --method", 2),
        };
    }
    let out = Out::new(io, &options.output);
    let progress = Progress::new(io);
    let report = match measure(&options, &prepared, &out, &progress) {
        Ok(report) => report,
        Err(e) => return io.fail(e, 1),
    };
    progress.done();
    if report.methods.len() > 1 {
        out.text(&print::table(&report));
    } else if let Some(method) = report.methods.first() {
        for timing in &method.timings {
            out.say(format_args!(
                "  time per call, to the child reaped: {}",
                print::one_timing(timing)
            ));
        }
    }
    for line in notice(&report) {
        out.notice(line);
    }
    if !options.output.json && !options.output.quiet {
        out.notice(shell_strategy(&prepared));
    }
    let printed = if out.json() {
        crate::json(io, &report)
    } else {
        0
    };
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

fn methods_of(choice: Choice) -> Vec<Method> {
    match choice {
        Choice::ForkExec => vec![Method::ForkExec],
        Choice::Vfork => vec![Method::Vfork],
        Choice::PosixSpawn => vec![Method::PosixSpawn],
        Choice::System => vec![Method::System],
        Choice::All => Method::ALL.to_vec(),
    }
}

fn measure(
    options: &Options,
    prepared: &Prepared,
    out: &Out,
    progress: &Progress,
) -> Result<Report, String> {
    let methods = methods_of(options.method);
    let command: Vec<String> = options
        .command
        .iter()
        .map(|w| w.to_string_lossy().into_owned())
        .collect();
    let each = if methods.len() > 1 { " per method" } else { "" };
    out.say(format_args!(
        "spawn: {}, {} timed calls{each}",
        command.join(" "),
        options.runs
    ));
    let mut sizes = vec![options.ballast];
    if options.method == Choice::All && options.large_ballast > options.ballast {
        sizes.push(options.large_ballast);
    }
    let mut ballast = Ballast::default();
    let mut reports: Vec<MethodReport> = Vec::with_capacity(methods.len());
    for &method in &methods {
        let mut report = MethodReport {
            method: method.name(),
            calls: method.calls(),
            traced: None,
            not_observed: None,
            timings: Vec::new(),
        };
        match observe(method, &command) {
            Ok(trace) => report.traced = Some(trace),
            Err(why) => report.not_observed = Some(why),
        }
        out.text(&print::traced(&report));
        reports.push(report);
    }
    for (phase, &size) in sizes.iter().enumerate() {
        ballast.grow_to(size)?;
        let timings = time(&methods, prepared, options.runs, size, progress);
        for (report, timing) in reports.iter_mut().zip(timings) {
            report.timings.push(timing);
        }
        let fastest = reports
            .iter()
            .filter_map(|r| r.timings[phase].median_ms)
            .fold(f64::INFINITY, f64::min);
        for report in &mut reports {
            let timing = &mut report.timings[phase];
            timing.ratio_to_fastest = timing.median_ms.map(|m| crate::round_ms(m / fastest));
        }
    }
    ballast.keep();
    let ok = reports
        .iter()
        .all(|r| r.timings.iter().all(|t| t.failure.is_none()));
    Ok(Report {
        command,
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
fn time(
    methods: &[Method],
    prepared: &Prepared,
    runs: u32,
    ballast_mib: usize,
    progress: &Progress,
) -> Vec<Timing> {
    let rss_kib = resident_kib();
    let mut times = vec![Vec::new(); methods.len()];
    let mut failures: Vec<Option<String>> = vec![None; methods.len()];
    for run in 1..=runs {
        progress.show(format_args!(
            "timing round {run} of {runs}, ballast {ballast_mib} MiB"
        ));
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
                median_ms: (!times.is_empty()).then(|| crate::round_ms(crate::median(&times))),
                min_ms: times.first().copied(),
                max_ms: times.last().copied(),
                ratio_to_fastest: None,
                failure,
            }
        })
        .collect()
}

/// Makes one call of `method` in the demo re-run for it, traced, and
/// records what it and every process it created did.
fn observe(method: Method, command: &[String]) -> Result<Trace, String> {
    let mut args = vec![
        "--traced-call".to_owned(),
        "--method".to_owned(),
        method.name().to_owned(),
        "--".to_owned(),
    ];
    args.extend(command.iter().cloned());
    trace::trace(&Relaunch::new("spawn", &args)?)
}

/// The "what to notice" lines, each from the numbers measured: how the
/// times moved with the RSS, and what the traces saw.
fn notice(report: &Report) -> Vec<String> {
    let medians = |name: &str| -> Option<(f64, f64, u64, u64)> {
        let method = report.methods.iter().find(|m| m.method == name)?;
        let [small, large] = &method.timings[..] else {
            return None;
        };
        Some((
            small.median_ms?,
            large.median_ms?,
            small.rss_kib? / 1024,
            large.rss_kib? / 1024,
        ))
    };
    let mut lines = Vec::new();
    if let Some((small, large, small_rss, large_rss)) = medians("fork-exec") {
        let growth = large / small.max(0.001);
        lines.push(if growth >= 1.5 {
            format!(
                "fork+exec took {small:.3} ms at {small_rss} MiB resident and {large:.3} ms at {large_rss} MiB ({growth:.1}x): fork copies the parent's page tables, more of them for a bigger parent"
            )
        } else {
            format!(
                "fork+exec took {small:.3} ms at {small_rss} MiB resident and {large:.3} ms at {large_rss} MiB: it hardly grew this time"
            )
        });
    }
    if let Some((small, large, ..)) = medians("vfork") {
        let growth = large / small.max(0.001);
        lines.push(if growth < 1.5 {
            format!(
                "vfork took {small:.3} ms, then {large:.3} ms with the larger parent ({growth:.1}x): the child borrows the parent's memory, so there are no page tables to copy"
            )
        } else {
            format!(
                "vfork took {small:.3} ms, then {large:.3} ms with the larger parent ({growth:.1}x): slower this time, though it copies no page tables (a busy machine?)"
            )
        });
    }
    if let Some(system) = report.methods.iter().find(|m| m.method == "system")
        && let Some(trace) = &system.traced
    {
        let execs: usize = trace.processes.iter().map(|p| p.execve.len()).sum();
        lines.push(format!(
                "system() made {} process{} and {execs} execve call{} for one command: /bin/sh -c first, then the command",
                trace.processes.len(),
                if trace.processes.len() == 1 { "" } else { "es" },
                if execs == 1 { "" } else { "s" }
            ));
    }
    if lines.is_empty()
        && let Some(method) = report.methods.first()
    {
        // What this run's trace saw the call create its child with.
        let created = method.traced.as_ref().and_then(Trace::child_creating_call);
        if let Some(call) = created {
            lines.push(format!("{} made its child with {call}", method.calls));
        }
        lines.push(
                match method.method {
                    "fork-exec" => "fork's child is a copy (no CLONE_VM); execvpe tries the PATH entries until an execve works",
                    "vfork" => "vfork's child borrows the parent's memory (CLONE_VM|CLONE_VFORK); the parent sleeps until the child's execve",
                    "posix-spawn" => "posix_spawn is a vfork in glibc, with the child on a stack of its own",
                    _ => "system() execs /bin/sh -c 'CMD'; sh then runs CMD, in place or in a child of its own",
                }
                .to_owned(),
            );
    }
    lines
}

/// How minishell itself starts CMD, seen, not assumed: the shell beside
/// the lab binary runs `CMD; :` (so CMD is not its last command) traced,
/// and the call it made its child with is named, the clone flags telling
/// the strategy its spawn module picked.
fn shell_strategy(prepared: &Prepared) -> String {
    let seen = std::env::current_exe()
        .ok()
        .and_then(|lab| Some(lab.parent()?.join("minishell")))
        .filter(|shell| shell.is_file())
        .ok_or_else(|| "no minishell beside the lab binary".to_owned())
        .and_then(|shell| {
            let line = format!("{}; :", prepared.shell_line.to_string_lossy());
            let argv = ["minishell".to_owned(), "-c".to_owned(), line];
            trace::trace(&Relaunch::program(&shell, &argv)?)
        })
        .map(|trace| trace.child_creating_call());
    match seen {
        Ok(Some(call)) if call.contains("CLONE_VM") => format!(
            "minishell itself, traced just now, made CMD's process with {call}: the vfork row's way (it forks only to run shell code); `explain CMD` shows it too"
        ),
        Ok(Some(call)) => format!(
            "minishell itself, traced just now, made CMD's process with {call}: the fork-exec row's way; `explain CMD` shows it too"
        ),
        Ok(None) => "minishell itself, traced just now, made no process for CMD".to_owned(),
        Err(why) => {
            format!("how minishell itself starts CMD: not observed ({why}); `explain CMD` shows it")
        }
    }
}
