//! `shift`: drop the first positional parameters.

use std::ffi::OsString;

use super::{fail, options, shown};
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};

pub static SHIFT: Builtin = Builtin {
    name: "shift",
    summary: "drop the first positional parameters",
    help: "shift [N]
    Drop $1 (or the first N positional parameters): $2 becomes $1, and so
    on. N larger than $# is an error and changes nothing.
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run,
};

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let (_, operands) = options(&args[1..], &[]);
    if operands.len() > 1 {
        return super::too_many_arguments(ctx, "shift");
    }
    let count = match operands.first() {
        None => 1,
        Some(arg) => match shown(arg).trim().parse::<i64>() {
            Ok(n) if n >= 0 => n as usize,
            Ok(_) => {
                return fail(
                    ctx,
                    "shift",
                    format_args!("{}: shift count out of range", shown(arg)),
                    1,
                );
            }
            Err(_) => {
                return fail(
                    ctx,
                    "shift",
                    format_args!("{}: numeric argument required", shown(arg)),
                    1,
                );
            }
        },
    };
    let mut params = ctx.positional();
    if count > params.len() {
        if ctx.option("shift_verbose") == Some(true) {
            let text = operands
                .first()
                .map_or("1".into(), |a| shown(a).into_owned());
            return fail(
                ctx,
                "shift",
                format_args!("{text}: shift count out of range"),
                1,
            );
        }
        return 1;
    }
    params.drain(..count);
    ctx.set_positional(params);
    0
}
