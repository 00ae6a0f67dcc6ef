//! `return`: leave the running function (or sourced file) with a status.

use std::ffi::OsString;

use super::{fail, options, shown};
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Flow, Status};

pub static RETURN: Builtin = Builtin {
    name: "return",
    summary: "leave a function with a status",
    help: "return [N]
    Leave the running function, or the file being sourced, with status N
    (taken modulo 256), or with the status of the last command.
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run,
};

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let (_, operands) = options(&args[1..], &[]);
    if operands.len() > 1 {
        return super::too_many_arguments(ctx, "return");
    }
    let status = match operands.first() {
        None => ctx.last_status(),
        Some(arg) => match shown(arg).trim().parse::<i64>() {
            Ok(n) => n.rem_euclid(256) as Status,
            Err(_) => fail(
                ctx,
                "return",
                format_args!("{}: numeric argument required", shown(arg)),
                2,
            ),
        },
    };
    if !ctx.can_return() {
        return fail(
            ctx,
            "return",
            "can only `return' from a function or sourced script",
            2,
        );
    }
    ctx.set_flow(Flow::Return(status));
    status
}
