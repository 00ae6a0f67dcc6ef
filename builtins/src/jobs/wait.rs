//! `wait`: wait for background jobs and collect their status.

use std::ffi::OsString;

use super::find_job;
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};
use crate::shell::{fail, shown};

pub static WAIT: Builtin = Builtin {
    name: "wait",
    summary: "wait for background jobs to finish",
    help: "wait [-n] [PID|%JOB ...]
    With no argument, wait until every background job has finished; the
    status is 0. With -n, wait for the next job to finish and return its
    status (127 when there is none). With PIDs or jobs, wait for each and return the last
    one's status (127 if it is not a child of this shell). A child that
    already ended still reports its status, so `cmd & ...; wait $!` works.
",
    place: Place::Shell,
    group: Group::Jobs,
    help_option: true,
    run,
};

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    if args.len() < 2 {
        return ctx.wait_all();
    }
    if args[1] == "-n" {
        return ctx.wait_any().unwrap_or(127);
    }
    let mut status = 0;
    for arg in &args[1..] {
        let text = shown(arg);
        if text.starts_with('%') {
            let jobs = ctx.jobs();
            status = match find_job(&text, &jobs) {
                Ok(id) => ctx.wait_job(id).unwrap_or(127),
                Err(message) => fail(ctx, "wait", message, 127),
            };
            continue;
        }
        let pid = match text.parse::<i32>() {
            Ok(pid) if pid > 0 => pid,
            Ok(_) => {
                status = fail(
                    ctx,
                    "wait",
                    format_args!("pid {text} is not a child of this shell"),
                    127,
                );
                continue;
            }
            Err(_) => {
                let message = format!("`{text}': not a pid or valid job spec");
                status = fail(ctx, "wait", message, 1);
                continue;
            }
        };
        status = match ctx.wait_pid(pid) {
            Some(child_status) => child_status,
            None => fail(
                ctx,
                "wait",
                format_args!("pid {pid} is not a child of this shell"),
                127,
            ),
        };
    }
    status
}
