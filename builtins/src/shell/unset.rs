//! `unset`: remove variables.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

use super::{fail, is_valid_name, options, shown};
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};

pub static UNSET: Builtin = Builtin {
    name: "unset",
    summary: "remove variables",
    help: "unset [-v] NAME ...
    Remove each variable NAME from the shell and from the environment of
    later commands. Expanding it afterwards gives the empty string.
      -v  NAME must be a variable; an invalid name is an error
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run,
};

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let (flags, names) = options(&args[1..], &["-v", "-f"]);
    let strict = flags.last() == Some(&"-v");
    let mut status = 0;
    for name in names {
        if is_valid_name(name.as_bytes()) {
            ctx.unset_var(&shown(name));
        } else if strict {
            // Without -v, bash takes an invalid variable name for a
            // function name and says nothing; minishell has no functions yet.
            status = fail(
                ctx,
                "unset",
                format_args!("`{}': not a valid identifier", shown(name)),
                1,
            );
        }
    }
    status
}
