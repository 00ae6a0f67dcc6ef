//! `type`: what a command name runs: a keyword, a function, a builtin, a
//! lab demo, or a file.

use std::ffi::OsString;

use super::{fail, shown};
use crate::builtin::{Builtin, Group, Place};
use crate::context::{CommandKind, Context, Status};

pub static TYPE: Builtin = Builtin {
    name: "type",
    summary: "say what a command name runs",
    help: "type [-afptP] NAME ...
    For each NAME, say what running it would run: a shell keyword, a
    function (printed), a shell builtin, a minishell lab demo (run in a
    process of its own), or which file on $PATH. A program on $PATH
    wins over a lab demo of the same name, which then runs as `lab NAME`.
      -a  every match, not only the one that runs
      -f  leave functions out
      -t  one word: keyword, function, builtin, file, or nothing
      -p  the file only, for names that run a file
      -P  search $PATH even for builtins and functions
    The status is 1 if any NAME is none of these.
",
    place: Place::Anywhere,
    group: Group::Shell,
    help_option: true,
    run,
};

#[derive(Default)]
struct Flags {
    all: bool,
    no_functions: bool,
    terse: bool,
    path_only: bool,
    force_path: bool,
}

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let mut flags = Flags::default();
    let mut names = &args[1..];
    while let Some(arg) = names.first() {
        let text = shown(arg);
        if text == "--" {
            names = &names[1..];
            break;
        }
        let Some(letters) = text.strip_prefix('-').filter(|l| !l.is_empty()) else {
            break;
        };
        for letter in letters.chars() {
            match letter {
                'a' => flags.all = true,
                'f' => flags.no_functions = true,
                't' => flags.terse = true,
                'p' => flags.path_only = true,
                'P' => flags.force_path = true,
                _ => {
                    let message = format!(
                        "-{letter}: invalid option\ntype: usage: type [-afptP] name [name ...]"
                    );
                    return fail(ctx, "type", message, 2);
                }
            }
        }
        names = &names[1..];
    }
    let mut status = 0;
    for name in names {
        let text = shown(name).into_owned();
        let mut kinds = ctx.resolve_command(name, flags.all || flags.force_path);
        if flags.no_functions {
            kinds.retain(|k| !matches!(k, CommandKind::Function(_)));
        }
        if flags.force_path || flags.path_only {
            let files: Vec<CommandKind> = kinds
                .iter()
                .filter(|k| matches!(k, CommandKind::File(_) | CommandKind::Hashed(_)))
                .cloned()
                .collect();
            if flags.force_path
                || kinds
                    .first()
                    .is_some_and(|k| matches!(k, CommandKind::File(_) | CommandKind::Hashed(_)))
            {
                kinds = files;
            } else if flags.path_only && !kinds.is_empty() {
                // `type -p` of a builtin prints nothing and succeeds.
                continue;
            }
        }
        if !flags.all {
            kinds.truncate(1);
        }
        if kinds.is_empty() {
            status = 1;
            if !flags.terse && !flags.path_only {
                fail(ctx, "type", format_args!("{text}: not found"), 1);
            }
            continue;
        }
        for kind in kinds {
            let line = describe(&text, &kind, &flags);
            let _ = writeln!(ctx.stdout(), "{line}");
        }
    }
    status
}

fn describe(name: &str, kind: &CommandKind, flags: &Flags) -> String {
    if flags.terse {
        return match kind {
            CommandKind::Keyword => "keyword",
            CommandKind::Alias(_) => "alias",
            CommandKind::Function(_) => "function",
            CommandKind::Builtin { .. } | CommandKind::Demo => "builtin",
            CommandKind::File(_) | CommandKind::Hashed(_) => "file",
        }
        .to_owned();
    }
    match kind {
        CommandKind::File(path) | CommandKind::Hashed(path)
            if flags.path_only || flags.force_path =>
        {
            shown(path).into_owned()
        }
        CommandKind::Keyword => format!("{name} is a shell keyword"),
        CommandKind::Alias(value) => format!("{name} is aliased to `{value}'"),
        CommandKind::Function(text) => format!("{name} is a function\n{text}"),
        CommandKind::Builtin { special: true } => format!("{name} is a special shell builtin"),
        CommandKind::Builtin { special: false } => format!("{name} is a shell builtin"),
        CommandKind::Demo => format!("{name} is a minishell lab demo"),
        CommandKind::File(path) => format!("{name} is {}{}", shown(path), demo_note(name)),
        CommandKind::Hashed(path) => {
            format!("{name} is hashed ({}){}", shown(path), demo_note(name))
        }
    }
}

/// A program on PATH wins over the lab demo of its name (see `lab`): say
/// how the demo is still reached, so the student is not left wondering.
fn demo_note(name: &str) -> String {
    match crate::registry::find(name.as_bytes()) {
        Some(demo) if demo.place == Place::Process && demo.name != "lab" => {
            format!(" (the lab demo of that name: lab {name})")
        }
        _ => String::new(),
    }
}
