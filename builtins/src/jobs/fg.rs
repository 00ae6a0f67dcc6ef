//! `fg` and `bg`: continue a stopped job in the foreground or background.

use std::ffi::OsString;

use super::job_or_current;
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, JobState, Status};
use crate::shell::{fail, shown};

pub static FG: Builtin = Builtin {
    name: "fg",
    summary: "bring a job to the foreground",
    help: "fg [%JOB]
    Continue JOB (the current one by default) in the foreground: it gets
    the terminal, and the shell waits for it to end or stop again. The
    status is the job's.
",
    place: Place::Shell,
    group: Group::Jobs,
    help_option: true,
    run: run_fg,
};

pub static BG: Builtin = Builtin {
    name: "bg",
    summary: "continue a stopped job in the background",
    help: "bg [%JOB ...]
    Continue each stopped JOB (the current one by default) in the
    background, as if it had been started with `&`.
",
    place: Place::Shell,
    group: Group::Jobs,
    help_option: true,
    run: run_bg,
};

fn run_fg(args: &[OsString], ctx: &mut dyn Context) -> Status {
    if !ctx.job_control() {
        return fail(ctx, "fg", "no job control", 1);
    }
    let spec = args.get(1).map(|a| shown(a).into_owned());
    let id = match job_or_current(ctx, spec.as_deref()) {
        Ok(id) => id,
        Err(message) => return fail(ctx, "fg", message, 1),
    };
    let command = ctx
        .jobs()
        .into_iter()
        .find(|j| j.id == id)
        .map(|j| j.command());
    let _ = writeln!(ctx.stdout(), "{}", command.unwrap_or_default());
    match ctx.continue_job(id, true) {
        Ok(status) => status,
        Err(message) => fail(ctx, "fg", message, 1),
    }
}

fn run_bg(args: &[OsString], ctx: &mut dyn Context) -> Status {
    if !ctx.job_control() {
        return fail(ctx, "bg", "no job control", 1);
    }
    let specs: Vec<Option<String>> = match args.len() {
        1 => vec![None],
        _ => args[1..]
            .iter()
            .map(|a| Some(shown(a).into_owned()))
            .collect(),
    };
    let mut status = 0;
    for spec in specs {
        let id = match job_or_current(ctx, spec.as_deref()) {
            Ok(id) => id,
            Err(message) => {
                status = fail(ctx, "bg", message, 1);
                continue;
            }
        };
        let running = ctx
            .jobs()
            .iter()
            .any(|j| j.id == id && j.state == JobState::Running);
        if running {
            // Not an error in bash: a warning, and the status stays 0.
            fail(ctx, "bg", format_args!("job {id} already in background"), 0);
            continue;
        }
        if let Err(message) = ctx.continue_job(id, false) {
            status = fail(ctx, "bg", message, 1);
            continue;
        }
        if let Some(job) = ctx.jobs().into_iter().find(|j| j.id == id) {
            let _ = writeln!(ctx.stdout(), "[{}]{} {} &", job.id, job.mark, job.command());
        }
    }
    status
}
