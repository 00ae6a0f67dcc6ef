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

/// A shell in a home directory holding `labs/`, `lab-notes.txt` and
/// `projects/inside-file`, without colours (so a completed word is not cut
/// by colour codes).
fn start_with_files() -> (expectrl::Session, std::path::PathBuf) {
    let home = tempfile::tempdir().unwrap().keep();
    std::fs::create_dir(home.join("labs")).unwrap();
    std::fs::write(home.join("lab-notes.txt"), "").unwrap();
    std::fs::create_dir(home.join("projects")).unwrap();
    std::fs::write(home.join("projects").join("inside-file"), "").unwrap();
    let shell = common::pty::start_in(&home, &[("PS1", PROMPT), ("NO_COLOR", "1")]);
    (shell, home)
}

#[test]
fn cd_completes_directories_only() {
    let (mut shell, _home) = start_with_files();
    // `lab` starts `labs/` and `lab-notes.txt`; only the directory fits.
    shell.send("cd lab\t").unwrap();
    shell.expect("cd labs/").unwrap();
    shell.send("\r").unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send_line("pwd").unwrap();
    shell.expect("/labs\r\n").unwrap();
}

#[test]
fn a_tilde_and_a_variable_complete() {
    let (mut shell, home) = start_with_files();
    shell.send("ls ~/proj\t").unwrap();
    shell.expect("ls ~/projects/").unwrap();
    shell.send("\r").unwrap();
    shell.expect("inside-file").unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send("echo ~roo\t").unwrap();
    shell.expect("echo ~root/").unwrap();
    shell.send("\r").unwrap();
    shell.expect("/root/\r\n").unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send("echo $HOM\t").unwrap();
    shell.expect("echo $HOME").unwrap();
    shell.send("\r").unwrap();
    shell
        .expect(format!("{}\r\n", home.display()).as_str())
        .unwrap();
}

#[test]
fn help_and_type_complete_builtin_and_demo_names_with_descriptions() {
    let (mut shell, _home) = start_with_files();
    shell.send("help sum-a\t").unwrap();
    shell.expect("help sum-array").unwrap();
    shell.send("\r").unwrap();
    shell.expect("sum-array [--method").unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send("type ech\t").unwrap();
    shell.expect("type echo").unwrap();
    shell.send("\r").unwrap();
    shell.expect("echo is a shell builtin").unwrap();
    shell.expect(PROMPT).unwrap();
    // Two candidates: the second Tab lists them, each with its summary.
    shell.send("help typ\t\t").unwrap();
    shell
        .expect("type  (say what a command name runs)")
        .unwrap();
    shell.expect("typeset  (the same as declare)").unwrap();
    shell.send(ControlCode::EndOfText).unwrap();
    shell.expect(PROMPT).unwrap();
}

#[test]
fn a_demo_s_options_complete_after_its_name() {
    let (mut shell, _home) = start_with_files();
    shell.send("sigchld --jso\t").unwrap();
    shell.expect("sigchld --json").unwrap();
    shell.send(ControlCode::EndOfText).unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send("sigchld --\t\t").unwrap();
    shell.expect("--parent  (handler|never|block|all)").unwrap();
    shell.send(ControlCode::EndOfText).unwrap();
    shell.expect(PROMPT).unwrap();
}

/// The dim text of a hint, as the prompt draws it with colours.
fn dim(text: &str) -> String {
    format!("\x1b[2m{text}\x1b[0m")
}

/// A hint never offers a line that failed (a newer failed one is skipped
/// for an older one that worked), and a command of several lines hints its
/// first line only.
#[test]
fn hints_skip_failed_lines_and_show_one_line() {
    let mut shell = start();
    // Each command's output, then the prompt: a prompt alone could be the
    // editor redrawing the line as it is typed.
    shell.send_line("echo hint-good").unwrap();
    shell.expect("hint-good\r\n").unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send_line("echo hint-bad; false").unwrap();
    shell.expect("hint-bad\r\n").unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send("echo hint-").unwrap();
    shell.expect(dim("good").as_str()).unwrap();
    shell.send(ControlCode::EndOfText).unwrap();
    shell.expect(PROMPT).unwrap();
    // A syntax error is a failure too.
    shell.send_line("echo synt-err )").unwrap();
    shell.expect("syntax error").unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send("echo synt").unwrap();
    shell.send("-").unwrap();
    let seen = shell.expect("synt-").unwrap();
    shell.send("Z").unwrap();
    let after = shell.expect("synt-Z").unwrap();
    let drawn = [seen.before(), after.before()].concat();
    assert!(
        !String::from_utf8_lossy(&drawn).contains("err )"),
        "{drawn:?}"
    );
    shell.send(ControlCode::EndOfText).unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send_line("echo multi-a &&").unwrap();
    shell.expect("…> ").unwrap();
    shell.send_line("echo multi-b").unwrap();
    shell.expect("multi-b\r\n").unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send("echo mul").unwrap();
    shell.expect(dim("ti-a &&").as_str()).unwrap();
}

/// With NO_COLOR a hint could not look different from typed text, so
/// none is shown.
#[test]
fn no_color_shows_no_hint() {
    let home = tempfile::tempdir().unwrap();
    let vars = [("PS1", PROMPT), ("NO_COLOR", "1")];
    let mut shell = common::pty::start_in(home.path(), &vars);
    shell.send_line("echo hinted-text").unwrap();
    shell.expect("hinted-text\r\n").unwrap();
    shell.expect(PROMPT).unwrap();
    shell.send("echo hin").unwrap();
    let seen = shell.expect("hin").unwrap();
    // Without colours the editor may draw just the key typed.
    shell.send("X").unwrap();
    let after = shell.expect("X").unwrap();
    let drawn = [seen.before(), after.before()].concat();
    assert!(
        !String::from_utf8_lossy(&drawn).contains("ted-text"),
        "{drawn:?}"
    );
}

/// At an 80 by 24 terminal `help` shows the names in columns, every line
/// within the width and the whole within the height; a name that is none
/// gets the close ones.
#[test]
fn help_fits_the_terminal_and_suggests_close_names() {
    let mut shell = start();
    shell.get_process_mut().set_window_size(80, 24).unwrap();
    shell.send_line("help; echo end-of-help").unwrap();
    shell.expect("builtins and lab demos: ").unwrap();
    let listing = shell.expect("end-of-help\r\n").unwrap();
    let text = String::from_utf8_lossy(listing.before()).into_owned();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert!(lines.len() < 24, "{text}");
    assert!(lines.iter().all(|l| l.chars().count() <= 80), "{text}");
    assert!(text.contains("race-condition") && text.contains("sum-array"));
    shell.expect(PROMPT).unwrap();
    shell.send_line("help race").unwrap();
    shell
        .expect("no help topics match 'race'; did you mean race-condition?")
        .unwrap();
}

/// A subshell of the interactive shell holds only its standard
/// descriptors: not the line editor's SIGWINCH pipe, nor the SIGCHLD pipe
/// the prompt watches.
#[test]
fn a_subshell_at_the_prompt_holds_only_its_standard_descriptors() {
    let mut shell = start();
    shell
        .send_line(
            "(o=fds:; for f in $(seq 0 40); do [ -e /proc/$BASHPID/fd/$f ] && o=\"$o $f\"; done; echo \"$o.\")",
        )
        .unwrap();
    shell.expect("fds: 0 1 2.\r\n").unwrap();
}

/// A job collected while the prompt waited keeps its status for `wait`.
#[test]
fn a_job_collected_at_the_prompt_keeps_its_status_for_wait() {
    let mut shell = start();
    shell.send_line("sh -c 'exit 7' &").unwrap();
    shell.expect("[1] ").unwrap();
    shell.expect(PROMPT).unwrap();
    wait_until("the job to be collected", || children(&shell).is_empty());
    shell.send_line("wait $!; echo waited $?").unwrap();
    shell.expect("waited 7\r\n").unwrap();
}

/// The course's valgrind check, at the prompt: a pipeline, a background
/// job and its Done notice, Tab, exit; no error (see
/// tests/valgrind-static.supp), no descriptor left open but the inherited.
#[test]
fn the_prompt_is_valgrind_clean() {
    let home = tempfile::tempdir().unwrap();
    let log = home.path().join("valgrind.log");
    let supp = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/valgrind-static.supp");
    let mut command = std::process::Command::new("valgrind");
    command
        .arg(format!("--log-file={}", log.display()))
        .arg(format!("--suppressions={supp}"))
        .args(["--track-fds=yes", "--child-silent-after-fork=yes"])
        .arg(env!("CARGO_BIN_EXE_minishell"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("TERM", "xterm")
        .env("PS1", PROMPT)
        .current_dir(home.path());
    let mut shell = expectrl::Session::spawn(command).expect("valgrind is needed for this test");
    shell.set_expect_timeout(Some(std::time::Duration::from_secs(120)));
    shell.expect(PROMPT).unwrap();
    shell.send_line("echo piped | tr a-z A-Z").unwrap();
    shell.expect("PIPED\r\n").unwrap();
    shell.send_line("true &").unwrap();
    shell.expect("[1] ").unwrap();
    shell.send_line("tail --pid=$! -f /dev/null").unwrap();
    shell.expect("Done").unwrap();
    shell.send("ech\t").unwrap();
    shell.expect("echo").unwrap();
    shell.send(" typed\r").unwrap();
    shell.expect("typed\r\n").unwrap();
    shell.send_line("exit").unwrap();
    shell.expect(expectrl::Eof).unwrap();
    let report = std::fs::read_to_string(&log).unwrap();
    assert!(report.contains("ERROR SUMMARY: 0 errors"), "{report}");
    let opened = report.matches("Open file descriptor").count();
    let inherited = report.matches("<inherited from parent>").count();
    assert_eq!(opened, inherited, "{report}");
}

/// Keys typed while background jobs keep ending are all kept: the prompt
/// collects each child when its SIGCHLD comes, and a signal arriving
/// together with a key never costs the key (it once did, with the
/// editor the shell used before its own). Each key is sent once the
/// line drawn so far shows, so the typing lasts as long as the jobs end.
#[test]
fn keys_typed_while_jobs_end_at_the_prompt_are_all_kept() {
    let home = tempfile::tempdir().unwrap().keep();
    let vars = [("PS1", PROMPT), ("NO_COLOR", "1")];
    let mut shell = common::pty::start_in(&home, &vars);
    for round in 0..4 {
        shell
            .send_line("for i in 1 2 3 4 5 6 7 8 9; do sleep 0.0$i & done")
            .unwrap();
        shell.expect(PROMPT).unwrap();
        let line = format!("echo typed-{round}-abcdefghijklmnopqrstuvwxyz");
        for end in 1..=line.len() {
            shell.send(&line[end - 1..end]).unwrap();
            shell.expect(&line[..end]).unwrap();
        }
        shell.send("\r").unwrap();
        // The output, right after bracketed paste goes off for the
        // command (the line as drawn has `echo ` before it).
        let output = format!("\x1b[?2004ltyped-{round}-abcdefghijklmnopqrstuvwxyz\r\n");
        shell.expect(output.as_str()).unwrap();
        shell.expect(PROMPT).unwrap();
    }
    shell.send_line("wait; jobs; echo all-$((1+1))").unwrap();
    shell.expect("all-2\r\n").unwrap();
}
