//! `source` and `.`: run a file's commands in this shell.

use std::ffi::OsString;

use super::{fail, shown};
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};

pub static SOURCE: Builtin = Builtin {
    name: "source",
    summary: "run a file's commands in this shell",
    help: "source FILE [ARG ...]
    Read FILE and run its commands in this shell (so its variables,
    functions and `cd` stay), with the ARGs as $1… while it runs. A FILE
    without `/` is looked for on $PATH, then here. `return` ends it.
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run,
};

pub static DOT: Builtin = Builtin {
    name: ".",
    summary: "the same as source",
    help: ". FILE [ARG ...]
    POSIX's name for source: run FILE's commands in this shell.
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run,
};

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let name = shown(&args[0]).into_owned();
    let mut rest = &args[1..];
    if rest.first().is_some_and(|a| a == "--") {
        rest = &rest[1..];
    }
    let Some(file) = rest.first() else {
        let usage =
            format!("filename argument required\n{name}: usage: {name} filename [arguments]");
        return fail(ctx, &name, usage, 2);
    };
    let arguments = (rest.len() > 1).then(|| rest[1..].to_vec());
    match ctx.source(file, arguments) {
        Some(status) => status,
        None => fail(
            ctx,
            &name,
            format_args!("{}: No such file or directory", shown(file)),
            1,
        ),
    }
}
