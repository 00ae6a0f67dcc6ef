//! `alias` and `unalias`: names that stand for text at the start of a
//! command (expanded at a prompt, and in scripts with `shopt -s
//! expand_aliases`).

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

use super::{fail, shown};
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};

pub static ALIAS: Builtin = Builtin {
    name: "alias",
    summary: "define or show aliases",
    help: "alias [-p] [NAME[=VALUE] ...]
    With NAME=VALUE, make NAME stand for VALUE where a command starts.
    With NAME, show its alias; with nothing (or -p), show them all, as
    commands that would define them.
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run: run_alias,
};

pub static UNALIAS: Builtin = Builtin {
    name: "unalias",
    summary: "remove aliases",
    help: "unalias [-a] NAME ...
    Remove each alias NAME; with -a, every alias.
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run: run_unalias,
};

fn run_alias(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let mut names = &args[1..];
    if names.first().is_some_and(|a| a == "-p") {
        names = &names[1..];
        if names.is_empty() {
            let all = ctx.aliases();
            return show(ctx, &all);
        }
    }
    if names.first().is_some_and(|a| a == "--") {
        names = &names[1..];
    }
    if names.is_empty() {
        let all = ctx.aliases();
        return show(ctx, &all);
    }
    let mut status = 0;
    for arg in names {
        let bytes = arg.as_bytes();
        match bytes.iter().position(|&b| b == b'=') {
            Some(eq) if eq > 0 => {
                let name = String::from_utf8_lossy(&bytes[..eq]).into_owned();
                if name.bytes().any(|b| b"/$`=\\'\" \t\n;&|<>()".contains(&b)) {
                    status = fail(
                        ctx,
                        "alias",
                        format_args!("`{name}': invalid alias name"),
                        1,
                    );
                    continue;
                }
                ctx.set_alias(&name, Some(std::ffi::OsStr::from_bytes(&bytes[eq + 1..])));
            }
            _ => {
                let name = shown(arg).into_owned();
                let found: Vec<(String, OsString)> = ctx
                    .aliases()
                    .into_iter()
                    .filter(|(n, _)| *n == name)
                    .collect();
                if found.is_empty() {
                    status = fail(ctx, "alias", format_args!("{name}: not found"), 1);
                } else if show(ctx, &found) != 0 {
                    return 1;
                }
            }
        }
    }
    status
}

fn run_unalias(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let mut names = &args[1..];
    if names.first().is_some_and(|a| a == "-a") {
        ctx.clear_aliases();
        return 0;
    }
    if names.first().is_some_and(|a| a == "--") {
        names = &names[1..];
    }
    if names.is_empty() {
        return fail(ctx, "unalias", "usage: unalias [-a] name [name ...]", 2);
    }
    let mut status = 0;
    for name in names {
        let name = shown(name).into_owned();
        if !ctx.set_alias(&name, None) {
            status = fail(ctx, "unalias", format_args!("{name}: not found"), 1);
        }
    }
    status
}

/// `alias name='value'` for each.
fn show(ctx: &mut dyn Context, aliases: &[(String, OsString)]) -> Status {
    let mut out = Vec::new();
    for (name, value) in aliases {
        out.extend_from_slice(b"alias ");
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"='");
        for &b in value.as_bytes() {
            if b == b'\'' {
                out.extend_from_slice(b"'\\''");
            } else {
                out.push(b);
            }
        }
        out.extend_from_slice(b"'\n");
    }
    match ctx.stdout().write_all(&out) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}
