//! `export`: give variables to the commands the shell runs.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

use super::{fail, is_valid_name, options, shown};
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};

pub static EXPORT: Builtin = Builtin {
    name: "export",
    summary: "put variables in the environment of later commands",
    help: "export [-n] [NAME[=VALUE] ...]
    Mark each NAME exported, so every command the shell runs later gets it
    in its environment; NAME=VALUE also sets it. With no NAME, list the
    exported variables as `declare -x NAME=\"VALUE\"`, as bash does.
      -n  stop exporting each NAME (it stays a shell variable)
      -p  list the exported variables
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run,
};

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let (flags, names) = options(&args[1..], &["-n", "-p"]);
    let export = !flags.contains(&"-n");
    if names.is_empty() {
        return list(ctx);
    }
    let mut status = 0;
    for arg in names {
        let bytes = arg.as_bytes();
        let (name, value) = match bytes.iter().position(|&b| b == b'=') {
            Some(eq) => (&bytes[..eq], Some(&bytes[eq + 1..])),
            None => (bytes, None),
        };
        if !is_valid_name(name) {
            status = fail(
                ctx,
                "export",
                format_args!("`{}': not a valid identifier", shown(arg)),
                1,
            );
            continue;
        }
        let name = String::from_utf8_lossy(name);
        if let Some(value) = value
            && let Err(message) = ctx.set_var(&name, std::ffi::OsStr::from_bytes(value))
        {
            status = fail(ctx, "export", message, 1);
            continue;
        }
        ctx.set_exported(&name, export);
    }
    status
}

/// `declare -x NAME="VALUE"` for each exported variable, quoted so the
/// line can be read back by a shell.
fn list(ctx: &mut dyn Context) -> Status {
    let mut text = Vec::new();
    for (name, value) in ctx.exported_vars() {
        text.extend_from_slice(b"declare -x ");
        text.extend_from_slice(name.as_bytes());
        if let Some(value) = value {
            text.extend_from_slice(b"=\"");
            for &b in value.as_bytes() {
                if matches!(b, b'"' | b'\\' | b'$' | b'`') {
                    text.push(b'\\');
                }
                text.push(b);
            }
            text.push(b'"');
        }
        text.push(b'\n');
    }
    match ctx.stdout().write_all(&text) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}
