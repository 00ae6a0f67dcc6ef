//! `cd`: change the shell's working directory, keeping `PWD` and `OLDPWD`.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;

use super::{fail, options, shown};
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};
use crate::errors::plain;

pub static CD: Builtin = Builtin {
    name: "cd",
    summary: "change the working directory",
    help: "cd [-L|-P] [DIR]
    Change the shell's working directory to DIR; with no DIR, to $HOME;
    with `-`, back to $OLDPWD (and print it). Sets PWD and OLDPWD.
      -L  follow `..` in the path as written, through symbolic links (default)
      -P  resolve symbolic links first: PWD becomes the physical directory
    It must run in the shell itself: a child's directory dies with it, so in
    a pipeline (`cd /tmp | cat`) it changes nothing.
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run,
};

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let (flags, rest) = options(&args[1..], &["-L", "-P"]);
    let physical = flags.last() == Some(&"-P");
    if rest.len() > 1 {
        return fail(ctx, "cd", "too many arguments", 1);
    }
    let (target, announce) = match rest.first().map(|a| a.as_bytes()) {
        None => match ctx.var("HOME") {
            Some(home) => (home, false),
            None => return fail(ctx, "cd", "HOME not set", 1),
        },
        Some(b"-") => match ctx.var("OLDPWD") {
            Some(old) => (old, true),
            None => return fail(ctx, "cd", "OLDPWD not set", 1),
        },
        Some(_) => (rest[0].clone(), false),
    };
    if target.is_empty() {
        return 0;
    }

    let old = current_dir(ctx);
    let logical = (!physical).then(|| logical_path(old.as_deref(), &target));
    let new_pwd = match logical.filter(|path| std::env::set_current_dir(path).is_ok()) {
        Some(path) => path,
        None => {
            if let Err(e) = std::env::set_current_dir(&target) {
                return fail(
                    ctx,
                    "cd",
                    format_args!("{}: {}", shown(&target), plain(&e)),
                    1,
                );
            }
            match std::env::current_dir() {
                Ok(dir) => dir.into_os_string(),
                Err(_) => target,
            }
        }
    };

    if let Some(old) = old {
        ctx.set_var("OLDPWD", &old);
    }
    ctx.set_var("PWD", &new_pwd);
    if announce {
        let mut line = new_pwd.into_vec();
        line.push(b'\n');
        let _ = ctx.stdout().write_all(&line);
    }
    0
}

/// The directory the shell is in, as `$PWD` names it when that is right.
fn current_dir(ctx: &dyn Context) -> Option<OsString> {
    match ctx.var("PWD") {
        Some(pwd) if pwd.as_bytes().starts_with(b"/") => Some(pwd),
        _ => std::env::current_dir().ok().map(|d| d.into_os_string()),
    }
}

/// `target` resolved against `pwd` as text, the way `cd -L` reads it:
/// `.` dropped, `..` removes the previous component, so `cd ..` from a
/// symbolic link goes back where the user came from.
fn logical_path(pwd: Option<&OsStr>, target: &OsStr) -> OsString {
    let joined = match pwd {
        Some(pwd) if !target.as_bytes().starts_with(b"/") => Path::new(pwd).join(target),
        _ => Path::new(target).to_path_buf(),
    };
    let mut parts: Vec<&[u8]> = Vec::new();
    for part in joined.as_os_str().as_bytes().split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    let mut path = Vec::new();
    for part in &parts {
        path.push(b'/');
        path.extend_from_slice(part);
    }
    if path.is_empty() {
        path.push(b'/');
    }
    OsString::from_vec(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logical(pwd: &str, target: &str) -> String {
        logical_path(Some(OsStr::new(pwd)), OsStr::new(target))
            .into_string()
            .unwrap()
    }

    #[test]
    fn dots_are_resolved_as_text() {
        assert_eq!(logical("/a/b", ".."), "/a");
        assert_eq!(logical("/a/b", "../c/./d"), "/a/c/d");
        assert_eq!(logical("/a", "/x/../y"), "/y");
        assert_eq!(logical("/", ".."), "/");
    }
}
