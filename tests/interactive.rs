//! The interactive shell in a real pseudo-terminal: what a student sees at
//! the prompt. Each test waits for the prompt before it types, as a person
//! would.

mod common;

use common::pty::{PROMPT, is_dead_or_zombie, start, start_in, wait_for_foreground, wait_until};
use expectrl::{ControlCode, Eof};

#[test]
fn a_typed_command_shows_its_output() {
    let mut shell = start();
    shell.send_line("echo hello-$((1))x").unwrap();
    shell.expect("hello-1x\r\n").unwrap();
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
    wait_for_foreground(&shell, "sleep");
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
    shell.expect("…> ").unwrap();
    shell.send_line("tr a b").unwrap();
    shell.expect("b\r\n").unwrap();
    shell.expect(PROMPT).unwrap();
}

#[test]
fn ctrl_d_on_an_empty_line_leaves() {
    let mut shell = start();
    shell.send_line("false").unwrap();
    // The next line's prompt, not the line `false` drawn after the first
    // one: a Ctrl-D typed while `false` runs meets the terminal in its
    // cooked mode, which takes it as end of file and keeps no byte of it.
    // Bracketed paste goes on once the terminal is raw again.
    shell.expect(format!("\x1b[?2004h\r{PROMPT}")).unwrap();
    let pid = nix::unistd::Pid::from_raw(shell.get_process().pid().as_raw());
    // Typed at once, while the SIGCHLD of `false` may still be arriving:
    // the key must not be lost to it.
    shell.send(ControlCode::EndOfTransmission).unwrap();
    // The shell itself must end, with the last command's status.
    let mut ended: Option<nix::Result<nix::sys::wait::WaitStatus>> = None;
    wait_until(
        "the shell to leave on Ctrl-D",
        || match nix::sys::wait::waitpid(pid, Some(nix::sys::wait::WaitPidFlag::WNOHANG)) {
            Ok(nix::sys::wait::WaitStatus::StillAlive) => false,
            other => {
                ended = Some(other);
                true
            }
        },
    );
    assert_eq!(ended, Some(Ok(nix::sys::wait::WaitStatus::Exited(pid, 1))));
}

#[test]
fn ctrl_z_stops_the_job_bg_and_fg_continue_it() {
    let mut shell = start();
    shell.send_line("sleep 100").unwrap();
    wait_for_foreground(&shell, "sleep");
    shell.send(ControlCode::Substitute).unwrap(); // Ctrl-Z
    shell
        .expect("[1]+  Stopped                 sleep 100")
        .unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send_line("jobs").unwrap();
    shell
        .expect("[1]+  Stopped                 sleep 100\r\n")
        .unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send_line("bg").unwrap();
    shell.expect("[1]+ sleep 100 &").unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send_line("jobs").unwrap();
    shell
        .expect("[1]+  Running                 sleep 100 &")
        .unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send_line("fg").unwrap();
    shell.expect("sleep 100\r\n").unwrap();
    wait_for_foreground(&shell, "sleep");
    shell.send(ControlCode::EndOfText).unwrap(); // Ctrl-C
    shell.expect(PROMPT).unwrap();
    shell
        .send_line("echo status $?; jobs; echo no-jobs")
        .unwrap();
    shell.expect("status 130\r\nno-jobs").unwrap();
}

#[test]
fn a_finished_background_job_is_announced_before_the_prompt() {
    let mut shell = start();
    shell.send_line("sleep 0.2 &").unwrap();
    shell.expect("[1] ").unwrap();
    shell.expect(PROMPT).unwrap();
    // A foreground command that lasts until the background one ends: its
    // end is announced before the next prompt.
    shell.send_line("tail --pid=$! -f /dev/null").unwrap();
    shell
        .expect("[1]+  Done                    sleep 0.2")
        .unwrap();
    shell.expect(PROMPT).unwrap();
    shell
        .send_line("sh -c 'exit 3' & tail --pid=$! -f /dev/null")
        .unwrap();
    shell
        .expect("Exit 3                  sh -c 'exit 3'")
        .unwrap();
}

#[test]
fn a_program_reading_the_terminal_works_in_the_foreground() {
    let mut shell = start();
    shell.send_line("cat").unwrap();
    wait_for_foreground(&shell, "cat");
    shell.send_line("typed into cat").unwrap();
    // cat writes the line back (the test terminal does not echo input).
    shell.expect("typed into cat\r\n").unwrap();
    shell.send(ControlCode::EndOfTransmission).unwrap(); // Ctrl-D ends cat only
    shell.expect(PROMPT).unwrap();
    shell.send_line("echo cat said $?").unwrap();
    shell.expect("cat said 0").unwrap();
}

#[test]
fn exit_with_a_stopped_job_warns_once_then_hangs_it_up() {
    let mut shell = start();
    shell.send_line("sleep 100").unwrap();
    wait_for_foreground(&shell, "sleep");
    shell.send(ControlCode::Substitute).unwrap();
    shell.expect("Stopped").unwrap();
    shell.expect(PROMPT).unwrap();
    shell
        .send_line("jobs -p > /tmp/minishell-hup-test-pid")
        .unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send_line("exit").unwrap();
    shell.expect("There are stopped jobs.").unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send_line("exit").unwrap();
    shell.expect(Eof).unwrap();
    let pid: i32 = std::fs::read_to_string("/tmp/minishell-hup-test-pid")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let _ = std::fs::remove_file("/tmp/minishell-hup-test-pid");
    // SIGHUP (then SIGCONT) ends the stopped sleep.
    wait_until(
        &format!("the stopped job {pid} to end with the shell"),
        || is_dead_or_zombie(pid),
    );
}

/// Regressions found in review: a job stopped with Ctrl-Z and then `bg`'d
/// is still reaped and announced; `wait` on a stopped job leaves it in the
/// table; `kill -0` does not wake it; the stopped job stays current when a
/// new one starts; `bg` on a running job only warns.
#[test]
fn stopped_jobs_keep_their_place() {
    let mut shell = start();
    shell.send_line("sleep 100").unwrap();
    wait_for_foreground(&shell, "sleep");
    shell.send(ControlCode::Substitute).unwrap();
    shell.expect("Stopped").unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send_line("wait %1; echo waited $?").unwrap();
    shell.expect("waited 148").unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send_line("kill -0 %1; sleep 200 &").unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send_line("jobs").unwrap();
    shell
        .expect("[1]+  Stopped                 sleep 100")
        .unwrap();
    shell
        .expect("[2]-  Running                 sleep 200 &")
        .unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send_line("bg %2; echo bg said $?").unwrap();
    shell.expect("job 2 already in background").unwrap();
    shell.expect("bg said 0").unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send_line("kill %1 %2").unwrap();
    shell.expect(PROMPT).unwrap();
}

#[test]
fn a_stopped_then_continued_job_is_announced_when_it_ends() {
    let mut shell = start();
    shell.send_line("sleep 1").unwrap();
    wait_for_foreground(&shell, "sleep");
    shell.send(ControlCode::Substitute).unwrap();
    shell.expect("Stopped").unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send_line("bg").unwrap();
    shell.expect("[1]+ sleep 1 &").unwrap();
    shell.expect(PROMPT).unwrap();
    shell
        .send_line("tail --pid=$(jobs -p %1) -f /dev/null")
        .unwrap();
    shell
        .expect("[1]+  Done                    sleep 1")
        .unwrap();
}

#[test]
fn history_survives_a_restart_and_skips_lines_starting_with_a_space() {
    let home = tempfile::tempdir().unwrap();
    let mut shell = start_in(home.path(), &[("PS1", PROMPT)]);
    shell.send_line("echo remembered-$((0))").unwrap_or(());
    shell.expect(PROMPT).unwrap();
    shell.send_line("echo kept-line").unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send_line(" echo secret-line").unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send_line("exit").unwrap();
    shell.expect(Eof).unwrap();
    let file = home.path().join(".minishell_history");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("echo kept-line") && !text.contains("secret-line"),
        "{text}"
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // A new shell recalls it with Up (the last line was `exit`).
    let mut shell = start_in(home.path(), &[("PS1", PROMPT)]);
    shell.send("\x1b[A\x1b[A").unwrap();
    shell.send("\r").unwrap();
    shell.expect("kept-line\r\n").unwrap();
}

#[test]
fn tab_completes_commands_and_demos() {
    let mut shell = start();
    shell.send("sum-a\t").unwrap();
    shell.expect("sum-array").unwrap();
    shell.send(" --help | head -1\r").unwrap();
    shell.expect("sum-array [--method METHOD]").unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send("ech\t").unwrap();
    shell.expect("echo").unwrap();
    shell.send("completed\r").unwrap();
    shell.expect("completed\r\n").unwrap();
}

#[test]
fn type_and_help_answer() {
    let mut shell = start();
    shell.send_line("type cd ls").unwrap();
    shell.expect("cd is a shell builtin").unwrap();
    shell.expect("ls is /").unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send_line("help").unwrap();
    for group in [
        "shell:",
        "jobs:",
        "processes (lab demos):",
        "threads (lab demos):",
    ] {
        shell.expect(group).unwrap();
    }
    shell.expect(PROMPT).unwrap();
}

#[test]
fn the_startup_file_runs_and_its_errors_name_file_and_line() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join(".minishellrc"),
        "GREETING=hello-from-rc\necho a | | b\n",
    )
    .unwrap();
    let mut shell = start_in(home.path(), &[("PS1", PROMPT)]);
    shell.send_line("echo $GREETING").unwrap();
    shell.expect("hello-from-rc\r\n").unwrap();
    let mut plain = start_in(home.path(), &[]);
    plain.expect(".minishellrc: line 2: syntax error").unwrap();
}

#[test]
fn the_default_prompt_shows_the_directory_and_a_failed_status() {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir(home.path().join("labs")).unwrap();
    let mut shell = start_in(home.path(), &[]);
    shell.expect("~> ").unwrap();
    shell.send_line("cd labs; false").unwrap();
    shell.expect("~/labs [1]> ").unwrap();
}

#[test]
fn colours_only_without_no_color() {
    let typed = |vars: &[(&str, &str)]| {
        let home = tempfile::tempdir().unwrap();
        let mut shell = start_in(home.path(), vars);
        shell.send("nosuchcmd | wc").unwrap();
        // The editor redraws the line after the keys typed; all of it comes before
        // the last letter typed.
        let seen = shell.expect("wc").unwrap();
        String::from_utf8_lossy(seen.before()).into_owned()
    };
    let coloured = typed(&[("PS1", PROMPT)]);
    assert!(coloured.contains("\x1b[31mnosuchcmd"), "{coloured:?}");
    let plain = typed(&[("PS1", PROMPT), ("NO_COLOR", "1")]);
    assert!(
        !plain.contains("\x1b[31m") && !plain.contains("\x1b[36m"),
        "{plain:?}"
    );
}
