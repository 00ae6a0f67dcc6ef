//! `hash`: the table of where the shell found each command on PATH, kept
//! so the next run of the same name needs no search.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

use super::{fail, shown};
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};

pub static HASH: Builtin = Builtin {
    name: "hash",
    summary: "remember or forget where commands are",
    help: "hash [-lr] [-p PATH] [-dt] [NAME ...]
    Find each NAME on PATH and remember where; without NAME, list what is
    remembered and how often each was used.
      -r  forget everything          -d  forget each NAME
      -p PATH  remember NAME at PATH -t  print where each NAME is
      -l  list as commands that would rebuild the table
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run,
};

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let (mut reset, mut list, mut delete, mut print) = (false, false, false, false);
    let mut path: Option<OsString> = None;
    let mut rest = &args[1..];
    while let Some(arg) = rest.first() {
        let bytes = arg.as_bytes();
        if bytes == b"--" {
            rest = &rest[1..];
            break;
        }
        if bytes.len() < 2 || bytes[0] != b'-' {
            break;
        }
        for &letter in &bytes[1..] {
            match letter {
                b'r' => reset = true,
                b'l' => list = true,
                b'd' => delete = true,
                b't' => print = true,
                b'p' => {
                    rest = &rest[1..];
                    match rest.first() {
                        Some(p) => path = Some(p.clone()),
                        None => return fail(ctx, "hash", "-p: option requires an argument", 2),
                    }
                }
                _ => {
                    let usage = format!(
                        "-{}: invalid option\nhash: usage: hash [-lr] [-p pathname] [-dt] [name ...]",
                        char::from(letter)
                    );
                    return fail(ctx, "hash", usage, 2);
                }
            }
        }
        rest = &rest[1..];
    }
    if reset {
        ctx.unhash(None);
    }
    if rest.is_empty() {
        if reset {
            return 0;
        }
        return show(ctx, list);
    }
    let mut status = 0;
    let mut out = Vec::new();
    for name in rest {
        let text = shown(name).into_owned();
        if delete {
            if !ctx.unhash(Some(&text)) {
                status = fail(ctx, "hash", format_args!("{text}: not found"), 1);
            }
            continue;
        }
        if print {
            match ctx.hashed().into_iter().find(|(n, _, _)| *n == text) {
                Some((_, found, _)) => {
                    if rest.len() > 1 {
                        out.extend_from_slice(text.as_bytes());
                        out.push(b'\t');
                    }
                    out.extend_from_slice(found.as_bytes());
                    out.push(b'\n');
                }
                None => status = fail(ctx, "hash", format_args!("{text}: not found"), 1),
            }
            continue;
        }
        if text.contains('/') {
            continue;
        }
        if !ctx.hash(&text, path.as_deref()) {
            status = fail(ctx, "hash", format_args!("{text}: not found"), 1);
        }
    }
    if !out.is_empty() && ctx.stdout().write_all(&out).is_err() {
        return 1;
    }
    status
}

/// The table, bash's way (`hits`, then `command`), or with `-l` as
/// commands.
fn show(ctx: &mut dyn Context, as_commands: bool) -> Status {
    let table = ctx.hashed();
    if table.is_empty() {
        let _ = writeln!(ctx.stderr(), "hash: hash table empty");
        return 0;
    }
    let mut out = Vec::new();
    if !as_commands {
        out.extend_from_slice(b"hits\tcommand\n");
    }
    for (name, path, hits) in table {
        if as_commands {
            out.extend_from_slice(b"builtin hash -p ");
            out.extend_from_slice(path.as_bytes());
            out.push(b' ');
            out.extend_from_slice(name.as_bytes());
        } else {
            out.extend_from_slice(format!("{hits:4}\t").as_bytes());
            out.extend_from_slice(path.as_bytes());
        }
        out.push(b'\n');
    }
    match ctx.stdout().write_all(&out) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}
