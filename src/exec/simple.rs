//! A simple command in the foreground. Its words are expanded first, then
//! its redirections opened (into a frame of their own), then its `NAME=value`
//! prefixes assigned for it alone, as bash orders them. Then what the name
//! resolves to runs: a function or a builtin right in the shell, writing
//! through the frame's slots; a program in a forked child the shell waits
//! for.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use minishell_builtins::Builtin;

use super::Flow;
use super::context::ShellContext;
use super::lookup::Resolved;
use super::spawn::{Program, Work, spawn};
use crate::ast::{AssignValue, Assignment, SimpleCommand};
use crate::expand::reference::{self, Key, Reference};
use crate::expand::{self, ExpandError};
use crate::jobs::{Process, ProcessState};
use crate::shell::Shell;
use crate::status::{NOT_EXECUTABLE, Status};
use crate::vars::Value;

impl Shell {
    pub(super) fn run_simple(&mut self, command: &SimpleCommand) -> Flow {
        // Taken now: what its words expand (a `$( )` run in the shell) is
        // not the end of anything.
        let tail = std::mem::take(&mut self.tail);
        // The process substitutions its words make close when it is done.
        let passed = self.fds.passed_count();
        let outer = self
            .current_command
            .replace(std::ptr::NonNull::from(command));
        self.failed_command = None;
        // What `$BASH_COMMAND` says in the EXIT trap: the command started
        // last (made only while such a trap is set).
        if self.traps.has(0) && !self.traps.is_running() {
            self.last_command = Some(command.to_string());
        }
        let flow = self.run_simple_command(command, tail);
        if self.status != 0 && self.traps.has(minishell_builtins::TRAP_ERR) {
            self.failed_command = Some(command.to_string());
        }

        self.current_command = outer;
        self.fds.close_passed_from(passed);
        flow
    }

    fn run_simple_command(&mut self, command: &SimpleCommand, tail: bool) -> Flow {
        self.lineno = command.line;
        self.substitution_status = None;
        let flow = self.run_debug_trap(|| command.to_string());
        if !flow.is_normal() {
            return flow;
        }
        let argv = match expand::argv(self, &command.words) {
            Ok(argv) => argv,
            Err(e) => return self.expansion_failed(e),
        };
        crate::explain::words(&command.words, &argv);
        let Some(name) = argv.first() else {
            return self.run_assignments_only(command);
        };
        match command.words.last() {
            // `declare a=(1 2)`: bash's `$_` is the array's name.
            Some(crate::ast::Argument::Assignment(Assignment {
                name,
                value: AssignValue::Array(_),
                ..
            })) => self.last_argument = name.as_bytes().to_vec(),
            _ => {
                if let Some(last) = argv.last() {
                    self.last_argument.clone_from(last);
                }
            }
        }
        // `PATH=dir cmd` looks `cmd` up on its own PATH, once it is set.
        let own_path = command.assignments.iter().any(|a| a.name == "PATH");
        let resolved = (!own_path).then(|| self.resolve(name));
        let trace_slot = self.fds.slot(2);
        if let Err(e) = self.push_redirections(&command.redirections) {
            return self.expansion_failed(e);
        }
        // The command's own trace (its assignments, then its words) goes
        // where standard error pointed before its redirections.
        self.trace_slot = Some(trace_slot);
        let flow = self.with_assignments(&command.assignments, |shell| {
            if shell.options.xtrace {
                shell.trace_words(&argv);
            }
            shell.trace_slot = None;
            let resolved = match resolved {
                Some(resolved) => resolved,
                None => shell.resolve(&argv[0]),
            };
            shell.run_resolved(resolved, argv, command, tail)
        });
        self.trace_slot = None;
        self.fds.pop();
        match flow {
            Ok(Flow::Normal) => self.check_errexit(),
            Ok(flow) => flow,
            Err(e) => self.expansion_failed(e),
        }
    }

    /// Runs what a command name resolved to, its redirections in place.
    /// `tail`: nothing is left to do after it (see [`Shell::tail`]).
    fn run_resolved(
        &mut self,
        resolved: Resolved,
        argv: Vec<Vec<u8>>,
        command: &SimpleCommand,
        tail: bool,
    ) -> Flow {
        let shell = self;
        match resolved {
            Resolved::Function(def) => {
                crate::explain::function(&argv[0]);
                shell.call_function(&def, argv)
            }
            Resolved::Builtin(builtin) => shell.run_builtin_here(builtin, argv),
            Resolved::Cannot { message, status } => {
                // No child is needed to say so; the message goes where the
                // command's stderr points (`nosuch 2>/dev/null` is silent).
                super::write_to_slot(shell.fds.slot(2), &message);
                shell.status = status;
                Flow::Normal
            }
            Resolved::File(path) => {
                shell.status = shell.run_program(path, argv, command, tail);
                Flow::Normal
            }
        }
    }

    /// Forks, execs and waits for a program; or, as the last thing this
    /// process does (`tail`), with nothing the shell must do after it,
    /// becomes the program with `execve`: `sh -c /bin/true` makes no fork.
    fn run_program(
        &mut self,
        path: Vec<u8>,
        argv: Vec<Vec<u8>>,
        command: &SimpleCommand,
        tail: bool,
    ) -> Status {
        let environment = self.vars.environment();
        let missing = self.missing_message(argv.first().map_or(&[][..], |a| a), true);
        if tail && self.nothing_left_after() {
            return self.replace_with_program(path, argv, environment, missing);
        }
        let Some(program) = Program::new(
            path,
            argv,
            environment,
            self.error_prefix().into_bytes(),
            missing,
        ) else {
            self.report_error("argument holds a NUL byte");
            return NOT_EXECUTABLE;
        };
        let launch = self.launch(false);
        let plan = self.fds.child_actions();
        let child = spawn(
            Work::Exec(&program),
            &plan.actions,
            launch.signals,
            launch.group,
        );
        drop(plan);
        let Some(pid) = self.started(child) else {
            return 1;
        };
        let process = Process {
            pid: pid.as_raw(),
            state: ProcessState::Running,
            command: self.job_text(command, false),
        };
        let pgid = self.terminal.as_ref().map(|_| pid.as_raw());
        let id = self.jobs.add(pgid, vec![process], false);
        self.wait_foreground(id)
    }

    /// Whether the shell has nothing to do once its last command ends: no
    /// trap to run (EXIT included), no job to wait for or report, no
    /// terminal to take back. Explain mode narrates the execve in place, as
    /// strace sees it.
    fn nothing_left_after(&self) -> bool {
        !self.interactive()
            && self.terminal.is_none()
            && !self.traps.any_to_run()
            && self.jobs.pending().is_none()
    }

    /// The tail command's `execve` in this very process, its redirections
    /// made for real first. Returns only if it failed, having said why
    /// where the command's standard error points, as the forked child
    /// would have (127 for a missing file, 126 for one that cannot run).
    fn replace_with_program(
        &mut self,
        path: Vec<u8>,
        argv: Vec<Vec<u8>>,
        environment: std::rc::Rc<crate::vars::Environment>,
        missing: Vec<u8>,
    ) -> Status {
        let name = argv.first().cloned().unwrap_or_default();
        let prefix = self.error_prefix().into_bytes();
        let Some(program) = Program::new(path, argv, environment, prefix.clone(), missing.clone())
        else {
            self.report_error("argument holds a NUL byte");
            return NOT_EXECUTABLE;
        };
        let plan = self.fds.child_actions();
        let errno = super::spawn::exec_in_place(&program, &plan.actions);
        drop(plan);
        // The descriptors moved for real: fd 2 is the command's stderr.
        let stderr = super::redirect::Slot::Fd(2);
        match errno {
            // A descriptor that could not be used: already reported.
            libc::EBADF => 1,
            libc::ENOENT => {
                super::write_to_slot(stderr, &missing);
                crate::status::NOT_FOUND
            }
            _ => {
                // A binary for another machine, or data: bash's words, as
                // the forked child says them (spawn.rs).
                let reason = match errno {
                    libc::ENOEXEC => "cannot execute binary file: Exec format error",
                    _ => nix::errno::Errno::from_raw(errno).desc(),
                };
                let text = [&prefix[..], &name, b": ", reason.as_bytes(), b"\n"].concat();
                super::write_to_slot(stderr, &text);
                NOT_EXECUTABLE
            }
        }
    }

    /// Runs a builtin in the shell's own process. Its output goes where its
    /// redirections point; the shell's descriptors 1 and 2 never move.
    pub(super) fn run_builtin_here(&mut self, builtin: &Builtin, argv: Vec<Vec<u8>>) -> Flow {
        crate::explain::builtin(builtin);
        let args: Vec<OsString> = argv.into_iter().map(OsString::from_vec).collect();
        let (stdout, stderr) = (self.fds.slot(1), self.fds.slot(2));
        let mut context = ShellContext::new(self, stdout, stderr);
        let status = builtin.invoke(&args, &mut context);
        let flow = context.take_flow();
        self.status = status;
        flow
    }

    /// `NAME=value` with no command: sets shell variables for good. Then
    /// any redirections are made (creating files) and undone. The status
    /// is that of the last command substitution, or 0.
    fn run_assignments_only(&mut self, command: &SimpleCommand) -> Flow {
        for assignment in &command.assignments {
            if let Err(e) = self.assign(assignment) {
                return self.expansion_failed(e);
            }
        }
        self.status = self.substitution_status.unwrap_or(0);
        // A command of assignments only has no last argument.
        self.last_argument.clear();
        if !command.redirections.is_empty() {
            match self.push_redirections(&command.redirections) {
                Ok(()) => self.fds.pop(),
                Err(e) => return self.expansion_failed(e),
            }
        }
        self.check_errexit()
    }

    /// Performs one assignment: a scalar, an element (`a[i]=v`), a whole
    /// array (`a=(…)`), or an append (`+=`).
    pub(super) fn assign(&mut self, assignment: &Assignment) -> Result<(), ExpandError> {
        let mut name = std::borrow::Cow::Borrowed(assignment.name.as_str());
        let result = match &assignment.value {
            AssignValue::Scalar(word) => {
                let value = expand::string(self, word)?;
                if let Some(index) = &assignment.index {
                    let key = self.element_key(&name, index)?;
                    return self.assign_at(&name, key, value, assignment.append);
                }
                if reference::is_nameref(self, &name) {
                    match reference::resolve(self, &name)? {
                        Reference::Name(target) => name = std::borrow::Cow::Owned(target),
                        Reference::Element { base, key } => {
                            return self.assign_at(&base, key, value, assignment.append);
                        }
                        other => return reference::write(self, &other, value),
                    }
                }
                self.assign_scalar(&name, value, assignment.append)?
            }
            AssignValue::Array(_) if self.element_reference(&name).is_some() => {
                self.report_error(&format!("{name}: cannot assign list to array member"));
                return Err(ExpandError::Abandon(1));
            }
            AssignValue::Array(elements) => {
                let assoc = matches!(
                    self.vars.var(&name).map(|v| &v.value),
                    Some(Value::Assoc(_))
                );
                let value = self.array_value(&name, elements, assoc, assignment.append)?;
                self.vars.set_value(&name, value)
            }
        };
        self.after_assignment(&name);
        result.map_err(|e| self.assignment_failed(&e))
    }

    /// `name=value` or `name+=value` on a variable: arithmetic for an
    /// integer one (`-i`), appended to element 0 of an array, as in bash.
    fn assign_scalar(
        &mut self,
        name: &str,
        mut value: Vec<u8>,
        append: bool,
    ) -> Result<Result<(), crate::vars::VarError>, ExpandError> {
        if name == "_" {
            // `$_` is the shell's own (the last argument of the command
            // before): a value given to it lasts until the next command.
            self.last_argument = value;
            return Ok(Ok(()));
        }
        let integer = self.vars.var(name).is_some_and(|v| v.attrs.integer);
        if integer {
            let mut text = value;
            if append {
                text = [self.vars.get(name).unwrap_or(b"0"), b"+(", &text, b")"].concat();
            }
            value = expand::eval_arith_text(self, &text)?
                .to_string()
                .into_bytes();
        } else if append {
            let old = self.vars.get(name).unwrap_or_default().to_vec();
            value = [old, value].concat();
        }
        Ok(self.vars.set(name, value))
    }

    /// What an assignment leaves behind besides the value: the export of
    /// `set -a` and the trace of `set -x`.
    fn after_assignment(&mut self, name: &str) {
        if self.options.allexport {
            self.vars.set_exported(name, true);
        }
        if self.options.xtrace {
            self.trace_assignment(name);
        }
    }

    /// A variable that cannot be assigned (readonly, a nameref loop): the
    /// rest of the command line is dropped, as bash drops it.
    fn assignment_failed(&mut self, error: &crate::vars::VarError) -> ExpandError {
        if *error != crate::vars::VarError::ChainTooLong {
            self.report_error(&error.to_string());
        }
        ExpandError::Abandon(1)
    }

    /// The place `a[index]` names: a key of an associative array, else an
    /// arithmetic index (negative counts back from the end).
    fn element_key(&mut self, name: &str, index: &crate::ast::Word) -> Result<Key, ExpandError> {
        let key = expand::string(self, index)?;
        let value = self.vars.var(name).map(|v| &v.value);
        if let Some(Value::Assoc(_)) = value {
            return Ok(Key::Text(key));
        }
        let mut i = expand::eval_arith_text(self, &key)?;
        if i < 0 {
            let last = match self.vars.var(name).map(|v| &v.value) {
                Some(Value::Indexed(a)) => a.keys().next_back().copied(),
                Some(Value::Scalar(_)) => Some(0),
                _ => None,
            };
            match last {
                Some(last) if last + 1 + i >= 0 => i += last + 1,
                _ => {
                    self.report_error(&format!(
                        "{name}[{}]: bad array subscript",
                        String::from_utf8_lossy(&key)
                    ));
                    return Err(ExpandError::Failed(1));
                }
            }
        }
        Ok(Key::Index(i))
    }

    /// `a[i]=v` and `a[i]+=v` (also through a nameref to `a[i]`): appended
    /// to the old element, or added to it in an integer array.
    fn assign_at(
        &mut self,
        name: &str,
        key: Key,
        value: Vec<u8>,
        append: bool,
    ) -> Result<(), ExpandError> {
        let old = match (self.vars.var(name).map(|v| &v.value), &key) {
            (Some(Value::Assoc(a)), Key::Text(k)) => a.get(k).map(<[u8]>::to_vec),
            (Some(Value::Indexed(a)), Key::Index(i)) => a.get(i).cloned(),
            (Some(Value::Scalar(s)), Key::Index(0)) => Some(s.clone()),
            _ => None,
        };
        let integer = self.vars.var(name).is_some_and(|v| v.attrs.integer);
        let value = if integer {
            let text = match append {
                true => [old.as_deref().unwrap_or(b"0"), b"+(", &value, b")"].concat(),
                false => value,
            };
            expand::eval_arith_text(self, &text)?
                .to_string()
                .into_bytes()
        } else if append {
            [old.unwrap_or_default(), value].concat()
        } else {
            value
        };
        let result = match key {
            Key::Text(k) => self.vars.set_key(name, k, value),
            Key::Index(i) => self.vars.set_element(name, i, value),
        };
        result.map_err(|e| self.assignment_failed(&e))
    }

    /// The value `a=( … )` makes: elements expanded like a command's words
    /// (split, globbed), `[k]=v` ones at their key.
    fn array_value(
        &mut self,
        name: &str,
        elements: &[crate::ast::ArrayElement],
        assoc: bool,
        append: bool,
    ) -> Result<Value, ExpandError> {
        if assoc {
            let mut map = match (append, self.vars.var(name).map(|v| &v.value)) {
                (true, Some(Value::Assoc(a))) => a.clone(),
                _ => crate::vars::Assoc::default(),
            };
            for element in elements {
                let value = expand::string(self, &element.value)?;
                let key = match &element.key {
                    Some(key) => expand::string(self, key)?,
                    None => value.clone(),
                };
                map.insert(key, value);
            }
            return Ok(Value::Assoc(map));
        }
        let mut array = match (append, self.vars.var(name).map(|v| &v.value)) {
            (true, Some(Value::Indexed(a))) => a.clone(),
            (true, Some(Value::Scalar(s))) => std::iter::once((0, s.clone())).collect(),
            _ => std::collections::BTreeMap::new(),
        };
        let mut next = array.keys().next_back().map_or(0, |k| k + 1);
        for element in elements {
            match &element.key {
                Some(key) => {
                    let text = expand::string(self, key)?;
                    let index = expand::eval_arith_text(self, &text)?;
                    let value = expand::string(self, &element.value)?;
                    array.insert(index, value);
                    next = index + 1;
                }
                None => {
                    for value in expand::fields(self, std::slice::from_ref(&element.value))? {
                        array.insert(next, value);
                        next += 1;
                    }
                }
            }
        }
        Ok(Value::Indexed(array))
    }

    /// Runs `f` with a command's `NAME=value` assignments in effect and
    /// exported, then puts the variables back: `LANG=C sort` changes only
    /// sort's environment. Each value sees the ones before it (`a=1 b=$a`).
    pub(super) fn with_assignments<R>(
        &mut self,
        assignments: &[Assignment],
        f: impl FnOnce(&mut Shell) -> R,
    ) -> Result<R, ExpandError> {
        if assignments.is_empty() {
            return Ok(f(self));
        }
        let mut saved = Vec::with_capacity(assignments.len());
        let mut failure = None;
        for assignment in assignments {
            if self.vars.is_readonly(&assignment.name) {
                // bash says so and runs the command all the same.
                self.report_error(&format!("{}: readonly variable", assignment.name));
                continue;
            }
            saved.push((assignment.name.as_str(), self.vars.saved(&assignment.name)));
            if let Err(e) = self.assign(assignment) {
                failure = Some(e);
                break;
            }
            self.vars.set_exported(&assignment.name, true);
        }
        let result = match failure {
            None => Ok(f(self)),
            Some(e) => Err(e),
        };
        for (name, old) in saved.into_iter().rev() {
            self.vars.restore(name, old);
        }
        result
    }
}

impl Shell {
    /// `command NAME ARGS`: runs a builtin or a program, never a function;
    /// with `default_path`, PATH is the system's default.
    pub(super) fn run_without_functions(&mut self, argv: Vec<Vec<u8>>, default_path: bool) -> Flow {
        let Some(name) = argv.first() else {
            return Flow::Normal;
        };
        let path = match default_path {
            true => b"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_vec(),
            false => self.vars.get("PATH").unwrap_or_default().to_vec(),
        };
        let prefix = self.error_prefix();
        match super::lookup::resolve(name, || Some(&path), prefix.as_bytes()) {
            Resolved::Builtin(builtin) => self.run_builtin_here(builtin, argv),
            Resolved::Cannot { message, status } => {
                super::write_to_slot(self.fds.slot(2), &message);
                self.status = status;
                Flow::Normal
            }
            Resolved::File(file) => {
                let command = SimpleCommand::default();
                self.status = self.run_program(file, argv, &command, false);
                Flow::Normal
            }
            Resolved::Function(_) => Flow::Normal,
        }
    }

    /// `exec NAME ARGS`: the shell becomes the program, its redirections
    /// made for real. Returns (with the status to exit with) only when the
    /// program could not be run.
    /// `zero` (`exec -a`) becomes argv[0]; `clean` (`exec -c`) empties
    /// the environment.
    pub fn exec_replacing(
        &mut self,
        mut argv: Vec<Vec<u8>>,
        zero: Option<Vec<u8>>,
        clean: bool,
    ) -> Status {
        let Some(name) = argv.first().cloned() else {
            return 0;
        };
        let path = match self.resolve(&name) {
            Resolved::File(path) => path,
            Resolved::Builtin(_) | Resolved::Function(_) => {
                // bash's exec runs only programs.
                super::search_path(&name, self.vars.get("PATH").unwrap_or_default())
                    .file()
                    .unwrap_or_default()
            }
            Resolved::Cannot { .. } => Vec::new(),
        };
        if path.is_empty() {
            let text = String::from_utf8_lossy(&name).into_owned();
            self.report_error(&format!("exec: {text}: not found"));
            return crate::status::NOT_FOUND;
        }
        let environment = match clean {
            true => std::rc::Rc::new(crate::vars::Environment::empty()),
            false => self.vars.environment(),
        };
        let missing = self.missing_message(&name, true);
        if let Some(zero) = zero {
            argv[0] = zero;
        }
        let Some(program) = Program::new(
            path,
            argv,
            environment,
            self.error_prefix().into_bytes(),
            missing,
        ) else {
            return NOT_EXECUTABLE;
        };
        let plan = self.fds.child_actions();
        if let Some(terminal) = self.terminal.take() {
            terminal.release();
        }
        let errno = super::spawn::exec_in_place(&program, &plan.actions);
        let text = String::from_utf8_lossy(&name).into_owned();
        let message = match errno {
            libc::ENOEXEC => "cannot execute binary file: Exec format error",
            _ => nix::errno::Errno::from_raw(errno).desc(),
        };
        self.report_error(&format!("{text}: {message}"));
        if errno == libc::ENOENT {
            crate::status::NOT_FOUND
        } else {
            NOT_EXECUTABLE
        }
    }
}
