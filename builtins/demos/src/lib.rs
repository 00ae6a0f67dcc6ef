//! The lab demos: each reproduces one program of the operating-systems lab
//! and measures what the lab asks the student to observe. They are a crate
//! of their own, built into the `minishell-lab` binary, so that the shell
//! neither links them nor their libraries (clap, serde, rayon); the shell
//! knows only their names and help (`minishell_builtins::lab`).
//!
//! The conventions every demo follows:
//! - It runs in a process of its own: the shell execs `minishell-lab` with
//!   the demo's name as `argv[0]`, so a crash, a deadlock or Ctrl-C never
//!   takes the shell down, `ps` shows it by name, and it composes like any
//!   command (`cow | tee out`). All it sees is an [`Io`]: its arguments and
//!   two unbuffered output streams.
//! - It runs bare with the lab's defaults; options shrink or vary the work.
//! - Output streams: a line is printed when its event happens ([`Out`]),
//!   and long runs show progress on a terminal ([`Progress`]). With
//!   `--json` the report is one JSON object at the end, nothing else on
//!   standard output.
//! - Measuring is separate from judging: every number is measured in this
//!   run, and every "what to notice" line about this run is chosen from
//!   those numbers (a fixed sentence may explain, never claim). `--quiet`
//!   drops the notices.
//! - In JSON, durations are milliseconds rounded to the microsecond
//!   ([`millis`], fields named `_ms`) and addresses are hex strings
//!   ([`hex`]).

pub mod hold;
pub mod io;
pub mod postfork;
pub mod processes;
pub mod sched;
pub mod sync;
pub mod threads;
pub mod trace;

use std::fmt::Display;

use clap::Parser;
use serde::{Serialize, Serializer};

pub use hold::Hold;
pub use io::{Io, Status, Stream};

/// One demo: its name (as in `minishell_builtins::lab`) and its code.
pub struct Demo {
    pub name: &'static str,
    pub run: fn(&mut Io) -> Status,
}

/// Every demo, sorted by name (a unit test checks it, and that the shell's
/// list names the same demos).
pub static DEMOS: &[Demo] = &[
    Demo {
        name: "barrier",
        run: sync::barrier::run,
    },
    Demo {
        name: "broken-lock",
        run: sync::broken_lock::run,
    },
    Demo {
        name: "clone",
        run: processes::clone::run,
    },
    Demo {
        name: "condition",
        run: sync::condition::run,
    },
    Demo {
        name: "cooperative",
        run: sched::cooperative::run,
    },
    Demo {
        name: "cow",
        run: processes::cow::run,
    },
    Demo {
        name: "create-cost",
        run: processes::create_cost::run,
    },
    Demo {
        name: "create-process",
        run: processes::create_process::run,
    },
    Demo {
        name: "ctx-switch",
        run: processes::ctx_switch::run,
    },
    Demo {
        name: "deadlock",
        run: sync::deadlock::run,
    },
    Demo {
        name: "exec-fds",
        run: processes::exec_fds::run,
    },
    Demo {
        name: "gil",
        run: sync::gil::run,
    },
    Demo {
        name: "granularity",
        run: sync::granularity::run,
    },
    Demo {
        name: "multithreaded",
        run: threads::multithreaded::run,
    },
    Demo {
        name: "nice",
        run: sched::nice::run,
    },
    Demo {
        name: "orphan",
        run: processes::orphan::run,
    },
    Demo {
        name: "pipe",
        run: processes::pipe::run,
    },
    Demo {
        name: "ptree",
        run: processes::ptree::run,
    },
    Demo {
        name: "race-condition",
        run: sync::race_condition::run,
    },
    Demo {
        name: "reentrancy",
        run: sync::reentrancy::run,
    },
    Demo {
        name: "schedule",
        run: sched::schedule::run,
    },
    Demo {
        name: "semaphore",
        run: sync::semaphore::run,
    },
    Demo {
        name: "shared-memory",
        run: sync::shared_memory::run,
    },
    Demo {
        name: "sigchld",
        run: processes::sigchld::run,
    },
    Demo {
        name: "sleepy",
        run: processes::sleepy::run,
    },
    Demo {
        name: "spawn",
        run: processes::spawn::run,
    },
    Demo {
        name: "sum-array",
        run: threads::sum_array::run,
    },
    Demo {
        name: "sum-array-bugs",
        run: threads::sum_array_bugs::run,
    },
    Demo {
        name: "thread-attrs",
        run: threads::thread_attrs::run,
    },
    Demo {
        name: "thread-stacks",
        run: threads::thread_stacks::run,
    },
    Demo {
        name: "tls",
        run: sync::tls::run,
    },
    Demo {
        name: "user-threads",
        run: threads::user_threads::run,
    },
    Demo {
        name: "wait-for-me",
        run: processes::wait_for_me::run,
    },
    Demo {
        name: "zombie",
        run: processes::zombie::run,
    },
];

/// The demo called `name`, if there is one.
pub fn find(name: &str) -> Option<&'static Demo> {
    DEMOS
        .binary_search_by(|demo| demo.name.cmp(name))
        .ok()
        .map(|i| &DEMOS[i])
}

/// The options every demo takes, flattened into its own.
#[derive(Debug, Clone, clap::Args)]
pub struct Output {
    /// Print the measurements as one JSON object, for scripts and tests.
    #[arg(long)]
    pub json: bool,
    /// Leave out the "what to notice" lines.
    #[arg(long)]
    pub quiet: bool,
}

/// Reads a demo's options with clap. `--help` and mistakes are printed
/// here; the `Err` is then the status to exit with.
pub fn options<T: Parser>(io: &mut Io) -> Result<T, Status> {
    T::try_parse_from(&io.args).map_err(|error| {
        let text = error.render().to_string();
        if error.use_stderr() {
            io.err.text(&text);
            2
        } else {
            io.out.text(&text);
            0
        }
    })
}

/// How a demo prints while it runs: a line for people the moment its event
/// happens (none with `--json`, whose report comes at the end), and the
/// "what to notice" lines unless `--quiet`. Cheap to clone into threads:
/// each line is one write, so lines from threads never mix.
#[derive(Clone)]
pub struct Out {
    stream: Stream,
    json: bool,
    quiet: bool,
}

impl Out {
    pub fn new(io: &Io, output: &Output) -> Out {
        Out {
            stream: io.out.clone(),
            json: output.json,
            quiet: output.quiet,
        }
    }

    /// Prints `line` now, unless the report is JSON.
    pub fn say(&self, line: impl Display) {
        if !self.json {
            self.stream.line(line);
        }
    }

    /// Prints `text` (whole lines, each ending in a newline) now, unless
    /// the report is JSON.
    pub fn text(&self, text: &str) {
        if !self.json {
            self.stream.text(text);
        }
    }

    /// Prints `-> line` now, unless `--json` or `--quiet`.
    pub fn notice(&self, line: impl Display) {
        if !self.json && !self.quiet {
            self.stream.line(format_args!("-> {line}"));
        }
    }

    /// Whether the report is JSON (and nothing else goes to stdout).
    pub fn json(&self) -> bool {
        self.json
    }
}

/// Prints what a demo measured: its report as JSON with `--json`, or the
/// lines `human` writes for people, followed by the `notice` lines unless
/// `--quiet`.
pub fn emit<R: Serialize>(
    io: &mut Io,
    output: &Output,
    report: &R,
    human: impl FnOnce(&R) -> String,
    notice: &[&str],
) -> Status {
    let mut text = if output.json {
        match serde_json::to_string(report) {
            Ok(json) => json + "\n",
            Err(e) => return io.fail(format_args!("json: {e}"), 1),
        }
    } else {
        human(report)
    };
    if !output.json && !output.quiet {
        for line in notice {
            text.push_str("-> ");
            text.push_str(line);
            text.push('\n');
        }
    }
    io.out.text(&text);
    0
}

/// Prints `report` as one JSON object on a line of its own: what `--json`
/// prints, once, at the end of the run.
pub fn json<R: Serialize>(io: &mut Io, report: &R) -> Status {
    match serde_json::to_string(report) {
        Ok(json) => {
            io.out.line(json);
            0
        }
        Err(e) => io.fail(format_args!("json: {e}"), 1),
    }
}

/// A progress line on standard error, rewritten in place, for runs long
/// enough that a student would wonder: only on a terminal, so scripts,
/// pipes and tests never see it.
pub struct Progress {
    err: Option<Stream>,
}

impl Progress {
    pub fn new(io: &Io) -> Progress {
        Progress {
            err: io.err.is_terminal().then(|| io.err.clone()),
        }
    }

    /// Shows `text` in place of the previous progress line.
    pub fn show(&self, text: impl Display) {
        if let Some(err) = &self.err {
            err.text(&format!("\r\x1b[K{text}"));
        }
    }

    /// Erases the progress line.
    pub fn done(&self) {
        if let Some(err) = &self.err {
            err.text("\r\x1b[K");
        }
    }
}

/// Milliseconds in a duration, rounded to the microsecond: how every demo
/// reports a time.
pub fn millis(duration: std::time::Duration) -> f64 {
    round_ms(duration.as_secs_f64() * 1000.0)
}

/// A number of milliseconds rounded to the microsecond.
pub fn round_ms(ms: f64) -> f64 {
    (ms * 1000.0).round() / 1000.0
}

/// Serializes an address as a hex string (`"0x7ffd5e8c1a40"`): how every
/// demo reports one, so that it reads as `pmap` and /proc/PID/maps show it.
pub fn hex<S: Serializer>(address: &u64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format!("{address:#x}"))
}

/// The median of some measurements (the mean of the middle two for an even
/// count); 0 for none.
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use minishell_builtins::{Place, REGISTRY};

    #[test]
    fn demos_are_sorted_and_match_the_shells_list() {
        for pair in DEMOS.windows(2) {
            assert!(
                pair[0].name < pair[1].name,
                "{} before {}",
                pair[0].name,
                pair[1].name
            );
        }
        let shell: Vec<&str> = REGISTRY
            .iter()
            .filter(|b| b.place == Place::Process && b.name != "lab")
            .map(|b| b.name)
            .collect();
        let here: Vec<&str> = DEMOS.iter().map(|d| d.name).collect();
        assert_eq!(shell, here);
    }

    #[test]
    fn times_round_to_the_microsecond() {
        assert_eq!(millis(std::time::Duration::from_nanos(1_234_567)), 1.235);
        assert_eq!(round_ms(0.0004), 0.0);
    }

    #[test]
    fn medians() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(median(&[]), 0.0);
    }
}
