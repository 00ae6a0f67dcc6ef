//! `pwd`: print the working directory.

use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::MetadataExt;

use super::{fail, options};
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};
use crate::errors::plain;

pub static PWD: Builtin = Builtin {
    name: "pwd",
    summary: "print the working directory",
    help: "pwd [-L|-P]
    Print the working directory.
      -L  as $PWD names it, symbolic links kept, when $PWD is this directory (default)
      -P  the physical directory, every symbolic link resolved
",
    place: Place::Anywhere,
    group: Group::Shell,
    help_option: true,
    run,
};

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let (flags, _) = options(&args[1..], &["-L", "-P"]);
    let physical = flags.last() == Some(&"-P");
    let logical = ctx
        .var("PWD")
        .filter(|pwd| !physical && pwd.as_bytes().starts_with(b"/") && same_dir(pwd, "."));
    let dir = match logical {
        Some(pwd) => pwd,
        None => match std::env::current_dir() {
            Ok(dir) => dir.into_os_string(),
            Err(e) => return fail(ctx, "pwd", plain(&e), 1),
        },
    };
    let mut line = dir.into_vec();
    line.push(b'\n');
    // A write error is reported by the one output path (crate::output).
    let _ = ctx.stdout().write_all(&line);
    0
}

/// Whether two paths name the same directory (same device and inode).
fn same_dir(a: impl AsRef<std::path::Path>, b: impl AsRef<std::path::Path>) -> bool {
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}
