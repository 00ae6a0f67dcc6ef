//! `unset`: remove variables, array elements and functions.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

use super::{fail, is_valid_name, options, shown};
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};

pub static UNSET: Builtin = Builtin {
    name: "unset",
    summary: "remove variables or functions",
    help: "unset [-f] [-v] [-n] NAME ...
    Remove each variable NAME (or array element NAME[I]) from the shell
    and from the environment of later commands; without a variable of
    that name, the function NAME.
      -f  NAME is a function
      -v  NAME is a variable
      -n  NAME itself, even when it is a name reference
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run,
};

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let (flags, names) = options(&args[1..], &["-v", "-f", "-n"]);
    let functions = flags.last() == Some(&"-f");
    let variables_only = flags.last() == Some(&"-v");
    let nameref = flags.contains(&"-n");
    let mut status = 0;
    for name in names {
        let text = shown(name).into_owned();
        if functions {
            ctx.unset_function(&text);
            continue;
        }
        let bytes = name.as_bytes();
        let element = bytes
            .iter()
            .position(|&b| b == b'[')
            .filter(|_| bytes.ends_with(b"]"));
        let valid = match element {
            Some(open) => is_valid_name(&bytes[..open]),
            None => is_valid_name(bytes),
        };
        if !valid {
            // Without -v, bash takes a name that cannot be a variable's for
            // a function's, and says nothing when there is none.
            if variables_only {
                status = fail(
                    ctx,
                    "unset",
                    format_args!("`{text}': not a valid identifier"),
                    1,
                );
            } else {
                ctx.unset_function(&text);
            }
            continue;
        }
        if nameref {
            if let Err(message) = ctx.unset_nameref(&text) {
                status = fail(ctx, "unset", message, 1);
            }
            continue;
        }
        let is_var = ctx.var(&text).is_some() || element.is_some();
        if !(is_var || variables_only || !ctx.unset_function(&text)) {
            continue;
        }
        match ctx.unset_var(&text) {
            Ok(()) => {}
            // Reported where it happened (a bad subscript's arithmetic).
            Err(message) if message.is_empty() => status = 1,
            Err(message) => status = fail(ctx, "unset", message, 1),
        }
    }
    status
}
