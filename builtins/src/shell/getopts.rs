//! `getopts`: parse a script's options one call at a time, as POSIX and
//! bash do: `OPTIND` names the next word, `OPTARG` carries an option's
//! argument or, in silent mode, the letter that went wrong.
//!
//! Between calls bash also remembers where it is inside a word of grouped
//! options (`-abc`), which `OPTIND` cannot say: after `a` it still points
//! at `-abc`. That position is kept here, with the `OPTIND` value it goes
//! with; when a call finds `OPTIND` changed (a new loop, `OPTIND=1`), it
//! starts at the beginning of the word `OPTIND` names. bash resets on any
//! assignment to `OPTIND`, even of the same value; that one difference is
//! the price of not hiding a variable in the shell's namespace, where
//! `set` would list it.

use std::cell::Cell;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;

use super::{fail, is_valid_name, shown};
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};

pub static GETOPTS: Builtin = Builtin {
    name: "getopts",
    summary: "parse options, one per call",
    help: "getopts OPTSTRING NAME [ARG ...]
    Take the next option from ARGs (from the positional parameters when
    there is none) and put its letter in NAME, its argument in OPTARG, and
    the index of the next word to look at in OPTIND (1 at first). Letters
    in OPTSTRING are the options; one followed by `:` takes an argument,
    attached (-ofile) or in the next word (-o file). Options may be
    grouped (-abc) and end at `--`, at `-` or at a word not starting with
    `-`; then the status is 1 and NAME is `?`.
    A bad option makes NAME `?` and prints a message, unless OPTSTRING
    starts with `:` (silent mode: OPTARG is the letter, and a missing
    argument makes NAME `:`) or OPTERR is 0. Set OPTIND=1 to start over.
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run,
};

/// Where parsing stands: the word `OPTIND` names (from 1) and the byte
/// within it (0: at the word's start, not yet inside it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Position {
    optind: i64,
    inside: usize,
}

thread_local! {
    /// The position the last call left, for the next call to go on
    /// inside a word of grouped options (see the module doc).
    static LAST: Cell<Option<Position>> = const { Cell::new(None) };
}

/// What one call found.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Found {
    /// A known option, with its argument if it takes one.
    Option {
        letter: u8,
        argument: Option<Vec<u8>>,
    },
    /// A letter not in OPTSTRING.
    Illegal(u8),
    /// An option whose argument is missing.
    Missing(u8),
    /// No more options.
    End,
}

/// One step of the parse from `at`: what it found and the new position.
fn step(optstring: &[u8], args: &[&[u8]], at: Position) -> (Found, Position) {
    let mut at = at;
    let index = (at.optind - 1) as usize;
    if at.inside == 0 {
        let Some(&word) = args.get(index) else {
            let end = Position {
                optind: args.len() as i64 + 1,
                inside: 0,
            };
            return (Found::End, end);
        };
        if word == b"--" {
            at.optind += 1;
            return (Found::End, at);
        }
        if word.len() < 2 || word[0] != b'-' {
            return (Found::End, at);
        }
        at.inside = 1;
    }
    let word = args.get(index).copied().unwrap_or_default();
    let Some(&letter) = word.get(at.inside) else {
        // A stale position past the end of its word: start at the next.
        let next = Position {
            optind: at.optind + 1,
            inside: 0,
        };
        return step(optstring, args, next);
    };
    at.inside += 1;
    let word_done = at.inside >= word.len();
    let next_word = Position {
        optind: at.optind + 1,
        inside: 0,
    };
    let letters = optstring.strip_prefix(b":").unwrap_or(optstring);
    let known = letter != b':' && letters.contains(&letter);
    if !known {
        return (
            Found::Illegal(letter),
            if word_done { next_word } else { at },
        );
    }
    let takes_argument = letters
        .iter()
        .position(|&b| b == letter)
        .and_then(|p| letters.get(p + 1))
        == Some(&b':');
    if !takes_argument {
        let found = Found::Option {
            letter,
            argument: None,
        };
        return (found, if word_done { next_word } else { at });
    }
    if !word_done {
        let found = Found::Option {
            letter,
            argument: Some(word[at.inside..].to_vec()),
        };
        return (found, next_word);
    }
    match args.get(index + 1) {
        Some(&argument) => {
            let found = Found::Option {
                letter,
                argument: Some(argument.to_vec()),
            };
            let after = Position {
                optind: at.optind + 2,
                inside: 0,
            };
            (found, after)
        }
        None => (Found::Missing(letter), next_word),
    }
}

/// `OPTIND` as bash reads it (C's `atoi`), never below 1.
fn optind(value: Option<OsString>) -> i64 {
    let text = value.unwrap_or_default();
    let text = String::from_utf8_lossy(text.as_bytes()).into_owned();
    let trimmed = text.trim_start();
    let (sign, digits) = match trimmed.as_bytes().first() {
        Some(b'-') => (-1, &trimmed[1..]),
        Some(b'+') => (1, &trimmed[1..]),
        _ => (1, trimmed),
    };
    let end = digits.bytes().take_while(u8::is_ascii_digit).count();
    let n = digits[..end].parse::<i64>().unwrap_or(0) * sign;
    if (1..=10_000_000).contains(&n) { n } else { 1 }
}

/// `$0` for the messages, which bash starts with it (`script.sh: illegal
/// option -- x`). The Context has no call for it, so it is read back from
/// the message prefix (`script.sh: line 3: ` or `minishell: `).
fn script_name(ctx: &dyn Context) -> String {
    if let Some(zero) = ctx.var("0") {
        return shown(&zero).into_owned();
    }
    let prefix = ctx.message_prefix();
    let prefix = prefix.strip_suffix(": ").unwrap_or(&prefix);
    match prefix.rfind(": line ") {
        Some(cut) if prefix[cut + 7..].bytes().all(|b| b.is_ascii_digit()) => {
            prefix[..cut].to_owned()
        }
        _ => prefix.to_owned(),
    }
}

fn usage(ctx: &mut dyn Context) -> Status {
    let _ = writeln!(
        ctx.stderr(),
        "getopts: usage: getopts optstring name [arg ...]"
    );
    2
}

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let mut operands = &args[1..];
    match operands.first().map(|a| a.as_bytes()) {
        Some(b"--") => operands = &operands[1..],
        // getopts takes no option of its own.
        Some([b'-', letter, ..]) => {
            let option = String::from_utf8_lossy(&[b'-', *letter]).into_owned();
            fail(ctx, "getopts", format_args!("{option}: invalid option"), 2);
            return usage(ctx);
        }
        _ => {}
    }
    let (Some(optstring), Some(name)) = (operands.first(), operands.get(1)) else {
        return usage(ctx);
    };
    // A bad name is found only when the option is stored: OPTIND and
    // OPTARG have moved on by then, as in bash.
    let valid = is_valid_name(name.as_bytes());
    let shown_name = shown(name).into_owned();
    let name = String::from_utf8_lossy(name.as_bytes()).into_owned();
    let positional;
    let words: Vec<&[u8]> = if operands.len() > 2 {
        operands[2..].iter().map(|a| a.as_bytes()).collect()
    } else {
        positional = ctx.positional();
        positional.iter().map(|a| a.as_bytes()).collect()
    };

    let current = optind(ctx.var("OPTIND"));
    let at = match LAST.get() {
        Some(last) if last.optind == current => last,
        _ => Position {
            optind: current,
            inside: 0,
        },
    };
    let (found, next) = step(optstring.as_bytes(), &words, at);
    LAST.set(Some(next));

    let silent = optstring.as_bytes().first() == Some(&b':');
    let report = !silent && ctx.var("OPTERR").is_none_or(|v| opterr_on(&v));
    let (value, argument, status): (Vec<u8>, Option<Vec<u8>>, Status) = match found {
        Found::Option { letter, argument } => (vec![letter], argument, 0),
        Found::End => (b"?".to_vec(), None, 1),
        Found::Illegal(letter) => {
            if report {
                let zero = script_name(ctx);
                let _ = writeln!(
                    ctx.stderr(),
                    "{zero}: illegal option -- {}",
                    char::from(letter)
                );
            }
            (b"?".to_vec(), silent.then(|| vec![letter]), 0)
        }
        Found::Missing(letter) => {
            if report {
                let zero = script_name(ctx);
                let _ = writeln!(
                    ctx.stderr(),
                    "{zero}: option requires an argument -- {}",
                    char::from(letter)
                );
            }
            let value = if silent { b":".to_vec() } else { b"?".to_vec() };
            (value, silent.then(|| vec![letter]), 0)
        }
    };
    let _ = ctx.set_var("OPTIND", OsStr::new(&next.optind.to_string()));
    match argument {
        Some(argument) => {
            let _ = ctx.set_var("OPTARG", OsStr::from_bytes(&argument));
        }
        None => {
            let _ = ctx.unset_var("OPTARG");
        }
    }
    if !valid {
        let message = format!("`{shown_name}': not a valid identifier");
        return fail(ctx, "getopts", message, 1);
    }
    if let Err(message) = ctx.set_var(&name, OsStr::from_bytes(&value)) {
        let prefix = ctx.message_prefix();
        let _ = writeln!(ctx.stderr(), "{prefix}{message}");
        return 1;
    }
    status
}

/// `OPTERR` turns messages off only when it is a number that is 0 (bash
/// reads it with `atoi`; empty means on).
fn opterr_on(value: &OsStr) -> bool {
    let text = String::from_utf8_lossy(value.as_bytes());
    let text = text.trim_start();
    if text.is_empty() {
        return true;
    }
    let digits: String = text
        .trim_start_matches(['+', '-'])
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    !digits.trim_start_matches('0').is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs calls until the end, as `while getopts` does, describing each.
    fn parse(optstring: &str, args: &[&str]) -> Vec<String> {
        let words: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        let mut at = Position {
            optind: 1,
            inside: 0,
        };
        let mut seen = Vec::new();
        loop {
            let (found, next) = step(optstring.as_bytes(), &words, at);
            let text = match &found {
                Found::Option { letter, argument } => match argument {
                    Some(a) => format!("{}={}", char::from(*letter), String::from_utf8_lossy(a)),
                    None => char::from(*letter).to_string(),
                },
                Found::Illegal(l) => format!("illegal {}", char::from(*l)),
                Found::Missing(l) => format!("missing {}", char::from(*l)),
                Found::End => "end".to_owned(),
            };
            seen.push(format!("{text} @{}", next.optind));
            if found == Found::End {
                return seen;
            }
            at = next;
        }
    }

    #[test]
    fn options_grouped_and_with_arguments() {
        assert_eq!(
            parse("ab:cd:", &["-a", "-bc", "-d", "val", "-dval", "rest"]),
            ["a @2", "b=c @3", "d=val @5", "d=val @6", "end @6"]
        );
        assert_eq!(parse("ab", &["-ab", "x"]), ["a @1", "b @2", "end @2"]);
    }

    #[test]
    fn where_options_end() {
        assert_eq!(parse("a", &["--", "-a"]), ["end @2"]);
        assert_eq!(parse("a", &["-", "-a"]), ["end @1"]);
        assert_eq!(parse("a", &["file", "-a"]), ["end @1"]);
        assert_eq!(parse("a", &[]), ["end @1"]);
    }

    #[test]
    fn bad_options_and_missing_arguments() {
        assert_eq!(
            parse("ab", &["-abz"]),
            ["a @1", "b @1", "illegal z @2", "end @2"]
        );
        assert_eq!(parse("b:", &["-b"]), ["missing b @2", "end @2"]);
        assert_eq!(parse("a:", &["-:"]), ["illegal : @2", "end @2"]);
        assert_eq!(parse(":a", &["-x"]), ["illegal x @2", "end @2"]);
        assert_eq!(parse("a:", &["-a", "-b"]), ["a=-b @3", "end @3"]);
        assert_eq!(parse("?", &["-?"]), ["? @2", "end @2"]);
    }

    #[test]
    fn a_position_beyond_the_words_ends_after_them() {
        let words: Vec<&[u8]> = vec![b"x", b"y", b"z"];
        let at = Position {
            optind: 5,
            inside: 0,
        };
        assert_eq!(step(b"a", &words, at).1.optind, 4);
    }

    #[test]
    fn optind_and_opterr_read_as_atoi() {
        assert_eq!(optind(Some("3".into())), 3);
        assert_eq!(optind(Some("x".into())), 1);
        assert_eq!(optind(Some("0".into())), 1);
        assert_eq!(optind(None), 1);
        assert!(opterr_on(OsStr::new("")));
        assert!(opterr_on(OsStr::new("1")));
        assert!(!opterr_on(OsStr::new("0")));
        assert!(!opterr_on(OsStr::new("x")));
    }
}
