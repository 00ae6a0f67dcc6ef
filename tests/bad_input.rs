//! Bad input gets a clear error and nothing is lost: syntax errors name the
//! token and column and run nothing of their line; huge, binary or
//! malformed input never panics the shell.

mod common;

use common::{minishell, run_c, run_script, run_stdin, temp_dir};

/// A syntax error anywhere on a line runs nothing of that line, not even
/// the commands before the error.
#[test]
fn a_syntax_error_runs_nothing_of_its_line() {
    let dir = temp_dir();
    let (out, err, status) = run_c("echo before > made.txt; echo x | | y", dir.path());
    assert_eq!(out, "");
    assert!(!dir.path().join("made.txt").exists());
    assert!(
        err.contains("syntax error near unexpected token '|' at column 34"),
        "{err}"
    );
    assert_eq!(status, 2);
}

#[test]
fn each_bad_line_names_its_token_and_column() {
    let cases = [
        ("| ls", "'|' at column 1"),
        ("ls | | x", "'|' at column 6"),
        ("&& x", "'&&' at column 1"),
        (";;", "';;' at column 1"),
        ("echo a ;;", "';;' at column 8"),
        (">", "'newline' at column 2"),
        ("echo > |", "'|' at column 8"),
        ("cat < ; ls", "';' at column 7"),
        (") ls", "')' at column 1"),
        ("fi", "'fi' at column 1"),
    ];
    for (line, expected) in cases {
        let (_, err, status) = run_c(line, temp_dir().path());
        assert!(err.contains(expected), "{line:?}: {err}");
        assert_eq!(status, 2, "{line:?}");
    }
}

#[test]
fn unfinished_input_at_the_end_is_an_error() {
    for line in ["ls |", "true &&", "false ||"] {
        let (_, err, status) = run_c(line, temp_dir().path());
        assert!(err.contains("unexpected end of file"), "{line:?}: {err}");
        assert_eq!(status, 2);
    }
    // A lone backslash at the very end stands for itself, as in bash.
    assert_eq!(run_c("echo a\\", temp_dir().path()).0, "a\\\n");
    let (_, err, status) = run_c("echo 'abc", temp_dir().path());
    assert!(
        err.contains("unexpected end of file while looking for matching ''' at column 6"),
        "{err}"
    );
    assert_eq!(status, 2);
}

#[test]
fn a_script_stops_at_a_syntax_error_and_names_the_line() {
    let (out, err, status) = run_script("echo one\necho two\nls | | x\necho never\n");
    assert_eq!(out, "one\ntwo\n");
    assert!(
        err.contains("script.sh: line 3: syntax error near unexpected token '|' at column 6"),
        "{err}"
    );
    assert_eq!(status, 2);
}

#[test]
fn stdin_mode_goes_on_after_a_syntax_error_with_status_2() {
    let (out, _, _) = run_stdin(b"echo a ;;\necho $?\n");
    assert_eq!(out, "> > 2\n> ");
}

#[test]
fn continuation_lines_join_one_command() {
    let (out, _, status) = run_c(
        "echo a |\n tr a b &&\n echo c ||\n echo d",
        temp_dir().path(),
    );
    assert_eq!(out, "b\nc\n");
    assert_eq!(status, 0);
    let (out, _, _) = run_stdin(b"echo 'multi\nline'\n");
    assert_eq!(out, "> > multi\nline\n> ");
}

#[test]
fn a_one_megabyte_line_works() {
    // Through a script file: one argument of `-c` cannot exceed 128 KiB.
    let (out, _, status) = run_script(&format!("echo {} | wc -c\n", "x".repeat(1 << 20)));
    assert_eq!(out.trim(), ((1 << 20) + 1).to_string());
    assert_eq!(status, 0);
}

#[test]
fn ten_thousand_operators_work() {
    let line = vec!["true"; 10_001].join(" && ") + " && echo done";
    let (out, _, status) = run_c(&line, temp_dir().path());
    assert_eq!(out, "done\n");
    assert_eq!(status, 0);
    let line = vec!["true"; 10_000].join("; ") + "; echo semis";
    assert_eq!(run_c(&line, temp_dir().path()).0, "semis\n");
}

#[test]
fn deeply_nested_quotes_work() {
    // `"'"` then `'"'`, 3,000 times over: one word of alternating quotes.
    let word = "\"'\"'\"'".repeat(3_000);
    let (out, _, status) = run_c(&format!("echo {word}"), temp_dir().path());
    assert_eq!(out, format!("{}\n", "'\"".repeat(3_000)));
    assert_eq!(status, 0);
}

#[test]
fn nul_bytes_are_dropped_from_input_as_bash_does() {
    let (out, _, status) = run_stdin(b"echo a\0b\n");
    assert_eq!(out, "> ab\n> ");
    assert_eq!(status, 0);
}

#[test]
fn invalid_utf8_passes_through_as_bytes() {
    let out = minishell()
        .arg("-c")
        .arg(std::ffi::OsStr::new(non_utf8_line()))
        .output()
        .unwrap();
    assert_eq!(out.stdout, b"\xff\xfe x\xc3\n");
    assert_eq!(out.status.code(), Some(0));
}

/// `echo <ff fe> x<c3>` as an OS string: not UTF-8 and not meant to be.
fn non_utf8_line() -> &'static std::ffi::OsStr {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::OsStr::from_bytes(b"echo \xff\xfe x\xc3")
}

#[test]
fn random_bytes_never_panic_the_shell() {
    // A deterministic xorshift generator over a shell-flavoured alphabet;
    // each line goes to a shell reading stdin, which must answer every line
    // (a prompt per line) and exit normally.
    let alphabet = b"ab |&;<>'\"\\$#~{}()=\t2\x00\xff";
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut input = Vec::new();
    for _ in 0..300 {
        let len = 1 + (state % 24) as usize;
        for _ in 0..len {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let b = alphabet[(state % alphabet.len() as u64) as usize];
            // Keep the shell from running arbitrary programs: only `:`-like
            // words appear, and redirections target files in a temp dir.
            input.push(b);
        }
        input.push(b'\n');
    }
    let dir = temp_dir();
    let out = minishell()
        .current_dir(dir.path())
        .write_stdin(input)
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some(),
        "the shell was killed by a signal"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
}
