//! `set`: the shell's options (`-e`, `-x`, `-o pipefail`…) and the
//! positional parameters (`set -- a b c`); with nothing, every variable.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

use super::{fail, shown};
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status, VarValue};

pub static SET: Builtin = Builtin {
    name: "set",
    summary: "set options and positional parameters",
    help: "set [-abefhmnuvxBC] [-o OPTION] [--] [ARG ...]
    Turn options on with -, off with +, and make the ARGs the positional
    parameters $1… (`set --` alone clears them). Without arguments, list
    every variable. `set -o` lists the options, `set +o` as commands.
      -e  exit when a command fails      -u  unset variables are errors
      -x  print commands as they run     -v  print input as it is read
      -f  no pathname expansion          -C  > does not overwrite files
      -n  read commands, run none        -a  export what is assigned
      -b  report finished jobs at once   -h  remember command locations
      -m  job control                    -B  brace expansion
      -o pipefail  a pipeline fails if any of its commands fails
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run,
};

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    if args.len() == 1 {
        return list_variables(ctx);
    }
    let mut i = 1;
    let mut positional: Option<Vec<OsString>> = None;
    while i < args.len() {
        let arg = args[i].as_bytes();
        if arg == b"--" {
            positional = Some(args[i + 1..].to_vec());
            break;
        }
        if arg == b"-" {
            // `set -` turns off -x and -v and ends the options.
            ctx.set_option("xtrace", false);
            ctx.set_option("verbose", false);
            positional = (i + 1 < args.len()).then(|| args[i + 1..].to_vec());
            break;
        }
        let on = match arg.first() {
            Some(b'-') => true,
            Some(b'+') => false,
            _ => {
                positional = Some(args[i..].to_vec());
                break;
            }
        };
        let letters = &arg[1..];
        for &letter in letters {
            if letter == b'o' {
                i += 1;
                let Some(name) = args.get(i) else {
                    return list_options(ctx, on);
                };
                let name = shown(name).into_owned();
                let known = ctx.options(false).iter().any(|(n, _)| *n == name);
                if !known || !ctx.set_option(&name, on) {
                    let usage = "set: usage: set [-abefhkmnptuvxBCEHPT] [-o option-name] [--] [-] [arg ...]";
                    return fail(
                        ctx,
                        "set",
                        format_args!("{name}: invalid option name\n{usage}"),
                        2,
                    );
                }
                continue;
            }
            if !ctx.set_option_letter(char::from(letter), on) {
                let sign = if on { '-' } else { '+' };
                let usage =
                    "set: usage: set [-abefhkmnptuvxBCEHPT] [-o option-name] [--] [-] [arg ...]";
                return fail(
                    ctx,
                    "set",
                    format_args!("{sign}{}: invalid option\n{usage}", char::from(letter)),
                    2,
                );
            }
        }
        i += 1;
    }
    if let Some(args) = positional {
        ctx.set_positional(args);
    }
    0
}

/// `set -o` (a table) or `set +o` (commands that restore the options).
fn list_options(ctx: &mut dyn Context, table: bool) -> Status {
    let mut out = String::new();
    for (name, on) in ctx.options(false) {
        if table {
            out.push_str(&format!("{name:<15}\t{}\n", if on { "on" } else { "off" }));
        } else {
            out.push_str(&format!("set {}o {name}\n", if on { '-' } else { '+' }));
        }
    }
    match ctx.stdout().write_all(out.as_bytes()) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}

/// `set` alone: `name=value` for every variable, quoted to be read back,
/// then the functions.
fn list_variables(ctx: &mut dyn Context) -> Status {
    let mut out = Vec::new();
    for info in ctx.variables() {
        match &info.value {
            VarValue::Unset => continue,
            VarValue::Scalar(v) => {
                out.extend_from_slice(info.name.as_bytes());
                out.push(b'=');
                out.extend(single_quoted_if_needed(v.as_bytes()));
            }
            VarValue::Indexed(elements) => {
                out.extend_from_slice(info.name.as_bytes());
                out.extend_from_slice(b"=(");
                for (n, (i, v)) in elements.iter().enumerate() {
                    if n > 0 {
                        out.push(b' ');
                    }
                    out.extend_from_slice(format!("[{i}]=").as_bytes());
                    out.extend_from_slice(super::declare::double_quoted(v.as_bytes()).as_bytes());
                }
                out.push(b')');
            }
            VarValue::Assoc(entries) => {
                out.extend_from_slice(info.name.as_bytes());
                out.extend_from_slice(b"=(");
                for (k, v) in entries {
                    out.push(b'[');
                    out.extend_from_slice(k.as_bytes());
                    out.extend_from_slice(b"]=");
                    out.extend_from_slice(super::declare::double_quoted(v.as_bytes()).as_bytes());
                    out.push(b' ');
                }
                out.push(b')');
            }
        }
        out.push(b'\n');
    }
    for (_, text) in ctx.functions() {
        out.extend_from_slice(text.as_bytes());
        out.push(b'\n');
    }
    match ctx.stdout().write_all(&out) {
        Ok(()) => 0,
        Err(_) => 1,
    }
}

/// A value as `set` prints it: bare when it needs no quoting, else in
/// single quotes.
fn single_quoted_if_needed(value: &[u8]) -> Vec<u8> {
    let plain = !value.is_empty()
        && value
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"_-./:@%+,=^".contains(&b) || b >= 0x80);
    if plain {
        return value.to_vec();
    }
    let mut out = vec![b'\''];
    for &b in value {
        if b == b'\'' {
            out.extend_from_slice(b"'\\''");
        } else {
            out.push(b);
        }
    }
    out.push(b'\'');
    out
}
