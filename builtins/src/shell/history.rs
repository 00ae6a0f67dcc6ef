//! `history`: the commands typed at this terminal.

use std::ffi::OsString;

use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};

pub static HISTORY: Builtin = Builtin {
    name: "history",
    summary: "list the commands typed at the prompt",
    help: "history [N]
    List the command history, numbered, oldest first; with N, only the
    last N entries. The history is kept in $MINISHELL_HISTFILE, or
    ~/.minishell_history (mode 0600). A line typed with a leading space is
    not kept, nor a line that repeats the one before.
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run,
};

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let entries = ctx.history();
    let last = match args.get(1).map(|a| a.to_string_lossy().parse::<usize>()) {
        None => entries.len(),
        Some(Ok(n)) => n.min(entries.len()),
        Some(Err(_)) => {
            let text = args[1].to_string_lossy().into_owned();
            return super::fail(
                ctx,
                "history",
                format_args!("{text}: numeric argument required"),
                1,
            );
        }
    };
    let first = entries.len() - last;
    let mut text = String::new();
    for (i, entry) in entries.iter().enumerate().skip(first) {
        text.push_str(&format!(
            "{:5}  {}\n",
            i + 1,
            entry.replace('\n', "\n       ")
        ));
    }
    match ctx.stdout().write_all(text.as_bytes()) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}
