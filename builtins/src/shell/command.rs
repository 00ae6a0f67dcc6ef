//! `command`: run a command skipping functions, or say what a name runs.

use std::ffi::OsString;

use super::{fail, shown};
use crate::builtin::{Builtin, Group, Place};
use crate::context::{CommandKind, Context, Status};

pub static COMMAND: Builtin = Builtin {
    name: "command",
    summary: "run a command, skipping functions",
    help: "command [-pVv] COMMAND [ARG ...]
    Run COMMAND with the ARGs as a builtin or a program, even when a
    function has its name.
      -p  search the default PATH, not $PATH
      -v  print what COMMAND would run (a path, or the name of a builtin,
          keyword or function) instead of running it
      -V  say it in words, as type does
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run,
};

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let mut default_path = false;
    let mut describe = None;
    let mut rest = &args[1..];
    while let Some(arg) = rest.first() {
        let text = shown(arg).into_owned();
        if text == "--" {
            rest = &rest[1..];
            break;
        }
        let Some(letters) = text.strip_prefix('-').filter(|l| !l.is_empty()) else {
            break;
        };
        for letter in letters.chars() {
            match letter {
                'p' => default_path = true,
                'v' => describe = Some(false),
                'V' => describe = Some(true),
                _ => {
                    let usage = format!(
                        "-{letter}: invalid option\ncommand: usage: command [-pVv] command [arg ...]"
                    );
                    return fail(ctx, "command", usage, 2);
                }
            }
        }
        rest = &rest[1..];
    }
    let Some(name) = rest.first() else {
        return 0;
    };
    match describe {
        None => ctx.run_command(rest, default_path),
        Some(verbose) => {
            // bash's: the status fails only when no name is found at all.
            let mut found = 0;
            for name in rest {
                if describe_one(ctx, name, verbose) {
                    found += 1;
                }
            }
            let _ = name;
            Status::from(found == 0)
        }
    }
}

/// `command -v NAME` (a path or the name) and `command -V NAME` (words).
fn describe_one(ctx: &mut dyn Context, name: &OsString, verbose: bool) -> bool {
    let text = shown(name).into_owned();
    let Some(kind) = ctx.resolve_command(name, false).into_iter().next() else {
        if verbose {
            fail(ctx, "command", format_args!("{text}: not found"), 1);
        }
        return false;
    };
    let line = match (&kind, verbose) {
        (CommandKind::File(path) | CommandKind::Hashed(path), false) => shown(path).into_owned(),
        (CommandKind::Alias(value), false) => format!("alias {text}='{value}'"),
        (_, false) => text.clone(),
        (CommandKind::Keyword, true) => format!("{text} is a shell keyword"),
        (CommandKind::Alias(value), true) => format!("{text} is aliased to `{value}'"),
        (CommandKind::Function(body), true) => format!("{text} is a function\n{body}"),
        (CommandKind::Builtin { special: true }, true) => {
            format!("{text} is a special shell builtin")
        }
        (CommandKind::Builtin { .. } | CommandKind::Demo, true) => {
            format!("{text} is a shell builtin")
        }
        (CommandKind::File(path), true) => format!("{text} is {}", shown(path)),
        (CommandKind::Hashed(path), true) => format!("{text} is hashed ({})", shown(path)),
    };
    let _ = writeln!(ctx.stdout(), "{line}");
    true
}
