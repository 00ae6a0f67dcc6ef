//! `eval`: run the arguments, joined with spaces, as shell commands.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};

pub static EVAL: Builtin = Builtin {
    name: "eval",
    summary: "run text as shell commands",
    help: "eval [ARG ...]
    Join the ARGs with spaces and run the result as commands in this shell,
    as if typed here. The status is theirs (0 for no commands).
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run,
};

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let mut args = &args[1..];
    match args.first().map(|a| a.as_bytes()) {
        Some(b"--") => args = &args[1..],
        // eval takes no options: `-x` is one it does not know.
        Some([b'-', _, ..]) => {
            let usage = format!(
                "{}: invalid option\neval: usage: eval [arg ...]",
                super::shown(&args[0])
            );
            return super::fail(ctx, "eval", usage, 2);
        }
        _ => {}
    }
    let mut text = Vec::new();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            text.push(b' ');
        }
        text.extend_from_slice(arg.as_bytes());
    }
    if text.iter().all(u8::is_ascii_whitespace) {
        return 0;
    }
    ctx.eval(&text)
}
