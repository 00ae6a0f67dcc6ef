//! `trap`: commands the shell runs when a signal arrives, when it exits,
//! or when a command fails.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

use super::{fail, shown};
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status, TRAP_DEBUG, TRAP_ERR, TRAP_RETURN, TrapAction};
use crate::signals;

pub static TRAP: Builtin = Builtin {
    name: "trap",
    summary: "run commands on signals, exit or errors",
    help: "trap [-lp] [[ACTION] CONDITION ...]
    Run ACTION (shell commands) when each CONDITION comes: a signal by
    name (INT, SIGTERM) or number, EXIT (the shell ends), ERR (a command
    fails, where set -e would act), DEBUG (before each command), RETURN (a
    function or sourced file ends). ACTION '' ignores the signal; - (or no
    ACTION before a number) puts back the default.
      -p  show the traps as commands      -l  list the signal names
    A subshell starts with the traps reset, except ignored signals.
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run,
};

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let mut rest = &args[1..];
    let mut print = false;
    while let Some(arg) = rest.first() {
        match arg.as_bytes() {
            b"--" => {
                rest = &rest[1..];
                break;
            }
            b"-l" => {
                let table = signals::table();
                return match ctx.stdout().write_all(table.as_bytes()) {
                    Ok(()) => 0,
                    Err(_) => 1,
                };
            }
            b"-p" => {
                print = true;
                rest = &rest[1..];
            }
            [b'-', letter, ..] if rest.len() == 1 || !letter.is_ascii_uppercase() => {
                if rest.len() == 1 && signal_number(&shown(arg)).is_some() {
                    break;
                }
                let usage = format!(
                    "{}: invalid option\ntrap: usage: trap [-lp] [[arg] signal_spec ...]",
                    shown(arg)
                );
                return fail(ctx, "trap", usage, 2);
            }
            _ => break,
        }
    }
    if rest.is_empty() || print {
        return list(ctx, rest);
    }
    // `trap N…` with a number first (or `-`) resets those signals.
    let first = shown(&rest[0]).into_owned();
    let (action, conditions) = if first == "-" {
        (None, &rest[1..])
    } else if rest.len() == 1
        || (first.bytes().all(|b| b.is_ascii_digit()) && signal_number(&first).is_some())
    {
        (None, rest)
    } else {
        let action = match first.is_empty() {
            true => TrapAction::Ignore,
            false => TrapAction::Run(rest[0].clone()),
        };
        (Some(action), &rest[1..])
    };
    let mut status = 0;
    for condition in conditions {
        let text = shown(condition).into_owned();
        let Some(number) = signal_number(&text) else {
            status = fail(
                ctx,
                "trap",
                format_args!("{text}: invalid signal specification"),
                1,
            );
            continue;
        };
        if let Err(message) = ctx.set_trap(number, action.clone()) {
            status = fail(ctx, "trap", message, 1);
        }
    }
    status
}

/// A trap condition by name or number.
fn signal_number(text: &str) -> Option<i32> {
    match text.to_ascii_uppercase().as_str() {
        "ERR" => Some(TRAP_ERR),
        "DEBUG" => Some(TRAP_DEBUG),
        "RETURN" => Some(TRAP_RETURN),
        _ => signals::number(text),
    }
}

/// A condition's name as `trap -p` shows it.
fn condition_name(number: i32) -> String {
    match number {
        TRAP_ERR => "ERR".to_owned(),
        TRAP_DEBUG => "DEBUG".to_owned(),
        TRAP_RETURN => "RETURN".to_owned(),
        0 => "EXIT".to_owned(),
        n => match signals::name(n) {
            Some(name) => format!("SIG{name}"),
            None => n.to_string(),
        },
    }
}

/// `trap` or `trap -p [CONDITION…]`: each trap as a command.
fn list(ctx: &mut dyn Context, only: &[OsString]) -> Status {
    let wanted: Vec<i32> = only
        .iter()
        .filter_map(|c| signal_number(&shown(c)))
        .collect();
    let mut traps = ctx.traps();
    // As bash lists them: in the order asked for, else EXIT, the signals
    // by number, then DEBUG, ERR and RETURN.
    match wanted.is_empty() {
        true => traps.sort_by_key(|(condition, _)| listing_order(*condition)),
        false => {
            traps.retain(|(condition, _)| wanted.contains(condition));
            traps.sort_by_key(|(condition, _)| wanted.iter().position(|w| w == condition));
        }
    }
    let mut out = Vec::new();
    for (condition, action) in traps {
        let text: &[u8] = match &action {
            TrapAction::Ignore => b"",
            TrapAction::Run(text) => text.as_bytes(),
        };
        out.extend_from_slice(b"trap -- ");
        out.extend(single_quoted(text));
        out.push(b' ');
        out.extend_from_slice(condition_name(condition).as_bytes());
        out.push(b'\n');
    }
    match ctx.stdout().write_all(&out) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}

fn listing_order(condition: i32) -> i32 {
    match condition {
        TRAP_DEBUG => i32::MAX - 2,
        TRAP_ERR => i32::MAX - 1,
        TRAP_RETURN => i32::MAX,
        signal => signal,
    }
}

fn single_quoted(text: &[u8]) -> Vec<u8> {
    let mut out = vec![b'\''];
    for &b in text {
        if b == b'\'' {
            out.extend_from_slice(b"'\\''");
        } else {
            out.push(b);
        }
    }
    out.push(b'\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_by_name_and_number() {
        assert_eq!(signal_number("INT"), Some(2));
        assert_eq!(signal_number("sigterm"), Some(15));
        assert_eq!(signal_number("EXIT"), Some(0));
        assert_eq!(signal_number("0"), Some(0));
        assert_eq!(signal_number("err"), Some(TRAP_ERR));
        assert_eq!(signal_number("NOPE"), None);
        assert_eq!(condition_name(2), "SIGINT");
        assert_eq!(condition_name(0), "EXIT");
    }
}
