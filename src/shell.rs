//! The shell's state: variables, positional parameters, the last status,
//! background children. One value owns it all and is passed where needed;
//! nothing here is global.

use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;

use crate::jobs::Jobs;
use crate::signals::SignalFlag;
use crate::status::Status;
use crate::terminal::Terminal;
use crate::vars::Vars;

/// `$0` and the positional parameters `$1`, `$2`…
#[derive(Debug, Clone, Default)]
pub struct Params {
    pub zero: Vec<u8>,
    pub args: Vec<Vec<u8>>,
}

/// How the shell reads its commands; it decides the prompt, whether a
/// syntax error ends the shell, and what `$-` shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A terminal, with line editing.
    Interactive,
    /// Commands on a non-terminal standard input, `> ` before each.
    Stdin { prompt: bool },
    /// `minishell FILE` or `minishell -c LINE`.
    Script,
}

pub struct Shell {
    pub vars: Vars,
    pub params: Params,
    /// `$?`: the status of the last command.
    pub status: Status,
    /// `$$`: the shell's own process ID (a subshell keeps its parent's).
    pub pid: i32,
    /// `$!`: the process ID of the last background command.
    pub last_background: Option<i32>,
    pub jobs: Jobs,
    pub mode: Mode,
    /// Set by `exit`: the shell stops reading and leaves with this status.
    pub exit_request: Option<Status>,
    /// Set by a builtin error that abandons the rest of the current line,
    /// as bash does after `exit 1 2`; cleared when the next line is read.
    pub abandon_line: bool,
    /// The terminal, when the shell runs jobs under job control
    /// (interactive); `None` in scripts and in forked copies of the shell.
    pub terminal: Option<Terminal>,
    /// The SIGCHLD flag, installed with the first background job (at
    /// start, for an interactive shell).
    pub child_signal: Option<SignalFlag>,
    /// The SIGHUP flag of an interactive shell: the terminal hung up.
    pub hangup: Option<SignalFlag>,
    /// Set when `exit` warned about jobs left; `exit_warned_before` is its
    /// value for the previous command, so a second `exit` right after
    /// leaves anyway.
    pub exit_warned: bool,
    pub exit_warned_before: bool,
    /// The commands typed at the terminal, for `history`.
    pub history: Vec<String>,
}

impl Shell {
    pub fn new(params: Params, mode: Mode) -> Shell {
        let mut shell = Shell {
            vars: Vars::from_environment(),
            params,
            status: 0,
            pid: std::process::id() as i32,
            last_background: None,
            jobs: Jobs::default(),
            mode,
            exit_request: None,
            abandon_line: false,
            terminal: None,
            child_signal: None,
            hangup: None,
            exit_warned: false,
            exit_warned_before: false,
            history: Vec::new(),
        };
        shell.fix_pwd();
        shell.bump_shlvl();
        if shell.vars.get("OLDPWD").is_none() {
            // bash exports OLDPWD from the start, valueless until the first
            // `cd`, so that `cd` then hands it to children.
            shell.vars.set_exported("OLDPWD", true);
        }
        shell
    }

    /// Whether the rest of the current line must be skipped: `exit` ran,
    /// or a builtin abandoned the line.
    pub fn stopping(&self) -> bool {
        self.exit_request.is_some() || self.abandon_line
    }

    pub fn interactive(&self) -> bool {
        self.mode == Mode::Interactive
    }

    /// `$-`: the letters of the shell's options.
    pub fn option_letters(&self) -> &'static str {
        match self.mode {
            Mode::Interactive => "i",
            Mode::Stdin { .. } => "s",
            Mode::Script => "",
        }
    }

    /// Makes `$PWD` name the working directory: kept when the inherited
    /// value is right (it may go through a symbolic link), else replaced.
    fn fix_pwd(&mut self) {
        let inherited_is_right = self.vars.get("PWD").is_some_and(|pwd| {
            let same = std::fs::metadata(std::ffi::OsStr::from_bytes(pwd))
                .ok()
                .zip(std::fs::metadata(".").ok())
                .is_some_and(|(a, b)| a.dev() == b.dev() && a.ino() == b.ino());
            pwd.starts_with(b"/") && same
        });
        if !inherited_is_right {
            if let Ok(dir) = std::env::current_dir() {
                self.vars
                    .set("PWD", dir.into_os_string().into_encoded_bytes());
                self.vars.set_exported("PWD", true);
            }
        }
    }

    /// `SHLVL` counts nested shells, as bash keeps it.
    fn bump_shlvl(&mut self) {
        let level: i64 = self
            .vars
            .get("SHLVL")
            .and_then(|v| std::str::from_utf8(v).ok())
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        self.vars
            .set("SHLVL", (level + 1).max(0).to_string().into_bytes());
        self.vars.set_exported("SHLVL", true);
    }
}
