//! `exit` and `quit`: end the shell with a status.

use std::ffi::OsString;

use super::{fail, options, shown};
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};

pub static EXIT: Builtin = Builtin {
    name: "exit",
    summary: "leave the shell with a status",
    help: "exit [N]
    Leave the shell with status N (0 to 255; other numbers wrap), or with
    the status of the last command when N is omitted. In a pipeline or in
    the background, only that child exits.
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run,
};

pub static QUIT: Builtin = Builtin {
    name: "quit",
    summary: "leave the shell (the course mini-shell's exit)",
    help: "quit [N]
    The course mini-shell's name for exit: leave the shell with status N,
    or with the status of the last command.
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run,
};

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let name = shown(&args[0]).into_owned();
    let (_, args) = options(&args[1..], &[]);
    let status = match args.first() {
        None => ctx.last_status(),
        Some(arg) => match parse_status(&shown(arg)) {
            Some(status) => status,
            None => {
                let message = format!("{}: numeric argument required", shown(arg));
                let status = fail(ctx, &name, message, 2);
                ctx.request_exit(status);
                return status;
            }
        },
    };
    if args.len() > 1 {
        // bash does not exit, but skips the rest of the line.
        return super::too_many_arguments(ctx, &name);
    }
    ctx.request_exit(status);
    status
}

/// `N` as an exit status: any integer, taken modulo 256 as the kernel does.
fn parse_status(text: &str) -> Option<Status> {
    let n: i64 = text.trim().parse().ok()?;
    Some(n.rem_euclid(256) as Status)
}

#[cfg(test)]
mod tests {
    use super::parse_status;

    #[test]
    fn statuses_wrap_like_the_kernel() {
        assert_eq!(parse_status("3"), Some(3));
        assert_eq!(parse_status("256"), Some(0));
        assert_eq!(parse_status("-1"), Some(255));
        assert_eq!(parse_status("x"), None);
    }
}
