//! minishell on a real pseudo-terminal (expectrl), for the tests of what a
//! person at the prompt sees. A test waits for what it expects to see, or
//! for the state it needs (a job in the foreground), never a fixed time.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use expectrl::Session;

/// The prompt every test sets, easy to wait for.
pub const PROMPT: &str = "ms> ";

/// How long a test waits for what it expects before it fails.
const PATIENCE: Duration = Duration::from_secs(10);

/// minishell on a fresh pseudo-terminal, with a fixed prompt, HOME in a
/// fresh directory; returns once the first prompt shows.
pub fn start() -> Session {
    let home = tempfile::tempdir().unwrap().keep();
    start_in(&home, &[("PS1", PROMPT)])
}

/// minishell on a fresh pseudo-terminal with HOME (and its history file
/// and startup file) in `home`, and these extra variables. With a `PS1`
/// among them, returns once the first prompt shows.
pub fn start_in(home: &Path, vars: &[(&str, &str)]) -> Session {
    let mut command = Command::new(env!("CARGO_BIN_EXE_minishell"));
    command
        .env_clear()
        .env(
            "PATH",
            std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into()),
        )
        .env("HOME", home)
        .env("TERM", "xterm")
        .current_dir(home);
    for (name, value) in vars {
        command.env(name, value);
    }
    let mut session = Session::spawn(command).expect("spawn minishell on a pty");
    session.set_expect_timeout(Some(PATIENCE));
    if vars.iter().any(|(name, _)| *name == "PS1") {
        session.expect(PROMPT).expect("first prompt");
    }
    session
}

/// Waits until `condition` holds, checking now and then; panics naming
/// `what` if it does not within the test's patience.
pub fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !condition() {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The fields of `/proc/PID/stat` after the command name, which may hold
/// spaces: state, ppid, pgrp, session, tty, tpgid, …
fn stat_fields(pid: i32) -> Option<(String, Vec<String>)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let comm = stat[open + 1..close].to_owned();
    let rest = stat[close + 1..].split_whitespace().map(str::to_owned);
    Some((comm, rest.collect()))
}

/// The shell's children.
pub fn children(shell: &Session) -> Vec<i32> {
    let pid = shell_pid(shell);
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// The shell's process id.
pub fn shell_pid(shell: &Session) -> i32 {
    shell.get_process().pid().as_raw()
}

/// Waits until a child of the shell runs `command` (its name after execve)
/// in the terminal's foreground process group: then a key such as Ctrl-C
/// or Ctrl-Z reaches it, and not the shell.
pub fn wait_for_foreground(shell: &Session, command: &str) {
    wait_until(&format!("{command} in the foreground"), || {
        children(shell).into_iter().any(|child| {
            stat_fields(child).is_some_and(|(comm, fields)| {
                // fields[2] is the process group, fields[5] the terminal's
                // foreground group.
                comm == command && fields.len() > 5 && fields[2] == fields[5]
            })
        })
    });
}

/// Whether process `pid` is gone or a zombie.
pub fn is_dead_or_zombie(pid: i32) -> bool {
    stat_fields(pid).is_none_or(|(_, fields)| fields.first().is_some_and(|s| s == "Z"))
}

/// Whether process `pid` is a zombie, waiting for its parent to collect it.
pub fn is_zombie(pid: i32) -> bool {
    stat_fields(pid).is_some_and(|(_, fields)| fields.first().is_some_and(|s| s == "Z"))
}

/// Waits until a thread other than the main one, in the session's process
/// or one of its children, sleeps in the kernel on a futex: a thread inside
/// a condition variable's or a mutex's wait.
pub fn wait_for_a_thread_blocked_on_a_futex(shell: &Session) {
    let blocked = |pid: i32| {
        let tasks = std::fs::read_dir(format!("/proc/{pid}/task"))
            .into_iter()
            .flatten();
        tasks.flatten().any(|task| {
            let tid = task.file_name().to_string_lossy().into_owned();
            let wchan = std::fs::read_to_string(task.path().join("wchan")).unwrap_or_default();
            tid != pid.to_string() && wchan.contains("futex")
        })
    };
    wait_until("a thread blocked on a futex", || {
        let pid = shell_pid(shell);
        blocked(pid) || children(shell).into_iter().any(blocked)
    });
}
