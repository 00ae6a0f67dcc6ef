//! The executor: walks the command tree and runs it. It never parses; it
//! expands words, opens redirections, forks, execs and waits.
//!
//! One method per node kind, each returning a [`Flow`]: what to do next
//! besides taking the status in `$?`. `break`, `continue`, `return` and
//! `exit` travel up as values until the loop, function or shell they
//! belong to consumes them.
//!
//! - [`Shell::run_list`], `run_and_or`, `run_pipeline` here;
//! - simple commands in [`simple`], compound ones in [`compound`],
//!   function calls in [`function`];
//! - pipelines and background jobs in [`pipeline`], subshells and `$( )`
//!   in [`subshell`], the one fork in [`spawn`].

pub mod binary;
mod compound;
mod context;
mod declare;
pub mod fds;
mod function;
mod job_control;
mod lookup;
mod pipeline;
mod procsub;
pub mod redirect;
mod simple;
pub mod spawn;
mod subshell;
mod trace;
mod virtual_subshell;

use std::os::fd::{BorrowedFd, RawFd};

use minishell_builtins::Builtin;
pub use minishell_builtins::Flow;
use nix::unistd::Pid;

use crate::ast::{AndOr, AndOrList, List, Pipeline, Redirection};
use crate::expand::{self, ExpandError};
use crate::shell::Shell;
use crate::status::Status;
use context::FdWriter;
pub use lookup::search_path;
use redirect::{RedirectError, Slot};
pub use virtual_subshell::CaptureFile;

/// Runs one builtin with the process's own standard output and error: a
/// lab demo in the process the shell started for it.
pub fn run_builtin_alone(
    shell: &mut Shell,
    builtin: &Builtin,
    args: &[std::ffi::OsString],
) -> Status {
    let mut context = context::ShellContext::new(shell, Slot::Fd(1), Slot::Fd(2));
    builtin.invoke(args, &mut context)
}

impl Shell {
    /// Runs a list: each item in turn, in the foreground or started in the
    /// background, until one asks to unwind.
    pub fn run_list(&mut self, list: &List) -> Flow {
        let tail = std::mem::take(&mut self.tail);
        let count = list.items.len();
        for (index, item) in list.items.iter().enumerate() {
            self.reap_if_signalled();
            let flow = if item.background {
                self.start_background(&item.and_or);
                Flow::Normal
            } else {
                self.tail = tail && index + 1 == count;
                self.run_and_or(&item.and_or)
            };
            if !flow.is_normal() {
                return flow;
            }
            let flow = self.run_pending_traps();
            if !flow.is_normal() {
                return flow;
            }
        }
        Flow::Normal
    }

    /// `a && b || c`: each pipeline after the first runs only if the status
    /// so far agrees with its operator. All but the last are conditions,
    /// where `set -e` does not apply.
    fn run_and_or(&mut self, list: &AndOrList) -> Flow {
        let tail = std::mem::take(&mut self.tail);
        let last = list.rest.len();
        self.tail = tail && last == 0;
        let mut flow = self.run_condition_if(last > 0, |shell| shell.run_pipeline(&list.first));
        for (i, (op, pipeline)) in list.rest.iter().enumerate() {
            if !flow.is_normal() {
                return flow;
            }
            let run = match op {
                AndOr::And => self.status == 0,
                AndOr::Or => self.status != 0,
            };
            if run {
                self.tail = tail && i + 1 == last;
                flow = self.run_condition_if(i + 1 < last, |shell| shell.run_pipeline(pipeline));
            }
        }
        flow
    }

    /// Runs `f` as a condition (exempt from `set -e`) when `condition`.
    pub(super) fn run_condition_if(
        &mut self,
        condition: bool,
        f: impl FnOnce(&mut Shell) -> Flow,
    ) -> Flow {
        if !condition {
            return f(self);
        }
        self.errexit_exempt += 1;
        let flow = f(self);
        self.errexit_exempt -= 1;
        flow
    }

    /// A condition's list: `if`'s, `while`'s.
    pub(super) fn run_condition(&mut self, list: &List) -> Flow {
        self.run_condition_if(true, |shell| shell.run_list(list))
    }

    fn run_pipeline(&mut self, pipeline: &Pipeline) -> Flow {
        // Only a lone command keeps the tail: `!` and `time` have work
        // left after it.
        let tail = std::mem::take(&mut self.tail);
        self.note_command_start();
        let timer = pipeline.timed.map(|_| compound::Timer::start());
        // A single command checks `set -e` itself (a simple command, a
        // subshell, `(( ))`, `[[ ]]`; a group or loop through the commands
        // inside); a pipeline of several, as a whole.
        let negated = pipeline.negated;
        let flow = match pipeline.commands.as_slice() {
            [] => {
                self.status = 0;
                Flow::Normal
            }
            [command] => {
                self.tail = tail && !negated && pipeline.timed.is_none();
                self.run_condition_if(negated, |shell| shell.run_command(command))
            }
            _ => {
                let flow =
                    self.run_condition_if(negated, |shell| shell.run_pipeline_foreground(pipeline));
                if flow.is_normal() && !negated {
                    self.check_errexit()
                } else {
                    flow
                }
            }
        };
        if let (Some(timer), Some(kind)) = (timer, pipeline.timed) {
            timer.report(self, kind);
        }
        let statuses = match pipeline.commands.len() {
            0 | 1 => vec![self.status],
            _ => std::mem::take(&mut self.pipe_statuses),
        };
        // Most pipelines leave PIPESTATUS as it was ((0) after (0)):
        // rebuilding the array each time was 17% of a loop's instructions.
        if !self.pipestatus_is(&statuses) {
            let array = statuses
                .iter()
                .enumerate()
                .map(|(i, s)| (i as i64, s.to_string().into_bytes()))
                .collect();
            let _ = self
                .vars
                .set_value("PIPESTATUS", crate::vars::Value::Indexed(array));
        }
        if negated {
            self.status = i32::from(self.status == 0);
        }
        flow
    }

    /// Whether `$PIPESTATUS` already holds exactly `statuses`.
    fn pipestatus_is(&self, statuses: &[Status]) -> bool {
        let Some(crate::vars::Value::Indexed(array)) =
            self.vars.var_raw("PIPESTATUS").map(|var| &var.value)
        else {
            return false;
        };
        array.len() == statuses.len()
            && array
                .iter()
                .zip(statuses)
                .enumerate()
                .all(|(i, ((key, text), status))| *key == i as i64 && is_decimal_of(text, *status))
    }

    /// After a command failed outside a condition: the `ERR` trap runs, and
    /// under `set -e` the shell ends.
    pub(super) fn check_errexit(&mut self) -> Flow {
        if self.status == 0 || self.errexit_exempt > 0 {
            return Flow::Normal;
        }
        let status = self.status;
        let flow = self.run_err_trap();
        if !flow.is_normal() {
            return flow;
        }
        if self.options.errexit {
            return Flow::Exit(status);
        }
        Flow::Normal
    }

    fn run_command(&mut self, command: &crate::ast::Command) -> Flow {
        match command {
            crate::ast::Command::Simple(simple) => self.run_simple(simple),
            crate::ast::Command::Compound(compound) => {
                self.tail = false;
                self.run_compound(compound)
            }
            crate::ast::Command::Function(def) => {
                self.tail = false;
                self.define_function(def);
                Flow::Normal
            }
        }
    }

    /// Expands and opens redirections into a new frame. On failure the
    /// frame is gone again, the error is reported, and the status to return.
    pub(super) fn push_redirections(
        &mut self,
        redirections: &[Redirection],
    ) -> Result<(), ExpandError> {
        self.fds.push();
        for redirection in redirections {
            if let Err(e) = self.open_redirection(redirection) {
                self.fds.pop();
                return Err(e);
            }
        }
        Ok(())
    }

    /// Opens one redirection into the innermost frame.
    fn open_redirection(&mut self, redirection: &Redirection) -> Result<(), ExpandError> {
        let fd = redirection.fd.unwrap_or(redirection.op.default_fd());
        let target = match &redirection.target {
            crate::ast::RedirTarget::Word(word)
                if redirection.op == crate::ast::RedirOp::HereString =>
            {
                expand::string(self, word)?
            }
            crate::ast::RedirTarget::Word(word) => {
                expand::redirect_target(self, word)?.into_owned()
            }
            crate::ast::RedirTarget::HereDoc(doc) => match doc.body.get() {
                Some(body) => expand::string(self, body)?,
                None => Vec::new(),
            },
        };
        if let Some(name) = &redirection.fd_var {
            return self.open_named_redirection(name, redirection.op, &target);
        }
        let op = redirection.op;
        let noclobber = self.options.noclobber;
        if let Err(e) = self.fds.add(fd, op, &target, noclobber) {
            match (&e, &redirection.target) {
                // A copy from a closed descriptor: bash names the word as
                // written (`$fd: Bad file descriptor`).
                (RedirectError::BadFd(_), crate::ast::RedirTarget::Word(word))
                    if matches!(
                        op,
                        crate::ast::RedirOp::DupOutput | crate::ast::RedirOp::DupInput
                    ) =>
                {
                    self.report_error(&format!("{word}: Bad file descriptor"))
                }
                _ => self.report_error(&e.to_string()),
            }
            return Err(ExpandError::Failed(1));
        }
        // A number past the descriptor limit fails only once the file is
        // open (bash creates `x` for `echo hi 1000000>x`), as the dup2
        // onto it would; closing one (`1000000>&-`) is no error.
        if !valid_descriptor(fd) {
            use crate::ast::RedirOp::{DupInput, DupOutput};
            let named = match op {
                DupInput | DupOutput if target == b"-" => return Ok(()),
                // bash names the descriptor being copied, as dup2 says.
                DupInput | DupOutput => {
                    String::from_utf8_lossy(target.strip_suffix(b"-").unwrap_or(&target))
                        .into_owned()
                }
                _ => fd.to_string(),
            };
            self.report_error(&format!("{named}: Bad file descriptor"));
            return Err(ExpandError::Failed(1));
        }
        Ok(())
    }

    /// `{name}>file` opens a descriptor of its own and stores its number in
    /// `name`; `{name}>&-` closes the descriptor `name` holds.
    fn open_named_redirection(
        &mut self,
        name: &str,
        op: crate::ast::RedirOp,
        target: &[u8],
    ) -> Result<(), ExpandError> {
        use crate::ast::RedirOp;
        if matches!(op, RedirOp::DupOutput | RedirOp::DupInput) && target == b"-" {
            let value = self.descriptor_variable(name).unwrap_or_default();
            let fd = String::from_utf8_lossy(&value).trim().parse::<RawFd>();
            return match fd {
                Ok(fd) if valid_descriptor(fd) => {
                    if let Err(e) = self.fds.add(fd, op, target, false) {
                        self.report_error(&e.to_string());
                        return Err(ExpandError::Failed(1));
                    }
                    Ok(())
                }
                _ => {
                    self.report_error(&format!("{name}: ambiguous redirect"));
                    Err(ExpandError::Failed(1))
                }
            };
        }
        if self
            .vars
            .is_readonly(name.split('[').next().unwrap_or(name))
        {
            self.report_error(&format!("{name}: readonly variable"));
            self.report_error(&format!("{name}: cannot assign fd to variable"));
            return Err(ExpandError::Failed(1));
        }
        let noclobber = self.options.noclobber;
        let fd = match self.fds.open_named(op, target, noclobber) {
            Ok(fd) => fd,
            Err(e) => {
                self.report_error(&e.to_string());
                return Err(ExpandError::Failed(1));
            }
        };
        if let Err(message) = self.assign_text(name, fd.to_string().as_bytes(), false) {
            if !message.is_empty() {
                self.report_error(&message);
            }
            // `fd` was just made by F_DUPFD and nothing else holds it.
            crate::sys::close(fd);
            return Err(ExpandError::Failed(1));
        }
        Ok(())
    }

    /// The value `{name}>&-` closes: of `name`, or of the element `a[i]`
    /// names (an index of an indexed array, a key of an associative one).
    fn descriptor_variable(&mut self, name: &str) -> Option<Vec<u8>> {
        use crate::vars::Value;
        let Some((base, rest)) = name.split_once('[') else {
            let place = expand::reference::Reference::Name(name.to_owned());
            return expand::reference::read(self, &place);
        };
        let index = rest.strip_suffix(']')?;
        match &self.vars.var(base)?.value {
            Value::Indexed(a) => a.get(&index.trim().parse().ok()?).cloned(),
            Value::Assoc(a) => a.get(index.as_bytes()).map(<[u8]>::to_vec),
            Value::Scalar(v) if index.trim() == "0" => Some(v.clone()),
            _ => None,
        }
    }

    /// What an expansion error does: the command fails, and the line or the
    /// shell may go too, as bash decides by kind (see [`ExpandError`]).
    pub(super) fn expansion_failed(&mut self, error: ExpandError) -> Flow {
        match error {
            ExpandError::Failed(status) => {
                self.status = status;
                self.check_errexit()
            }
            ExpandError::Abandon(status) => {
                self.status = status;
                Flow::Abandon
            }
            ExpandError::Fatal(status) => {
                self.status = status;
                if self.interactive() && !self.subshell {
                    Flow::Abandon
                } else {
                    Flow::Exit(status)
                }
            }
        }
    }

    /// The PID of a child that started, or `None` after reporting why
    /// `fork` failed (too many processes).
    fn started(&self, result: nix::Result<Pid>) -> Option<Pid> {
        match result {
            Ok(pid) => Some(pid),
            Err(errno) => {
                self.report_error(&format!("fork: {}", errno.desc()));
                None
            }
        }
    }

    /// Writes a line on the shell's standard error.
    fn report_line(&self, line: &str) {
        write_to_slot(self.fds.slot(2), format!("{line}\n").as_bytes());
    }
}

/// Whether `text` is `n` written in decimal, as `to_string` writes it.
/// (By hand: `write!` cost more than the array it saves rebuilding.)
fn is_decimal_of(text: &[u8], n: Status) -> bool {
    let (sign, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    if sign != (n < 0) || digits.is_empty() || (digits.len() > 1 && digits[0] == b'0') {
        return false;
    }
    let mut value: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() || value > i64::from(i32::MAX) + 1 {
            return false;
        }
        value = value * 10 + i64::from(d - b'0');
    }
    value == i64::from(n).abs()
}

/// Whether `fd` can be a descriptor at all: below the process's limit.
fn valid_descriptor(fd: RawFd) -> bool {
    if fd < 0 {
        return false;
    }
    if fd <= 2 {
        // The standard three, nearly every redirection: no limit is that
        // low (a getrlimit call per `> file` for nothing).
        return true;
    }
    let limit = nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE)
        .map_or(1024, |(soft, _)| soft);
    (fd as u64) < limit
}

/// Writes `bytes` where `slot` points; an error (a closed descriptor, a
/// full disk) is ignored, as for a diagnostic nobody can see.
pub fn write_to_slot(slot: Slot, bytes: &[u8]) {
    use std::io::Write as _;
    let _ = FdWriter::new(slot).write_all(bytes);
}

/// Borrows a raw descriptor for one call.
pub(crate) fn borrow_fd(fd: RawFd) -> BorrowedFd<'static> {
    // SAFETY: the descriptor is only used for the call at hand, never
    // closed or kept; a closed one makes the call fail with EBADF.
    unsafe { BorrowedFd::borrow_raw(fd) }
}
