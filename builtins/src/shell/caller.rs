//! `caller`: where the running function was called from, read off the
//! call stack the shell keeps (for debugging scripts).

use std::ffi::OsString;

use super::{fail, shown};
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};

pub static CALLER: Builtin = Builtin {
    name: "caller",
    summary: "say where the running function was called from",
    help: "caller [N]
    Without N, print the line and the file the running function was called
    from. With N, the line, function and file of the Nth call up the stack
    (0 is the running function's caller). The status is 1 when there is no
    such call.
",
    place: Place::Anywhere,
    group: Group::Shell,
    help_option: true,
    run,
};

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let [functions, sources, lines] = ctx.call_stack();
    let item = |list: &[OsString], i: usize| list.get(i).map(|s| shown(s).into_owned());
    let line = match args.get(1) {
        None => {
            let Some(at) = item(&lines, 0) else {
                return 1;
            };
            let file = item(&sources, 1).unwrap_or_else(|| "NULL".to_owned());
            if sources.is_empty() {
                return 1;
            }
            format!("{at} {file}")
        }
        Some(arg) => {
            let Ok(n) = shown(arg).parse::<usize>() else {
                return fail(
                    ctx,
                    "caller",
                    format_args!("{}: invalid number", shown(arg)),
                    2,
                );
            };
            match (
                item(&lines, n),
                item(&functions, n + 1),
                item(&sources, n + 1),
            ) {
                (Some(at), Some(function), Some(file)) => format!("{at} {function} {file}"),
                _ => return 1,
            }
        }
    };
    match writeln!(ctx.stdout(), "{line}") {
        Ok(()) => 0,
        Err(_) => 1,
    }
}
