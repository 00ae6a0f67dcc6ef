//! `pushd`, `popd` and `dirs`: a stack of directories to go back to. The
//! current directory is the top; the rest is kept in the shell.

use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};

use super::cd::{change, current_dir};
use super::{fail, shown};
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};

pub static DIRS: Builtin = Builtin {
    name: "dirs",
    summary: "show the directory stack",
    help: "dirs [-clpv] [+N] [-N]
    Show the directory stack, the current directory first, with ~ for
    $HOME.
      -c  clear the stack           -l  full paths, no ~
      -p  one per line              -v  one per line, numbered
      +N / -N  only the Nth entry from the top / the bottom
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run: run_dirs,
};

pub static PUSHD: Builtin = Builtin {
    name: "pushd",
    summary: "go to a directory, remembering this one",
    help: "pushd [-n] [DIR | +N | -N]
    Put the current directory on the stack and go to DIR; without DIR,
    swap the top two entries; +N/-N rotate the Nth entry to the top.
      -n  change the stack only, not the directory
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run: run_pushd,
};

pub static POPD: Builtin = Builtin {
    name: "popd",
    summary: "go back to the directory on the stack",
    help: "popd [-n] [+N | -N]
    Take the top entry off the stack and go to the new top; +N/-N remove
    the Nth entry instead.
      -n  change the stack only, not the directory
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run: run_popd,
};

/// The whole stack, top first: the current directory, then the rest.
fn full_stack(ctx: &mut dyn Context) -> Vec<OsString> {
    let mut stack = vec![current_dir(ctx).unwrap_or_else(|| OsString::from("."))];
    stack.extend(ctx.dir_stack().iter().cloned());
    stack
}

/// `~/x` for a path under `$HOME`.
fn tilde(ctx: &dyn Context, path: &OsString) -> OsString {
    let Some(home) = ctx.var("HOME").filter(|h| !h.is_empty()) else {
        return path.clone();
    };
    let bytes = path.as_bytes();
    let home = home.as_bytes();
    if bytes == home {
        return OsString::from("~");
    }
    match bytes.strip_prefix(home) {
        Some(rest) if rest.starts_with(b"/") => OsString::from_vec([b"~", rest].concat()),
        _ => path.clone(),
    }
}

/// `+N` or `-N` as an index into a stack of `len` entries, top first.
fn index(arg: &str, len: usize) -> Option<Option<usize>> {
    let (sign, digits) = match arg.as_bytes().first() {
        Some(b'+') => (true, &arg[1..]),
        Some(b'-') => (false, &arg[1..]),
        _ => return None,
    };
    let n: usize = digits.parse().ok()?;
    Some(match sign {
        true => (n < len).then_some(n),
        false => len.checked_sub(n + 1),
    })
}

fn print_stack(
    ctx: &mut dyn Context,
    long: bool,
    lines: bool,
    numbered: bool,
    only: Option<usize>,
) -> Status {
    let stack = full_stack(ctx);
    let shown_entries: Vec<(usize, OsString)> = stack
        .iter()
        .enumerate()
        .filter(|(i, _)| only.is_none_or(|o| o == *i))
        .map(|(i, p)| (i, if long { p.clone() } else { tilde(ctx, p) }))
        .collect();
    let mut out = Vec::new();
    for (n, (i, path)) in shown_entries.iter().enumerate() {
        if numbered {
            out.extend_from_slice(format!("{i:2}  ").as_bytes());
        } else if n > 0 && !lines {
            out.push(b' ');
        }
        out.extend_from_slice(path.as_bytes());
        if numbered || lines {
            out.push(b'\n');
        }
    }
    if !numbered && !lines {
        out.push(b'\n');
    }
    match ctx.stdout().write_all(&out) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}

fn run_dirs(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let (mut long, mut lines, mut numbered) = (false, false, false);
    let mut only = None;
    for arg in &args[1..] {
        let text = shown(arg).into_owned();
        if let Some(i) = index(&text, full_stack(ctx).len())
            .filter(|_| text.len() > 1 && text[1..].bytes().all(|b| b.is_ascii_digit()))
        {
            match i {
                Some(i) => only = Some(i),
                None => {
                    return fail(
                        ctx,
                        "dirs",
                        format_args!("{}: directory stack index out of range", &text[1..]),
                        1,
                    );
                }
            }
            continue;
        }
        match text.as_str() {
            "-c" => {
                ctx.dir_stack().clear();
                return 0;
            }
            "-l" => long = true,
            "-p" => lines = true,
            "-v" => numbered = true,
            _ => return fail(ctx, "dirs", format_args!("{text}: invalid option"), 2),
        }
    }
    print_stack(ctx, long, lines, numbered, only)
}

fn run_pushd(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let mut no_cd = false;
    let mut target = None;
    for arg in &args[1..] {
        match arg.as_bytes() {
            b"-n" => no_cd = true,
            _ => target = Some(arg.clone()),
        }
    }
    let mut stack = full_stack(ctx);
    let target = match target {
        None if stack.len() < 2 => return fail(ctx, "pushd", "no other directory", 1),
        None => {
            stack.swap(0, 1);
            stack[0].clone()
        }
        Some(arg) => {
            let text = shown(&arg).into_owned();
            match index(&text, stack.len())
                .filter(|_| text.len() > 1 && text[1..].bytes().all(|b| b.is_ascii_digit()))
            {
                Some(Some(i)) => {
                    stack.rotate_left(i);
                    stack[0].clone()
                }
                Some(None) => {
                    return fail(
                        ctx,
                        "pushd",
                        format_args!("{}: directory stack index out of range", &text[1..]),
                        1,
                    );
                }
                None => {
                    stack.insert(0, arg.clone());
                    arg
                }
            }
        }
    };
    if !no_cd {
        match change(ctx, &target, false, "pushd") {
            Ok(pwd) => stack[0] = pwd,
            Err(status) => return status,
        }
    } else {
        // -n: the directory stays; the new entry goes under the top.
        let top = stack.remove(0);
        stack.insert(1, top);
        stack.swap(0, 1);
    }
    *ctx.dir_stack() = stack[1..].to_vec();
    print_stack(ctx, false, false, false, None)
}

fn run_popd(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let mut no_cd = false;
    let mut which = None;
    for arg in &args[1..] {
        let text = shown(arg).into_owned();
        if text == "-n" {
            no_cd = true;
            continue;
        }
        match index(&text, full_stack(ctx).len()) {
            Some(Some(i)) => which = Some(i),
            Some(None) => {
                return fail(
                    ctx,
                    "popd",
                    format_args!("{}: directory stack index out of range", &text[1..]),
                    1,
                );
            }
            None => return fail(ctx, "popd", format_args!("{text}: invalid argument"), 2),
        }
    }
    let mut stack = full_stack(ctx);
    if stack.len() < 2 {
        return fail(ctx, "popd", "directory stack empty", 1);
    }
    let which = which.unwrap_or(0);
    stack.remove(which);
    if which == 0 && !no_cd {
        let target = stack[0].clone();
        if let Err(status) = change(ctx, &target, false, "popd") {
            return status;
        }
    }
    *ctx.dir_stack() = stack[1..].to_vec();
    print_stack(ctx, false, false, false, None)
}
