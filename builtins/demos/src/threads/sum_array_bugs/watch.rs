//! The threads' segfault, watched. SIGSEGV in one thread kills its whole
//! process, so a process whose threads crash cannot report anything. The
//! demo therefore runs them in a process of its own (the lab binary
//! re-run with `--watched FD`), and stays outside as the watcher: each
//! thread writes its partial sum to the watcher the moment it has one,
//! and waitpid tells how the process ended. The watcher then reports, in
//! words or in JSON, what the crashed program could not.

use std::io::{BufRead, BufReader};
use std::os::fd::{AsRawFd, RawFd};
use std::time::Instant;

use nix::fcntl::OFlag;
use nix::sys::signal::Signal;
use nix::sys::wait::WaitStatus;
use nix::unistd::{Pid, pipe2};

use super::workers::{sum, wait_for, with_threads};
use super::{Ended, Kind, Mistake, Run, Setup, WorkerEnd, print, split};
use crate::io::Status;
use crate::postfork::{Line, Relaunch};
use crate::threads::guarded::GuardedArray;
use crate::{Out, millis};

/// Where the watched process finds the pipe to the watcher.
const REPORT_FD: RawFd = 3;

/// The watcher's side: start the watched process, print what it tells as
/// it tells it, and how it ended.
pub(super) fn watch(setup: &Setup, out: &Out) -> Result<Run, String> {
    let (read_end, write_end) = pipe2(OFlag::O_CLOEXEC).map_err(|e| format!("pipe: {e}"))?;
    let args: Vec<String> = [
        "segfault",
        "--threads",
        "-n",
        &setup.n.to_string(),
        "--len",
        &setup.len.to_string(),
        "--seed",
        &setup.seed.to_string(),
        "--watched",
        &REPORT_FD.to_string(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let lab = Relaunch::new("sum-array-bugs", &args)?;
    let start = Instant::now();
    let child = lab
        .spawn(&[(write_end.as_raw_fd(), REPORT_FD)])
        .map_err(|e| format!("fork: {e}"))?;
    drop(write_end);
    let workers = usize::from(setup.n);
    let mut run = Run {
        bug: Mistake::Segfault,
        kind: Kind::Threads,
        buggy: true,
        workers,
        len: setup.len,
        seed: setup.seed,
        pid: child.as_raw(),
        expected_sum: 0,
        obtained_sum: None,
        ms: 0.0,
        ends: Vec::new(),
        process: None,
    };
    out.say(print::plan(&run));
    let mut partials = vec![None; workers];
    for line in BufReader::new(std::fs::File::from(read_end)).lines() {
        let line = line.map_err(|e| format!("read: {e}"))?;
        let words: Vec<&str> = line.split_whitespace().collect();
        match words[..] {
            ["expected", sum] => {
                run.expected_sum = sum.parse().unwrap_or(0);
                out.say(print::expected(&run));
            }
            ["sum", index, partial] => {
                if let (Ok(index), Ok(partial)) = (index.parse::<usize>(), partial.parse::<i64>()) {
                    out.say(format_args!(
                        "  worker {index} (a thread): partial sum {partial}, sent to the watcher before its main thread could add it"
                    ));
                    if let Some(slot) = partials.get_mut(index) {
                        *slot = Some(partial);
                    }
                }
            }
            _ => {}
        }
    }
    let status = wait_for(child);
    run.ms = millis(start.elapsed());
    run.process = Some(ended(child, status));
    run.ends = split(setup.len, workers)
        .into_iter()
        .zip(partials)
        .enumerate()
        .map(|(index, (part, partial_sum))| WorkerEnd {
            index,
            pid: None,
            start: part.start,
            end: part.end,
            buggy: index == workers - 1,
            exit_code: None,
            signal: None,
            signal_name: None,
            partial_sum,
        })
        .collect();
    out.say(crashed(&run));
    Ok(run)
}

fn ended(pid: Pid, status: Option<WaitStatus>) -> Ended {
    let (exit_code, signal) = match status {
        Some(WaitStatus::Exited(_, code)) => (Some(code), None),
        Some(WaitStatus::Signaled(_, signal, _)) => (None, Some(signal)),
        _ => (None, None),
    };
    Ended {
        pid: pid.as_raw(),
        exit_code,
        signal: signal.map(|s| s as i32),
        signal_name: signal.map(Signal::as_str),
    }
}

/// The watcher's last line: how the process of threads ended.
fn crashed(run: &Run) -> String {
    let sent = run.ends.iter().filter(|e| e.partial_sum.is_some()).count();
    match &run.process {
        Some(Ended {
            pid,
            signal: Some(signal),
            signal_name,
            ..
        }) => format!(
            "[watcher] process {pid} was killed by signal {signal} ({}), all {} threads with it: {sent} had sent a partial sum, and none was ever added up",
            signal_name.unwrap_or("?"),
            run.workers
        ),
        Some(Ended { pid, exit_code, .. }) => format!(
            "[watcher] process {pid} exited with {}: its threads did not crash",
            exit_code.map_or("?".to_owned(), |c| c.to_string())
        ),
        None => "[watcher] the process's end was not seen".to_owned(),
    }
}

/// The watched process's side: build the array, tell the watcher the
/// right sum, and run the threads, each of which tells its partial sum.
/// The last one's read past the end ends it all.
pub(super) fn watched(setup: &Setup, fd: RawFd) -> Status {
    let workers = usize::from(setup.n);
    let Ok(array) = GuardedArray::random(setup.len, setup.seed) else {
        return 1;
    };
    let mut line = Line::new();
    line.text("expected ").int(sum(array.all())).text("\n");
    line.write_to(fd);
    let parts = split(array.len(), workers);
    let _ = with_threads(
        &array,
        &parts,
        Mistake::Segfault,
        Some(workers - 1),
        Some(fd),
    );
    0
}
