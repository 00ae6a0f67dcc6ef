//! `shopt`: the options that change how the shell expands words
//! (`extglob`, `nullglob`, `dotglob`…), and `-o` for `set`'s.

use std::ffi::OsString;

use super::{fail, shown};
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};

pub static SHOPT: Builtin = Builtin {
    name: "shopt",
    summary: "set and show shell options",
    help: "shopt [-pqsu] [-o] [OPTNAME ...]
    Show each OPTNAME (or every option) as on or off.
      -s  turn them on       -u  turn them off
      -q  say nothing: the status says whether all are on
      -p  show them as shopt commands
      -o  the options of set -o instead
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run,
};

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let (mut set, mut unset, mut quiet, mut print, mut set_o) = (false, false, false, false, false);
    let mut names = &args[1..];
    while let Some(arg) = names.first() {
        let text = shown(arg).into_owned();
        let Some(letters) = text.strip_prefix('-').filter(|l| !l.is_empty()) else {
            break;
        };
        for letter in letters.chars() {
            match letter {
                's' => set = true,
                'u' => unset = true,
                'q' => quiet = true,
                'p' => print = true,
                'o' => set_o = true,
                _ => {
                    let usage = format!(
                        "-{letter}: invalid option\nshopt: usage: shopt [-pqsu] [-o] [optname ...]"
                    );
                    return fail(ctx, "shopt", usage, 2);
                }
            }
        }
        names = &names[1..];
    }
    if set && unset {
        return fail(
            ctx,
            "shopt",
            "cannot set and unset shell options simultaneously",
            1,
        );
    }
    let options = ctx.options(!set_o);
    let mut status = 0;
    if set || unset {
        for name in names {
            let name = shown(name).into_owned();
            if !options.iter().any(|(n, _)| *n == name) || !ctx.set_option(&name, set) {
                status = fail(
                    ctx,
                    "shopt",
                    format_args!("{name}: invalid shell option name"),
                    1,
                );
            }
        }
        if !names.is_empty() {
            return status;
        }
    }
    let selected: Vec<(&str, bool)> = if names.is_empty() {
        options
            .iter()
            .copied()
            .filter(|(_, on)| !(set || unset) || *on == set)
            .collect()
    } else {
        let mut picked = Vec::new();
        for name in names {
            let name = shown(name).into_owned();
            match options.iter().find(|(n, _)| *n == name) {
                Some(&option) => picked.push(option),
                None => {
                    status = fail(
                        ctx,
                        "shopt",
                        format_args!("{name}: invalid shell option name"),
                        1,
                    );
                }
            }
        }
        picked
    };
    let mut out = String::new();
    for (name, on) in &selected {
        // Asked by name, an option that is off makes the status 1; the
        // whole listing succeeds.
        if !on && !names.is_empty() {
            status = status.max(1);
        }
        if quiet {
            continue;
        }
        if print {
            let flag = match (set_o, on) {
                (true, true) => "set -o",
                (true, false) => "set +o",
                (false, true) => "shopt -s",
                (false, false) => "shopt -u",
            };
            out.push_str(&format!("{flag} {name}\n"));
        } else {
            out.push_str(&format!("{name:<15}\t{}\n", if *on { "on" } else { "off" }));
        }
    }
    if ctx.stdout().write_all(out.as_bytes()).is_err() {
        return 1;
    }
    status
}
