//! Command substitution without a fork: a "virtual subshell", as ksh93
//! runs one. When the body of `$( … )` needs no process of its own —
//! builtins, assignments, loops, functions made of those — the shell runs
//! it itself, its standard output on a memory file, and afterwards puts
//! back everything the body could have changed, so that nothing tells it
//! from a forked copy: assignments, `cd`, `set`, `shift`, `exit` and the
//! rest stay inside, `$$` is the same (it is in a fork too).
//!
//! Which bodies qualify is decided before running anything, by walking the
//! tree ([`Check`]). Anything a copy of the shell cannot undo or fake
//! (`exec`, a trap, a background job, `ulimit`, `$BASHPID`, code made at
//! run time by `eval`) sends the substitution to the fork it always had. A
//! program found on PATH inside a qualifying body (a function redefined
//! half-way, say) is no problem: it runs as a child either way, writing
//! into the same capture.
//!
//! The saved state is one value, [`Saved`]: what it does not hold, the
//! body cannot change.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use rustc_hash::FxHashMap;

use super::Flow;
use super::fds::PrivateFd;
use crate::ast::{
    Argument, AssignValue, Command, Compound, CompoundKind, List, Param, Pipeline, RedirTarget,
    Redirection, SimpleCommand, Word, WordPart,
};
use crate::shell::Shell;
use crate::status::Status;

/// The builtins a virtual subshell runs as they are: what they change is
/// all in [`Saved`] (variables, options, positional parameters, the
/// working directory), or nothing at all.
const IN_PLACE: &[&[u8]] = &[
    b":",
    b"[",
    b"break",
    b"caller",
    b"cd",
    b"continue",
    b"declare",
    b"dirs",
    b"echo",
    b"exit",
    b"export",
    b"false",
    b"getopts",
    b"let",
    b"local",
    b"mapfile",
    b"popd",
    b"printf",
    b"pushd",
    b"pwd",
    b"read",
    b"readarray",
    b"readonly",
    b"return",
    b"set",
    b"shift",
    b"shopt",
    b"test",
    b"true",
    b"type",
    b"typeset",
];

/// How many simple commands (functions' bodies included) the check looks
/// at before giving up and forking: a huge body gains nothing from it.
const CHECK_BUDGET: usize = 200;

/// Walks a substitution's body and says whether it can run in the shell.
struct Check<'s> {
    shell: &'s Shell,
    /// The functions being checked now, so recursion ends.
    visiting: Vec<&'s str>,
    budget: usize,
    /// Whether the body may change the working directory (then it is
    /// saved as a descriptor and gone back to).
    changes_directory: bool,
}

impl<'s> Check<'s> {
    fn list(&mut self, list: &List) -> bool {
        list.items.iter().all(|item| {
            !item.background
                && self.pipeline(&item.and_or.first)
                && item.and_or.rest.iter().all(|(_, p)| self.pipeline(p))
        })
    }

    /// A single command: a pipeline of several forks its stages anyway.
    fn pipeline(&mut self, pipeline: &Pipeline) -> bool {
        pipeline.timed.is_none()
            && match pipeline.commands.as_slice() {
                [command] => self.command(command),
                _ => false,
            }
    }

    fn command(&mut self, command: &Command) -> bool {
        match command {
            Command::Simple(simple) => self.simple(simple),
            Command::Compound(compound) => self.compound(compound),
            // A function defined inside would change what names run.
            Command::Function(_) => false,
        }
    }

    fn compound(&mut self, compound: &Compound) -> bool {
        if !self.redirections(&compound.redirections) {
            return false;
        }
        match &compound.kind {
            CompoundKind::Group(list) => self.list(list),
            CompoundKind::If(command) => {
                command
                    .branches
                    .iter()
                    .all(|(condition, body)| self.list(condition) && self.list(body))
                    && command
                        .otherwise
                        .as_ref()
                        .is_none_or(|list| self.list(list))
            }
            CompoundKind::While(lp) => self.list(&lp.condition) && self.list(&lp.body),
            CompoundKind::For(lp) => {
                lp.words
                    .as_ref()
                    .is_none_or(|words| words.iter().all(|w| self.word(w)))
                    && self.list(&lp.body)
            }
            CompoundKind::ArithFor(lp) => self.list(&lp.body),
            CompoundKind::Case(case) => {
                self.word(&case.word)
                    && case.items.iter().all(|item| {
                        item.patterns.iter().all(|p| self.word(p)) && self.list(&item.body)
                    })
            }
            CompoundKind::Arith(_) | CompoundKind::Cond(_) => true,
            // A subshell forks anyway; `select` talks to the terminal.
            CompoundKind::Subshell(_) | CompoundKind::Select(_) => false,
        }
    }

    fn simple(&mut self, simple: &SimpleCommand) -> bool {
        if self.budget == 0 {
            return false;
        }
        self.budget -= 1;
        if !self.redirections(&simple.redirections) {
            return false;
        }
        let values_ok = simple
            .assignments
            .iter()
            .all(|assignment| match &assignment.value {
                AssignValue::Scalar(word) => self.word(word),
                AssignValue::Array(elements) => elements.iter().all(|e| self.word(&e.value)),
            });
        if !values_ok {
            return false;
        }
        let mut words = simple.words.iter();
        let Some(first) = words.next() else {
            return true;
        };
        // The name must be known now: `$cmd` could be `exec`.
        let Argument::Word(name) = first else {
            return false;
        };
        let Some(name) = name.as_literal() else {
            return false;
        };
        let args: Vec<&Argument> = words.collect();
        let args_ok = args.iter().all(|argument| match argument {
            Argument::Word(word) => self.word(word),
            Argument::Assignment(assignment) => match &assignment.value {
                AssignValue::Scalar(word) => self.word(word),
                AssignValue::Array(elements) => elements.iter().all(|e| self.word(&e.value)),
            },
        });
        if !args_ok {
            return false;
        }
        // Functions come first, as when the command runs.
        if let Ok(text) = std::str::from_utf8(name) {
            if let Some((defined, def)) = self.shell.functions.get_key_value(text) {
                if self.visiting.contains(&defined.as_str()) {
                    return true;
                }
                self.visiting.push(defined.as_str());
                let ok = self.compound(&def.body);
                self.visiting.pop();
                return ok;
            }
        }
        match name {
            b"cd" | b"pushd" | b"popd" => {
                self.changes_directory = true;
                true
            }
            // `command -v NAME` only looks; `command NAME` could run
            // anything.
            b"command" => matches!(args.first().and_then(literal), Some(b"-v" | b"-V")),
            // `unset` may remove a function (then a name runs something
            // else than was checked): only plain variable names.
            b"unset" => args.iter().all(|argument| {
                literal(argument).is_some_and(|text| {
                    text == b"-v"
                        || (!text.starts_with(b"-")
                            && std::str::from_utf8(text)
                                .is_ok_and(|name| !self.shell.functions.contains_key(name)))
                })
            }),
            _ => IN_PLACE.contains(&name),
        }
    }

    fn redirections(&mut self, redirections: &[Redirection]) -> bool {
        redirections.iter().all(|r| match &r.target {
            RedirTarget::Word(word) => self.word(word),
            RedirTarget::HereDoc(doc) => doc.body.get().is_none_or(|body| self.word(body)),
        })
    }

    fn word(&mut self, word: &Word) -> bool {
        word.parts.iter().all(part_ok)
    }
}

/// An argument's text when it is plain, unexpanded text.
fn literal<'a>(argument: &&'a Argument) -> Option<&'a [u8]> {
    match argument {
        Argument::Word(word) => word.as_literal(),
        Argument::Assignment(_) => None,
    }
}

/// A word part a virtual subshell can expand: not a process substitution
/// (its list forks and outlives the command), not `$BASHPID` (a fork's
/// own PID), not `${!name}` (which could name it).
fn part_ok(part: &WordPart) -> bool {
    match part {
        WordPart::ProcessSub { .. } => false,
        WordPart::DoubleQuoted(inner) => inner.iter().all(part_ok),
        WordPart::Param(expr) => {
            !expr.indirect && !matches!(&expr.param, Param::Named(name) if name == "BASHPID")
        }
        _ => true,
    }
}

/// Everything a substitution's body may change in the shell, as it was
/// before: put back when it ends, however it ends.
struct Saved {
    vars: crate::vars::Vars,
    params: crate::shell::Params,
    options: crate::options::Options,
    functions: FxHashMap<String, std::rc::Rc<crate::ast::FunctionDef>>,
    status: Status,
    last_argument: Vec<u8>,
    pipe_statuses: Vec<Status>,
    lineno: u32,
    random: u32,
    random_state: (Option<u32>, bool),
    loop_depth: usize,
    function_depth: usize,
    errexit_exempt: usize,
    trace_level: usize,
    subshell: bool,
    exit_warned: (bool, bool),
    suppressed: (bool, bool),
    failed_command: Option<String>,
    last_command: Option<String>,
    frames: Vec<crate::shell::Frame>,
    script_name: Option<String>,
    dir_stack: Vec<std::ffi::OsString>,
    terminal: Option<crate::terminal::Terminal>,
    /// The working directory, held open, when the body may leave it.
    directory: Option<OwnedFd>,
}

impl Saved {
    fn take(shell: &mut Shell, directory: Option<OwnedFd>) -> Saved {
        Saved {
            vars: shell.vars.clone(),
            params: shell.params.clone(),
            options: shell.options.clone(),
            functions: shell.functions.clone(),
            status: shell.status,
            last_argument: shell.last_argument.clone(),
            pipe_statuses: shell.pipe_statuses.clone(),
            lineno: shell.lineno,
            random: shell.random,
            random_state: (shell.last_random, shell.random_reseed),
            loop_depth: shell.loop_depth,
            function_depth: shell.function_depth,
            errexit_exempt: shell.errexit_exempt,
            trace_level: shell.trace_level,
            subshell: shell.subshell,
            exit_warned: (shell.exit_warned, shell.exit_warned_before),
            suppressed: (shell.debug_suppressed, shell.err_suppressed),
            failed_command: shell.failed_command.clone(),
            last_command: shell.last_command.clone(),
            frames: shell.frames.clone(),
            script_name: shell.script_name.clone(),
            dir_stack: shell.dir_stack.clone(),
            // A copy has no terminal: what it runs is no job of its own.
            terminal: shell.terminal.take(),
            directory,
        }
    }

    fn restore(self, shell: &mut Shell) {
        shell.vars = self.vars;
        shell.params = self.params;
        shell.options = self.options;
        shell.functions = self.functions;
        shell.status = self.status;
        shell.last_argument = self.last_argument;
        shell.pipe_statuses = self.pipe_statuses;
        shell.lineno = self.lineno;
        shell.random = self.random;
        (shell.last_random, shell.random_reseed) = self.random_state;
        shell.loop_depth = self.loop_depth;
        shell.function_depth = self.function_depth;
        shell.errexit_exempt = self.errexit_exempt;
        shell.trace_level = self.trace_level;
        shell.subshell = self.subshell;
        (shell.exit_warned, shell.exit_warned_before) = self.exit_warned;
        (shell.debug_suppressed, shell.err_suppressed) = self.suppressed;
        shell.failed_command = self.failed_command;
        shell.last_command = self.last_command;
        shell.frames = self.frames;
        shell.script_name = self.script_name;
        shell.dir_stack = self.dir_stack;
        shell.terminal = self.terminal;
        if let Some(directory) = self.directory {
            // SAFETY: fchdir takes a descriptor we own and changes nothing
            // in memory.
            unsafe { libc::fchdir(directory.as_raw_fd()) };
        }
    }
}

impl Shell {
    /// `$( list )` run by the shell itself, when the body qualifies (see
    /// the module's doc): its output and status. `None` when it must fork.
    pub(super) fn capture_virtually(&mut self, list: &List) -> Option<(Vec<u8>, Status)> {
        if self.traps.any_to_run() {
            // A trap runs in the shell but not in a copy (and `$( )` of
            // `trap` lists the parent's): only a fork gets that right.
            return None;
        }
        let mut check = Check {
            shell: self,
            visiting: Vec::new(),
            budget: CHECK_BUDGET,
            changes_directory: false,
        };
        if !check.list(list) {
            return None;
        }
        let directory = match check.changes_directory {
            true => Some(open_directory()?),
            false => None,
        };
        let file = match self.capture_files.pop() {
            Some(file) => file,
            None => CaptureFile::new()?,
        };
        let saved = Saved::take(self, directory);
        // A subshell draws other random numbers than its parent, as a
        // forked one does.
        self.random_reseed = true;
        self.fds.push();
        self.fds.lend(file.writer.raw(), 1);
        // What a forked copy changes about itself (see become_subshell and
        // capture_output).
        // The loops around stay countable: bash's `$(break)` in a loop ends
        // the substitution, quietly.
        self.subshell = true;
        self.trace_level += 1;
        let options = &mut self.options;
        options.errexit &= options.inherit_errexit || options.posix;
        self.tail = false;
        let status = match self.run_list(list) {
            Flow::Exit(status) => status,
            _ => self.status,
        };
        self.fds.pop();
        saved.restore(self);
        let output = read_from_start(&file.reader);
        if file.empty() {
            self.capture_files.push(file);
        }
        Some((output, status))
    }
}

/// A memory file for a substitution's output (a pipe would fill and block
/// the shell that is both its writer and its reader): the end given to the
/// body, and a second descriptor on the same open file to read it back.
#[derive(Debug)]
pub struct CaptureFile {
    writer: PrivateFd,
    reader: PrivateFd,
}

impl CaptureFile {
    fn new() -> Option<CaptureFile> {
        // SAFETY: memfd_create with a static name; the result is checked.
        let fd = unsafe { libc::memfd_create(c"minishell-cmdsub".as_ptr(), libc::MFD_CLOEXEC) };
        if fd < 0 {
            return None;
        }
        // SAFETY: a descriptor memfd_create just returned is ours alone.
        let writer = unsafe { OwnedFd::from_raw_fd(fd) };
        let reader = writer.try_clone().ok()?;
        Some(CaptureFile {
            writer: PrivateFd::new(writer),
            reader: PrivateFd::new(reader),
        })
    }

    /// Empties the file for the next use; `false` if that failed (then it
    /// is closed instead of kept).
    fn empty(&self) -> bool {
        // SAFETY: ftruncate and lseek on a descriptor we own.
        unsafe {
            libc::ftruncate(self.writer.raw(), 0) == 0
                && libc::lseek(self.writer.raw(), 0, libc::SEEK_SET) == 0
        }
    }

    /// In a forked copy of the shell, whose private descriptors are
    /// already closed: forgets them without closing a number the copy may
    /// reuse.
    pub fn forget(self) {
        self.writer.release();
        self.reader.release();
    }
}

/// The working directory as a descriptor to `fchdir` back to.
fn open_directory() -> Option<OwnedFd> {
    // SAFETY: open with a static C string; the result is checked.
    let fd = unsafe {
        libc::open(
            c".".as_ptr(),
            libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC,
        )
    };
    // SAFETY: a descriptor open() just returned is ours alone.
    (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd) })
}

/// All the memory file holds, read from its start.
fn read_from_start(file: &PrivateFd) -> Vec<u8> {
    // SAFETY: lseek on a descriptor we own.
    let size = unsafe { libc::lseek(file.raw(), 0, libc::SEEK_END) };
    let mut output = Vec::with_capacity(size.max(0) as usize);
    // SAFETY: as above.
    unsafe { libc::lseek(file.raw(), 0, libc::SEEK_SET) };
    let mut buf = [0u8; 8192];
    loop {
        match nix::unistd::read(file, &mut buf) {
            Ok(0) => return output,
            Ok(n) => output.extend_from_slice(&buf[..n]),
            Err(nix::errno::Errno::EINTR) => {}
            Err(_) => return output,
        }
    }
}
