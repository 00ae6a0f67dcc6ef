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
    match change(ctx, &target, physical, "cd") {
        Ok(new_pwd) => {
            if announce {
                let mut line = new_pwd.into_vec();
                line.push(b'\n');
                let _ = ctx.stdout().write_all(&line);
            }
            0
        }
        Err(status) => status,
    }
}

/// Changes the shell's directory to `target` (logically unless
/// `physical`), updating `PWD` and `OLDPWD`; the new `PWD`, or the status
/// after reporting why not (as `builtin`: cd, pushd, popd).
pub(crate) fn change(
    ctx: &mut dyn Context,
    target: &OsString,
    physical: bool,
    builtin: &str,
) -> Result<OsString, Status> {
    let target = target.clone();
    let old = current_dir(ctx);
    let logical = if physical {
        None
    } else {
        logical_path(old.as_deref(), &target)
    };
    let new_pwd = match logical.filter(|path| ctx.change_dir(Path::new(path)).is_ok()) {
        Some(path) => path,
        None => {
            if let Err(e) = ctx.change_dir(Path::new(&target)) {
                return Err(fail(
                    ctx,
                    builtin,
                    format_args!("{}: {}", shown(&target), plain(&e)),
                    1,
                ));
            }
            match std::env::current_dir() {
                Ok(dir) => dir.into_os_string(),
                Err(e) => {
                    // The directory is gone (removed under the shell): bash
                    // says so, and names it by the old path and the target.
                    let prefix = ctx.message_prefix();
                    let _ = writeln!(
                        ctx.stderr(),
                        "{prefix}cd: error retrieving current directory: getcwd: cannot access parent directories: {}",
                        plain(&e)
                    );
                    match &old {
                        Some(old) if !target.as_bytes().starts_with(b"/") => {
                            Path::new(old).join(&target).into_os_string()
                        }
                        _ => target,
                    }
                }
            }
        }
    };

    if let Some(old) = old {
        let _ = ctx.set_var("OLDPWD", &old);
    }
    let _ = ctx.set_var("PWD", &new_pwd);
    Ok(new_pwd)
}

/// The directory the shell is in, as `$PWD` names it when that is right.
pub(crate) fn current_dir(ctx: &dyn Context) -> Option<OsString> {
    match ctx.var("PWD") {
        Some(pwd) if pwd.as_bytes().starts_with(b"/") => Some(pwd),
        _ => std::env::current_dir().ok().map(|d| d.into_os_string()),
    }
}

/// `target` resolved against `pwd` as text, the way `cd -L` reads it:
/// `.` dropped, `..` removes the previous component, so `cd ..` from a
/// symbolic link goes back where the user came from. As in bash, what a
/// `..` removes must be a directory (`cd nosuch/..` fails); `None` then.
fn logical_path(pwd: Option<&OsStr>, target: &OsStr) -> Option<OsString> {
    let joined = match pwd {
        Some(pwd) if !target.as_bytes().starts_with(b"/") => Path::new(pwd).join(target),
        _ => Path::new(target).to_path_buf(),
    };
    let mut parts: Vec<&[u8]> = Vec::new();
    for part in joined.as_os_str().as_bytes().split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => {
                if !parts.is_empty() && !joined_path(&parts).is_dir() {
                    return None;
                }
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    Some(joined_path(&parts).into_os_string())
}

/// `/a/b/c` from its components (`/` for none).
fn joined_path(parts: &[&[u8]]) -> std::path::PathBuf {
    let mut path = Vec::new();
    for part in parts {
        path.push(b'/');
        path.extend_from_slice(part);
    }
    if path.is_empty() {
        path.push(b'/');
    }
    std::path::PathBuf::from(OsString::from_vec(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logical(pwd: &str, target: &str) -> String {
        logical_path(Some(OsStr::new(pwd)), OsStr::new(target))
            .unwrap()
            .into_string()
            .unwrap()
    }

    #[test]
    fn dots_are_resolved_as_text() {
        assert_eq!(logical("/usr/bin", ".."), "/usr");
        assert_eq!(logical("/usr/bin", "../lib/./x"), "/usr/lib/x");
        assert_eq!(logical("/a", "/usr/../y"), "/y");
        assert_eq!(logical("/", ".."), "/");
        assert!(logical_path(Some(OsStr::new("/")), OsStr::new("no/such/..")).is_none());
    }
}
