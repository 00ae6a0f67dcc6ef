//! `explain`: run one line with explain mode on, and say how to read the
//! narration (`help explain`).

use std::ffi::OsString;

use super::joined;
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};

pub static EXPLAIN: Builtin = Builtin {
    name: "explain",
    summary: "run a line, narrating every system call the shell makes",
    help: "explain LINE ...
    Run LINE (the arguments joined with spaces) in this shell with explain
    mode on, as `set -o explain` does for every line after it (`set +o
    explain` stops; `minishell --explain` or `--explain-to FILE` starts
    with it). Quote the line to keep its | ; > & from this command:
        explain 'ls | wc -l'

    How to read it. Each line is one step, on standard error (or the file
    of --explain-to), never on standard output:
        [explain 4242] fork() = 4243
    4242 is the process making the call: the shell, or one of its children
    between fork and execve. A call is written as strace writes it, with
    its real arguments and its result (-1 and the errno when it failed).
    Lines are dim on a terminal, plain elsewhere or with NO_COLOR set.
    Each process writes its own lines as it goes, so a child may speak
    before its parent's line for the fork or clone that made it.
      parsed:      the command tree the parser built (also `parse LINE`)
      expanded:    the words as written → the fields after expansion
      PATH search: each directory tried, in order, as execvp does
      a builtin:   it runs inside the shell, with no fork, and why
      pipe2([3, 4], O_CLOEXEC)   a pipe: 3 reads, 4 writes, both closed on exec
      clone(CLONE_VM|CLONE_VFORK|SIGCHLD) = 4243
                   a child that borrows the shell's memory until it calls
                   execve: how the shell starts a program (cheaper than fork)
      fork() = 4243
                   a copy of the shell, for a subshell ( ), a $( ), a
                   builtin in a pipeline or a background list
      dup2(3, 1) = 1   # stdout → pipe:[…]
                   in the child: descriptor 1 now means what 3 means
      close(4), execve(\"/usr/bin/ls\", [\"ls\"], <N environment variables>)
                   the child drops what it must not keep, then becomes the
                   program (a failure says its errno and the status, 127/126)
      waitpid(-1, 0) = 4243, status 0x0100: WIFEXITED, WEXITSTATUS = 1
                   the kernel's status word, decoded: exit code in the second
                   byte; a signal in the low 7 bits (bit 7: core dumped);
                   0x7f low byte: stopped; 0xffff: continued
      SIGCHLD arrived  a background child changed state and was collected
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run,
};

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let text = joined(&args[1..]);
    if text.iter().all(u8::is_ascii_whitespace) {
        return super::fail(ctx, "explain", "usage: explain LINE ...", 2);
    }
    let was = ctx.option("explain").unwrap_or(false);
    ctx.set_option("explain", true);
    let status = ctx.eval(&text);
    ctx.set_option("explain", was);
    status
}
