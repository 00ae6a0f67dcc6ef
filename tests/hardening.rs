//! Issue 13: the defects hostile input found, each run through minishell
//! and through bash on the same input, so a defect fixed once stays fixed
//! and stays bash's behaviour.

mod common;

use std::path::Path;
use std::process::Output;

use common::{minishell, temp_dir};

/// Runs `shell ARGS…` in `dir` with a clean environment.
fn run(shell: &str, args: &[&str], dir: &Path) -> Output {
    let mut command = if shell == "bash" {
        let mut bash = assert_cmd::Command::new("bash");
        bash.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("LC_ALL", "C");
        bash
    } else {
        minishell()
    };
    command.args(args).current_dir(dir).output().unwrap()
}

/// Runs both shells on the same arguments, each in a fresh directory holding
/// `files`, and checks that stdout and status agree. Returns minishell's
/// output and bash's standard error, for the message checks.
fn same_as_bash(args: &[&str], files: &[(&str, &[u8])]) -> (Output, String) {
    let mut outputs = Vec::new();
    for shell in ["bash", "minishell"] {
        let dir = temp_dir();
        for (name, bytes) in files {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            let mode = std::os::unix::fs::PermissionsExt::from_mode(0o755);
            std::fs::set_permissions(&path, mode).unwrap();
        }
        outputs.push(run(shell, args, dir.path()));
    }
    let minishell = outputs.pop().unwrap();
    let bash = outputs.pop().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&minishell.stdout),
        String::from_utf8_lossy(&bash.stdout),
        "stdout of {args:?}; minishell's stderr: {}",
        String::from_utf8_lossy(&minishell.stderr)
    );
    assert_eq!(
        minishell.status.code(),
        bash.status.code(),
        "status of {args:?}; minishell's stderr: {}",
        String::from_utf8_lossy(&minishell.stderr)
    );
    (
        minishell,
        String::from_utf8_lossy(&bash.stderr).into_owned(),
    )
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const BINARY: &[u8] = b"\0\0\0\0\necho BINARY-RAN\n";

/// Item 2: a file `execve` refuses (ENOEXEC) whose first line holds NUL
/// bytes is a binary, not a script: bash's message and 126, and none of
/// its lines run.
#[test]
fn issue_13_binary_file_is_not_run_as_a_script() {
    for line in ["./b", "./b; echo $?", "exec ./b"] {
        let (out, bash) = same_as_bash(&["-c", line], &[("b", BINARY)]);
        assert!(
            stderr(&out).contains("./b: cannot execute binary file: Exec format error"),
            "{line}: {} (bash: {bash})",
            stderr(&out)
        );
    }
    // A script without `#!` still runs as one.
    same_as_bash(&["-c", "./s; echo $?"], &[("s", b"echo SCRIPT-RAN\n")]);
}

/// Item 2: `minishell FILE` where FILE's first line holds NUL bytes.
#[test]
fn issue_13_binary_script_file_is_refused() {
    let (out, bash) = same_as_bash(&["b"], &[("b", BINARY)]);
    assert!(
        stderr(&out).contains("b: b: cannot execute binary file"),
        "{} (bash: {bash})",
        stderr(&out)
    );
    // A NUL after the first line is no binary.
    same_as_bash(&["s"], &[("s", b"echo first\n\0\n")]);
}

/// Item 3: backslash-newlines at the very end of the text are removed,
/// leaving a complete command.
#[test]
fn issue_13_backslash_newlines_at_the_end() {
    for line in ["echo a\\\n\\\n", "echo a \\\n\\\n\\\n", "echo a;\\\n\\\n"] {
        let (out, _) = same_as_bash(&["-c", line], &[]);
        assert_eq!(out.stdout, b"a\n", "{line:?}");
    }
    same_as_bash(&["s"], &[("s", b"echo a\\\n\\\n")]);
}

/// Item 4: digits too big for a descriptor before `>` are a word of their
/// own, and a positional parameter with too many digits is an unset one.
/// Neither stops the script.
#[test]
fn issue_13_numbers_too_big_for_a_descriptor_or_a_parameter() {
    let script = "echo hi 2147483648>x; echo next $?; cat x\n\
                  set -- a b; echo \"[${99999999999999999999999}]\" \"[${#99999999999999999999999}]\"\n\
                  echo \"[${99999999999999999999999:-default}]\" \"[${18446744073709551617}]\"\n\
                  echo end\n";
    let (out, bash) = same_as_bash(&["s"], &[("s", script.as_bytes())]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "next 0\nhi 2147483648\n[] [0]\n[default] [a]\nend\n"
    );
    assert_eq!(stderr(&out), "", "bash: {bash}");
}

/// Item 5: a descriptor past the limit: the file is still created, the
/// error names the number typed, and the command (a builtin too) fails
/// with 1 without running.
#[test]
fn issue_13_descriptor_past_the_limit() {
    let script = "echo hi 1000000>x; echo \"s $?\"; cat x\n\
                  /bin/echo hi 1000000>y; echo \"s $?\"; cat y\n\
                  { echo group; } 1000000>z; echo \"s $?\"\n\
                  echo a 1000000>&-; echo \"s $?\"\n\
                  ls x y z\n";
    let (out, bash) = same_as_bash(&["s"], &[("s", script.as_bytes())]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "s 1\ns 1\ns 1\na\ns 0\nx\ny\nz\n"
    );
    let errors = stderr(&out);
    assert_eq!(
        errors.matches("1000000: Bad file descriptor").count(),
        3,
        "{errors} (bash: {bash})"
    );
}

/// Item 11: a bad substitution is found when its command runs: reported,
/// status 1, and the script goes on with its next line (the rest of the
/// failing line is dropped, as in bash).
#[test]
fn issue_13_bad_substitution_is_reported_when_run() {
    let script = "echo ${}; echo same-line\necho next $?\n\
                  f() { echo ${}; echo in-f; }\nf\necho after-f $?\n\
                  if true; then echo ${a b}; fi\necho end\n";
    let (out, bash) = same_as_bash(&["s"], &[("s", script.as_bytes())]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "next 1\nafter-f 1\nend\n"
    );
    let errors = stderr(&out);
    assert!(
        errors.contains("s: line 1: ${}: bad substitution"),
        "{errors} (bash: {bash})"
    );
    // A command string is one line: the rest of it is dropped.
    same_as_bash(&["-c", "echo ${}; echo next"], &[]);
}

/// `ls -l /proc/N/fd` output as (descriptor, target) pairs.
fn listing(text: &str) -> Vec<(i32, String)> {
    text.lines()
        .filter_map(|line| {
            let (left, target) = line.split_once(" -> ")?;
            let fd = left.rsplit(' ').next()?.parse().ok()?;
            Some((fd, target.to_string()))
        })
        .collect()
}

/// The descriptors above 2 in `child` that are neither inherited (in
/// `shell`, the shell's own at start, with the same target) nor one of
/// the files the command redirects to.
fn strays(child: &[(i32, String)], shell: &[(i32, String)], redirected: &[&str]) -> Vec<String> {
    child
        .iter()
        .filter(|(fd, target)| {
            *fd > 2
                && !shell.contains(&(*fd, target.clone()))
                && !redirected
                    .iter()
                    .any(|name| target.ends_with(&format!("/{name}")))
        })
        .map(|(fd, target)| format!("{fd} -> {target}"))
        .collect()
}

/// Item 6: a forked copy of the shell (a background list, a pipeline
/// stage, a builtin's stage) holds 0, 1, 2 and its own redirections, no
/// more. Each lists its own descriptors (`$BASHPID`) while its command
/// runs, into a file its group redirects to, so nothing races.
#[test]
fn issue_13_a_child_running_shell_code_holds_only_its_descriptors() {
    let script = "ls -l /proc/$$/fd > base\n\
                  { ls -l /proc/$BASHPID/fd; true; } > bg & wait\n\
                  { true && ls -l /proc/$BASHPID/fd; } > andor & wait\n\
                  { ls -l /proc/$BASHPID/fd > /dev/stderr; true; } 3>e 4>f 5>&3 2>stage | cat\n\
                  eval 'ls -l /proc/$BASHPID/fd >&2' 3>e 4>f 5>&3 2>builtin | cat\n\
                  echo x 3>e 4>f 5>&3 | cat\n";
    let dir = temp_dir();
    std::fs::write(dir.path().join("s"), script).unwrap();
    let out = run("minishell", &["s"], dir.path());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "x\n",
        "{}",
        stderr(&out)
    );
    let read = |name: &str| listing(&std::fs::read_to_string(dir.path().join(name)).unwrap());
    // The shell's own listing holds `base`, its redirection.
    let shell = read("base");
    for (name, redirected) in [
        ("bg", &["bg"][..]),
        ("andor", &["andor"]),
        ("stage", &["e", "f", "stage"]),
        ("builtin", &["e", "f", "builtin"]),
    ] {
        let child = read(name);
        assert!(child.iter().any(|(fd, _)| *fd == 0), "{name}: {child:?}");
        assert_eq!(
            strays(&child, &shell, redirected),
            Vec::<String>::new(),
            "{name}"
        );
    }
}

/// Item 6 at a terminal: the line editor's own descriptors (a socket pair
/// for its signals) do not reach a background list's copy of the shell.
#[test]
fn issue_13_a_background_list_at_the_prompt_holds_no_editor_descriptor() {
    use expectrl::Session;
    let home = temp_dir();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_minishell"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("TERM", "xterm")
        .env("PS1", "ms> ")
        .current_dir(home.path());
    let mut shell = Session::spawn(command).expect("spawn minishell on a pty");
    shell.set_expect_timeout(Some(std::time::Duration::from_secs(10)));
    shell.expect("ms> ").unwrap();
    shell
        .send_line("ls -l /proc/$$/fd > base; { true && ls -l /proc/$BASHPID/fd; } > bg & wait; echo listed-$((6*7))")
        .unwrap();
    shell.expect("listed-42").unwrap();
    shell.expect("ms> ").unwrap();
    let read = |name: &str| listing(&std::fs::read_to_string(home.path().join(name)).unwrap());
    let (parent, child) = (read("base"), read("bg"));
    // The shell at the prompt holds more than its standard descriptors
    // (what the editor opened), none of which the child may keep.
    let own: Vec<(i32, String)> = parent.iter().filter(|(fd, _)| *fd > 2).cloned().collect();
    let kept: Vec<&(i32, String)> = child
        .iter()
        .filter(|(fd, target)| *fd > 2 && !target.ends_with("/bg"))
        .filter(|entry| own.contains(entry) && !entry.1.ends_with("/base"))
        .collect();
    assert_eq!(
        kept,
        Vec::<&(i32, String)>::new(),
        "parent {parent:?}, child {child:?}"
    );
    shell.send_line("exit").unwrap();
}

/// Found with item 6: `/dev/stderr`, `/dev/stdout` and `/dev/fd/N` in a
/// redirection mean where that descriptor of the command points, even
/// when the shell holds it under another number (`{ …; } 2>log`).
#[test]
fn issue_13_dev_stderr_follows_the_commands_redirections() {
    let script = "{ echo builtin > /dev/stderr; } 2>x; cat x\n\
                  { /bin/echo program > /dev/stderr; } 2>y; cat y\n\
                  f() { echo in-f > /dev/stdout; }; f > w; cat w\n\
                  { /bin/echo fd > /dev/fd/4; } 4>z; cat z\n\
                  { echo closed > /dev/stdout; } >&-; echo \"s $?\"\n";
    let (out, _) = same_as_bash(&["s"], &[("s", script.as_bytes())]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "builtin\nprogram\nin-f\nfd\ns 1\n"
    );
}

/// Item 10: a builtin whose output cannot be written reports
/// `NAME: write error: No space left on device` once and fails with 1,
/// whichever builtin it is: they all write through one path.
#[test]
fn issue_13_builtin_write_errors_are_reported_once() {
    // The builtins bash reports for too, with the same status.
    let lines = [
        "type ls",
        "help cd",
        "cd /; cd -",
        "export -p",
        "echo x",
        "printf x",
        "declare -p HOME",
        "alias a=b; alias",
        "trap '' USR1; trap",
        "dirs",
        "shopt",
        "umask",
        "times",
        "readonly -p",
        "pwd",
        "set -o",
        "eval 'echo e'",
    ];
    for line in lines {
        let name = line.rsplit("; ").next().unwrap().split(' ').next().unwrap();
        let script = format!("{line} > /dev/full; echo \"status $?\"");
        let (out, bash) = same_as_bash(&["-c", &script], &[]);
        let errors = stderr(&out);
        let expected = match name {
            "eval" => "echo: write error: No space left on device",
            _ => &format!("{name}: write error: No space left on device"),
        };
        assert_eq!(
            errors.matches(expected).count(),
            1,
            "{line}: {errors} (bash: {bash})"
        );
        assert_eq!(errors.lines().count(), 1, "{line}: {errors}");
    }
    // bash stays silent for these (status 0); minishell's one path
    // reports them too.
    for line in ["sleep 1 & jobs -l", "kill -l", "command -v ls"] {
        let out = run(
            "minishell",
            &["-c", &format!("{line} > /dev/full; echo \"status $?\"")],
            Path::new("/"),
        );
        let name = line.rsplit("& ").next().unwrap().split(' ').next().unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), "status 1\n", "{line}");
        assert_eq!(
            stderr(&out),
            format!("minishell: line 1: {name}: write error: No space left on device\n"),
            "{line}"
        );
    }
}

/// A child that waits until its shell is blocked waiting for it (the
/// kernel says `do_wait` in /proc/PID/wchan), then runs `then`: so the
/// signal it sends reaches a shell in its foreground wait, with no sleep.
fn child_when_shell_waits(then: &str) -> String {
    format!("sh -c 'until read -r w < /proc/$PPID/wchan; [ \"$w\" = do_wait ]; do :; done; {then}'")
}

/// Item 9: SIGINT or SIGQUIT sent to a script shell while it waits for a
/// child that survives it: the shell waits for the child and goes on with
/// the script, as bash's does.
#[test]
fn issue_13_script_survives_a_signal_its_child_survives() {
    let script = format!(
        "{}\necho \"after-int $?\"\n{}\necho \"after-quit $?\"\n",
        child_when_shell_waits("trap \"\" INT; kill -INT $PPID; echo child-int"),
        child_when_shell_waits("trap \"\" QUIT; kill -QUIT $PPID; echo child-quit"),
    );
    let (out, _) = same_as_bash(&["s"], &[("s", script.as_bytes())]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "child-int\nafter-int 0\nchild-quit\nafter-quit 0\n"
    );
    // A child that dies of SIGQUIT does not end the script either.
    let script = format!(
        "{}\necho \"after $?\"\n",
        child_when_shell_waits("kill -QUIT $PPID; kill -QUIT $$")
    );
    let (out, _) = same_as_bash(&["s"], &[("s", script.as_bytes())]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "after 131\n");
}

/// Item 9: a child that died of the SIGINT its shell also got ends the
/// script as if the shell were killed by SIGINT, after the EXIT trap.
#[test]
fn issue_13_script_ends_when_its_child_dies_of_sigint() {
    use std::os::unix::process::ExitStatusExt as _;
    let script = format!(
        "trap 'echo exit-trap' EXIT\n{}\necho never\n",
        child_when_shell_waits("kill -INT $PPID; kill -INT $$")
    );
    let (out, _) = same_as_bash(&["s"], &[("s", script.as_bytes())]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "exit-trap\n");
    assert_eq!(out.status.signal(), Some(libc::SIGINT), "{:?}", out.status);
    // `trap '' INT` stays ignored in children: the child survives.
    let script = format!(
        "trap '' INT\n{}\necho \"after $?\"\n",
        child_when_shell_waits("kill -INT $PPID; kill -INT $$; echo child")
    );
    let (out, _) = same_as_bash(&["s"], &[("s", script.as_bytes())]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "child\nafter 0\n");
}
