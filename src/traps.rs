//! Traps: commands the shell runs when a signal arrives, when it exits,
//! and when a command fails. A trapped signal's handler only sets a flag;
//! the shell runs the action between commands, where running shell code is
//! safe, as every shell does.

use std::collections::BTreeMap;
use std::os::unix::ffi::OsStrExt;

use minishell_builtins::{Flow, TRAP_DEBUG, TRAP_ERR, TRAP_RETURN, TrapAction};

use crate::shell::Shell;
use crate::signals::SignalFlag;

/// The traps set, and the flags of the trapped signals.
#[derive(Default)]
pub struct Traps {
    actions: BTreeMap<i32, TrapAction>,
    flags: BTreeMap<i32, SignalFlag>,
    /// A trap's action is running: traps do not nest.
    running: bool,
    /// In a subshell, the traps of the shell that forked it: they no longer
    /// run, but `trap -p` still shows them, as in bash, until the subshell
    /// sets a trap of its own (`traps=$(trap -p)` saves the parent's).
    inherited: Vec<(i32, TrapAction)>,
}

impl Traps {
    pub fn list(&self) -> Vec<(i32, TrapAction)> {
        let mut list: Vec<(i32, TrapAction)> =
            self.actions.iter().map(|(c, a)| (*c, a.clone())).collect();
        for (condition, action) in &self.inherited {
            if !self.actions.contains_key(condition) {
                list.push((*condition, action.clone()));
            }
        }
        list
    }

    /// Whether a trap's action is running now.
    pub fn is_running(&self) -> bool {
        self.running
    }

    /// The action of a condition, to tell later whether it changed.
    pub fn action(&self, condition: i32) -> Option<&TrapAction> {
        self.actions.get(&condition)
    }

    /// Whether any trap runs commands (signals, EXIT, ERR…): then the
    /// shell has work left after its last command and may not `execve` it
    /// in place.
    pub fn any_to_run(&self) -> bool {
        self.actions
            .values()
            .any(|action| matches!(action, TrapAction::Run(_)))
    }

    pub fn has(&self, condition: i32) -> bool {
        matches!(self.actions.get(&condition), Some(TrapAction::Run(_)))
    }

    /// In a forked copy of the shell: traps that run commands go back to
    /// the default (ignored signals stay ignored, as POSIX says), except
    /// those `set -E` (ERR) and `set -T` (DEBUG, RETURN) pass on.
    pub fn reset_for_subshell(&mut self, errtrace: bool, functrace: bool) {
        let passed_on = |condition: i32| {
            (errtrace && condition == TRAP_ERR)
                || (functrace && (condition == TRAP_DEBUG || condition == TRAP_RETURN))
        };
        for (signal, flag) in std::mem::take(&mut self.flags) {
            flag.uninstall();
            crate::signals::set_disposition(signal, libc::SIG_DFL);
        }
        self.inherited = std::mem::take(&mut self.actions)
            .into_iter()
            .filter(|(condition, action)| {
                let keep = *action == TrapAction::Ignore || passed_on(*condition);
                if keep {
                    self.actions.insert(*condition, action.clone());
                }
                !keep
            })
            .collect();
        self.running = false;
    }
}

impl Shell {
    /// `trap ACTION CONDITION`, or with `None` the default back.
    pub fn set_trap(&mut self, condition: i32, action: Option<TrapAction>) -> Result<(), String> {
        self.traps.inherited.clear();
        if condition > 0 {
            crate::signals::keep_ignored(condition, action == Some(TrapAction::Ignore));
            if let Some(flag) = self.traps.flags.remove(&condition) {
                flag.uninstall();
            }
            if condition == libc::SIGINT && crate::signals::script_interrupt_installed() {
                // A trap's handler would call the script's one after its
                // own (handlers chain): the trap replaces it instead.
                crate::signals::set_disposition(libc::SIGINT, libc::SIG_DFL);
            }
            match &action {
                Some(TrapAction::Run(_)) => match SignalFlag::install(condition) {
                    Some(flag) => {
                        self.traps.flags.insert(condition, flag);
                    }
                    None => return Err(format!("{condition}: cannot be trapped")),
                },
                Some(TrapAction::Ignore) => {
                    crate::signals::set_disposition(condition, libc::SIG_IGN);
                }
                None => self.default_disposition(condition),
            }
        }
        match action {
            Some(action) => {
                self.traps.actions.insert(condition, action);
            }
            None => {
                self.traps.actions.remove(&condition);
            }
        }
        Ok(())
    }

    /// The disposition a signal has when no trap names it: the default,
    /// except those an interactive shell ignores for its jobs' sake.
    fn default_disposition(&self, signal: i32) {
        let ignored = self.terminal.is_some()
            && [
                libc::SIGINT,
                libc::SIGQUIT,
                libc::SIGTSTP,
                libc::SIGTTIN,
                libc::SIGTTOU,
            ]
            .contains(&signal);
        let watched = signal == libc::SIGCHLD || (signal == libc::SIGHUP && self.hangup.is_some());
        if watched {
            return;
        }
        if self.terminal.is_none() && !self.subshell {
            // A shell without a terminal ignores SIGQUIT and handles
            // SIGINT its own way (see signals::handle_script_interrupts).
            if signal == libc::SIGQUIT {
                crate::signals::set_disposition(signal, libc::SIG_IGN);
                return;
            }
            if signal == libc::SIGINT && crate::signals::restore_script_interrupt() {
                return;
            }
        }
        let disposition = if ignored {
            libc::SIG_IGN
        } else {
            libc::SIG_DFL
        };
        crate::signals::set_disposition(signal, disposition);
    }

    /// Runs the actions of the trapped signals that arrived since the last
    /// look. `$?` is the same after as before, unless an action exits.
    pub fn run_pending_traps(&mut self) -> Flow {
        if self.traps.flags.is_empty() || self.traps.running {
            return Flow::Normal;
        }
        let arrived: Vec<i32> = self
            .traps
            .flags
            .iter()
            .filter(|(_, flag)| flag.take())
            .map(|(signal, _)| *signal)
            .collect();
        for signal in arrived {
            let flow = self.run_trap(signal);
            if !flow.is_normal() {
                return flow;
            }
        }
        Flow::Normal
    }

    /// Runs the action of one condition, if it has one.
    pub fn run_trap(&mut self, condition: i32) -> Flow {
        let Some(TrapAction::Run(text)) = self.traps.actions.get(&condition).cloned() else {
            return Flow::Normal;
        };
        if self.traps.running {
            return Flow::Normal;
        }
        self.traps.running = true;
        let status = self.status;
        let line = self.lineno;
        let flow = crate::repl::run_text(self, text.as_bytes(), line.max(1));
        self.traps.running = false;
        self.lineno = line;
        match flow {
            Flow::Exit(status) => Flow::Exit(status),
            _ => {
                self.status = status;
                Flow::Normal
            }
        }
    }

    /// The `EXIT` trap, once, as the shell (or a subshell) ends; `status`
    /// is `$?` inside it. Returns the status to exit with.
    pub fn run_exit_trap(&mut self, status: crate::status::Status) -> crate::status::Status {
        let Some(TrapAction::Run(text)) = self.traps.actions.remove(&0) else {
            return status;
        };
        self.status = status;
        // `$BASH_COMMAND` in it is the command that ran last, as in bash.
        let last = self.last_command.take();
        let running = last.is_some() && !self.traps.running;
        if let Some(text) = last {
            self.trap_command = text;
        }
        self.traps.running |= running;
        let flow = crate::repl::run_text(self, text.as_bytes(), self.lineno.max(1));
        if running {
            self.traps.running = false;
        }
        match flow {
            Flow::Exit(status) => status,
            _ => status,
        }
    }

    /// The `ERR` trap, after a command failed where `set -e` would act;
    /// `$BASH_COMMAND` in it is the simple command that ran last.
    pub fn run_err_trap(&mut self) -> Flow {
        if self.err_suppressed || !self.traps.has(TRAP_ERR) {
            return Flow::Normal;
        }
        if !self.traps.is_running() {
            self.trap_command = match self.failed_command.take() {
                Some(text) => text,
                None => self.bash_command(),
            };
        }
        self.run_trap(TRAP_ERR)
    }

    /// The `DEBUG` trap, before a command: `text` makes what
    /// `$BASH_COMMAND` says of it, only when the trap is set.
    pub fn run_debug_trap(&mut self, text: impl FnOnce() -> String) -> Flow {
        if self.debug_suppressed || !self.traps.has(TRAP_DEBUG) || self.traps.is_running() {
            return Flow::Normal;
        }
        self.trap_command = text();
        self.run_trap(TRAP_DEBUG)
    }

    /// The `RETURN` trap, as a function or a sourced file ends.
    pub fn run_return_trap(&mut self) -> Flow {
        if !self.traps.has(TRAP_RETURN) || self.traps.is_running() {
            return Flow::Normal;
        }
        self.run_trap(TRAP_RETURN)
    }
}
