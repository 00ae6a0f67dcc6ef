//! `reentrancy`: the lecture's four `add2` functions, run from several
//! threads at once and from a signal handler that interrupts a thread in
//! the middle of one. Counting the wrong results in each setting shows
//! thread-safety and reentrancy as two different properties: a
//! thread-local temporary keeps threads apart but not a handler, which
//! runs on the very thread it interrupts; only a function with no
//! temporary at all is right in both.
//!
//! The lecture's `int tmp` is a plain global, and two threads writing it
//! at once is a data race, which in C and Rust alike is undefined
//! behaviour: the program could do anything, not just compute a wrong
//! sum. Here every temporary is an atomic used with a separate store and
//! load, which keeps the race the lecture means (another caller's store
//! can land between ours and our load) without the undefined behaviour.
//! Atomics are also what a signal handler may touch.

use std::ffi::c_int;
use std::hint::black_box;
use std::os::unix::thread::JoinHandleExt;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU8, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use clap::Parser;
use nix::errno::Errno;
use nix::sys::signal::{
    SaFlags, SigAction, SigHandler, SigSet, SigmaskHow, Signal, pthread_sigmask, sigaction,
};
use serde::Serialize;

use crate::io::{Io, Status};
use crate::{Output, emit, millis, options};

const HELP: &str = include_str!("reentrancy.txt");

#[derive(Parser)]
#[command(name = "reentrancy", override_help = HELP)]
struct Options {
    #[arg(short = 'n', default_value_t = 4, value_parser = clap::value_parser!(u32).range(2..=64))]
    threads: u32,
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=60_000))]
    ms: u64,
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(0..=10_000_000))]
    window: u32,
    #[command(flatten)]
    output: Output,
}

/// The four functions, in the lecture's order.
#[derive(Debug, Serialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
enum Variant {
    GlobalTemporary = 0,
    GlobalWriteOnly = 1,
    ThreadLocal = 2,
    NoTemporary = 3,
}

const VARIANTS: [Variant; 4] = [
    Variant::GlobalTemporary,
    Variant::GlobalWriteOnly,
    Variant::ThreadLocal,
    Variant::NoTemporary,
];

impl Variant {
    fn name(self) -> &'static str {
        match self {
            Variant::GlobalTemporary => "global tmp",
            Variant::GlobalWriteOnly => "global tmp, not read back",
            Variant::ThreadLocal => "thread_local tmp",
            Variant::NoTemporary => "no tmp",
        }
    }

    fn code(self) -> &'static str {
        match self {
            Variant::GlobalTemporary | Variant::ThreadLocal => "tmp = x; return tmp + 2;",
            Variant::GlobalWriteOnly => "tmp = x; return x + 2;",
            Variant::NoTemporary => "return x + 2;",
        }
    }

    fn from_u8(n: u8) -> Variant {
        match n {
            0 => Variant::GlobalTemporary,
            1 => Variant::GlobalWriteOnly,
            2 => Variant::ThreadLocal,
            _ => Variant::NoTemporary,
        }
    }

    /// Calls this variant's add2.
    fn add2(self, x: i32) -> i32 {
        match self {
            Variant::GlobalTemporary => add2_global(x),
            Variant::GlobalWriteOnly => add2_global_write_only(x),
            Variant::ThreadLocal => add2_thread_local(x),
            Variant::NoTemporary => add2_no_temporary(x),
        }
    }
}

// --- The four add2 and what they share -----------------------------------
//
// Everything here may run inside the signal handler, so it only touches
// atomics and the stack: no locks, no allocation, no panics (the values of
// x are kept far from i32::MAX, so `+ 2` cannot overflow).

/// The lecture's global `int tmp`, shared by every thread and the handler.
static TMP: AtomicI32 = AtomicI32::new(0);

thread_local! {
    /// The lecture's `thread_local int tmp`: one per thread, and the
    /// handler, which runs on the thread it interrupted, uses that
    /// thread's. Initialised by a constant and without a destructor, it
    /// becomes a plain `#[thread_local]` static inside std, and since it
    /// is defined in the executable itself, it is reached with the
    /// local-exec TLS model: it lies in the executable's TLS block, which
    /// every thread is given when it is created, at an offset from the
    /// thread pointer fixed at link time (on x86-64, one `mov` from
    /// `%fs:OFFSET`). That holds whether the executable is linked
    /// statically or dynamically; only a thread-local of a shared library
    /// may be reached through `__tls_get_addr`, which can allocate on
    /// first use. Nothing here is initialised lazily or allocated, so the
    /// handler may touch it.
    static TMP_LOCAL: AtomicI32 = const { AtomicI32::new(0) };
}

/// Spin rounds at /* Preempt here */.
static WINDOW: AtomicU32 = AtomicU32::new(0);

/// The lecture's `/* Preempt here */`, widened: an empty loop the
/// optimizer must keep.
fn preempt_here() {
    for round in 0..WINDOW.load(Ordering::Relaxed) {
        black_box(round);
    }
}

/// `int tmp; int add2(int x) { tmp = x; /* Preempt here */ return tmp + 2; }`
/// Not thread-safe, not reentrant.
fn add2_global(x: i32) -> i32 {
    TMP.store(x, Ordering::Relaxed);
    preempt_here();
    TMP.load(Ordering::Relaxed) + 2
}

/// `int tmp; int add2(int x) { tmp = x; return x + 2; }`
/// Reentrant, not thread-safe in C (the unsynchronized write).
fn add2_global_write_only(x: i32) -> i32 {
    TMP.store(x, Ordering::Relaxed);
    preempt_here();
    x + 2
}

/// `thread_local int tmp; int add2(int x) { tmp = x; return tmp + 2; }`
/// Thread-safe, not reentrant.
fn add2_thread_local(x: i32) -> i32 {
    TMP_LOCAL.with(|tmp| {
        tmp.store(x, Ordering::Relaxed);
        preempt_here();
        tmp.load(Ordering::Relaxed) + 2
    })
}

/// `int add2(int x) { return x + 2; }` Thread-safe and reentrant.
fn add2_no_temporary(x: i32) -> i32 {
    preempt_here();
    x + 2
}

// --- The signal handler and what it shares with the main thread ----------

/// Which add2 the handler calls.
static HANDLER_VARIANT: AtomicU8 = AtomicU8::new(0);
/// How many times the handler has run.
static HANDLED: AtomicU64 = AtomicU64::new(0);
/// How many of the handler's own add2 results were wrong.
static HANDLER_WRONG: AtomicU64 = AtomicU64::new(0);

/// The values of x stay below this, so x + 2 fits an i32.
const X_RANGE: u64 = 1_000_000_000;

/// SIGUSR1's handler: calls add2 with a negative x, which no worker uses,
/// so that a worker whose tmp it overwrote finds a sum that cannot be its
/// own. Only atomics and add2, which are async-signal-safe.
extern "C" fn on_sigusr1(_: c_int) {
    let n = HANDLED.load(Ordering::Relaxed);
    let y = -1 - (n % X_RANGE) as i32;
    let variant = Variant::from_u8(HANDLER_VARIANT.load(Ordering::Relaxed));
    if variant.add2(y) != y + 2 {
        HANDLER_WRONG.fetch_add(1, Ordering::Relaxed);
    }
    // Release: the main thread, seeing the count, sees the handler done.
    HANDLED.fetch_add(1, Ordering::Release);
}

// --- Measuring -------------------------------------------------------------

/// Calls and wrong results from threads calling add2 at once.
#[derive(Debug, Serialize, Default)]
struct Tally {
    calls: u64,
    wrong: u64,
}

/// Calls and wrong results of the interrupted thread.
#[derive(Debug, Serialize)]
struct Interrupted {
    calls: u64,
    wrong: u64,
    /// How many times the handler ran (each signal waited for before the
    /// next was sent).
    interrupts: u64,
    /// Wrong results of the handler's own calls (nothing interrupts it).
    handler_wrong: u64,
}

#[derive(Debug, Serialize)]
struct VariantReport {
    variant: Variant,
    name: &'static str,
    code: &'static str,
    threads: Tally,
    handler: Interrupted,
}

#[derive(Debug, Serialize)]
struct Report {
    threads: u32,
    ms: u64,
    window: u32,
    variants: Vec<VariantReport>,
    elapsed_ms: f64,
}

pub fn run(io: &mut Io) -> Status {
    let options: Options = match options(io) {
        Ok(options) => options,
        Err(status) => return status,
    };
    if !options.output.json {
        io.out.text(&plan(options.threads, options.ms));
    }
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
            "thread_local tmp keeps threads apart, but the handler runs on the thread it interrupts and shares its tmp",
            "only no tmp has nothing to share: thread-safe and reentrant",
        ],
    )
}

fn measure(options: &Options) -> Result<Report, String> {
    WINDOW.store(options.window, Ordering::Relaxed);
    let handler = SigAction::new(
        SigHandler::Handler(on_sigusr1),
        SaFlags::SA_RESTART,
        SigSet::empty(),
    );
    // SAFETY: the handler only uses atomics and add2, which are
    // async-signal-safe (see on_sigusr1).
    unsafe { sigaction(Signal::SIGUSR1, &handler) }.map_err(|e| format!("sigaction: {e}"))?;
    let duration = Duration::from_millis(options.ms);
    let start = Instant::now();
    let mut variants = Vec::new();
    for variant in VARIANTS {
        let threads = in_threads(variant, options.threads, duration)?;
        let handler = under_handler(variant, duration)?;
        variants.push(VariantReport {
            variant,
            name: variant.name(),
            code: variant.code(),
            threads,
            handler,
        });
    }
    Ok(Report {
        threads: options.threads,
        ms: options.ms,
        window: options.window,
        variants,
        elapsed_ms: millis(start.elapsed()),
    })
}

/// `threads` threads call add2 at once for `duration`, thread t with the
/// values t, t + threads, t + 2*threads, … so none shares a value.
fn in_threads(variant: Variant, threads: u32, duration: Duration) -> Result<Tally, String> {
    let stop = Arc::new(AtomicBool::new(false));
    let ready = Arc::new(Barrier::new(threads as usize + 1));
    let mut handles = Vec::new();
    for t in 0..threads {
        let (stop, ready) = (Arc::clone(&stop), Arc::clone(&ready));
        let handle = thread::Builder::new()
            .name(format!("add2-{t}"))
            .spawn(move || {
                let mut tally = Tally::default();
                ready.wait();
                while !stop.load(Ordering::Relaxed) {
                    let x = ((tally.calls * u64::from(threads) + u64::from(t)) % X_RANGE) as i32;
                    if variant.add2(x) != x + 2 {
                        tally.wrong += 1;
                    }
                    tally.calls += 1;
                }
                tally
            })
            .map_err(|e| format!("spawning a thread: {e}"))?;
        handles.push(handle);
    }
    ready.wait();
    thread::sleep(duration);
    stop.store(true, Ordering::Relaxed);
    let mut total = Tally::default();
    for handle in handles {
        let tally = handle.join().map_err(|_| "a thread panicked".to_owned())?;
        total.calls += tally.calls;
        total.wrong += tally.wrong;
    }
    Ok(total)
}

/// One thread calls add2 in a loop for `duration` while the main thread
/// interrupts it with SIGUSR1, one signal at a time: it waits until the
/// handler has run and the thread has moved on to a new call before
/// sending the next, so each signal lands in a call of its own.
fn under_handler(variant: Variant, duration: Duration) -> Result<Interrupted, String> {
    HANDLER_VARIANT.store(variant as u8, Ordering::Relaxed);
    HANDLED.store(0, Ordering::Relaxed);
    HANDLER_WRONG.store(0, Ordering::Relaxed);
    let stop = Arc::new(AtomicBool::new(false));
    // The calls the worker has finished, for the main thread to watch.
    let progress = Arc::new(AtomicU64::new(0));
    let ready = Arc::new(Barrier::new(2));
    let worker = {
        let (stop, progress, ready) =
            (Arc::clone(&stop), Arc::clone(&progress), Arc::clone(&ready));
        thread::Builder::new()
            .name("add2-interrupted".into())
            .spawn(move || {
                // The signal mask is inherited through execve: make sure
                // the signal can reach this thread.
                let mut usr1 = SigSet::empty();
                usr1.add(Signal::SIGUSR1);
                let _ = pthread_sigmask(SigmaskHow::SIG_UNBLOCK, Some(&usr1), None);
                let mut tally = Tally::default();
                ready.wait();
                while !stop.load(Ordering::Relaxed) {
                    let x = (tally.calls % X_RANGE) as i32;
                    if variant.add2(x) != x + 2 {
                        tally.wrong += 1;
                    }
                    tally.calls += 1;
                    progress.store(tally.calls, Ordering::Relaxed);
                }
                tally
            })
            .map_err(|e| format!("spawning a thread: {e}"))?
    };
    ready.wait();
    let began = Instant::now();
    let give_up = duration + Duration::from_secs(10);
    // Sleeping between polls leaves the CPU to the worker, which on a busy
    // machine may have to share one with the main thread.
    let wait_until = |done: &dyn Fn() -> bool| -> Result<(), String> {
        while !done() {
            if began.elapsed() > give_up {
                return Err("the interrupted thread made no progress".to_owned());
            }
            thread::sleep(Duration::from_micros(10));
        }
        Ok(())
    };
    let mut sent = 0;
    let mut outcome = Ok(());
    while outcome.is_ok() && began.elapsed() < duration {
        // SAFETY: the worker loops until `stop`, so the thread is alive,
        // and its pthread_t stays valid until join consumes the handle.
        let error = unsafe { libc::pthread_kill(worker.as_pthread_t(), libc::SIGUSR1) };
        if error != 0 {
            outcome = Err(format!("pthread_kill: {}", Errno::from_raw(error)));
            break;
        }
        sent += 1;
        // A second signal sent while the first is still pending would
        // merge with it: wait for the handler, then for a fresh call.
        outcome = wait_until(&|| HANDLED.load(Ordering::Acquire) >= sent);
        let seen = progress.load(Ordering::Relaxed);
        if outcome.is_ok() {
            outcome = wait_until(&|| progress.load(Ordering::Relaxed) >= seen + 2);
        }
    }
    stop.store(true, Ordering::Relaxed);
    let tally = worker
        .join()
        .map_err(|_| "the interrupted thread panicked".to_owned())?;
    outcome?;
    Ok(Interrupted {
        calls: tally.calls,
        wrong: tally.wrong,
        interrupts: HANDLED.load(Ordering::Acquire),
        handler_wrong: HANDLER_WRONG.load(Ordering::Relaxed),
    })
}

/// The first lines, printed before the calls start.
fn plan(threads: impl std::fmt::Display, ms: impl std::fmt::Display) -> String {
    format!(
        "threads: {threads} threads call add2 at once, for {ms} ms\n\
         handler: one thread calls add2 for {ms} ms; SIGUSR1 interrupts it, and the handler calls add2 too\n"
    )
}

fn human(report: &Report) -> String {
    let mut text = String::new();
    text.push_str(&format!(
        "{:<26} {:<25} {:>22}  {:>22}\n",
        "add2", "body", "threads: wrong/calls", "handler: wrong/calls"
    ));
    for v in &report.variants {
        let threads = format!("{} / {}", v.threads.wrong, v.threads.calls);
        let handler = format!("{} / {}", v.handler.wrong, v.handler.calls);
        text.push_str(&format!(
            "{:<26} {:<25} {:>22}  {:>22} ({} signals)\n",
            v.name, v.code, threads, handler, v.handler.interrupts
        ));
    }
    text.push_str(&format!("all runs took {:.0} ms\n", report.elapsed_ms));
    text
}
