//! `builtin`: run a shell builtin even where a function has its name (how
//! a function wrapping `cd` still reaches the real one).

use std::ffi::OsString;

use super::{fail, shown};
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};

pub static BUILTIN: Builtin = Builtin {
    name: "builtin",
    summary: "run a shell builtin, skipping functions",
    help: "builtin [SHELL-BUILTIN [ARG ...]]
    Run SHELL-BUILTIN with the ARGs, even when a function has its name:
    a function named cd can call `builtin cd` to change directory.
    The status is the builtin's, or 1 if SHELL-BUILTIN is none.
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run,
};

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let mut rest = &args[1..];
    if rest.first().is_some_and(|a| a == "--") {
        rest = &rest[1..];
    }
    let Some(name) = rest.first() else {
        return 0;
    };
    match ctx.run_builtin(rest) {
        Some(status) => status,
        None => fail(
            ctx,
            "builtin",
            format_args!("{}: not a shell builtin", shown(name)),
            1,
        ),
    }
}
