//! `readonly`: variables that can no longer be assigned or unset.

use std::ffi::OsString;

use super::declare::{Options, declaration_line, declare_one, parse_options};
use super::{fail, shown};
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};

pub static READONLY: Builtin = Builtin {
    name: "readonly",
    summary: "make variables readonly",
    help: "readonly [-aAp] [NAME[=VALUE] ...]
    Mark each NAME readonly, with VALUE if given: later assignments and
    unset fail. Without NAME (or with -p), list the readonly variables.
      -a  NAME is an indexed array    -A  an associative array
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run,
};

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let (mut options, operands) = match parse_options(&args[1..], "aAfp") {
        Ok(parsed) => parsed,
        Err(letter) => {
            let usage = format!(
                "-{letter}: invalid option\nreadonly: usage: readonly [-aAf] [name[=value] ...] or readonly -p"
            );
            return fail(ctx, "readonly", usage, 2);
        }
    };
    if operands.is_empty() {
        return list(ctx);
    }
    options.set.readonly = true;
    let options = Options {
        print: false,
        ..options
    };
    let mut status = 0;
    for operand in operands {
        if let Err(message) = declare_one(ctx, operand, &options, false) {
            status = 1;
            if !message.is_empty() {
                fail(ctx, "readonly", message, 1);
            }
        }
    }
    let _ = shown;
    status
}

fn list(ctx: &mut dyn Context) -> Status {
    let mut out = String::new();
    for info in ctx.variables().into_iter().filter(|v| v.attrs.readonly) {
        out.push_str(&declaration_line(&info));
        out.push('\n');
    }
    match ctx.stdout().write_all(out.as_bytes()) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}
