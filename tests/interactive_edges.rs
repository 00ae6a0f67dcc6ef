//! The prompt's rough edges (issue 13), each through a real
//! pseudo-terminal: bytes that are not UTF-8, a background job that ends
//! while the prompt waits, Ctrl-C and Ctrl-D in an unfinished command.

mod common;

use common::pty::{PROMPT, children, is_zombie, start, wait_until};
use expectrl::ControlCode;

/// Typed bytes that are not UTF-8 run as typed (bash runs them too); the
/// shell does not end, and its jobs live on.
#[test]
fn a_byte_that_is_not_utf8_runs_as_typed_and_the_shell_stays() {
    let mut shell = start();
    shell.send(b"echo A\xff\xfeB | od -An -tx1\r").unwrap();
    shell.expect(" 41 ff fe 42 0a").unwrap();
    shell.expect(PROMPT).unwrap();
    // A lead byte with no continuation, then valid UTF-8 after it.
    shell.send("printf %s ".as_bytes()).unwrap();
    shell.send(b"\xc3x\xc3\xa9 | od -An -tx1\r").unwrap();
    shell.expect(" c3 78 c3 a9").unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send_line("echo still-up $?").unwrap();
    shell.expect("still-up 0\r\n").unwrap();
}

/// A background job that ends while the shell sits at the prompt is
/// collected at once (no zombie until Enter); its notice comes before the
/// next prompt, as in bash.
#[test]
fn a_job_that_ends_at_an_idle_prompt_is_collected_at_once() {
    let mut shell = start();
    shell.send_line("sleep 0.1 &").unwrap();
    shell.expect("[1] ").unwrap();
    shell.expect(PROMPT).unwrap();
    let pid = {
        let found = children(&shell);
        assert_eq!(found.len(), 1, "{found:?}");
        found[0]
    };
    // Nothing is typed: the shell must collect the child by itself.
    wait_until("the finished job to be collected", || {
        !children(&shell).contains(&pid) && !is_zombie(pid)
    });
    shell.send_line("").unwrap();
    shell
        .expect("[1]+  Done                    sleep 0.1")
        .unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send_line("jobs; echo no-jobs-left").unwrap();
    shell.expect("no-jobs-left").unwrap();
}

/// Ctrl-C at the continuation prompt drops the unfinished command, as in
/// bash and fish: the next line is a command of its own.
#[test]
fn ctrl_c_at_the_continuation_prompt_drops_the_unfinished_command() {
    let mut shell = start();
    shell.send_line("echo \"oops").unwrap();
    shell.expect("…> ").unwrap();
    shell.send(ControlCode::EndOfText).unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send_line("echo fresh-$((2))").unwrap();
    shell.expect("fresh-2\r\n").unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send_line("echo status $?").unwrap();
    shell.expect("status 0\r\n").unwrap();
}

/// Ctrl-D at the continuation prompt ends the unfinished command with
/// bash's `unexpected EOF`, and the shell stays, jobs and all.
#[test]
fn ctrl_d_at_the_continuation_prompt_reports_it_and_stays() {
    let mut shell = start();
    shell.send_line("sleep 100 &").unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send_line("echo \"oops").unwrap();
    shell.expect("…> ").unwrap();
    shell.send(ControlCode::EndOfTransmission).unwrap();
    shell.expect("unexpected EOF").unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send_line("echo status $?; jobs").unwrap();
    shell.expect("status 2\r\n").unwrap();
    shell.expect("Running").unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send_line("kill %1").unwrap();
    shell.expect(PROMPT).unwrap();
}

/// Ctrl-C at an ordinary prompt shows `^C` after the abandoned line, so it
/// does not look as if it ran.
#[test]
fn ctrl_c_at_the_prompt_shows_caret_c() {
    let mut shell = start();
    shell.send("echo abandoned").unwrap();
    shell.expect("abandoned").unwrap();
    shell.send(ControlCode::EndOfText).unwrap();
    shell.expect("^C").unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send_line("echo next").unwrap();
    let seen = shell.expect("next\r\n").unwrap();
    assert!(
        !String::from_utf8_lossy(seen.before()).contains("abandoned\r\n"),
        "the abandoned line ran"
    );
}
