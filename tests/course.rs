//! The course mini-shell's contract, checked the way the course grades it:
//! commands on a non-terminal standard input, `> ` before each line,
//! `Execution failed for 'NAME'` for an unknown command, and the files a
//! run leaves compared with bash's run of the same lines.

mod common;

use common::{minishell, run_stdin, std_minishell, temp_dir};

#[test]
fn prompt_before_each_line_and_nothing_after_exit() {
    let (out, _, status) = run_stdin(b"echo hi\n\nexit\n");
    assert_eq!(out, "> hi\n> > ");
    assert_eq!(status, 0);
}

#[test]
fn end_of_input_prints_nothing_more() {
    let (out, _, _) = run_stdin(b"echo a\necho b\n");
    assert_eq!(out, "> a\n> b\n> ");
}

#[test]
fn quit_ends_the_shell_like_exit() {
    let (out, _, status) = run_stdin(b"echo a\nquit\necho never\n");
    assert_eq!(out, "> a\n> ");
    assert_eq!(status, 0);
}

#[test]
fn a_last_line_without_newline_still_runs() {
    // The shell prompts once more before it finds the end of the input.
    let (out, _, _) = run_stdin(b"echo first\necho last");
    assert_eq!(out, "> first\n> last\n> ");
}

#[test]
fn blank_and_whitespace_lines_just_prompt_again() {
    let (out, _, _) = run_stdin(b"\n   \n\t\necho x\n");
    assert_eq!(out, "> > > > x\n> ");
}

#[test]
fn unknown_command_says_execution_failed() {
    let (out, err, status) = run_stdin(b"nosuchcommand arg\n");
    assert_eq!(out, "> > ");
    assert_eq!(err, "Execution failed for 'nosuchcommand'\n");
    assert_eq!(status, 127);
    // A path that names no file fails the same way on stdin.
    let (_, err, status) = run_stdin(b"./missing\n");
    assert_eq!(
        (err.as_str(), status),
        ("Execution failed for './missing'\n", 127)
    );
}

#[test]
fn execution_failed_next_to_and_or() {
    let (out, err, _) = run_stdin(b"nosuch && echo no\nnosuch || echo yes\necho ok && nosuch2\n");
    assert_eq!(out, "> > yes\n> ok\n> ");
    assert_eq!(
        err,
        "Execution failed for 'nosuch'\nExecution failed for 'nosuch'\nExecution failed for 'nosuch2'\n"
    );
}

#[test]
fn exit_status_is_the_last_commands() {
    assert_eq!(run_stdin(b"false\n").2, 1);
    assert_eq!(run_stdin(b"true\n").2, 0);
    assert_eq!(run_stdin(b"exit 7\n").2, 7);
}

#[test]
fn stdin_mode_does_not_read_ahead_of_a_child_on_a_file() {
    // From a regular file the shell reads in blocks and seeks back, so
    // `head` gets the line after its own, and the shell the one after that.
    let dir = temp_dir();
    let input = dir.path().join("input");
    std::fs::write(&input, "head -n 1\nfor head\necho after\n").unwrap();
    let out = std_minishell()
        .stdin(std::fs::File::open(&input).unwrap())
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "> for head\n> after\n> "
    );
}

#[test]
fn stdin_mode_does_not_read_ahead_of_a_child_on_a_pipe() {
    // From a pipe the shell reads byte by byte: `read`-like children such
    // as `head -c` get exactly the bytes after the shell's line.
    let (out, _, _) = run_stdin(b"head -c 4\nabcdecho after\n");
    assert_eq!(out, "> abcd> after\n> ");
}

#[test]
fn dash_s_reads_stdin_without_prompts() {
    let out = minishell()
        .arg("-s")
        .write_stdin("echo a\necho b\n")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "a\nb\n");
}

#[test]
fn syntax_errors_do_not_end_stdin_mode() {
    let (out, err, status) = run_stdin(b"echo a | | b\necho next\n");
    assert_eq!(out, "> > next\n> ");
    assert!(
        err.contains("syntax error near unexpected token '|' at column 10"),
        "{err}"
    );
    assert_eq!(status, 0);
}

/// The grader's check: the same lines through `minishell < input` and
/// `bash < input` leave the same files with the same contents.
#[test]
fn graded_like_the_course_files_match_bash() {
    let script = "\
echo one > a.txt
echo two >> a.txt
cat < a.txt > b.txt && echo ok > c.txt
nosuch > d.txt || echo failed > e.txt
ls -1 > listing.txt
echo x | tr x y > f.txt & echo z > g.txt
wait
sort < a.txt | head -n 1 > h.txt
echo err 2> i.txt 1>&2
";
    let ours = temp_dir();
    let theirs = temp_dir();
    for (dir, shell) in [(&ours, "minishell"), (&theirs, "bash")] {
        let input = dir
            .path()
            .join("..")
            .join(format!("input-{}", std::process::id()));
        std::fs::write(&input, script).unwrap();
        let mut cmd = if shell == "bash" {
            let mut c = std::process::Command::new("bash");
            c.env_clear().env("PATH", std::env::var("PATH").unwrap());
            c
        } else {
            std_minishell()
        };
        // A real file as standard input, as `minishell < input` gives it.
        let stdin = std::fs::File::open(&input).unwrap();
        cmd.current_dir(dir.path()).stdin(stdin).output().unwrap();
        std::fs::remove_file(&input).unwrap();
    }
    let listing = |dir: &std::path::Path| {
        let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read_to_string(e.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    };
    assert_eq!(listing(ours.path()), listing(theirs.path()));
    assert_eq!(listing(ours.path()).len(), 10);
}

#[test]
fn no_escape_codes_reach_a_non_terminal() {
    let (out, err, _) = run_stdin(b"echo plain\nnosuch | cat\nhelp > /dev/null\n");
    assert!(
        !out.contains('\x1b') && !err.contains('\x1b'),
        "{out:?} {err:?}"
    );
}
