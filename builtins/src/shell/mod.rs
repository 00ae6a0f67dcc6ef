//! The builtins that make a shell: changing directory, variables, exiting,
//! waiting, and the few commands every script uses (`echo`, `true`).

pub mod alias;
pub mod builtin_;
pub mod caller;
pub mod cd;
pub mod command;
pub mod declare;
pub mod dirs;
pub mod echo;
pub mod eval;
pub mod exec;
pub mod exit;
pub mod explain;
pub mod export;
pub mod getopts;
pub mod hash;
pub mod help;
pub mod history;
pub mod let_;
pub mod loops;
pub mod mapfile;
pub mod parse;
pub mod printf;
pub mod pwd;
pub mod read;
pub mod readonly;
pub mod return_;
pub mod set;
pub mod shift;
pub mod shopt;
pub mod source;
pub mod test;
pub mod times;
pub mod trap;
pub mod truth;
pub mod type_of;
pub mod ulimit;
pub mod umask;
pub mod unset;

use std::ffi::{OsStr, OsString};
use std::fmt::Display;
use std::os::unix::ffi::OsStrExt;

use crate::context::{Context, Status};

/// Prints `minishell: NAME: message` (located as the shell locates its
/// messages) on the builtin's standard error and
/// returns `status`, so error paths read `return fail(ctx, "cd", …, 1)`.
pub(crate) fn fail(
    ctx: &mut dyn Context,
    name: &str,
    message: impl Display,
    status: Status,
) -> Status {
    let prefix = ctx.message_prefix();
    let _ = writeln!(ctx.stderr(), "{prefix}{name}: {message}");
    status
}

/// `exit 1 2`, `shift 1 2`, `break 1 2`…: bash reports it and drops the
/// rest of the line (the script goes on with the next).
pub(crate) fn too_many_arguments(ctx: &mut dyn Context, name: &str) -> Status {
    let status = fail(ctx, name, "too many arguments", 1);
    ctx.abandon_line();
    status
}

/// Whether `name` can be a variable name: a letter or `_`, then letters,
/// digits and `_`.
/// A name a builtin may assign (`read`, `printf -v`, `getopts`): a
/// variable, or one element of an array (`a[i]`, `m[key]`).
pub(crate) fn is_assignable(name: &[u8]) -> bool {
    match name.iter().position(|&b| b == b'[') {
        Some(open) => name.len() > open + 2 && name.ends_with(b"]") && is_valid_name(&name[..open]),
        None => is_valid_name(name),
    }
}

pub(crate) fn is_valid_name(name: &[u8]) -> bool {
    match name.split_first() {
        Some((first, rest)) => {
            (first.is_ascii_alphabetic() || *first == b'_')
                && rest.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        }
        None => false,
    }
}

/// Splits a builtin's arguments (after its name) into the leading options
/// it knows and the operands, as bash's builtins read them: options stop at
/// `--` (which is dropped) or at the first word that is not one of
/// `known`. Returns the options seen, in order, and the rest.
pub(crate) fn options<'a>(
    args: &'a [OsString],
    known: &[&'static str],
) -> (Vec<&'static str>, &'a [OsString]) {
    let mut seen = Vec::new();
    for (i, arg) in args.iter().enumerate() {
        if arg == "--" {
            return (seen, &args[i + 1..]);
        }
        match known.iter().find(|k| arg == **k) {
            Some(option) => seen.push(*option),
            None => return (seen, &args[i..]),
        }
    }
    (seen, &[])
}

/// The arguments joined with spaces, as `eval` joins them.
pub(crate) fn joined(args: &[OsString]) -> Vec<u8> {
    let mut text = Vec::new();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            text.push(b' ');
        }
        text.extend_from_slice(arg.as_bytes());
    }
    text
}

/// An argument shown to a person: lossy where it is not UTF-8.
pub(crate) fn shown(arg: &OsStr) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(arg.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<OsString> {
        words.iter().map(OsString::from).collect()
    }

    #[test]
    fn options_stop_at_the_first_operand_or_double_dash() {
        let a = args(&["-P", "-L", "dir", "-P"]);
        let (flags, rest) = options(&a, &["-L", "-P"]);
        assert_eq!((flags, rest.len()), (vec!["-P", "-L"], 2));
        let a = args(&["--", "-P"]);
        let (flags, rest) = options(&a, &["-P"]);
        assert_eq!((flags.len(), rest), (0, &a[1..]));
        let a = args(&["-x"]);
        assert_eq!(options(&a, &["-P"]).1.len(), 1);
    }
}
