//! The interactive shell in a real pseudo-terminal: what a student sees at
//! the prompt. Each test waits for the prompt before it types, as a person
//! would.

use std::process::Command;
use std::time::Duration;

use expectrl::{ControlCode, Eof, Session};

const PROMPT: &str = "ms> ";

/// minishell on a fresh pseudo-terminal, with a fixed prompt.
fn start() -> Session {
    let mut command = Command::new(env!("CARGO_BIN_EXE_minishell"));
    command
        .env_clear()
        .env(
            "PATH",
            std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into()),
        )
        .env("HOME", std::env::temp_dir())
        .env("TERM", "xterm")
        .env("PS1", PROMPT);
    let mut session = Session::spawn(command).expect("spawn minishell on a pty");
    session.set_expect_timeout(Some(Duration::from_secs(10)));
    session.expect(PROMPT).expect("first prompt");
    session
}

#[test]
fn a_typed_command_shows_its_output() {
    let mut shell = start();
    shell.send_line("echo hello-$((1))x").unwrap();
    // Arithmetic is not supported yet: the shell says so and lives on.
    shell.expect("not supported yet").unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send_line("echo typed-here").unwrap();
    shell.expect("typed-here\r\n").unwrap();
    shell.expect(PROMPT).unwrap();
}

#[test]
fn up_arrow_recalls_the_previous_line() {
    let mut shell = start();
    shell.send_line("echo first-$USER-line").unwrap();
    shell.expect("first--line").unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send("\x1b[A").unwrap();
    shell.send("\r").unwrap();
    shell.expect("first--line").unwrap();
    shell.expect(PROMPT).unwrap();
}

#[test]
fn ctrl_c_ends_the_foreground_command_not_the_shell() {
    let mut shell = start();
    shell.send_line("sleep 100").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    shell.send(ControlCode::EndOfText).unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send_line("echo after $?").unwrap();
    shell.expect("after 130").unwrap();
    // At the prompt, Ctrl-C abandons the line being typed.
    shell.expect(PROMPT).unwrap();
    shell.send("echo abandoned").unwrap();
    shell.send(ControlCode::EndOfText).unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send_line("echo kept").unwrap();
    shell.expect("kept\r\n").unwrap();
}

#[test]
fn an_unfinished_line_asks_for_more() {
    let mut shell = start();
    shell.send_line("echo a |").unwrap();
    shell.expect("> ").unwrap();
    shell.send_line("tr a b").unwrap();
    shell.expect("b\r\n").unwrap();
    shell.expect(PROMPT).unwrap();
}

#[test]
fn ctrl_d_on_an_empty_line_leaves() {
    let mut shell = start();
    shell.send_line("false").unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send(ControlCode::EndOfTransmission).unwrap();
    shell.expect(Eof).unwrap();
    let status = shell.get_process().wait().unwrap();
    assert_eq!(
        format!("{status:?}"),
        format!(
            "{:?}",
            expectrl::WaitStatus::Exited(shell.get_process().pid(), 1)
        )
    );
}
