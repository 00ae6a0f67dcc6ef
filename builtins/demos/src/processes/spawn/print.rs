//! How the `spawn` demo shows what it measured: each method's traced call
//! as soon as it is traced, then the timings, one line or a table.

use super::{MethodReport, Report, Timing};
use crate::trace::{self, Trace};

/// One method's traced call: every process-related system call it made,
/// and the processes it created.
pub fn traced(method: &MethodReport) -> String {
    let mut text = format!("\n{} ({}), one call traced", method.method, method.calls);
    match (&method.traced, &method.not_observed) {
        (Some(trace), _) => {
            text.push_str(&format!(
                " in PID {} (the demo re-run to make it, traced by PID {}):\n",
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

pub fn one_timing(timing: &Timing) -> String {
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
pub fn table(report: &Report) -> String {
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
