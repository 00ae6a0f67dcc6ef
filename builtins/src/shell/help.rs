//! `help`: what every builtin and lab demo does, from the registry. At a
//! terminal the list fits the screen: one line each with its summary when
//! the screen is tall enough, else each group's names in columns, as `ls`
//! lays them out. A name not found is answered with the names close to it.

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
    grouped by topic; at a terminal too short for that list, only the
    names, in columns (`help | less` shows the summaries). With NAMEs,
    print each one's full help (the same text as `NAME --help`); for a
    name that is none, suggest the names close to it.
",
    place: Place::Anywhere,
    group: Group::Shell,
    help_option: true,
    run,
};

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    if args.len() < 2 {
        let text = match ctx.input_fd(1).and_then(screen) {
            Some((columns, rows)) => fitted(columns, rows),
            None => overview(),
        };
        let _ = ctx.stdout().write_all(text.as_bytes());
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
                let close = close_names(&name);
                let message = match close.as_slice() {
                    [] => format!("no help topics match '{name}'"),
                    names => format!(
                        "no help topics match '{name}'; did you mean {}?",
                        names.join(" or ")
                    ),
                };
                status = fail(ctx, "help", message, 1)
            }
        }
    }
    status
}

/// The size of the terminal descriptor `fd` is, as (columns, rows); `None`
/// when it is no terminal. A terminal that reports no size (a fresh
/// pseudo-terminal) counts as 80 by 24.
fn screen(fd: i32) -> Option<(usize, usize)> {
    // SAFETY: isatty and the TIOCGWINSZ ioctl only read the descriptor's
    // state into `size`, a local; a bad descriptor makes them fail.
    let size = unsafe {
        if libc::isatty(fd) != 1 {
            return None;
        }
        let mut size: libc::winsize = std::mem::zeroed();
        if libc::ioctl(fd, libc::TIOCGWINSZ, &mut size) != 0 {
            size.ws_col = 0;
            size.ws_row = 0;
        }
        size
    };
    let or = |value: u16, default: usize| match value {
        0 => default,
        value => usize::from(value),
    };
    Some((or(size.ws_col, 80), or(size.ws_row, 24)))
}

/// The groups of the registry, in the order of `Group`.
fn groups() -> Vec<Group> {
    let mut groups: Vec<Group> = REGISTRY.iter().map(|b| b.group).collect();
    groups.sort();
    groups.dedup();
    groups
}

/// The list for a terminal of `columns` by `rows`: one line per entry,
/// each summary cut to the width, if that fits the height (leaving a row
/// for the prompt); else the names in columns.
fn fitted(columns: usize, rows: usize) -> String {
    let full = overview();
    if full.lines().count() < rows {
        return full
            .lines()
            .map(|line| cut(line, columns))
            .collect::<Vec<_>>()
            .join("\n")
            + "\n";
    }
    let mut text = cut(
        "builtins and lab demos: `help NAME` explains one, `help | less` lists summaries",
        columns,
    );
    text.push('\n');
    for group in groups() {
        text.push_str(group.title());
        text.push_str(":\n");
        let names: Vec<&str> = REGISTRY
            .iter()
            .filter(|b| b.group == group)
            .map(|b| b.name)
            .collect();
        text.push_str(&in_columns(&names, columns.saturating_sub(INDENT.len())));
    }
    text
}

/// What each line of names starts with.
const INDENT: &str = "  ";

/// `line` cut to `columns` characters, an ellipsis marking the cut.
fn cut(line: &str, columns: usize) -> String {
    if line.chars().count() <= columns {
        return line.to_owned();
    }
    let kept: String = line.chars().take(columns.saturating_sub(1)).collect();
    kept + "…"
}

/// `names` down columns, as `ls` prints them: the fewest rows whose
/// columns (each as wide as its longest name, two spaces apart) fit in
/// `width`.
fn in_columns(names: &[&str], width: usize) -> String {
    const GAP: usize = 2;
    let widths_for = |rows: usize| -> Vec<usize> {
        names
            .chunks(rows)
            .map(|column| column.iter().map(|n| n.chars().count()).max().unwrap_or(0))
            .collect()
    };
    let rows = (1..=names.len().max(1))
        .find(|&rows| {
            let widths = widths_for(rows);
            widths.iter().sum::<usize>() + GAP * widths.len().saturating_sub(1) <= width
        })
        .unwrap_or(names.len().max(1));
    let widths = widths_for(rows);
    let mut text = String::new();
    for row in 0..rows {
        let mut line = String::from(INDENT);
        for (column, column_width) in widths.iter().enumerate() {
            let Some(name) = names.get(column * rows + row) else {
                continue;
            };
            if column > 0 {
                line.push_str(&" ".repeat(GAP));
            }
            line.push_str(&format!("{name:<column_width$}"));
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

/// The registry's names close to `word`, for a name not found: those
/// that start with it or hold it, else those at most two edits away.
fn close_names(word: &str) -> Vec<&'static str> {
    let names = || REGISTRY.iter().map(|b| b.name);
    let holding: Vec<&str> = names()
        .filter(|name| !word.is_empty() && name.contains(word))
        .collect();
    if !holding.is_empty() {
        return holding;
    }
    names().filter(|name| edits(word, name) <= 2).collect()
}

/// How many one-character insertions, deletions or substitutions turn `a`
/// into `b` (Levenshtein's distance).
fn edits(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// Every entry of the registry, grouped by topic in the order of `Group`.
fn overview() -> String {
    let groups = groups();
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

    #[test]
    fn at_80_by_24_the_names_fit_in_columns() {
        let text = super::fitted(80, 24);
        assert!(text.lines().count() < 24, "{text}");
        assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
        for builtin in crate::REGISTRY {
            let listed = text
                .lines()
                .filter(|line| line.starts_with("  "))
                .flat_map(str::split_whitespace)
                .filter(|word| *word == builtin.name)
                .count();
            assert_eq!(listed, 1, "{}: {text}", builtin.name);
        }
        // A tall screen gets the summaries, each cut to the width.
        let tall = super::fitted(60, 500);
        assert!(tall.contains("change the working directory"), "{tall}");
        assert!(tall.lines().all(|l| l.chars().count() <= 60), "{tall}");
    }

    #[test]
    fn a_name_not_found_gets_the_close_ones() {
        assert_eq!(super::close_names("race"), ["race-condition"]);
        assert_eq!(super::close_names("ehco"), ["echo"]);
        assert!(super::close_names("qqqqqq").is_empty());
    }
}
