//! `declare` (and its other name `typeset`) and `local`: declare variables
//! with attributes (arrays, integers, readonly, exported, case), assign
//! them, and print them back as commands that would recreate them.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

use super::{fail, is_valid_name, shown};
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Declaration, Status, VarAttrs, VarInfo, VarValue};

pub static DECLARE: Builtin = Builtin {
    name: "declare",
    summary: "declare variables and give them attributes",
    help: "declare [-aAfFgilnprux] [-p] [NAME[=VALUE] ...]
    Declare each NAME, give it the attributes the options name and, with
    =VALUE, a value. Inside a function the variables are local unless -g.
    Without NAME, list the variables (with the attributes asked for).
      -a  an indexed array        -A  an associative array
      -i  an integer: assignments are evaluated as arithmetic
      -l  lower-case on assignment -u  upper-case on assignment
      -r  readonly                -x  exported
      -n  a name reference: it stands for the variable its value names
      -g  global, even inside a function
      -p  print each NAME (or every variable) as a declare command
      -f  functions: print them   -F  function names only
    A `+` instead of `-` takes the attribute away.
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run: run_declare,
};

pub static TYPESET: Builtin = Builtin {
    name: "typeset",
    summary: "the same as declare",
    help: "typeset [-aAfFgilprux] [-p] [NAME[=VALUE] ...]
    Another name for declare, kept for ksh scripts.
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run: run_declare,
};

pub static LOCAL: Builtin = Builtin {
    name: "local",
    summary: "make variables local to the running function",
    help: "local [-aAilnrux] [NAME[=VALUE] ...]
    Make each NAME a variable of the running function: it hides any
    variable of that name of the callers until the function returns.
    Takes declare's attribute options. Outside a function it is an error.
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run: run_local,
};

/// The options shared by `declare`, `typeset`, `local` and `readonly`.
#[derive(Default)]
pub(crate) struct Options {
    pub set: VarAttrs,
    pub clear: VarAttrs,
    pub print: bool,
    pub functions: bool,
    pub function_names: bool,
    pub global: bool,
}

/// Reads leading `-x`/`+x` options; returns them and the operands, or the
/// bad option's letter.
pub(crate) fn parse_options<'a>(
    args: &'a [OsString],
    letters: &str,
) -> Result<(Options, &'a [OsString]), char> {
    let mut options = Options::default();
    let mut rest = args;
    while let Some(arg) = rest.first() {
        let bytes = arg.as_bytes();
        if bytes == b"--" {
            rest = &rest[1..];
            break;
        }
        let (on, letters_here) = match bytes {
            [b'-', more @ ..] if !more.is_empty() => (true, more),
            [b'+', more @ ..] if !more.is_empty() => (false, more),
            _ => break,
        };
        for &letter in letters_here {
            let letter = char::from(letter);
            if !letters.contains(letter) {
                return Err(letter);
            }
            let attrs = if on {
                &mut options.set
            } else {
                &mut options.clear
            };
            match letter {
                'a' => attrs.indexed = true,
                'A' => attrs.assoc = true,
                'i' => attrs.integer = true,
                'l' => attrs.lower = true,
                'u' => attrs.upper = true,
                'r' => attrs.readonly = true,
                'x' => attrs.exported = true,
                'n' => attrs.nameref = true,
                'p' => options.print = true,
                'f' => options.functions = true,
                'F' => options.function_names = true,
                'g' => options.global = true,
                _ => {}
            }
        }
        rest = &rest[1..];
    }
    Ok((options, rest))
}

fn run_declare(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let local = ctx.in_function();
    declare(args, ctx, &shown(&args[0]), local)
}

fn run_local(args: &[OsString], ctx: &mut dyn Context) -> Status {
    if !ctx.in_function() {
        return fail(ctx, "local", "can only be used in a function", 1);
    }
    declare(args, ctx, "local", true)
}

fn declare(args: &[OsString], ctx: &mut dyn Context, name: &str, local: bool) -> Status {
    let (options, operands) = match parse_options(&args[1..], "aAfFgilnprux") {
        Ok(parsed) => parsed,
        Err(letter) => {
            let usage = format!(
                "-{letter}: invalid option\n{name}: usage: {name} [-aAfFgilnrtux] [name[=value] ...]"
            );
            return fail(ctx, name, usage, 2);
        }
    };
    if options.functions || options.function_names {
        return print_functions(ctx, operands, options.function_names);
    }
    if operands.is_empty()
        || (options.print && operands.iter().all(|o| !o.as_bytes().contains(&b'=')))
    {
        return print_variables(ctx, operands, &options, name);
    }
    let local = local && !options.global;
    let mut status = 0;
    for operand in operands {
        if let Err(message) = declare_one(ctx, operand, &options, local) {
            status = 1;
            if !message.is_empty() {
                fail(ctx, name, message, 1);
            }
        }
    }
    status
}

/// `NAME`, `NAME=VALUE` or `NAME+=VALUE` with the options' attributes.
pub(crate) fn declare_one(
    ctx: &mut dyn Context,
    operand: &OsString,
    options: &Options,
    local: bool,
) -> Result<(), String> {
    let bytes = operand.as_bytes();
    let (name, value, append) = match bytes.iter().position(|&b| b == b'=') {
        Some(eq) if eq > 0 && bytes[eq - 1] == b'+' => {
            (&bytes[..eq - 1], Some(&bytes[eq + 1..]), true)
        }
        Some(eq) => (&bytes[..eq], Some(&bytes[eq + 1..]), false),
        None => (bytes, None, false),
    };
    // `declare a[2]=x` assigns one element.
    let base = name.split(|&b| b == b'[').next().unwrap_or(name);
    if !is_valid_name(base) {
        return Err(format!("`{}': not a valid identifier", shown(operand)));
    }
    let name = String::from_utf8_lossy(name).into_owned();
    if name.contains('[') {
        let Some(value) = value else {
            return Ok(());
        };
        let base = String::from_utf8_lossy(base).into_owned();
        ctx.declare(&Declaration {
            name: &base,
            local,
            set: options.set,
            clear: options.clear,
            ..Declaration::default()
        })?;
        return ctx.eval_assignment(&name, value, append);
    }
    ctx.declare(&Declaration {
        name: &name,
        value,
        append,
        local,
        set: options.set,
        clear: options.clear,
    })
}

/// `declare -p` and friends: each variable as the command that makes it.
fn print_variables(
    ctx: &mut dyn Context,
    names: &[OsString],
    options: &Options,
    builtin: &str,
) -> Status {
    let mut out = String::new();
    let mut status = 0;
    let wanted = |info: &VarInfo| {
        let a = info.attrs;
        let s = options.set;
        (!s.exported || a.exported)
            && (!s.readonly || a.readonly)
            && (!s.integer || a.integer)
            && (!s.indexed || a.indexed)
            && (!s.assoc || a.assoc)
            && (!s.lower || a.lower)
            && (!s.upper || a.upper)
            && (!s.nameref || a.nameref)
    };
    if names.is_empty() {
        for info in ctx.variables() {
            if wanted(&info) {
                out.push_str(&declaration_line(&info));
                out.push('\n');
            }
        }
    } else {
        for name in names {
            match ctx.variable(&shown(name)) {
                Some(info) => {
                    out.push_str(&declaration_line(&info));
                    out.push('\n');
                }
                None => {
                    status = fail(ctx, builtin, format_args!("{}: not found", shown(name)), 1);
                }
            }
        }
    }
    if ctx.stdout().write_all(out.as_bytes()).is_err() {
        return 1;
    }
    status
}

/// `declare -f` (every function, or those named) and `declare -F` (names).
fn print_functions(ctx: &mut dyn Context, names: &[OsString], names_only: bool) -> Status {
    let functions = ctx.functions();
    let mut out = String::new();
    let mut status = 0;
    let selected: Vec<&(String, String)> = if names.is_empty() {
        functions.iter().collect()
    } else {
        let mut picked = Vec::new();
        for name in names {
            match functions.iter().find(|(n, _)| *n == *shown(name)) {
                Some(f) => picked.push(f),
                None => status = 1,
            }
        }
        picked
    };
    for (name, text) in selected {
        if names_only {
            out.push_str(&format!("declare -f {name}\n"));
        } else {
            out.push_str(text);
            out.push('\n');
        }
    }
    if ctx.stdout().write_all(out.as_bytes()).is_err() {
        return 1;
    }
    status
}

/// `declare -x NAME="value"`: a variable as a command that recreates it.
pub fn declaration_line(info: &VarInfo) -> String {
    let letters = info.attrs.letters();
    match &info.value {
        VarValue::Unset => format!("declare -{letters} {}", info.name),
        VarValue::Scalar(v) => format!(
            "declare -{letters} {}={}",
            info.name,
            double_quoted(v.as_bytes())
        ),
        VarValue::Indexed(elements) => {
            let body: Vec<String> = elements
                .iter()
                .map(|(i, v)| format!("[{i}]={}", double_quoted(v.as_bytes())))
                .collect();
            format!("declare -{letters} {}=({})", info.name, body.join(" "))
        }
        VarValue::Assoc(entries) => {
            let mut body = String::new();
            for (k, v) in entries {
                body.push_str(&format!(
                    "[{}]={} ",
                    key_text(k.as_bytes()),
                    double_quoted(v.as_bytes())
                ));
            }
            format!("declare -{letters} {}=({body})", info.name)
        }
    }
}

/// An associative array's key as bash prints it: bare when it is plain,
/// else double-quoted.
fn key_text(key: &[u8]) -> String {
    let plain = !key.is_empty()
        && key
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"_-./:@%+,".contains(&b));
    if plain {
        String::from_utf8_lossy(key).into_owned()
    } else {
        double_quoted(key)
    }
}

/// `"text"` with `"`, `\`, `$` and `` ` `` escaped, as `declare -p` quotes.
pub(crate) fn double_quoted(text: &[u8]) -> String {
    if let Some(quoted) = crate::quoting::ansi_c(text, true) {
        return String::from_utf8_lossy(&quoted).into_owned();
    }
    let mut out = Vec::with_capacity(text.len() + 2);
    out.push(b'"');
    for &b in text {
        if matches!(b, b'"' | b'\\' | b'$' | b'`') {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b'"');
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(name: &str, value: VarValue, attrs: VarAttrs) -> VarInfo {
        VarInfo {
            name: name.to_owned(),
            attrs,
            value,
        }
    }

    #[test]
    fn lines_as_bash_prints_them() {
        let plain = info(
            "x",
            VarValue::Scalar("a \"b\" $c".into()),
            VarAttrs::default(),
        );
        assert_eq!(declaration_line(&plain), r#"declare -- x="a \"b\" \$c""#);
        let array = VarAttrs {
            indexed: true,
            ..VarAttrs::default()
        };
        let a = info(
            "a",
            VarValue::Indexed(vec![(0, "x".into()), (3, "y".into())]),
            array,
        );
        assert_eq!(declaration_line(&a), r#"declare -a a=([0]="x" [3]="y")"#);
        let unset = info("u", VarValue::Unset, VarAttrs::default());
        assert_eq!(declaration_line(&unset), "declare -- u");
    }

    #[test]
    fn options_on_and_off() {
        let args: Vec<OsString> = ["-ix", "+r", "name=1"].iter().map(OsString::from).collect();
        let (options, rest) = parse_options(&args, "aAfFgilprux").ok().unwrap();
        assert!(options.set.integer && options.set.exported && options.clear.readonly);
        assert_eq!(rest.len(), 1);
        assert_eq!(parse_options(&args[..1], "ax").err(), Some('i'));
    }
}
