//! `help`: what every builtin and lab demo does, from the registry.

use std::ffi::OsString;

use super::{fail, shown};
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};
use crate::registry::{REGISTRY, find};

pub static HELP: Builtin = Builtin {
    name: "help",
    summary: "list the builtins and lab demos, or explain one",
    help: "help [NAME ...]
    With no NAME, list every builtin and lab demo with a one-line summary,
    grouped by topic. With NAMEs, print each one's full help (the same
    text as `NAME --help`).
",
    place: Place::Anywhere,
    group: Group::Shell,
    help_option: true,
    run,
};

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    if args.len() < 2 {
        let _ = ctx.stdout().write_all(overview().as_bytes());
        return 0;
    }
    let mut status = 0;
    for name in &args[1..] {
        let name = shown(name);
        match find(name.as_bytes()) {
            Some(builtin) => {
                let _ = writeln!(ctx.stdout(), "{}", builtin.help.trim_end());
            }
            None => {
                status = fail(
                    ctx,
                    "help",
                    format_args!("no help topics match '{name}'"),
                    1,
                )
            }
        }
    }
    status
}

/// Every entry of the registry, grouped by topic in the order of `Group`.
fn overview() -> String {
    let mut groups: Vec<Group> = REGISTRY.iter().map(|b| b.group).collect();
    groups.sort();
    groups.dedup();
    let width = REGISTRY.iter().map(|b| b.name.len()).max().unwrap_or(0);
    let mut text =
        String::from("minishell builtins and lab demos (`help NAME` or `NAME --help` for more):\n");
    for group in groups {
        text.push_str(&format!("\n{}:\n", group.title()));
        for builtin in REGISTRY.iter().filter(|b| b.group == group) {
            text.push_str(&format!(
                "  {:<width$}  {}\n",
                builtin.name, builtin.summary
            ));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_overview_lists_every_entry_once() {
        let text = super::overview();
        for builtin in crate::REGISTRY {
            let listed = text
                .lines()
                .filter(|line| {
                    line.starts_with("  ") && line.split_whitespace().next() == Some(builtin.name)
                })
                .count();
            assert_eq!(listed, 1, "{}", builtin.name);
        }
    }
}
