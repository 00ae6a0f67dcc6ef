//! The lab demos: each reproduces one program of the operating-systems lab
//! and measures what the lab asks the student to observe.
//!
//! The conventions every demo follows:
//! - It runs in a process of its own: the shell execs its own binary with
//!   the demo's name as `argv[0]` (see [`crate::Place::Process`]), so a
//!   crash, a deadlock or Ctrl-C never takes the shell down, `ps` shows it
//!   by name, and it composes like any command (`cow | tee out`).
//! - Measuring is separate from printing: a demo fills a report value with
//!   what it measured, then [`emit`] prints it for people, or with `--json`
//!   as one JSON object for scripts and tests.
//! - Defaults are the lab's; options shrink the work for quick runs.
//! - Output states measured facts, then at most two lines of "what to
//!   notice", which `--quiet` drops.

pub mod processes;
pub mod sched;
pub mod sync;
pub mod threads;
pub mod trace;

use std::ffi::OsString;

use clap::Parser;
use serde::Serialize;

use crate::context::{Context, Status};

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
pub fn options<T: Parser>(args: &[OsString], ctx: &mut dyn Context) -> Result<T, Status> {
    T::try_parse_from(args).map_err(|error| {
        let text = error.render().to_string();
        if error.use_stderr() {
            let _ = ctx.stderr().write_all(text.as_bytes());
            2
        } else {
            let _ = ctx.stdout().write_all(text.as_bytes());
            0
        }
    })
}

/// Prints what a demo measured: its report as JSON with `--json`, or the
/// lines `human` writes for people, followed by the `notice` lines unless
/// `--quiet`.
pub fn emit<R: Serialize>(
    ctx: &mut dyn Context,
    output: &Output,
    report: &R,
    human: impl FnOnce(&R) -> String,
    notice: &[&str],
) -> Status {
    let mut text = if output.json {
        match serde_json::to_string(report) {
            Ok(json) => json + "\n",
            Err(e) => return crate::shell::fail(ctx, "demo", format_args!("json: {e}"), 1),
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
    match ctx.stdout().write_all(text.as_bytes()) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}

/// Milliseconds in a duration, as the demos print times.
pub fn millis(duration: std::time::Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
