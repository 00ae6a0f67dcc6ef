//! `sigchld`: reaping children from a SIGCHLD handler, as the notes
//! describe, against a parent that never waits (zombies) and one that
//! blocks in waitpid. The handler does only what a handler may: it calls
//! waitpid(-1, WNOHANG) until no child is left to reap and records each
//! in atomics; the main program reads them.

use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, fork};
use serde::Serialize;

use super::ptree::Stat;
use crate::io::{Io, Status};
use crate::{Out, Output, millis, options};

const HELP: &str = include_str!("sigchld.txt");

/// The most children: the handler's record has a slot for each.
const MAX_CHILDREN: usize = 64;

/// When the children exit, after the fork: long enough for the parent to
/// be at its work, short enough not to wait.
const EXIT_AFTER: Duration = Duration::from_millis(100);

#[derive(Parser)]
#[command(name = "sigchld", override_help = HELP)]
struct Options {
    #[arg(long, value_enum, default_value_t = Choice::All)]
    parent: Choice,
    #[arg(short = 'n', default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=MAX_CHILDREN as i64))]
    children: u32,
    #[command(flatten)]
    output: Output,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Choice {
    Handler,
    Never,
    Block,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Parent {
    Handler,
    Never,
    Block,
}

#[derive(Debug, Serialize)]
struct Run {
    parent: Parent,
    children: usize,
    pids: Vec<i32>,
    /// Children reaped (by the handler, or by the blocking waits).
    reaped: usize,
    /// Times the SIGCHLD handler ran: fewer than the children when their
    /// signals coalesced.
    handler_calls: usize,
    /// Children /proc showed in state Z before anyone reaped them.
    zombies_seen: usize,
    /// Rounds of work the parent did while its children were exiting.
    work_rounds: u64,
    /// How long the parent spent blocked in waitpid.
    blocked_ms: f64,
    elapsed_ms: f64,
}

#[derive(Debug, Serialize)]
struct Report {
    runs: Vec<Run>,
}

/// What the handler records: the PIDs it reaped, in order, and how often
/// it ran. Atomics, the only memory a handler may touch.
static REAPED: [AtomicI32; MAX_CHILDREN] = [const { AtomicI32::new(0) }; MAX_CHILDREN];
static REAPED_COUNT: AtomicUsize = AtomicUsize::new(0);
static HANDLER_CALLS: AtomicUsize = AtomicUsize::new(0);

/// The SIGCHLD handler: reap every child that has ended, without
/// blocking. One signal may stand for several exits (a pending SIGCHLD is
/// not queued twice), so it loops until waitpid finds none. It keeps
/// errno as it found it, for the code it interrupted.
extern "C" fn on_sigchld(_: libc::c_int) {
    // SAFETY: __errno_location, waitpid and atomics are async-signal-safe.
    unsafe {
        let errno = *libc::__errno_location();
        HANDLER_CALLS.fetch_add(1, Ordering::SeqCst);
        loop {
            let pid = libc::waitpid(-1, std::ptr::null_mut(), libc::WNOHANG);
            if pid <= 0 {
                break;
            }
            let slot = REAPED_COUNT.fetch_add(1, Ordering::SeqCst);
            if let Some(cell) = REAPED.get(slot) {
                cell.store(pid, Ordering::SeqCst);
            }
        }
        *libc::__errno_location() = errno;
    }
}

pub fn run(io: &mut Io) -> Status {
    let options: Options = match options(io) {
        Ok(options) => options,
        Err(status) => return status,
    };
    let out = Out::new(io, &options.output);
    let parents = match options.parent {
        Choice::Handler => vec![Parent::Handler],
        Choice::Never => vec![Parent::Never],
        Choice::Block => vec![Parent::Block],
        Choice::All => vec![Parent::Handler, Parent::Never, Parent::Block],
    };
    let mut runs = Vec::new();
    for parent in parents {
        let run = match meet(parent, options.children as usize, &out) {
            Ok(run) => run,
            Err(e) => return io.fail(e, 1),
        };
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

/// The "what to notice" lines, from what each parent measured.
fn notice(runs: &[Run]) -> Vec<String> {
    let mut lines = Vec::new();
    for run in runs {
        lines.push(match run.parent {
            Parent::Handler => format!(
                "the handler ran {} time{} for {} exits and reaped {}: {}; meanwhile the parent did {} rounds of work",
                run.handler_calls,
                if run.handler_calls == 1 { "" } else { "s" },
                run.children,
                run.reaped,
                if run.handler_calls < run.children {
                    "the signals coalesced, and its waitpid loop reaped them all anyway"
                } else {
                    "one signal each this time"
                },
                run.work_rounds
            ),
            Parent::Never => format!(
                "a parent that never waits: {} of {} children were zombies (state Z) until the demo reaped them",
                run.zombies_seen, run.children
            ),
            Parent::Block => format!(
                "a parent blocked in waitpid for {:.1} ms did {} rounds of work meanwhile",
                run.blocked_ms, run.work_rounds
            ),
        });
    }
    lines
}

/// One round of the parent's work: a little arithmetic the compiler must
/// do.
fn work(rounds: &mut u64) {
    let mut x = *rounds;
    for _ in 0..1000 {
        x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
    }
    std::hint::black_box(x);
    *rounds += 1;
}

/// Forks the children, each sleeping until the common exit time, and
/// meets their ends the way `parent` does.
fn meet(parent: Parent, children: usize, out: &Out) -> Result<Run, String> {
    REAPED_COUNT.store(0, Ordering::SeqCst);
    HANDLER_CALLS.store(0, Ordering::SeqCst);
    if parent == Parent::Handler {
        install(on_sigchld as *const () as usize)?;
    }
    let began = Instant::now();
    let exit_at = began + EXIT_AFTER;
    let mut pids = Vec::with_capacity(children);
    for code in 0..children {
        // SAFETY: the demo is single-threaded; the child only sleeps
        // (nanosleep) and calls _exit, both async-signal-safe.
        match unsafe { fork() } {
            Ok(ForkResult::Child) => {
                std::thread::sleep(exit_at.saturating_duration_since(Instant::now()));
                // SAFETY: _exit skips the parent's exit handlers.
                unsafe { libc::_exit(code as i32) }
            }
            Ok(ForkResult::Parent { child }) => pids.push(child),
            Err(e) => return Err(format!("fork: {e}")),
        }
    }
    out.say(format_args!(
        "{}: forked {children} children, all exiting {} ms from now: {:?}",
        match parent {
            Parent::Handler => "handler",
            Parent::Never => "never",
            Parent::Block => "block",
        },
        EXIT_AFTER.as_millis(),
        pids.iter().map(|p| p.as_raw()).collect::<Vec<_>>()
    ));
    let mut run = Run {
        parent,
        children,
        pids: pids.iter().map(|p| p.as_raw()).collect(),
        reaped: 0,
        handler_calls: 0,
        zombies_seen: 0,
        work_rounds: 0,
        blocked_ms: 0.0,
        elapsed_ms: 0.0,
    };
    match parent {
        Parent::Handler => {
            // Work until the handler has reaped every child (or 5 s).
            let deadline = began + Duration::from_secs(5);
            while REAPED_COUNT.load(Ordering::SeqCst) < children && Instant::now() < deadline {
                work(&mut run.work_rounds);
            }
            install(libc::SIG_DFL)?;
            run.reaped = REAPED_COUNT.load(Ordering::SeqCst);
            run.handler_calls = HANDLER_CALLS.load(Ordering::SeqCst);
            out.say(format_args!(
                "  the handler ran {} times and reaped {} children while the parent worked ({} rounds)",
                run.handler_calls, run.reaped, run.work_rounds
            ));
        }
        Parent::Never => {
            // Work on, never waiting, until /proc shows every child
            // ended (at most 5 s), then look at them.
            let state = |p: &nix::unistd::Pid| Stat::of(p.as_raw()).map_or('?', |s| s.state);
            let deadline = exit_at + Duration::from_secs(5);
            while Instant::now() < exit_at
                || (!pids.iter().all(|p| state(p) == 'Z') && Instant::now() < deadline)
            {
                work(&mut run.work_rounds);
            }
            let states: Vec<char> = pids.iter().map(state).collect();
            run.zombies_seen = states.iter().filter(|&&s| s == 'Z').count();
            out.say(format_args!(
                "  /proc/PID/stat after their exit, nobody waiting: states {states:?}"
            ));
            for pid in &pids {
                let _ = waitpid(*pid, None);
            }
        }
        Parent::Block => {
            let blocked = Instant::now();
            for pid in &pids {
                if let Ok(WaitStatus::Exited(..) | WaitStatus::Signaled(..)) = waitpid(*pid, None) {
                    run.reaped += 1;
                }
            }
            run.blocked_ms = millis(blocked.elapsed());
            out.say(format_args!(
                "  blocked in waitpid {:.1} ms, reaping {}; no work done meanwhile",
                run.blocked_ms, run.reaped
            ));
        }
    }
    run.elapsed_ms = millis(began.elapsed());
    Ok(run)
}

/// Installs `handler` (a function's address, or SIG_DFL) for SIGCHLD,
/// with SA_RESTART so that interrupted calls resume, and SA_NOCLDSTOP:
/// only exits, not stops, raise it.
fn install(handler: usize) -> Result<(), String> {
    // SAFETY: a zeroed sigaction is valid; the handler, when one, only
    // uses async-signal-safe calls.
    let result = unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = handler;
        action.sa_flags = libc::SA_RESTART | libc::SA_NOCLDSTOP;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGCHLD, &action, std::ptr::null_mut())
    };
    match result {
        0 => Ok(()),
        _ => Err(format!("sigaction: {}", nix::errno::Errno::last())),
    }
}
