//! `jobs`: list the shell's jobs.

use std::ffi::OsString;

use super::{find_job, job_line};
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, JobState, Status};
use crate::shell::{fail, options, shown};

pub static JOBS: Builtin = Builtin {
    name: "jobs",
    summary: "list background and stopped jobs",
    help: "jobs [-l|-p] [%JOB ...]
    List the jobs: number, current (+) or previous (-), state, command.
      -l  also show each process's PID
      -p  show only each job's process-group leader PID
    A job that ended is listed once more, then forgotten.
",
    place: Place::Shell,
    group: Group::Jobs,
    help_option: true,
    run,
};

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let (flags, specs) = options(&args[1..], &["-l", "-p"]);
    let all = ctx.jobs();
    let mut chosen = Vec::new();
    for spec in specs {
        match find_job(&shown(spec), &all) {
            Ok(id) => chosen.push(id),
            Err(message) => return fail(ctx, "jobs", message, 1),
        }
    }
    let mut text = String::new();
    for job in all
        .iter()
        .filter(|j| chosen.is_empty() || chosen.contains(&j.id))
    {
        if flags.contains(&"-p") {
            text.push_str(&format!(
                "{}\n",
                job.pids.first().copied().unwrap_or_default()
            ));
        } else {
            text.push_str(&job_line(job, flags.contains(&"-l")));
            text.push('\n');
        }
    }
    let status = match ctx.stdout().write_all(text.as_bytes()) {
        Ok(()) => 0,
        Err(_) => 1,
    };
    for job in &all {
        if job.state == JobState::Done && (chosen.is_empty() || chosen.contains(&job.id)) {
            ctx.forget_job(job.id);
        }
    }
    status
}
