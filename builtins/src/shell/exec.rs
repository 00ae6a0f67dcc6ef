//! `exec`: replace the shell with a program, or with no program make the
//! command's redirections the shell's own for good (`exec 3> log`).

use std::ffi::OsString;

use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};

pub static EXEC: Builtin = Builtin {
    name: "exec",
    summary: "replace the shell with a program, or keep redirections",
    help: "exec [COMMAND [ARG ...]] [REDIRECTION ...]
    With COMMAND, the shell becomes that program (no new process; the
    shell does not come back). Without, the redirections stay in force for
    every later command: `exec 2>log`, `exec 3<in`, `exec 3>&-`.
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: false,
    run,
};

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let mut argv = &args[1..];
    if argv.first().is_some_and(|a| a == "--") {
        argv = &argv[1..];
    }
    if argv.is_empty() {
        ctx.keep_redirections();
        return 0;
    }
    let status = ctx.exec(argv);
    // A shell that cannot become the program ends, unless a person is at
    // the prompt or `shopt -s execfail` says to go on.
    if !ctx.interactive() && ctx.option("execfail") != Some(true) {
        ctx.request_exit(status);
    }
    status
}
