//! The builtins that make a shell: changing directory, variables, exiting,
//! waiting, and the few commands every script uses (`echo`, `true`).

pub mod cd;
pub mod echo;
pub mod exit;
pub mod export;
pub mod pwd;
pub mod truth;
pub mod unset;
pub mod wait;

use std::ffi::OsStr;
use std::fmt::Display;
use std::os::unix::ffi::OsStrExt;

use crate::context::{Context, Status};

/// Prints `minishell: NAME: message` on the builtin's standard error and
/// returns `status`, so error paths read `return fail(ctx, "cd", …, 1)`.
pub(crate) fn fail(
    ctx: &mut dyn Context,
    name: &str,
    message: impl Display,
    status: Status,
) -> Status {
    let _ = writeln!(ctx.stderr(), "minishell: {name}: {message}");
    status
}

/// Whether `name` can be a variable name: a letter or `_`, then letters,
/// digits and `_`.
pub(crate) fn is_valid_name(name: &[u8]) -> bool {
    match name.split_first() {
        Some((first, rest)) => {
            (first.is_ascii_alphabetic() || *first == b'_')
                && rest.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        }
        None => false,
    }
}

/// An argument shown to a person: lossy where it is not UTF-8.
pub(crate) fn shown(arg: &OsStr) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(arg.as_bytes())
}
