//! `exec`: replace the shell with a program, or with no program make the
//! command's redirections the shell's own for good (`exec 3> log`).

use std::ffi::OsString;

use super::fail;
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};

pub static EXEC: Builtin = Builtin {
    name: "exec",
    summary: "replace the shell with a program, or keep redirections",
    help: "exec [-cl] [-a NAME] [COMMAND [ARG ...]] [REDIRECTION ...]
    With COMMAND, the shell becomes that program (no new process; the
    shell does not come back). Without, the redirections stay in force for
    every later command: `exec 2>log`, `exec 3<in`, `exec 3>&-`.
      -a NAME  the program's argv[0] is NAME
      -c       with an empty environment
      -l       argv[0] starts with `-`, as a login shell's does
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run,
};

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let mut argv = &args[1..];
    let mut zero: Option<OsString> = None;
    let (mut clean, mut login) = (false, false);
    while let Some(arg) = argv.first() {
        match arg.to_str() {
            Some("--") => {
                argv = &argv[1..];
                break;
            }
            Some("-a") => {
                let Some(name) = argv.get(1) else {
                    return fail(ctx, "exec", "-a: option requires an argument", 2);
                };
                zero = Some(name.clone());
                argv = &argv[2..];
            }
            Some(flags) if flags.len() > 1 && flags.starts_with('-') => {
                for letter in flags[1..].chars() {
                    match letter {
                        'c' => clean = true,
                        'l' => login = true,
                        _ => {
                            let usage = format!(
                                "-{letter}: invalid option\nexec: usage: exec [-cl] [-a name] [command [argument ...]] [redirection ...]"
                            );
                            return fail(ctx, "exec", usage, 2);
                        }
                    }
                }
                argv = &argv[1..];
            }
            _ => break,
        }
    }
    if argv.is_empty() {
        ctx.keep_redirections();
        return 0;
    }
    // `-l`: a login shell's way, `-` before argv[0].
    if login {
        zero = zero.or_else(|| argv.first().cloned()).map(|name| {
            let mut dashed = OsString::from("-");
            dashed.push(name);
            dashed
        });
    }
    let status = ctx.exec(argv, zero.as_deref(), clean);
    // A shell that cannot become the program ends, unless a person is at
    // the prompt or `shopt -s execfail` says to go on.
    if !ctx.interactive() && ctx.option("execfail") != Some(true) {
        ctx.request_exit(status);
    }
    status
}
