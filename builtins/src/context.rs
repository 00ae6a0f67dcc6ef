//! The interface between a builtin and the shell that runs it.

use std::ffi::{OsStr, OsString};
use std::io::Write;

/// An exit status, 0 to 255, as `$?` shows it.
pub type Status = i32;

/// A job as `jobs` lists it: what the shell tells builtins about one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobSummary {
    /// The job number, `N` in `%N`.
    pub id: usize,
    /// `+` for the current job (`%+`, `%%`), `-` for the previous one
    /// (`%-`), a space for the others.
    pub mark: char,
    /// Every process of the job, in pipeline order.
    pub pids: Vec<i32>,
    /// The process group to signal, when the shell gives each job a group
    /// of its own (interactive job control); `None` otherwise.
    pub pgid: Option<i32>,
    pub state: JobState,
    /// The state in bash's words: `Running`, `Stopped`, `Done`, `Exit 3`,
    /// `Killed`, `Segmentation fault (core dumped)`…
    pub state_text: String,
    /// What each process runs, printed back from the command tree: one
    /// entry per pipeline stage (a background `a && b` is one entry).
    pub commands: Vec<String>,
}

impl JobSummary {
    /// The whole command line of the job: `sleep 1 | cat`.
    pub fn command(&self) -> String {
        self.commands.join(" | ")
    }
}

/// What the shell does after a command, beyond taking its status: the
/// value every step of the executor returns, so `break`, `return` and
/// `exit` unwind through the loops and calls around them, each consuming
/// the level it belongs to (instead of flags every loop must check, as
/// dash's `evalskip`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Go on with the next command.
    Normal,
    /// `break N`: leave N enclosing loops.
    Break(usize),
    /// `continue N`: start the next turn of the Nth enclosing loop.
    Continue(usize),
    /// `return`: leave the running function (or sourced file) with this
    /// status.
    Return(Status),
    /// `exit`: leave the shell with this status.
    Exit(Status),
    /// Drop the rest of the command line being run, as bash does after
    /// some errors (`exit 1 2`, `$((1/0))`): a prompt or a script goes on
    /// with its next line.
    Abandon,
}

impl Flow {
    pub fn is_normal(self) -> bool {
        self == Flow::Normal
    }
}

/// A variable's attributes as `declare` names them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VarAttrs {
    /// `-x`
    pub exported: bool,
    /// `-r`
    pub readonly: bool,
    /// `-i`
    pub integer: bool,
    /// `-l`
    pub lower: bool,
    /// `-u`
    pub upper: bool,
    /// `-a`
    pub indexed: bool,
    /// `-A`
    pub assoc: bool,
    /// `-n`: a name reference.
    pub nameref: bool,
}

impl VarAttrs {
    /// The letters `declare -p` shows, in bash's order (`aAilrux`), or `-`
    /// when there is none.
    pub fn letters(&self) -> String {
        let mut letters = String::new();
        for (on, letter) in [
            (self.indexed, 'a'),
            (self.assoc, 'A'),
            (self.integer, 'i'),
            (self.lower, 'l'),
            (self.nameref, 'n'),
            (self.readonly, 'r'),
            (self.upper, 'u'),
            (self.exported, 'x'),
        ] {
            if on {
                letters.push(letter);
            }
        }
        if letters.is_empty() {
            letters.push('-');
        }
        letters
    }
}

/// A variable's value as builtins see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VarValue {
    /// Declared, never assigned.
    Unset,
    Scalar(OsString),
    Indexed(Vec<(i64, OsString)>),
    Assoc(Vec<(OsString, OsString)>),
}

/// A variable, for `declare -p`, `set`, `export -p`, `readonly -p`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarInfo {
    pub name: String,
    pub attrs: VarAttrs,
    pub value: VarValue,
}

/// What `declare`, `local`, `readonly` and `export` ask of one name.
#[derive(Debug, Clone, Default)]
pub struct Declaration<'a> {
    pub name: &'a str,
    /// The text after `=` (`(…)` for an array), if any.
    pub value: Option<&'a [u8]>,
    /// `+=`
    pub append: bool,
    /// `local`, or `declare` inside a function without `-g`.
    pub local: bool,
    /// The attributes to turn on, and (`declare +x`) off.
    pub set: VarAttrs,
    pub clear: VarAttrs,
}

/// What a trap does when its condition comes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrapAction {
    /// `trap '' SIG`: the signal is ignored (and stays so in children).
    Ignore,
    /// `trap 'commands' SIG`: the commands run in the shell.
    Run(OsString),
}

/// The conditions a trap can name besides signals (which are numbered as
/// the kernel numbers them, with 0 for `EXIT`).
pub const TRAP_ERR: i32 = -1;
pub const TRAP_DEBUG: i32 = -2;
pub const TRAP_RETURN: i32 = -3;

/// What a command name resolves to, for `type` and `command -v`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandKind {
    Keyword,
    Alias(String),
    /// A shell function, with its definition printed back.
    Function(String),
    /// A builtin; `special` for POSIX's special builtins.
    Builtin {
        special: bool,
    },
    /// A lab demo, run in a process of its own.
    Demo,
    /// A file found on `$PATH` (or given with a `/`).
    File(OsString),
    /// A file the shell remembered from an earlier search (`hash`).
    Hashed(OsString),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Running,
    Stopped,
    /// Every process ended.
    Done,
}

/// What a builtin may see and change of the shell. The shell implements it
/// twice over: in its own process (where `cd` and `export` change the shell)
/// and in a forked child (where they change only the child, as in bash's
/// `cd /tmp | cat`).
pub trait Context {
    /// The builtin's standard output, after its redirections: an
    /// [`crate::output::Output`], which keeps the first error a write met.
    fn stdout(&mut self) -> &mut dyn Write;
    /// The first error writing to [`Context::stdout`] met since the last
    /// call, taken: [`crate::Builtin::invoke`] reports it.
    fn take_write_error(&mut self) -> Option<std::io::Error>;
    /// The builtin's standard error, after its redirections.
    fn stderr(&mut self) -> &mut dyn Write;

    /// A variable's value; `None` when it is unset.
    fn var(&self, name: &str) -> Option<OsString>;
    /// Whether the locale (`LC_ALL`, `LC_CTYPE`, `LANG`) is UTF-8: text
    /// is characters, not bytes. The shell answers without copying the
    /// variables (`read` asks once per line).
    fn utf8_locale(&self) -> bool {
        crate::shell::printf::utf8_locale_of_vars(self)
    }
    /// Sets a shell variable; an exported one changes the environment of
    /// later commands too.
    fn set_var(&mut self, name: &str, value: &OsStr) -> Result<(), String>;
    /// Marks a variable exported (`export NAME`), or no longer exported.
    fn set_exported(&mut self, name: &str, exported: bool);
    /// Removes a variable, or `a[i]` an element; an error for a readonly one.
    fn unset_var(&mut self, name: &str) -> Result<(), String>;
    /// `unset -n`: removes the variable itself even when it is a nameref
    /// (plain `unset` removes the variable it names).
    fn unset_nameref(&mut self, name: &str) -> Result<(), String>;
    /// The exported variables, sorted by name; `None` for one exported
    /// before it was given a value (`export NAME`).
    fn exported_vars(&self) -> Vec<(String, Option<OsString>)>;

    /// Whether a variable is set: `name`, or `name[i]` for an element.
    fn var_is_set(&self, name: &str) -> bool;
    /// Makes `name` an indexed array of `values` (from index 0), replacing
    /// what it held: `read -a`.
    fn set_array(&mut self, name: &str, values: Vec<OsString>) -> Result<(), String>;
    /// Sets elements `origin`, `origin + 1`… of indexed array `name` to
    /// `values`, keeping the others (`mapfile -O`).
    fn set_array_from(
        &mut self,
        name: &str,
        origin: i64,
        values: Vec<OsString>,
    ) -> Result<(), String>;
    /// The shell's real descriptor that the builtin's descriptor `fd`
    /// stands for (after redirections), or `None` when it is closed: what
    /// `read` reads from.
    fn input_fd(&self, fd: i32) -> Option<i32>;
    /// `chdir(path)` in the shell's own process, through the shell's
    /// system-call layer (explain mode narrates it).
    fn change_dir(&mut self, path: &std::path::Path) -> std::io::Result<()>;
    /// `kill(pid, signal)` (a negative `pid` names a process group; no
    /// signal only checks), through the shell's system-call layer.
    fn kill(&mut self, pid: i32, signal: Option<nix::sys::signal::Signal>) -> nix::Result<()>;
    /// The command tree the parser builds for `text`, drawn one node per
    /// line (`parse`); the parser's message for a syntax error.
    fn parse_tree(&mut self, text: &[u8]) -> Result<String, String>;
    /// The positional parameters `$1…`.
    fn positional(&self) -> Vec<OsString>;
    /// Replaces the positional parameters (`set --`, `shift`).
    fn set_positional(&mut self, args: Vec<OsString>);
    /// Whether the shell option `name` (`set -o` or `shopt` name) is on;
    /// `None` for no such option.
    fn option(&self, name: &str) -> Option<bool>;
    /// Evaluates an arithmetic expression (`let`; `printf`'s numbers are
    /// not these): `None` when it fails, the error already reported.
    fn arith(&mut self, text: &[u8]) -> Option<i64>;

    /// Every visible variable, sorted by name (`set`, `declare -p`).
    fn variables(&self) -> Vec<VarInfo>;
    /// One variable, if it exists (even unset but declared).
    fn variable(&self, name: &str) -> Option<VarInfo>;
    /// Declares or assigns one name with attributes; the error in bash's
    /// words (`x: readonly variable`).
    fn declare(&mut self, declaration: &Declaration) -> Result<(), String>;
    /// `target=value` (or `+=`) as an assignment statement would do it,
    /// `target` possibly `a[i]`: `declare a[2]=x`.
    fn eval_assignment(&mut self, target: &str, value: &[u8], append: bool) -> Result<(), String>;
    /// Every function, sorted by name, with its definition printed back.
    fn functions(&self) -> Vec<(String, String)>;

    /// The options and whether each is on: `set -o`'s (or with `shopt`,
    /// `shopt`'s), in listing order.
    fn options(&self, shopt: bool) -> Vec<(&'static str, bool)>;
    /// Turns option `name` on or off; `false` when there is none.
    fn set_option(&mut self, name: &str, on: bool) -> bool;
    /// The same by `set`'s letter (`e` for errexit); `false` when none.
    fn set_option_letter(&mut self, letter: char, on: bool) -> bool;

    /// Runs text as commands in the shell (`eval`); the flow it ends with
    /// (`break`, `return`…) passes on to the builtin's caller.
    fn eval(&mut self, text: &[u8]) -> Status;
    /// Runs a file's commands in the shell (`source`), with `args` as the
    /// positional parameters while it runs when given. `None` when the file
    /// cannot be read (the caller reports it).
    fn source(&mut self, path: &OsStr, args: Option<Vec<OsString>>) -> Option<Status>;
    /// Replaces the shell with a program (`exec cmd`); returns only when it
    /// could not, with the status to exit with.
    /// `zero` replaces argv[0] (`exec -a`); `clean` empties the
    /// environment (`exec -c`).
    fn exec(&mut self, argv: &[OsString], zero: Option<&OsStr>, clean: bool) -> Status;
    /// `exec` with no command: the redirections of the command stay in
    /// force for the rest of the shell.
    fn keep_redirections(&mut self);
    /// Runs a command skipping functions (`command`), on the default PATH
    /// with `default_path` (`command -p`).
    fn run_command(&mut self, argv: &[OsString], default_path: bool) -> Status;
    /// Runs the shell builtin `argv[0]` (`builtin`); `None` if there is no
    /// such builtin (a lab demo is a program, not one).
    fn run_builtin(&mut self, argv: &[OsString]) -> Option<Status>;

    /// Sets (or with `None`, resets to the default) the trap for a
    /// condition: a signal number, 0 for `EXIT`, or one of `TRAP_ERR`,
    /// `TRAP_DEBUG`, `TRAP_RETURN`.
    fn set_trap(&mut self, condition: i32, action: Option<TrapAction>) -> Result<(), String>;
    /// The traps set, by condition.
    fn traps(&self) -> Vec<(i32, TrapAction)>;

    /// The aliases, sorted by name.
    fn aliases(&self) -> Vec<(String, OsString)>;
    /// Defines (or with `None` removes) an alias; whether it existed.
    fn set_alias(&mut self, name: &str, value: Option<&OsStr>) -> bool;
    /// `unalias -a`.
    fn clear_aliases(&mut self);

    /// The commands the shell remembered where it found: name, path, how
    /// often used (`hash`).
    fn hashed(&self) -> Vec<(String, OsString, u32)>;
    /// Remembers `name`: at `path` when given, else where PATH finds it;
    /// `false` when it is nowhere.
    fn hash(&mut self, name: &str, path: Option<&OsStr>) -> bool;
    /// Forgets `name`, or with `None` everything; whether it was there.
    fn unhash(&mut self, name: Option<&str>) -> bool;
    /// The directory stack of `pushd`/`popd`/`dirs`, without the current
    /// directory (which is its top).
    fn dir_stack(&mut self) -> &mut Vec<OsString>;
    /// Waits for the next background job to end (`wait -n`); its status,
    /// or `None` when no job runs.
    fn wait_any(&mut self) -> Option<Status>;

    /// The arrays of the call stack the shell keeps: `FUNCNAME`,
    /// `BASH_SOURCE`, `BASH_LINENO`, in that order (innermost first).
    fn call_stack(&self) -> [Vec<OsString>; 3];

    /// What starts an error message: `minishell: ` at a prompt, `x.sh:
    /// line 3: ` in a script, as bash locates its messages.
    fn message_prefix(&self) -> String;

    /// Whether the shell reads commands from a terminal: some errors end a
    /// script but only report at a prompt.
    fn interactive(&self) -> bool;

    /// The status of the last command, for `exit` with no argument.
    fn last_status(&self) -> Status;
    /// Asks the shell to exit with `status` once this builtin returns.
    fn request_exit(&mut self, status: Status);

    /// Skips the rest of the current line: what bash does after some
    /// builtin errors (`exit 1 2; echo never`), going on with the next line.
    fn abandon_line(&mut self);

    /// Asks the shell to unwind after this builtin returns: `break`,
    /// `continue`, `return`.
    fn set_flow(&mut self, flow: Flow);
    /// How many loops enclose the builtin (in this function), for `break`.
    fn loop_depth(&self) -> usize;
    /// Whether a function is running: its scope is where `declare` and
    /// `local` put their variables.
    fn in_function(&self) -> bool;
    /// Whether a function or a sourced file is running, which `return`
    /// can leave.
    fn can_return(&self) -> bool;

    /// Removes function `name`; whether there was one.
    fn unset_function(&mut self, name: &str) -> bool;
    /// What each way of resolving `name` finds, in the shell's order of
    /// lookup; every match when `all` (`type -a`), else the first.
    fn resolve_command(&self, name: &OsStr, all: bool) -> Vec<CommandKind>;

    /// Whether jobs run in process groups of their own, with the terminal
    /// handed to the foreground one: an interactive shell's job control.
    fn job_control(&self) -> bool;
    /// The commands typed at the prompt, oldest first (empty in scripts).
    fn history(&self) -> Vec<String>;
    /// The file `$PATH` makes `name` run, as the shell would find it.
    fn find_in_path(&self, name: &OsStr) -> Option<OsString>;

    /// The shell's jobs, oldest first, in their state after collecting
    /// every child that changed.
    fn jobs(&mut self) -> Vec<JobSummary>;
    /// Drops a job that ended once its end has been shown (by `jobs`).
    fn forget_job(&mut self, id: usize);
    /// Continues job `id` (sending SIGCONT): in the foreground, with the
    /// terminal, waiting for it and returning its status (`fg`); or in the
    /// background (`bg`), returning 0.
    fn continue_job(&mut self, id: usize, foreground: bool) -> Result<Status, String>;
    /// Waits for every running background job to end; 0, or 130 if Ctrl-C
    /// interrupted the wait.
    fn wait_all(&mut self) -> Status;
    /// Waits for job `id` to end and returns the status of its last process.
    fn wait_job(&mut self, id: usize) -> Option<Status>;
    /// Waits for one child; `None` when `pid` is not a child of this shell.
    /// A child that already ended still reports its status.
    fn wait_pid(&mut self, pid: i32) -> Option<Status>;
}
