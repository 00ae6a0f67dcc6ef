//! The workers of `sum-array-bugs`, as threads sharing the array or as
//! child processes each with a copy-on-write copy, and the one buggy
//! worker. A forked child only sums, formats on the stack, writes to a
//! pipe and exits: nothing after fork allocates.

use std::io::Read;
use std::ops::Range;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::sync::Barrier;
use std::thread;

use nix::fcntl::OFlag;
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork, pipe2};

use super::Mistake;
use crate::postfork::Line;
use crate::threads::guarded::GuardedArray;

/// How one worker ended, before the report names it.
#[derive(Default)]
pub(super) struct Outcome {
    pub pid: Option<Pid>,
    /// How the child ended, for processes.
    pub status: Option<WaitStatus>,
    pub partial_sum: Option<i64>,
}

pub(super) fn sum(part: &[i32]) -> i64 {
    part.iter().map(|&x| i64::from(x)).sum()
}

/// The workers as threads of this process, all reading the one array.
/// For the corruption every worker meets at a barrier after worker 0's
/// writes and before anyone sums, so the outcome does not depend on which
/// thread the scheduler runs first.
pub(super) fn with_threads(
    array: &GuardedArray,
    parts: &[Range<usize>],
    bug: Mistake,
    culprit: Option<usize>,
    tell: Option<RawFd>,
) -> Vec<Outcome> {
    let barrier = Barrier::new(parts.len());
    thread::scope(|scope| {
        let handles: Vec<_> = parts
            .iter()
            .enumerate()
            .map(|(index, part)| {
                let barrier = &barrier;
                scope.spawn(move || {
                    let own = (culprit == Some(index)).then(|| {
                        // SAFETY: none is kept, on purpose: this is the
                        // lab's bug. For the corruption, the other threads
                        // are waiting at the barrier below, not reading.
                        unsafe { buggy_worker(array, part.clone(), bug) }
                    });
                    if bug == Mistake::Corruption {
                        barrier.wait();
                    }
                    let partial = own.unwrap_or_else(|| sum(array.part(part.clone())));
                    // Watched (see watch.rs): tell the watcher at once,
                    // before a crash in another thread can stop this one.
                    if let Some(fd) = tell {
                        let mut line = Line::new();
                        line.text("sum ")
                            .int(index as i64)
                            .text(" ")
                            .int(partial)
                            .text("\n");
                        line.write_to(fd);
                    }
                    partial
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| Outcome {
                partial_sum: handle.join().ok(),
                ..Outcome::default()
            })
            .collect()
    })
}

/// The workers as child processes, each with the array as it was at
/// fork: the pages are shared until someone writes, and a write copies
/// the page for the writer alone. Each child writes `index sum` into a
/// pipe and exits; the parent reads the pipe to its end, then waits for
/// every child and keeps how it ended.
pub(super) fn with_processes(
    array: &GuardedArray,
    parts: &[Range<usize>],
    bug: Mistake,
    culprit: Option<usize>,
) -> Result<Vec<Outcome>, String> {
    let (results_read, results_write) =
        pipe2(OFlag::O_CLOEXEC).map_err(|e| format!("pipe: {e}"))?;
    // For the corruption the workers after worker 0 read `go` until it
    // ends, which is when worker 0, its only writer, closes it.
    let (go_read, go_write) = pipe2(OFlag::O_CLOEXEC).map_err(|e| format!("pipe: {e}"))?;
    let mut go_write = Some(go_write);
    let mut children = Vec::new();
    let mut failure = None;
    for (index, part) in parts.iter().enumerate() {
        // SAFETY: the demo is single-threaded here (processes mode starts
        // no thread); the child only sums, writes to a pipe and exits.
        match unsafe { fork() } {
            Ok(ForkResult::Child) => {
                drop(results_read);
                let worker = ChildWorker {
                    index,
                    part: part.clone(),
                    bug,
                    buggy: culprit == Some(index),
                };
                worker.run(array, &results_write, &go_read, go_write.take())
            }
            Ok(ForkResult::Parent { child }) => children.push(child),
            Err(e) => {
                failure = Some(format!("fork: {e}"));
                break;
            }
        }
        // Worker 0 has its copy of the write end; the parent's goes, so
        // later children do not inherit it.
        go_write = None;
    }
    drop(results_write);
    drop(go_read);
    let reported = read_all(results_read);
    let mut outcomes: Vec<Outcome> = children
        .iter()
        .map(|&pid| Outcome {
            pid: Some(pid),
            status: wait_for(pid),
            partial_sum: None,
        })
        .collect();
    if let Some(e) = failure {
        return Err(e);
    }
    for line in reported.lines() {
        if let Some((index, partial)) = line.split_once(' ')
            && let (Ok(index), Ok(partial)) = (index.parse::<usize>(), partial.parse::<i64>())
            && let Some(outcome) = outcomes.get_mut(index)
        {
            outcome.partial_sum = Some(partial);
        }
    }
    Ok(outcomes)
}

/// What a child worker was told before the fork.
struct ChildWorker {
    index: usize,
    part: Range<usize>,
    bug: Mistake,
    /// Whether this child commits the bug.
    buggy: bool,
}

impl ChildWorker {
    /// The child's whole life: commit the bug or wait for the go-ahead,
    /// sum its part, report, exit. Worker 0 holds `go_write`.
    fn run(
        &self,
        array: &GuardedArray,
        results: &OwnedFd,
        go: &OwnedFd,
        go_write: Option<OwnedFd>,
    ) -> ! {
        let own = self.buggy.then(|| {
            // SAFETY: none is kept, on purpose: this is the lab's bug. Its
            // writes land in this child's own copy of the array.
            unsafe { buggy_worker(array, self.part.clone(), self.bug) }
        });
        match go_write {
            // Worker 0 is done writing: closing `go` lets the others sum.
            Some(go_write) => drop(go_write),
            None if self.bug == Mistake::Corruption => {
                let mut byte = [0u8; 1];
                while let Err(nix::Error::EINTR) = nix::unistd::read(go, &mut byte) {}
            }
            None => {}
        }
        let partial = own.unwrap_or_else(|| sum(array.part(self.part.clone())));
        // Formatted on the stack: no allocation after fork.
        let mut line = Line::new();
        line.int(self.index as i64)
            .text(" ")
            .int(partial)
            .text("\n");
        let code = if line.write_to(results.as_raw_fd()) {
            0
        } else {
            1
        };
        // SAFETY: _exit ends the child without unwinding into the demo's
        // code or running its exit handlers a second time.
        unsafe { libc::_exit(code) }
    }
}

/// The buggy worker: it sums its own part like the others, but through a
/// raw pointer with no bounds, as a C worker does, and it commits the
/// lab's bug. Safe Rust cannot express either bug: slices are
/// bounds-checked, and a worker holding a shared view of the array cannot
/// write to it. This is the one place the demo breaks memory safety, on
/// purpose, so that the consequences can be watched.
///
/// # Safety
///
/// There is none to keep. `Segfault` reads the element after the last,
/// which lies in the array's guard page: the process gets SIGSEGV.
/// `Corruption` writes into the parts the other workers sum; callers make
/// them wait until this returns, so they read changed values but never
/// race with the writes.
unsafe fn buggy_worker(array: &GuardedArray, own: Range<usize>, bug: Mistake) -> i64 {
    let base = array.as_ptr();
    match bug {
        Mistake::Segfault => {
            let mut sum = 0;
            let mut i = own.start;
            // `<=` where `<` was meant: one element too many.
            while i <= own.end {
                // SAFETY: none: at i == own.end, the array's length, this
                // reads the guard page. Volatile, so the read happens.
                sum += i64::from(unsafe { base.add(i).read_volatile() });
                i += 1;
            }
            sum
        }
        Mistake::Corruption => {
            for i in (0..array.len()).filter(|i| !own.contains(i)) {
                // SAFETY: i < len: inside the array, but in another
                // worker's part, which that worker has not started reading.
                unsafe { base.add(i).write(-base.add(i).read()) };
            }
            sum(array.part(own))
        }
    }
}

pub(super) fn wait_for(pid: Pid) -> Option<WaitStatus> {
    loop {
        match waitpid(pid, None) {
            Err(nix::Error::EINTR) => {}
            result => return result.ok(),
        }
    }
}

fn read_all(fd: OwnedFd) -> String {
    let mut text = String::new();
    let _ = std::fs::File::from(fd).read_to_string(&mut text);
    text
}
