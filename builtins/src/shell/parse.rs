//! `parse`: print the command tree the parser builds for a line, running
//! nothing.

use std::ffi::OsString;

use super::joined;
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};

pub static PARSE: Builtin = Builtin {
    name: "parse",
    summary: "print the command tree of a line, running nothing",
    help: "parse LINE ...
    Parse LINE (the arguments joined with spaces) as the shell would and
    print the tree it builds, one node per line, children indented: lists,
    && and ||, pipelines, simple commands with their words and
    redirections, compound commands. Nothing runs and nothing expands.
    Quote the line to keep its | ; > & from this command:
        parse 'ls -l | wc -l > n; echo done'
    Status 2 and the parser's message for a syntax error.
",
    place: Place::Anywhere,
    group: Group::Shell,
    help_option: true,
    run,
};

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let text = joined(&args[1..]);
    match ctx.parse_tree(&text) {
        Ok(tree) => match ctx.stdout().write_all(tree.as_bytes()) {
            Ok(()) => 0,
            Err(_) => 1,
        },
        Err(message) => super::fail(ctx, "parse", message, 2),
    }
}
