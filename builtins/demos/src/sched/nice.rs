//! `nice`: two CPU-bound processes on one CPU at different nice values,
//! and the CPU share each really received, read from /proc, against what
//! CFS's weights predict. The weights are the kernel's
//! sched_prio_to_weight table, also used by `schedule --algo cfs`.

use std::time::{Duration, Instant};

use clap::Parser;
use nix::sched::{CpuSet, sched_getaffinity, sched_setaffinity};
use nix::sys::signal::{Signal, kill};
use nix::sys::wait::waitpid;
use nix::unistd::{ForkResult, Pid, SysconfVar, fork, sysconf};
use serde::Serialize;

use super::schedule::weight;
use crate::io::{Io, Status};
use crate::{Out, Output, millis, options, round_ms};

const HELP: &str = include_str!("nice.txt");

#[derive(Parser)]
#[command(name = "nice", override_help = HELP)]
struct Options {
    #[arg(long = "nice", default_value_t = 5, value_parser = clap::value_parser!(i32).range(1..=19))]
    nice: i32,
    #[arg(long, default_value_t = 2.0, value_parser = seconds)]
    seconds: f64,
    #[command(flatten)]
    output: Output,
}

fn seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 && s <= 600.0 => Ok(s),
        Ok(_) => Err("must be more than 0 and at most 600 seconds".to_owned()),
        Err(e) => Err(e.to_string()),
    }
}

/// One of the two competitors, as /proc showed it at the end.
#[derive(Debug, Serialize)]
struct Competitor {
    pid: i32,
    /// The nice value asked for, and the one /proc/PID/stat shows.
    asked_nice: i32,
    nice: i32,
    /// CFS's weight for that nice value.
    weight: u64,
    /// utime + stime from /proc/PID/stat, in ms (clock ticks converted).
    cpu_ms_stat: f64,
    /// The first field of /proc/PID/schedstat: time on the CPU, in ms.
    cpu_ms_schedstat: Option<f64>,
    /// Its part of the two's CPU time, measured, in percent.
    share_pct: f64,
    /// The part its weight predicts: weight / (sum of weights).
    predicted_pct: f64,
}

#[derive(Debug, Serialize)]
struct Report {
    /// The CPU both were held on.
    cpu: Option<usize>,
    /// How long they competed.
    ms: f64,
    competitors: Vec<Competitor>,
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
    for c in &report.competitors {
        out.say(format_args!(
            "  PID {} nice {:>2} (weight {:>4}): {:.0} ms of CPU ({}) = {:.1}% of the two's, the weights predict {:.1}%",
            c.pid,
            c.nice,
            c.weight,
            c.cpu_ms_schedstat.unwrap_or(c.cpu_ms_stat),
            if c.cpu_ms_schedstat.is_some() { "schedstat" } else { "stat" },
            c.share_pct,
            c.predicted_pct
        ));
    }
    for line in notice(&report) {
        out.notice(line);
    }
    if out.json() {
        return crate::json(io, &report);
    }
    0
}

/// The "what to notice" lines, from the shares measured.
fn notice(report: &Report) -> Vec<String> {
    let [first, second] = &report.competitors[..] else {
        return Vec::new();
    };
    let off = (second.share_pct - second.predicted_pct).abs();
    vec![
        if off <= 5.0 {
            format!(
                "nice {} got {:.1}% against the {:.1}% its weight predicts ({:.1} points off): CFS shares the CPU by weight, {}:{}",
                second.nice,
                second.share_pct,
                second.predicted_pct,
                off,
                first.weight,
                second.weight
            )
        } else {
            format!(
                "nice {} got {:.1}%, {:.1} points from the {:.1}% its weight predicts: other work on this CPU, or too short a run, blurred the shares",
                second.nice, second.share_pct, off, second.predicted_pct
            )
        },
        "a higher nice value is a lower weight: the process still runs, only less often".to_owned(),
    ]
}

fn measure(options: &Options, out: &Out) -> Result<Report, String> {
    // Both on one CPU: they inherit this affinity, then compete for it.
    let allowed =
        sched_getaffinity(Pid::from_raw(0)).map_err(|e| format!("sched_getaffinity: {e}"))?;
    let cpu = (0..CpuSet::count()).find(|&c| allowed.is_set(c).unwrap_or(false));
    if let Some(cpu) = cpu {
        let mut one = CpuSet::new();
        let _ = one.set(cpu);
        sched_setaffinity(Pid::from_raw(0), &one).map_err(|e| format!("sched_setaffinity: {e}"))?;
    }
    let asked = [0, options.nice];
    let mut pids = Vec::new();
    for &nice in &asked {
        // SAFETY: single-threaded; the child only calls setpriority and
        // computes until it is killed, all async-signal-safe.
        match unsafe { fork() } {
            Ok(ForkResult::Child) => compete(nice),
            Ok(ForkResult::Parent { child }) => pids.push(child),
            Err(e) => {
                stop(&pids);
                return Err(format!("fork: {e}"));
            }
        }
    }
    let _ = sched_setaffinity(Pid::from_raw(0), &allowed);
    out.say(format_args!(
        "PIDs {} (nice 0) and {} (nice {}) compute for {} s on CPU {}...",
        pids[0],
        pids[1],
        options.nice,
        options.seconds,
        cpu.map_or("?".to_owned(), |c| c.to_string())
    ));
    let start = Instant::now();
    std::thread::sleep(Duration::from_secs_f64(options.seconds));
    let seen: Vec<_> = pids.iter().map(|&pid| read_cpu(pid)).collect();
    let ms = millis(start.elapsed());
    stop(&pids);
    let weights: Vec<u64> = asked.iter().map(|&n| weight(n)).collect();
    let total_weight: u64 = weights.iter().sum();
    let mut competitors = Vec::new();
    for ((&pid, &asked_nice), (seen, &weight)) in
        pids.iter().zip(&asked).zip(seen.iter().zip(&weights))
    {
        let (nice, stat_ms, schedstat_ms) =
            seen.clone().map_err(|e| format!("/proc/{pid}: {e}"))?;
        competitors.push(Competitor {
            pid: pid.as_raw(),
            asked_nice,
            nice,
            weight,
            cpu_ms_stat: stat_ms,
            cpu_ms_schedstat: schedstat_ms,
            share_pct: 0.0,
            predicted_pct: round_ms(100.0 * weight as f64 / total_weight as f64),
        });
    }
    let used = |c: &Competitor| c.cpu_ms_schedstat.unwrap_or(c.cpu_ms_stat);
    let total: f64 = competitors.iter().map(used).sum();
    for competitor in &mut competitors {
        competitor.share_pct = round_ms(100.0 * used(competitor) / total.max(1e-9));
    }
    Ok(Report {
        cpu,
        ms,
        competitors,
    })
}

/// A competitor's life: take its nice value, then compute until killed.
fn compete(nice: i32) -> ! {
    // SAFETY: setpriority takes integers; 0 means this process.
    unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, nice) };
    let mut x = 0u64;
    loop {
        x = std::hint::black_box(x.wrapping_add(1));
    }
}

/// Kills and reaps the competitors.
fn stop(pids: &[Pid]) {
    for &pid in pids {
        let _ = kill(pid, Signal::SIGKILL);
        let _ = waitpid(pid, None);
    }
}

/// A process's nice value, and the CPU time it used, in ms: from
/// /proc/PID/stat (utime + stime, fields 14 and 15, in clock ticks) and
/// from /proc/PID/schedstat (its first field, in ns).
fn read_cpu(pid: Pid) -> Result<(i32, f64, Option<f64>), String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).map_err(|e| e.to_string())?;
    // The fields after the command name, which is in parentheses: state
    // is field 3, so field N is at index N - 3.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .ok_or("no command name")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |n: usize| -> Result<i64, String> {
        fields
            .get(n - 3)
            .and_then(|f| f.parse().ok())
            .ok_or_else(|| format!("field {n} of /proc/{pid}/stat"))
    };
    let ticks = sysconf(SysconfVar::CLK_TCK).ok().flatten().unwrap_or(100) as f64;
    let stat_ms = round_ms((field(14)? + field(15)?) as f64 * 1000.0 / ticks);
    let nice = field(19)? as i32;
    let schedstat_ms = std::fs::read_to_string(format!("/proc/{pid}/schedstat"))
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map(|ns| round_ms(ns as f64 / 1e6));
    Ok((nice, stat_ms, schedstat_ms))
}
