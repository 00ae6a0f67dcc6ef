//! `type`: what a command name runs: a builtin, a lab demo, or a file.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

use super::{fail, shown};
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};
use crate::registry::find;

pub static TYPE: Builtin = Builtin {
    name: "type",
    summary: "say what a command name runs",
    help: "type NAME ...
    For each NAME, say whether it is a shell builtin, a minishell lab demo
    (run in a process of its own), or which file on $PATH it runs. A
    program on $PATH wins over a lab demo of the same name, which then
    runs as `lab NAME`.
    The status is 1 if any NAME is none of these.
",
    place: Place::Anywhere,
    group: Group::Shell,
    help_option: true,
    run,
};

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let mut status = 0;
    for name in &args[1..] {
        let text = shown(name);
        let answer = match find(name.as_bytes()) {
            // A demo yields to a program of its name on PATH (see `lab`).
            Some(builtin) if builtin.place == Place::Process && builtin.name != "lab" => {
                match ctx.find_in_path(name) {
                    Some(path) => format!(
                        "{text} is {} (the lab demo of that name: lab {text})",
                        shown(&path)
                    ),
                    None => format!("{text} is a minishell lab demo"),
                }
            }
            Some(builtin) if builtin.place == Place::Process => {
                format!("{text} runs the minishell lab demos")
            }
            Some(_) => format!("{text} is a shell builtin"),
            None => match ctx.find_in_path(name) {
                Some(path) => format!("{text} is {}", shown(&path)),
                None => {
                    status = fail(ctx, "type", format_args!("{text}: not found"), 1);
                    continue;
                }
            },
        };
        let _ = writeln!(ctx.stdout(), "{answer}");
    }
    status
}
