//! `break` and `continue`: leave a loop, or start its next turn. They do
//! not jump themselves: they ask the shell to unwind ([`Flow`]), and each
//! loop on the way consumes one level.

use std::ffi::OsString;

use super::{fail, options, shown};
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Flow, Status};

pub static BREAK: Builtin = Builtin {
    name: "break",
    summary: "leave the innermost loops",
    help: "break [N]
    Leave the innermost enclosing for, while or until loop, or the N
    innermost ones. Outside a loop it does nothing.
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run: run_break,
};

pub static CONTINUE: Builtin = Builtin {
    name: "continue",
    summary: "start the next turn of a loop",
    help: "continue [N]
    Skip the rest of the body of the innermost enclosing loop and start its
    next turn; with N, of the Nth enclosing loop.
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run: run_continue,
};

fn run_break(args: &[OsString], ctx: &mut dyn Context) -> Status {
    run(args, ctx, Flow::Break)
}

fn run_continue(args: &[OsString], ctx: &mut dyn Context) -> Status {
    run(args, ctx, Flow::Continue)
}

fn run(args: &[OsString], ctx: &mut dyn Context, flow: fn(usize) -> Flow) -> Status {
    let name = shown(&args[0]).into_owned();
    let (_, operands) = options(&args[1..], &[]);
    if operands.len() > 1 {
        return super::too_many_arguments(ctx, &name);
    }
    let levels = match operands.first() {
        None => 1,
        Some(arg) => match shown(arg).trim().parse::<i64>() {
            Ok(n) if n >= 1 => n as usize,
            Ok(_) => {
                // bash complains and leaves the loop anyway.
                let status = fail(
                    ctx,
                    &name,
                    format_args!("{}: loop count out of range", shown(arg)),
                    1,
                );
                if ctx.loop_depth() > 0 {
                    ctx.set_flow(flow(1));
                }
                return status;
            }
            Err(_) => {
                let status = fail(
                    ctx,
                    &name,
                    format_args!("{}: numeric argument required", shown(arg)),
                    128,
                );
                ctx.request_exit(status);
                return status;
            }
        },
    };
    if ctx.loop_depth() == 0 {
        return fail(
            ctx,
            &name,
            "only meaningful in a `for', `while', or `until' loop",
            0,
        );
    }
    ctx.set_flow(flow(levels.min(ctx.loop_depth())));
    0
}
