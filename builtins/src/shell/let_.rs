//! `let`: evaluate arithmetic expressions for their effect and their
//! truth, the older spelling of `(( ))`.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

use super::fail;
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};

pub static LET: Builtin = Builtin {
    name: "let",
    summary: "evaluate arithmetic expressions",
    help: "let EXPRESSION [EXPRESSION ...]
    Evaluate each EXPRESSION as shell arithmetic, as in $(( )): integers,
    variables, assignments (x=1, x+=2, x++), C's operators. Quote an
    expression that holds blanks or characters the shell treats specially:
    let 'x = y * 2'. The status is 0 if the last value is not zero, 1 if it
    is zero or an expression is wrong (the ones after it are not
    evaluated).
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run,
};

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let mut expressions = &args[1..];
    // `--` ends options, of which let has none; any other word starting
    // with `-` is an expression (`let -x` negates x).
    if expressions.first().is_some_and(|a| a == "--") {
        expressions = &expressions[1..];
    }
    if expressions.is_empty() {
        return fail(ctx, "let", "expression expected", 1);
    }
    let mut last = 0;
    for expression in expressions {
        // The shell reports a bad expression itself.
        match ctx.arith(expression.as_bytes()) {
            Some(value) => last = value,
            None => return 1,
        }
    }
    i32::from(last == 0)
}
