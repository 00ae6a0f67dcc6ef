//! The shell as builtins see it: the [`Context`] of the builtins crate,
//! implemented over the shell's state and two output descriptors.

use std::ffi::{OsStr, OsString};
use std::io::{self, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};

use minishell_builtins::output::Output;
use minishell_builtins::{
    CommandKind, Context, Declaration, Flow, JobSummary, Status, TrapAction, VarInfo,
};

use super::redirect::Slot;
use crate::expand::reference::{self, Key, Reference};
use crate::shell::Shell;
use crate::signals::InterruptibleWait;
use crate::vars::Value;

/// Writes straight to a descriptor, unbuffered: builtins write a line or a
/// listing at a time, and nothing is left to flush when a child `_exit`s.
pub struct FdWriter {
    slot: Slot,
}

impl FdWriter {
    pub fn new(slot: Slot) -> FdWriter {
        FdWriter { slot }
    }
}

impl Write for FdWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let Slot::Fd(fd) = self.slot else {
            return Err(io::Error::from_raw_os_error(libc::EBADF));
        };
        loop {
            match nix::unistd::write(super::borrow_fd(fd), buf) {
                Err(nix::errno::Errno::EINTR) => continue,
                result => return result.map_err(io::Error::from),
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A builtin's view of the shell: its state, its two output streams, and
/// the flow it asks for (`break`, `return`, `exit`).
pub struct ShellContext<'a> {
    pub shell: &'a mut Shell,
    stdout: Output<FdWriter>,
    stderr: FdWriter,
    flow: Flow,
}

impl<'a> ShellContext<'a> {
    /// After `eval` or `.`: an error that drops a line (a readonly
    /// assignment, bad arithmetic) ends only the text run, which then
    /// fails, as in bash; a builtin's "too many arguments" still drops the
    /// caller's line too. `outer` is the caller's mark, put back.
    fn contain_abandon(&mut self, flow: Flow, outer: bool, status: Status) -> Status {
        let by_builtin = std::mem::replace(&mut self.shell.builtin_abandoned, outer);
        if matches!(flow, Flow::Abandon) && !by_builtin {
            self.flow = Flow::Normal;
            return 1;
        }
        self.shell.builtin_abandoned |= by_builtin;
        self.flow = flow;
        status
    }

    pub fn new(shell: &'a mut Shell, stdout: Slot, stderr: Slot) -> ShellContext<'a> {
        ShellContext {
            shell,
            stdout: Output::new(FdWriter::new(stdout)),
            stderr: FdWriter::new(stderr),
            flow: Flow::Normal,
        }
    }

    /// The flow the builtin asked for, once it returned.
    pub fn take_flow(&mut self) -> Flow {
        std::mem::replace(&mut self.flow, Flow::Normal)
    }

    /// At a prompt, Ctrl-C interrupts a `wait` (the shell otherwise ignores
    /// it); in scripts SIGINT keeps its default and ends the shell, as in
    /// bash.
    fn interruptible(&self) -> Option<InterruptibleWait> {
        self.shell
            .terminal
            .as_ref()
            .map(|_| InterruptibleWait::begin())
    }
}

impl Context for ShellContext<'_> {
    fn change_dir(&mut self, path: &std::path::Path) -> std::io::Result<()> {
        crate::sys::chdir(path)
    }

    fn kill(&mut self, pid: i32, signal: Option<nix::sys::signal::Signal>) -> nix::Result<()> {
        crate::sys::kill(pid, signal)
    }

    fn parse_tree(&mut self, text: &[u8]) -> Result<String, String> {
        crate::parse::parse(text)
            .map(|list| crate::ast::tree::draw(&list))
            .map_err(|e| e.describe())
    }

    fn stdout(&mut self) -> &mut dyn Write {
        &mut self.stdout
    }

    fn take_write_error(&mut self) -> Option<io::Error> {
        self.stdout.take_error()
    }

    fn stderr(&mut self) -> &mut dyn Write {
        &mut self.stderr
    }

    fn var(&self, name: &str) -> Option<OsString> {
        self.shell
            .vars
            .get(name)
            .map(|v| OsString::from_vec(v.to_vec()))
    }

    fn utf8_locale(&self) -> bool {
        self.shell.utf8()
    }

    fn set_var(&mut self, name: &str, value: &OsStr) -> Result<(), String> {
        if name.contains('[') {
            // `read 'a[i]'`: the subscript is evaluated as an assignment
            // statement's would be.
            return self.shell.assign_text(name, value.as_bytes(), false);
        }
        self.shell
            .vars
            .set(name, value.as_bytes().to_vec())
            .map_err(|e| e.to_string())
    }

    fn set_exported(&mut self, name: &str, exported: bool) {
        self.shell.vars.set_exported(name, exported);
    }

    fn unset_var(&mut self, name: &str) -> Result<(), String> {
        let shell = &mut *self.shell;
        let place = match name.split_once('[') {
            Some((array, rest)) => {
                let inside = rest.strip_suffix(']').unwrap_or(rest);
                let assoc = matches!(
                    shell.vars.var(array).map(|v| &v.value),
                    Some(Value::Assoc(_))
                );
                let key = match assoc {
                    true => Key::Text(inside.as_bytes().to_vec()),
                    false => match crate::expand::eval_arith_text(shell, inside.as_bytes()) {
                        // A negative index counts back from the last element.
                        Ok(i) if i < 0 => match shell.vars.var(array).map(|v| &v.value) {
                            Some(Value::Indexed(a)) => match a.keys().next_back() {
                                Some(last) if last + 1 + i >= 0 => Key::Index(last + 1 + i),
                                _ => return Err(format!("[{i}]: bad array subscript")),
                            },
                            _ => Key::Index(i),
                        },
                        Ok(i) => Key::Index(i),
                        Err(_) => return Err(String::new()),
                    },
                };
                Reference::Element {
                    base: array.to_owned(),
                    key,
                }
            }
            None if reference::is_nameref(shell, name) => match reference::resolve(shell, name) {
                Ok(place) => place,
                Err(_) => return Err(String::new()),
            },
            None => Reference::Name(name.to_owned()),
        };
        let result = match place {
            Reference::Name(target) => shell.vars.unset(&target),
            Reference::Element { base, key } => {
                // An element other than 0 of a variable that is no array
                // (set or only declared): bash refuses, status 1.
                let scalar = shell.vars.var(&base).is_some_and(|v| {
                    matches!(
                        v.value,
                        crate::vars::Value::Scalar(_) | crate::vars::Value::Unset
                    )
                });
                if scalar && !matches!(key, Key::Index(0)) {
                    return Err(format!("{base}: not an array variable"));
                }
                let (text, index) = match key {
                    Key::Index(i) => (i.to_string().into_bytes(), Some(i)),
                    Key::Text(k) => (k, None),
                };
                shell.vars.unset_element(&base, &text, index)
            }
            // `a[@]` cannot be unset through a nameref; a loop unsets the
            // name itself (bash warned already).
            Reference::All { .. } => Ok(()),
            Reference::Broken => shell.vars.unset_raw(name),
        };
        result.map_err(|e| {
            e.to_string()
                .replace("readonly variable", "cannot unset: readonly variable")
        })
    }

    fn exported_vars(&self) -> Vec<(String, Option<OsString>)> {
        self.shell.vars.exported()
    }

    fn var_is_set(&self, name: &str) -> bool {
        crate::cond::variable_is_set(self.shell, name.as_bytes())
    }

    fn set_array(&mut self, name: &str, values: Vec<OsString>) -> Result<(), String> {
        let array = values
            .into_iter()
            .enumerate()
            .map(|(i, v)| (i as i64, v.into_vec()))
            .collect();
        self.shell
            .vars
            .set_value(name, crate::vars::Value::Indexed(array))
            .map_err(|e| e.to_string())
    }

    fn set_array_from(
        &mut self,
        name: &str,
        origin: i64,
        values: Vec<OsString>,
    ) -> Result<(), String> {
        for (i, value) in values.into_iter().enumerate() {
            self.shell
                .vars
                .set_element(name, origin + i as i64, value.into_vec())
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    fn input_fd(&self, fd: i32) -> Option<i32> {
        match self.shell.fds.slot(fd) {
            Slot::Fd(real) => Some(real),
            Slot::Closed => None,
        }
    }

    fn positional(&self) -> Vec<OsString> {
        self.shell
            .params
            .args
            .iter()
            .map(|a| OsString::from_vec(a.clone()))
            .collect()
    }

    fn set_positional(&mut self, args: Vec<OsString>) {
        self.shell.params.args = args.into_iter().map(OsString::into_vec).collect();
    }

    fn option(&self, name: &str) -> Option<bool> {
        let mut options = self.shell.options.clone();
        options.by_name(name).map(|on| *on)
    }

    fn arith(&mut self, text: &[u8]) -> Option<i64> {
        match crate::expand::eval_arith_text(self.shell, text) {
            Ok(value) => Some(value),
            // `set -u` and an unset name: the script ends, as with `$x`.
            Err(crate::expand::ExpandError::Fatal(status)) => {
                self.flow = match self.shell.interactive() && !self.shell.subshell {
                    true => Flow::Abandon,
                    false => Flow::Exit(status),
                };
                None
            }
            Err(_) => None,
        }
    }

    fn variables(&self) -> Vec<VarInfo> {
        self.shell
            .vars
            .visible()
            .into_iter()
            .map(|(name, var)| Shell::var_info(name, var))
            .collect()
    }

    fn variable(&self, name: &str) -> Option<VarInfo> {
        self.shell
            .vars
            .var_raw(name)
            .map(|var| Shell::var_info(name, var))
    }

    /// `unset -n`: the nameref itself goes; a variable that is no nameref
    /// stays, as in bash.
    fn unset_nameref(&mut self, name: &str) -> Result<(), String> {
        match self.shell.vars.var_raw(name) {
            Some(var) if var.attrs.nameref && var.attrs.readonly => {
                Err(format!("{name}: cannot unset: readonly variable"))
            }
            Some(var) if var.attrs.nameref => {
                self.shell.vars.unset_raw(name).map_err(|e| e.to_string())
            }
            _ => Ok(()),
        }
    }

    fn declare(&mut self, declaration: &Declaration) -> Result<(), String> {
        self.shell.declare(declaration)
    }

    fn eval_assignment(&mut self, target: &str, value: &[u8], append: bool) -> Result<(), String> {
        self.shell.assign_text(target, value, append)
    }

    fn functions(&self) -> Vec<(String, String)> {
        let mut list: Vec<(String, String)> = self
            .shell
            .functions
            .iter()
            .map(|(name, def)| (name.clone(), crate::ast::pretty::function(def)))
            .collect();
        list.sort();
        list
    }

    fn options(&self, shopt: bool) -> Vec<(&'static str, bool)> {
        self.shell.options.list(shopt)
    }

    fn set_option(&mut self, name: &str, on: bool) -> bool {
        self.shell.options.set(name, on)
    }

    fn set_option_letter(&mut self, letter: char, on: bool) -> bool {
        match self.shell.options.by_letter(letter) {
            Some(field) => {
                *field = on;
                true
            }
            None => false,
        }
    }

    fn eval(&mut self, text: &[u8]) -> Status {
        let line = self.shell.lineno.max(1);
        let outer = std::mem::take(&mut self.shell.builtin_abandoned);
        let flow = crate::repl::run_text(self.shell, text, line);
        let status = self.shell.status;
        self.contain_abandon(flow, outer, status)
    }

    fn source(&mut self, path: &OsStr, args: Option<Vec<OsString>>) -> Option<Status> {
        let outer = std::mem::take(&mut self.shell.builtin_abandoned);
        let result = self.shell.source_file(path.as_bytes(), args);
        let Some((status, flow)) = result else {
            self.shell.builtin_abandoned = outer;
            return None;
        };
        Some(self.contain_abandon(flow, outer, status))
    }

    fn exec(&mut self, argv: &[OsString], zero: Option<&OsStr>, clean: bool) -> Status {
        let argv: Vec<Vec<u8>> = argv.iter().map(|a| a.as_bytes().to_vec()).collect();
        self.shell
            .exec_replacing(argv, zero.map(|z| z.as_bytes().to_vec()), clean)
    }

    fn keep_redirections(&mut self) {
        if let Err(e) = self.shell.fds.make_permanent() {
            self.shell.report_error(&e.to_string());
        }
    }

    fn run_command(&mut self, argv: &[OsString], default_path: bool) -> Status {
        let argv: Vec<Vec<u8>> = argv.iter().map(|a| a.as_bytes().to_vec()).collect();
        let flow = self.shell.run_without_functions(argv, default_path);
        self.flow = flow;
        self.shell.status
    }

    fn run_builtin(&mut self, argv: &[OsString]) -> Option<Status> {
        let builtin = minishell_builtins::find(argv.first()?.as_bytes())?;
        if builtin.place == minishell_builtins::Place::Process {
            return None;
        }
        let argv: Vec<Vec<u8>> = argv.iter().map(|a| a.as_bytes().to_vec()).collect();
        self.flow = self.shell.run_builtin_here(builtin, argv);
        Some(self.shell.status)
    }

    fn set_trap(&mut self, condition: i32, action: Option<TrapAction>) -> Result<(), String> {
        self.shell.set_trap(condition, action)
    }

    fn traps(&self) -> Vec<(i32, TrapAction)> {
        self.shell.traps.list()
    }

    fn aliases(&self) -> Vec<(String, OsString)> {
        let mut list: Vec<(String, OsString)> = self
            .shell
            .aliases
            .iter()
            .map(|(name, value)| (name.clone(), OsString::from_vec(value.clone())))
            .collect();
        list.sort();
        list
    }

    fn set_alias(&mut self, name: &str, value: Option<&OsStr>) -> bool {
        let aliases = std::rc::Rc::make_mut(&mut self.shell.aliases);
        match value {
            Some(value) => aliases
                .insert(name.to_owned(), value.as_bytes().to_vec())
                .is_some(),
            None => aliases.remove(name).is_some(),
        }
    }

    fn clear_aliases(&mut self) {
        std::rc::Rc::make_mut(&mut self.shell.aliases).clear();
    }

    fn hashed(&self) -> Vec<(String, OsString, u32)> {
        let mut list: Vec<(String, OsString, u32)> = self
            .shell
            .command_hash
            .iter()
            .map(|(name, (path, hits))| {
                (
                    String::from_utf8_lossy(name).into_owned(),
                    OsString::from_vec(path.clone()),
                    *hits,
                )
            })
            .collect();
        list.sort();
        list
    }

    fn hash(&mut self, name: &str, path: Option<&OsStr>) -> bool {
        let shell = &mut *self.shell;
        shell.hashed_path = shell.vars.get("PATH").unwrap_or_default().to_vec();
        let found = match path {
            Some(path) => Some(path.as_bytes().to_vec()),
            None => super::lookup::search_path(name.as_bytes(), &shell.hashed_path).file(),
        };
        match found {
            Some(found) => {
                shell
                    .command_hash
                    .insert(name.as_bytes().to_vec(), (found, 0));
                true
            }
            None => false,
        }
    }

    fn unhash(&mut self, name: Option<&str>) -> bool {
        match name {
            Some(name) => self.shell.command_hash.remove(name.as_bytes()).is_some(),
            None => {
                self.shell.command_hash.clear();
                true
            }
        }
    }

    fn dir_stack(&mut self) -> &mut Vec<OsString> {
        &mut self.shell.dir_stack
    }

    fn wait_any(&mut self) -> Option<Status> {
        let _ctrl_c = self.interruptible();
        let stops = self.shell.terminal.is_some();
        self.shell.jobs.wait_any(stops)
    }

    fn call_stack(&self) -> [Vec<OsString>; 3] {
        ["FUNCNAME", "BASH_SOURCE", "BASH_LINENO"].map(|name| {
            self.shell
                .dynamic_array(name)
                .unwrap_or_default()
                .into_iter()
                .map(OsString::from_vec)
                .collect()
        })
    }

    fn message_prefix(&self) -> String {
        self.shell.error_prefix()
    }

    fn interactive(&self) -> bool {
        self.shell.interactive()
    }

    fn last_status(&self) -> Status {
        self.shell.status
    }

    fn request_exit(&mut self, status: Status) {
        if self.shell.exit_allowed() {
            self.flow = Flow::Exit(status);
        }
    }

    fn abandon_line(&mut self) {
        self.flow = Flow::Abandon;
        self.shell.builtin_abandoned = true;
    }

    fn set_flow(&mut self, flow: Flow) {
        self.flow = flow;
    }

    fn loop_depth(&self) -> usize {
        self.shell.loop_depth
    }

    fn in_function(&self) -> bool {
        // Each call has a scope of its own; `source` has none (a file
        // sourced at the top level declares globals, as in bash).
        self.shell.vars.in_function()
    }

    fn can_return(&self) -> bool {
        self.shell.function_depth > 0
    }

    fn unset_function(&mut self, name: &str) -> bool {
        self.shell.functions.remove(name).is_some()
    }

    fn resolve_command(&self, name: &OsStr, all: bool) -> Vec<CommandKind> {
        self.shell.describe_command(name.as_bytes(), all)
    }

    fn history(&self) -> Vec<String> {
        self.shell.history.clone()
    }

    fn find_in_path(&self, name: &OsStr) -> Option<OsString> {
        match super::lookup::search_path(
            name.as_bytes(),
            self.shell.vars.get("PATH").unwrap_or_default(),
        ) {
            super::lookup::Resolved::File(path) => Some(OsString::from_vec(path)),
            _ => None,
        }
    }

    fn job_control(&self) -> bool {
        self.shell.terminal.is_some()
    }

    fn jobs(&mut self) -> Vec<JobSummary> {
        self.shell.jobs.reap();
        self.shell.jobs.summaries()
    }

    fn forget_job(&mut self, id: usize) {
        self.shell.jobs.forget(id);
    }

    fn continue_job(&mut self, id: usize, foreground: bool) -> Result<Status, String> {
        self.shell.continue_job(id, foreground)
    }

    fn wait_all(&mut self) -> Status {
        let _ctrl_c = self.interruptible();
        let stops = self.shell.terminal.is_some();
        self.shell.jobs.wait_all(stops)
    }

    fn wait_job(&mut self, id: usize) -> Option<Status> {
        let _ctrl_c = self.interruptible();
        let stops = self.shell.terminal.is_some();
        self.shell.jobs.wait_job(id, stops)
    }

    fn wait_pid(&mut self, pid: i32) -> Option<Status> {
        let _ctrl_c = self.interruptible();
        let stops = self.shell.terminal.is_some();
        self.shell.jobs.wait_pid(pid, stops)
    }
}
