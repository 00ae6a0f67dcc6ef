//! Explain mode tells the truth: run under `strace -f`, every fork, clone,
//! execve, pipe2, dup2 and wait4 the narration reports is one strace saw,
//! with the same arguments and result, in the same order in the same
//! process, and strace saw none of those the narration left out (the
//! narrated closes must be among strace's too). Also: `parse` draws the
//! tree and runs nothing; explain never writes on standard output.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{minishell, temp_dir};

/// One call as both sides can write it, in a common form:
/// `fork = 42`, `clone-vfork = 42`, `execve "/bin/echo" ["/bin/echo", "hi"] 21 = 0`,
/// `pipe2 [3, 4] = 0`, `dup2 3, 1 = 1`, `wait4 -1 WNOHANG = 42 exited 1`, `close 3 = 0`.
type Calls = BTreeMap<i32, Vec<String>>;

/// The calls whose every occurrence must be narrated.
fn must_be_told(call: &str) -> bool {
    !call.starts_with("close ")
}

/// Runs `line` under strace with the narration in a file; both logs.
fn traced(dir: &Path, line: &str) -> Option<(String, String)> {
    let trace = dir.join("trace");
    let told = dir.join("told");
    let status = std::process::Command::new("strace")
        .args(["-f", "-qq", "-s", "65536", "-o"])
        .arg(&trace)
        .args(["-e", "trace=process,pipe2,dup2,dup3,close,wait4"])
        .arg(env!("CARGO_BIN_EXE_minishell"))
        .arg("--explain-to")
        .arg(&told)
        .args(["-c", line])
        .current_dir(dir)
        .env("LC_ALL", "C")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    match status {
        Ok(_) => Some((
            std::fs::read_to_string(&trace).unwrap(),
            std::fs::read_to_string(&told).unwrap(),
        )),
        Err(_) => None,
    }
}

/// strace's log, each call stitched back together when another process's
/// line cut it (`<unfinished ...>` … `<... NAME resumed>`), in the common
/// form, per process. A process's calls are kept until it execs a program
/// other than the shell itself (its own calls after that are the program's).
fn strace_calls(log: &str) -> Calls {
    let mut calls = Calls::new();
    let mut pending: BTreeMap<i32, String> = BTreeMap::new();
    let mut gone: Vec<i32> = Vec::new();
    let mut root = None;
    for line in log.lines() {
        let (pid, rest) = line.split_once(' ').unwrap();
        let pid: i32 = pid.parse().unwrap();
        let rest = rest.trim_start();
        if rest.starts_with("+++") || rest.starts_with("---") {
            continue;
        }
        let whole = if let Some(head) = rest.strip_suffix("<unfinished ...>") {
            pending.insert(pid, head.to_owned());
            continue;
        } else if let Some(tail) = rest.strip_prefix("<... ") {
            let tail = &tail[tail.find("resumed>").unwrap() + "resumed>".len()..];
            format!("{}{tail}", pending.remove(&pid).unwrap())
        } else {
            rest.to_owned()
        };
        if root.is_none() {
            // The shell's own start, made by strace.
            root = Some(pid);
            continue;
        }
        if gone.contains(&pid) {
            continue;
        }
        let Some(call) = strace_form(&whole) else {
            continue;
        };
        if call.starts_with("execve ") && call.ends_with("= 0") && !call.contains("/proc/self/exe")
        {
            gone.push(pid);
        }
        calls.entry(pid).or_default().push(call);
    }
    calls
}

/// `name(args) = result` split in three; the result after the last ` = `.
fn split_call(text: &str) -> Option<(&str, &str, &str)> {
    let open = text.find('(')?;
    let (head, result) = text.rsplit_once(" = ")?;
    let close = head.rfind(')')?;
    Some((&text[..open], head[open + 1..close].trim(), result.trim()))
}

/// A result without strace's errno words: `-1 ECHILD`.
fn result_form(result: &str) -> String {
    result.split(" (").next().unwrap().trim().to_owned()
}

fn strace_form(text: &str) -> Option<String> {
    let (name, args, result) = split_call(text)?;
    let result = result_form(result);
    Some(match name {
        "clone" | "clone3" => {
            let kind = if args.contains("CLONE_VM") && args.contains("CLONE_VFORK") {
                "clone-vfork"
            } else {
                "fork"
            };
            format!("{kind} = {result}")
        }
        "fork" => format!("fork = {result}"),
        "vfork" => format!("vfork = {result}"),
        "execve" => {
            // "path", [argv], 0x… /* N vars */
            let (path, rest) = args.split_once(", [")?;
            let (argv, env) = rest.rsplit_once("], ")?;
            let count = env.split("/* ").nth(1)?.split(' ').next()?;
            format!("execve {path} [{argv}] {count} = {result}")
        }
        "pipe2" => format!("pipe2 {args} = {result}"),
        "dup2" => format!("dup2 {args} = {result}"),
        "dup3" => format!("dup3 {args} = {result}"),
        "close" => format!("close {args} = {result}"),
        "kill" => format!("kill {args} = {result}"),
        "wait4" => {
            let mut parts = args.splitn(2, ", ");
            let pid = parts.next()?;
            let rest = parts.next()?.trim_start();
            let (status, flags) = match rest.strip_prefix("[{") {
                Some(status) => {
                    let (status, after) = status.split_once("}], ")?;
                    (wait_status_form(status), after)
                }
                None => (String::new(), rest.split_once(", ")?.1),
            };
            let flags = flags.split(", ").next()?.replace("WSTOPPED", "WUNTRACED");
            format!("wait4 {pid} {flags} = {result}{status}")
        }
        _ => return None,
    })
}

/// strace's `WIFEXITED(s) && WEXITSTATUS(s) == 1` as ` exited 1`.
fn wait_status_form(status: &str) -> String {
    if let Some(code) = status.strip_prefix("WIFEXITED(s) && WEXITSTATUS(s) == ") {
        return format!(" exited {code}");
    }
    if let Some(rest) = status.strip_prefix("WIFSIGNALED(s) && WTERMSIG(s) == ") {
        let (signal, core) = match rest.split_once(" && ") {
            Some((signal, _)) => (signal, " core"),
            None => (rest, ""),
        };
        return format!(" signaled {signal}{core}");
    }
    if let Some(signal) = status.strip_prefix("WIFSTOPPED(s) && WSTOPSIG(s) == ") {
        return format!(" stopped {signal}");
    }
    if status.starts_with("WIFCONTINUED") {
        return " continued".to_owned();
    }
    format!(" {status}")
}

/// The narration's calls in the same form, per process. An `execve` is
/// said before it is made (on success nothing comes back); its failure is
/// said after, and replaces the result.
fn narrated_calls(told: &str) -> Calls {
    let mut calls = Calls::new();
    for line in told.lines() {
        let rest = line.strip_prefix("[explain ").unwrap();
        let (pid, text) = rest.split_once("] ").unwrap();
        let pid: i32 = pid.parse().unwrap();
        let text = text.split("    # ").next().unwrap();
        let list = calls.entry(pid).or_default();
        if let Some(call) = narrated_form(text) {
            if call.starts_with("execve ") && !call.ends_with("= 0") {
                let intent = call.rsplit_once(" = ").unwrap().0.to_owned() + " = 0";
                if list.last() == Some(&intent) {
                    list.pop();
                }
            }
            list.push(call);
        }
    }
    calls
}

fn narrated_form(text: &str) -> Option<String> {
    if text.starts_with("execve(") {
        let (call, result) = match text.rsplit_once(") = ") {
            Some((call, result)) => (format!("{call})"), result_form(result)),
            None => (text.to_owned(), "0".to_owned()),
        };
        let args = call.strip_prefix("execve(")?.strip_suffix(')')?;
        let (path, rest) = args.split_once(", [")?;
        let (argv, env) = rest.rsplit_once("], <")?;
        let count = env.split(' ').next()?;
        let result = result.split(':').next()?.trim().to_owned();
        return Some(format!("execve {path} [{argv}] {count} = {result}"));
    }
    // The narration's result may go on (`= 42, status 0x0100: …`): the
    // call ends at its first `) = `.
    let open = text.find('(')?;
    let (head, result) = text.split_once(") = ")?;
    let (name, args) = (&text[..open], &head[open + 1..]);
    Some(match name {
        "fork" => format!("fork = {}", result_form(result)),
        "clone" => format!("clone-vfork = {}", result_form(result)),
        "pipe2" => {
            let fds = args.split_once("], ").map_or(args, |(fds, _)| fds);
            let flags = args.split_once("], ").map_or("", |(_, flags)| flags);
            format!("pipe2 {fds}], {flags} = {}", result_form(result))
        }
        "dup2" => format!("dup2 {args} = {}", result_form(result)),
        "close" => format!("close {args} = {}", result_form(result)),
        "kill" => format!("kill {args} = {}", result_form(result)),
        "waitpid" => {
            let (pid, flags) = args.split_once(", ")?;
            let (got, status) = match result.split_once(", status ") {
                Some((got, status)) => (got.to_owned(), narrated_status(status)),
                None => (result_form(result), String::new()),
            };
            format!("wait4 {pid} {flags} = {got}{status}")
        }
        _ => return None,
    })
}

/// `0x0100: WIFEXITED, WEXITSTATUS = 1` as ` exited 1`.
fn narrated_status(status: &str) -> String {
    let bits = status.split_once(": ").map_or(status, |(_, bits)| bits);
    if let Some(code) = bits.strip_prefix("WIFEXITED, WEXITSTATUS = ") {
        return format!(" exited {code}");
    }
    if let Some(rest) = bits.strip_prefix("WIFSIGNALED, WTERMSIG = ") {
        let name = rest.split('(').nth(1).and_then(|r| r.split(')').next());
        let core = if rest.contains("core dumped") {
            " core"
        } else {
            ""
        };
        return format!(" signaled {}{core}", name.unwrap_or("?"));
    }
    if let Some(rest) = bits.strip_prefix("WIFSTOPPED, WSTOPSIG = ") {
        let name = rest.split('(').nth(1).and_then(|r| r.split(')').next());
        return format!(" stopped {}", name.unwrap_or("?"));
    }
    if bits.starts_with("WIFCONTINUED") {
        return " continued".to_owned();
    }
    format!(" {bits}")
}

/// Whether `part` appears in `whole` in order (not necessarily together).
fn is_subsequence(part: &[String], whole: &[String]) -> bool {
    let mut rest = whole.iter();
    part.iter().all(|call| rest.any(|seen| seen == call))
}

/// The check itself, for one line.
fn narration_matches_strace(line: &str) {
    let dir = temp_dir();
    let Some((log, told)) = traced(dir.path(), line) else {
        eprintln!("skipped: strace is not installed (.ci/run installs it)");
        return;
    };
    let seen = strace_calls(&log);
    let said = narrated_calls(&told);
    let context = || format!("line: {line}\n--- narration\n{told}\n--- strace\n{log}");
    for (pid, calls) in &said {
        let theirs = seen.get(pid).cloned().unwrap_or_default();
        assert!(
            is_subsequence(calls, &theirs),
            "process {pid}: narrated {calls:#?}\nstrace {theirs:#?}\n{}",
            context()
        );
    }
    for (pid, calls) in &seen {
        let ours: Vec<&String> = said
            .get(pid)
            .map(|c| c.iter().filter(|c| must_be_told(c)).collect())
            .unwrap_or_default();
        let theirs: Vec<&String> = calls.iter().filter(|c| must_be_told(c)).collect();
        assert_eq!(
            ours,
            theirs,
            "process {pid}: strace saw calls not narrated\n{}",
            context()
        );
    }
    // Something was compared: a fork or clone, and a child's execve.
    let all: Vec<&String> = said.values().flatten().collect();
    assert!(
        all.iter()
            .any(|c| c.starts_with("fork") || c.starts_with("clone")),
        "{}",
        context()
    );
    assert!(all.iter().any(|c| c.starts_with("execve")), "{}", context());
    eprintln!(
        "compared {} narrated calls in {} processes",
        all.len(),
        said.len()
    );
}

#[test]
fn a_pipeline_a_redirection_and_a_failing_command() {
    narration_matches_strace("/bin/echo hi | /usr/bin/tr a-z A-Z > out; /bin/false");
}

#[test]
fn a_subshell_a_command_substitution_and_a_background_job() {
    narration_matches_strace(
        "(/bin/echo in; cd /); x=$(/bin/echo sub); /bin/sleep 0 & wait; echo $x > y 2>&1; cat <(/bin/echo p) > z",
    );
}

#[test]
fn path_search_missing_commands_and_exec() {
    narration_matches_strace(
        "echo hi | tr a-z A-Z | cat > out 2>&1; nosuchcommand 2>/dev/null; exec 3>f; exec /bin/true",
    );
}

#[test]
fn kill_failed_execs_and_a_script_without_a_shebang() {
    narration_matches_strace(
        "kill -0 $$; /bin/sleep 5 & kill $!; wait; /no/such/file; printf 'echo from script\\n' > s; chmod +x s; ./s",
    );
}

#[test]
fn a_death_by_signal_is_decoded() {
    let dir = temp_dir();
    let told = dir.path().join("told");
    let _ = minishell()
        .arg("--explain-to")
        .arg(&told)
        .args(["-c", "/bin/sh -c 'kill -SEGV $$'; /bin/false; :"])
        .assert();
    let told = std::fs::read_to_string(&told).unwrap();
    assert!(
        told.contains("WIFSIGNALED, WTERMSIG = 11 (SIGSEGV)"),
        "{told}"
    );
    assert!(
        told.contains("status 0x0100: WIFEXITED, WEXITSTATUS = 1"),
        "{told}"
    );
    assert!(
        told.contains("terminated normally, with exit code 1"),
        "{told}"
    );
    narration_matches_strace("/bin/sh -c 'kill -SEGV $$'; /bin/false; :");
}

/// The line's last command is exec'd in the shell's own process (nothing
/// is left to do after it): the narration says so from the shell's PID,
/// and strace agrees.
#[test]
fn the_last_command_replaces_the_shell() {
    let dir = temp_dir();
    let told = dir.path().join("told");
    minishell()
        .arg("--explain-to")
        .arg(&told)
        .args(["-c", "/bin/true; /bin/false"])
        .assert()
        .code(1);
    let told = std::fs::read_to_string(&told).unwrap();
    let last = told
        .lines()
        .rev()
        .find(|l| l.contains("] execve("))
        .unwrap();
    let shell = told.lines().next().unwrap().split(']').next().unwrap();
    assert!(
        last.starts_with(shell) && last.contains(r#"["/bin/false"]"#),
        "{told}"
    );
    narration_matches_strace("/bin/true; /bin/false");
}

#[test]
fn explain_never_writes_on_standard_output() {
    minishell()
        .args(["--explain", "-c", "echo x"])
        .assert()
        .success()
        .stdout("x\n");
    let out = minishell()
        .args([
            "--explain",
            "-c",
            "/bin/echo x | cat; (echo y); echo $(echo z)",
        ])
        .assert()
        .success()
        .stdout("x\ny\nz\n");
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(stderr.contains("] pipe2(["), "{stderr}");
    // Off a terminal the lines are plain: no escape sequences.
    assert!(!stderr.contains('\u{1b}'), "{stderr}");
}

#[test]
fn set_o_explain_and_explain_line_turn_it_on_and_off() {
    let out = minishell()
        .args([
            "-c",
            "/bin/true; set -o explain; /bin/echo on; set +o explain; /bin/echo off; explain /bin/echo once; /bin/echo after",
        ])
        .assert()
        .success()
        .stdout("on\noff\nonce\nafter\n");
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    let execs: Vec<&str> = stderr.lines().filter(|l| l.contains("] execve(")).collect();
    assert_eq!(execs.len(), 2, "{stderr}");
    assert!(execs[0].contains(r#"["/bin/echo", "on"]"#), "{stderr}");
    assert!(execs[1].contains(r#"["/bin/echo", "once"]"#), "{stderr}");
    assert!(
        stderr.contains("a builtin, run inside the shell"),
        "{stderr}"
    );
}

#[test]
fn the_path_search_and_builtins_are_told() {
    let out = minishell()
        .env("PATH", "/nonexistent:/usr/bin:/bin")
        .args(["--explain", "-c", "cd /tmp; tr a b </dev/null"])
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains(
            r#"PATH search for "tr": /nonexistent/tr (no such file), /usr/bin/tr (found: this one runs)"#
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("cd must change the shell's own directory"),
        "{stderr}"
    );
    assert!(stderr.contains(r#"chdir("/tmp") = 0"#), "{stderr}");
}

/// `parse LINE` for every kind of construct: the tree, and nothing run.
#[test]
fn parse_draws_the_tree_and_runs_nothing() {
    let cases: &[(&str, &str)] = &[
        ("echo hi", "SimpleCommand\n  argv[0] echo\n  argv[1] hi\n"),
        (
            "x=1 ls -l > out 2>&1",
            "SimpleCommand\n  assign x=1\n  argv[0] ls\n  argv[1] -l\n  redirect > out\n  redirect 2>&1\n",
        ),
        (
            "ls | wc -l",
            "Pipeline (2 commands, one process each, joined by pipes)\n  SimpleCommand\n    argv[0] ls\n  SimpleCommand\n    argv[0] wc\n    argv[1] -l\n",
        ),
        (
            "a && b || c",
            "AndOr (each next one runs on the status before)\n  SimpleCommand\n    argv[0] a\n  && (if it succeeded)\n  SimpleCommand\n    argv[0] b\n  || (if it failed)\n  SimpleCommand\n    argv[0] c\n",
        ),
        (
            "a; b &",
            "List (2 commands, in turn)\n  SimpleCommand\n    argv[0] a\n  Background (&): the shell does not wait\n    SimpleCommand\n      argv[0] b\n",
        ),
        (
            "(cd /; pwd)",
            "Subshell ( ): a forked copy of the shell\n  List (2 commands, in turn)\n    SimpleCommand\n      argv[0] cd\n      argv[1] /\n    SimpleCommand\n      argv[0] pwd\n",
        ),
        (
            "{ a; } > f",
            "Group { }: in the shell itself\n  SimpleCommand\n    argv[0] a\n  redirect > f\n",
        ),
        (
            "if a; then b; else c; fi",
            "If\n  condition\n    SimpleCommand\n      argv[0] a\n  then\n    SimpleCommand\n      argv[0] b\n  else\n    SimpleCommand\n      argv[0] c\n",
        ),
        (
            "while a; do b; done",
            "While\n  condition\n    SimpleCommand\n      argv[0] a\n  body\n    SimpleCommand\n      argv[0] b\n",
        ),
        (
            "for f in *.txt; do echo $f; done",
            "For f in *.txt\n  SimpleCommand\n    argv[0] echo\n    argv[1] $f\n",
        ),
        (
            "case $x in a|b) echo ab;; *) echo other;; esac",
            "Case $x\n  pattern a|b (;;)\n    SimpleCommand\n      argv[0] echo\n      argv[1] ab\n  pattern * (;;)\n    SimpleCommand\n      argv[0] echo\n      argv[1] other\n",
        ),
        (
            "f() { echo in f; }",
            "FunctionDef f\n  Group { }: in the shell itself\n    SimpleCommand\n      argv[0] echo\n      argv[1] in\n      argv[2] f\n",
        ),
        ("(( i += 1 ))", "Arith (( i += 1 ))\n"),
        ("[[ -n $x ]]", "Cond [[ -n $x ]]\n"),
        (
            "! a | b",
            "Pipeline ! (2 commands, one process each, joined by pipes)\n  SimpleCommand\n    argv[0] a\n  SimpleCommand\n    argv[0] b\n",
        ),
    ];
    let dir = temp_dir();
    for (line, tree) in cases {
        minishell()
            .current_dir(dir.path())
            .args(["-c", r#"parse "$1""#, "minishell", line])
            .assert()
            .success()
            .stdout(tree.to_string());
    }
    // Nothing ran: no file was made, no directory changed.
    minishell()
        .current_dir(dir.path())
        .args(["-c", "parse 'echo x > made; cd /'; ls; pwd"])
        .assert()
        .success()
        .stdout(format!(
            "List (2 commands, in turn)\n  SimpleCommand\n    argv[0] echo\n    argv[1] x\n    redirect > made\n  SimpleCommand\n    argv[0] cd\n    argv[1] /\n{}\n",
            dir.path().canonicalize().unwrap().display()
        ));
    minishell()
        .args(["-c", "parse 'a &&'"])
        .assert()
        .code(2)
        .stdout("");
}

#[test]
fn help_explain_says_how_to_read_it() {
    let out = minishell().args(["-c", "help explain"]).assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(text.contains("How to read it"), "{text}");
    assert!(text.contains("WIFEXITED"), "{text}");
}

#[test]
fn the_example_walks_the_labs_questions() {
    let (out, err, status) = common::run_example("explain.sh", &[]);
    assert_eq!(status, 0, "{err}");
    // `ls / | wc -l`: one pipe, two processes, two programs, two waits.
    assert!(out.contains("pipes made by the shell: 1\n"), "{out}");
    assert!(out.contains("processes started:       2\n"), "{out}");
    assert!(out.contains("programs run (execve):   2\n"), "{out}");
    // `> out 2>&1`: the file opened first, then 1, then 2 made the file.
    let open = out
        .find("open(\"out\", O_WRONLY|O_CREAT")
        .expect("the open");
    let one = out.find("dup2(3, 1) = 1").expect("1 moved");
    let two = out.find("dup2(3, 2) = 2").expect("2 moved");
    assert!(open < one && one < two, "{out}");
    assert!(
        out.contains("processes for cd: 0; for /bin/pwd: 1"),
        "{out}"
    );
    assert!(
        out.contains("status 0x0100: WIFEXITED, WEXITSTATUS = 1"),
        "{out}"
    );
    assert!(out.contains("WTERMSIG = 11 (SIGSEGV)"), "{out}");
    assert!(
        out.contains("Child process (pid PID) terminated normally, with exit code 1"),
        "{out}"
    );
}

/// minishell at a prompt on a pseudo-terminal, with these variables.
fn at_a_terminal(vars: &[(&str, &str)]) -> expectrl::Session {
    let home = tempfile::tempdir().unwrap().keep();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_minishell"));
    command
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", &home)
        .env("TERM", "xterm")
        .env("PS1", "ms> ")
        .current_dir(&home);
    for (name, value) in vars {
        command.env(name, value);
    }
    let mut session = expectrl::Session::spawn(command).expect("spawn minishell on a pty");
    session.set_expect_timeout(Some(std::time::Duration::from_secs(10)));
    session.expect("ms> ").expect("first prompt");
    session
}

/// On a terminal the lines are dim, and job control's calls are told: the
/// child's own group and the terminal handed to it, then taken back.
#[test]
fn at_a_terminal_lines_are_dim_and_job_control_is_told() {
    let mut shell = at_a_terminal(&[]);
    shell.send_line("set -o explain; /bin/true").unwrap();
    shell.expect("\u{1b}[2m[explain ").unwrap();
    shell.expect("setpgid(0, 0) = 0").unwrap();
    shell.expect("tcsetpgrp(0, getpgrp()) = 0").unwrap();
    shell.expect("execve(\"/bin/true\"").unwrap();
    shell.expect("WIFEXITED, WEXITSTATUS = 0").unwrap();
    shell.expect("ms> ").unwrap();
}

#[test]
fn no_color_keeps_them_plain_even_on_a_terminal() {
    let mut shell = at_a_terminal(&[("NO_COLOR", "1")]);
    shell
        .send_line("explain /bin/true; echo end-$((1))")
        .unwrap();
    let seen = shell.expect("end-1").unwrap();
    let text = String::from_utf8_lossy(seen.before()).into_owned();
    assert!(text.contains("[explain "), "{text}");
    assert!(!text.contains("\u{1b}[2m"), "{text}");
}

/// The spawn demo traces the shell itself and names the call it made its
/// child with: the strategy the spawn module picked.
#[test]
fn the_spawn_demo_shows_which_strategy_the_shell_used() {
    let dir = temp_dir();
    let (out, err, _) = common::run_c("spawn --method vfork --runs 1 /bin/true", dir.path());
    let seen = out.contains(
        "minishell itself, traced just now, made CMD's process with clone(CLONE_VM|CLONE_VFORK|SIGCHLD)",
    );
    assert!(seen || out.contains("not observed"), "{out}\n{err}");
    let forced = minishell()
        .env("MINISHELL_SPAWN", "fork")
        .current_dir(dir.path())
        .args(["-c", "spawn --method vfork --runs 1 /bin/true"])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&forced.stdout);
    if seen {
        assert!(out.contains("the fork-exec row's way"), "{out}");
    }
}
