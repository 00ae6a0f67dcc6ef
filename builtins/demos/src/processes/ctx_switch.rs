//! `ctx-switch`: the lecture's CPU-bound versus I/O-bound programs
//! (`cpu_bound.c`, `io_bound.c`): the voluntary and nonvoluntary context
//! switches of each, read from `/proc/self/status` before and after.
//! A thread that blocks gives the CPU away (voluntary); one that computes
//! keeps it until the scheduler takes it (nonvoluntary).

use std::hint::black_box;
use std::os::fd::{AsFd, OwnedFd};
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use nix::fcntl::OFlag;
use nix::sched::{CpuSet, sched_getaffinity, sched_setaffinity};
use nix::sys::prctl::set_pdeathsig;
use nix::sys::resource::{UsageWho, getrusage};
use nix::sys::signal::{Signal, kill};
use nix::sys::wait::waitpid;
use nix::unistd::{ForkResult, Pid, fork, getpid, getppid, pipe2};
use serde::Serialize;

use crate::io::{Io, Status};
use crate::{Out, Output, millis, options};

const HELP: &str = include_str!("ctx_switch.txt");

#[derive(Parser)]
#[command(name = "ctx-switch", override_help = HELP)]
struct Options {
    /// None: both loops, cpu then io, as the lecture shows them.
    mode: Option<Mode>,
    /// Two seconds: long enough for hundreds of switches of the kind each
    /// mode causes, well above the few that starting and stopping cost.
    #[arg(long, default_value_t = 2.0, value_parser = seconds)]
    seconds: f64,
    #[arg(long)]
    alone: bool,
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
enum Mode {
    Cpu,
    Io,
}

fn seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s > 0.0 && s <= 3600.0 => Ok(s),
        Ok(_) => Err("must be more than 0 and at most 3600".to_owned()),
        Err(e) => Err(e.to_string()),
    }
}

/// The two counters of `/proc/self/status`.
#[derive(Debug, Serialize, Clone, Copy, Default)]
struct Switches {
    voluntary: u64,
    nonvoluntary: u64,
}

/// Every loop run, in order.
#[derive(Debug, Serialize)]
struct Report {
    runs: Vec<Run>,
}

/// One loop and its switches.
#[derive(Debug, Serialize)]
struct Run {
    mode: Mode,
    /// How long the loop ran.
    ms: f64,
    /// CPU time the loop used (user + system), from getrusage.
    cpu_ms: f64,
    /// Loop rounds: additions for cpu (in batches), bytes read for io.
    rounds: u64,
    /// The rival sharing the CPU (cpu mode without `--alone`), or the
    /// child feeding the pipe (io mode).
    partner: Option<i32>,
    /// The CPU the loop and its rival were held on, in cpu mode.
    cpu: Option<usize>,
    before: Switches,
    after: Switches,
    /// After minus before: the loop's own switches.
    difference: Switches,
}

pub fn run(io: &mut Io) -> Status {
    let options: Options = match options(io) {
        Ok(options) => options,
        Err(status) => return status,
    };
    let out = Out::new(io, &options.output);
    let modes = match options.mode {
        Some(mode) => vec![mode],
        None => vec![Mode::Cpu, Mode::Io],
    };
    let mut runs = Vec::with_capacity(modes.len());
    for mode in modes {
        out.say(match (mode, options.alone) {
            (Mode::Cpu, false) => format!(
                "cpu: computing for {} s on one CPU, beside a rival process computing there too...",
                options.seconds
            ),
            (Mode::Cpu, true) => format!("cpu: computing for {} s, alone...", options.seconds),
            (Mode::Io, _) => format!(
                "io: reading a pipe a child feeds one byte a millisecond, for {} s...",
                options.seconds
            ),
        });
        let run = match measure(mode, &options) {
            Ok(run) => run,
            Err(e) => return io.fail(e, 1),
        };
        out.text(&human(&run));
        for line in notice(&run) {
            out.notice(line);
        }
        runs.push(run);
    }
    if out.json() {
        return crate::json(io, &Report { runs });
    }
    0
}

/// Nonvoluntary switches per second below which a CPU-bound loop counts
/// as hardly preempted: a lone loop on a free core gets next to none,
/// one sharing its CPU gets one every time slice, hundreds a second.
const FEW_PER_SECOND: f64 = 10.0;

/// The "what to notice" lines, drawn from the numbers measured: a busy
/// machine preempts even a loop that runs `--alone`, and a loaded one may
/// preempt the I/O loop too.
fn notice(report: &Run) -> [String; 2] {
    let Switches {
        voluntary,
        nonvoluntary,
    } = report.difference;
    let seconds = (report.ms / 1000.0).max(f64::EPSILON);
    let rate = nonvoluntary as f64 / seconds;
    match report.mode {
        Mode::Cpu => {
            let first = if nonvoluntary > voluntary {
                format!(
                    "{nonvoluntary} of the loop's {} switches were nonvoluntary: it never blocks, so only the scheduler takes the CPU from it",
                    voluntary + nonvoluntary
                )
            } else {
                format!(
                    "{nonvoluntary} nonvoluntary switches, {voluntary} voluntary: the scheduler hardly ever took the CPU from the loop"
                )
            };
            let second = match (report.partner, rate < FEW_PER_SECOND) {
                (Some(_), _) => format!(
                    "{rate:.0} nonvoluntary switches per second with a rival on the same CPU; compare with --alone"
                ),
                (None, true) => format!(
                    "{rate:.0} nonvoluntary switches per second without a rival: nothing else wanted this CPU"
                ),
                (None, false) => format!(
                    "{rate:.0} nonvoluntary switches per second even without the demo's rival: other processes wanted this CPU"
                ),
            };
            [first, second]
        }
        Mode::Io => {
            let first = match report.rounds {
                0 => format!(
                    "no byte arrived; the loop still waited: {voluntary} voluntary switches"
                ),
                reads => format!(
                    "{voluntary} voluntary switches for {reads} reads ({:.2} a read): a read that finds the pipe empty waits, giving the CPU away",
                    voluntary as f64 / reads as f64
                ),
            };
            let second = if nonvoluntary * 10 <= voluntary {
                format!(
                    "only {nonvoluntary} nonvoluntary: the loop rarely ran long enough for its time slice to run out"
                )
            } else {
                format!(
                    "{nonvoluntary} nonvoluntary switches ({rate:.0} per second): other processes competed for the CPU"
                )
            };
            [first, second]
        }
    }
}

fn measure(mode: Mode, options: &Options) -> Result<Run, String> {
    let length = Duration::from_secs_f64(options.seconds);
    let mut cpu = None;
    let mut input = None;
    // The loop's CPUs, given back after a cpu run, so that an io run after
    // it is not held on one CPU.
    let allowed =
        sched_getaffinity(Pid::from_raw(0)).map_err(|e| format!("sched_getaffinity: {e}"))?;
    let partner = match (mode, options.alone) {
        (Mode::Cpu, true) => None,
        (Mode::Cpu, false) => {
            cpu = Some(hold_on_one_cpu().map_err(|e| format!("sched_setaffinity: {e}"))?);
            // The rival inherits the affinity: it competes for the same CPU.
            Some(Partner::start(spin_forever)?)
        }
        (Mode::Io, _) => {
            let (read_end, write_end) =
                pipe2(OFlag::O_CLOEXEC).map_err(|e| format!("pipe: {e}"))?;
            input = Some(read_end);
            Some(Partner::start(move || {
                feed_one_byte_per_millisecond(&write_end)
            })?)
        }
    };

    let before = switches()?;
    let cpu_before = cpu_time()?;
    let start = Instant::now();
    let rounds = match &input {
        Some(input) => wait_for_input(input, length),
        None => compute(length),
    };
    let ms = millis(start.elapsed());
    let after = switches()?;
    let cpu_ms = millis(cpu_time()? - cpu_before);
    // Only now, after the last reading, is the partner stopped: waiting
    // for it would itself be a voluntary switch.
    let partner_pid = partner.as_ref().map(|p| p.0.as_raw());
    drop(partner);
    let _ = sched_setaffinity(Pid::from_raw(0), &allowed);

    Ok(Run {
        mode,
        ms,
        cpu_ms,
        rounds,
        partner: partner_pid,
        cpu,
        before,
        after,
        difference: Switches {
            voluntary: after.voluntary - before.voluntary,
            nonvoluntary: after.nonvoluntary - before.nonvoluntary,
        },
    })
}

/// The CPU-bound loop: additions, checking the clock every 4096 of them.
/// Reading the clock goes through the vDSO, without a system call, so
/// nothing here can block. Returns the additions made.
fn compute(length: Duration) -> u64 {
    let start = Instant::now();
    let mut rounds = 0u64;
    while start.elapsed() < length {
        for _ in 0..4096 {
            rounds = black_box(rounds + 1);
        }
    }
    rounds
}

/// The I/O-bound loop: blocking one-byte reads from the pipe until the
/// time is up. Returns the bytes read.
fn wait_for_input(input: &OwnedFd, length: Duration) -> u64 {
    let start = Instant::now();
    let mut rounds = 0u64;
    let mut byte = [0u8; 1];
    while start.elapsed() < length {
        match nix::unistd::read(input.as_fd(), &mut byte) {
            Ok(1) => rounds += 1,
            _ => break,
        }
    }
    rounds
}

/// The io mode's device: one byte a millisecond, until killed.
fn feed_one_byte_per_millisecond(output: &OwnedFd) {
    while nix::unistd::write(output.as_fd(), b"x").is_ok() {
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// The cpu mode's rival: computes until killed.
fn spin_forever() {
    let mut n = 0u64;
    loop {
        n = black_box(n.wrapping_add(1));
    }
}

/// A child that runs until the demo is done with it: dropping it kills
/// and reaps it, on every path out of `measure`.
struct Partner(Pid);

impl Partner {
    /// Forks a child that runs `body`. The child asks the kernel to kill
    /// it when the demo dies, so a rival spinning for ever cannot outlive
    /// a demo killed with SIGKILL.
    fn start(body: impl FnOnce()) -> Result<Partner, String> {
        let parent = getpid();
        // SAFETY: the demo runs alone in a process of its own,
        // single-threaded; the child only runs `body`, which computes or
        // writes to a pipe.
        match unsafe { fork() }.map_err(|e| format!("fork: {e}"))? {
            ForkResult::Child => {
                // The parent may have died before the request was made.
                if set_pdeathsig(Signal::SIGKILL).is_ok() && getppid() == parent {
                    body();
                }
                // SAFETY: _exit ends the child without running the
                // parent's exit handlers a second time.
                unsafe { libc::_exit(0) }
            }
            ForkResult::Parent { child } => Ok(Partner(child)),
        }
    }
}

impl Drop for Partner {
    fn drop(&mut self) {
        let _ = kill(self.0, Signal::SIGKILL);
        let _ = waitpid(self.0, None);
    }
}

/// Restricts this process to the first CPU it may run on, and returns it.
fn hold_on_one_cpu() -> nix::Result<usize> {
    let allowed = sched_getaffinity(Pid::from_raw(0))?;
    let cpu = (0..CpuSet::count())
        .find(|&cpu| allowed.is_set(cpu).unwrap_or(false))
        .ok_or(nix::Error::EINVAL)?;
    let mut only = CpuSet::new();
    only.set(cpu)?;
    sched_setaffinity(Pid::from_raw(0), &only)?;
    Ok(cpu)
}

/// The two counters, as `/proc/self/status` shows them.
fn switches() -> Result<Switches, String> {
    let status = std::fs::read_to_string("/proc/self/status")
        .map_err(|e| format!("/proc/self/status: {e}"))?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().parse::<u64>().ok())
            .ok_or_else(|| format!("/proc/self/status: no {name}"))
    };
    Ok(Switches {
        voluntary: field("voluntary_ctxt_switches:")?,
        nonvoluntary: field("nonvoluntary_ctxt_switches:")?,
    })
}

/// User plus system CPU time used by this process so far.
fn cpu_time() -> Result<Duration, String> {
    let usage = getrusage(UsageWho::RUSAGE_SELF).map_err(|e| format!("getrusage: {e}"))?;
    let time =
        |t: nix::sys::time::TimeVal| Duration::new(t.tv_sec() as u64, t.tv_usec() as u32 * 1000);
    Ok(time(usage.user_time()) + time(usage.system_time()))
}

fn human(report: &Run) -> String {
    let what = match report.mode {
        Mode::Cpu => format!("{} additions", report.rounds),
        Mode::Io => format!("{} one-byte reads", report.rounds),
    };
    let mut text = format!(
        "{}: {what} in {:.1} ms, using {:.1} ms of CPU\n",
        match report.mode {
            Mode::Cpu => "cpu",
            Mode::Io => "io",
        },
        report.ms,
        report.cpu_ms
    );
    match (report.mode, report.partner, report.cpu) {
        (Mode::Cpu, Some(rival), Some(cpu)) => text.push_str(&format!(
            "rival process {rival} computing on the same CPU {cpu}\n"
        )),
        (Mode::Cpu, _, _) => text.push_str("no rival process\n"),
        (Mode::Io, Some(feeder), _) => text.push_str(&format!(
            "child {feeder} writing one byte per millisecond into the pipe\n"
        )),
        (Mode::Io, None, _) => {}
    }
    text.push_str(&format!(
        "{:<28} {:>12} {:>12} {:>12}\n",
        "/proc/self/status", "before", "after", "difference"
    ));
    for (name, before, after, difference) in [
        (
            "voluntary_ctxt_switches",
            report.before.voluntary,
            report.after.voluntary,
            report.difference.voluntary,
        ),
        (
            "nonvoluntary_ctxt_switches",
            report.before.nonvoluntary,
            report.after.nonvoluntary,
            report.difference.nonvoluntary,
        ),
    ] {
        text.push_str(&format!(
            "{name:<28} {before:>12} {after:>12} {difference:>12}\n"
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(mode: Mode, partner: Option<i32>, ms: f64, difference: Switches) -> Run {
        Run {
            mode,
            ms,
            cpu_ms: ms,
            rounds: 1000,
            partner,
            cpu: partner.map(|_| 0),
            before: Switches::default(),
            after: difference,
            difference,
        }
    }

    #[test]
    fn alone_on_a_busy_machine_the_notice_says_what_was_measured() {
        // What a review saw: 503 nonvoluntary switches in 2 s, --alone.
        let busy = Switches {
            voluntary: 0,
            nonvoluntary: 503,
        };
        let [first, second] = notice(&report(Mode::Cpu, None, 2000.0, busy));
        assert!(
            first.starts_with("503 of the loop's 503 switches"),
            "{first}"
        );
        assert!(
            second.starts_with("252 nonvoluntary switches per second even without"),
            "{second}"
        );
        let free = Switches {
            voluntary: 0,
            nonvoluntary: 3,
        };
        let [_, second] = notice(&report(Mode::Cpu, None, 2000.0, free));
        assert!(second.contains("nothing else wanted this CPU"), "{second}");
    }

    #[test]
    fn the_io_notice_counts_switches_per_read() {
        let waits = Switches {
            voluntary: 1000,
            nonvoluntary: 2,
        };
        let [first, second] = notice(&report(Mode::Io, Some(1), 1000.0, waits));
        assert!(
            first.starts_with("1000 voluntary switches for 1000 reads (1.00 a read)"),
            "{first}"
        );
        assert!(second.starts_with("only 2 nonvoluntary"), "{second}");
        let loaded = Switches {
            voluntary: 1000,
            nonvoluntary: 400,
        };
        let [_, second] = notice(&report(Mode::Io, Some(1), 1000.0, loaded));
        assert!(second.contains("other processes competed"), "{second}");
    }
}
