//! The shell's state: variables, positional parameters, functions, options,
//! the last status, redirection frames, jobs. One value owns it all and is
//! passed where needed; nothing here is global.

use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::rc::Rc;

use rustc_hash::FxHashMap;

use crate::ast::FunctionDef;
use crate::exec::redirect::Redirections;
use crate::jobs::Jobs;
use crate::options::Options;
use crate::signals::SignalFlag;
use crate::status::Status;
use crate::terminal::Terminal;
use crate::vars::Vars;

/// A function call or sourced file in progress.
#[derive(Debug, Clone)]
pub struct Frame {
    /// The function's name; `None` for a sourced file.
    pub function: Option<String>,
    /// The file the function was defined in, or the file sourced.
    pub source: String,
    /// The line it was called from.
    pub line: u32,
}

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
    pub options: Options,
    /// The functions defined, by name. A definition is shared with the
    /// tree it came from, so a call copies nothing.
    pub functions: FxHashMap<String, Rc<FunctionDef>>,
    /// The redirection frames of the commands running now.
    pub fds: Redirections,
    /// How many loops enclose the command running now (in the current
    /// function), for `break` and `continue`.
    pub loop_depth: usize,
    /// How many functions (and sourced files) are running, for `return`.
    pub function_depth: usize,
    /// The functions and sourced files running, innermost last: what
    /// `FUNCNAME`, `BASH_SOURCE`, `BASH_LINENO` and `caller` show.
    pub frames: Vec<Frame>,
    /// Where each function was defined (the script or sourced file).
    pub function_sources: FxHashMap<String, String>,
    /// The status of the last command substitution, which an assignment-only
    /// command (`x=$(false)`) takes as its own.
    pub substitution_status: Option<Status>,
    /// Nonzero while running a condition (`if`, `while`, left of `&&`…),
    /// where `set -e` does not apply.
    pub errexit_exempt: usize,
    /// A builtin dropped the rest of the line (`shift 1 2`): that reaches
    /// past `eval`, which contains the other ways a line is dropped.
    pub builtin_abandoned: bool,
    /// Set by `exit`: the shell stops reading and leaves with this status.
    pub exit_request: Option<Status>,
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
    /// The script's name for messages (`x.sh: line 3: …`); `None` at a
    /// prompt and on standard input.
    pub script_name: Option<String>,
    /// The line of the command running now, for `$LINENO` and messages.
    pub lineno: u32,
    /// Whether this process is a forked copy of the shell (a subshell).
    pub subshell: bool,
    /// The command about to run is the last thing this process does (the
    /// end of `-c`'s text, or of a subshell): a program there may replace
    /// the shell with `execve` instead of forking, as bash and dash do.
    /// Set just before a list, pipeline or command runs and taken (reset)
    /// by it, so nothing nested inherits it by mistake.
    pub tail: bool,
    /// Started with `-c`: `$-` shows `c`.
    pub command_string: bool,
    /// The script's name as `BASH_SOURCE` ends with it (none for `-c` and
    /// standard input).
    pub script_source: Option<String>,
    /// How many command substitutions deep this copy of the shell runs,
    /// for `set -x`'s `++`.
    pub trace_level: usize,
    /// When the shell started, for `$SECONDS`.
    pub started: std::time::Instant,
    /// The state of `$RANDOM`, and the value it gave last.
    pub random: u32,
    pub last_random: Option<u32>,
    /// A subshell began: the next `$RANDOM` first takes a seed of its own.
    pub random_reseed: bool,
    pub traps: crate::traps::Traps,
    /// The statuses of the stages of the last foreground pipeline, for
    /// `$PIPESTATUS`.
    pub pipe_statuses: Vec<Status>,
    /// The last argument of the last command, for `$_`.
    pub last_argument: Vec<u8>,
    /// The simple command running now, for `$BASH_COMMAND`: its text is
    /// made only when asked for (see [`Shell::bash_command`]).
    pub current_command: Option<std::ptr::NonNull<crate::ast::SimpleCommand>>,
    /// `$BASH_COMMAND` as a trap sees it: the command about to run (DEBUG)
    /// or the one that failed (ERR).
    pub trap_command: String,
    /// The text of the simple command that failed last, kept (only while
    /// an ERR trap is set) for the trap that runs when its failure reaches
    /// a caller (`f` failing because its last command did).
    pub failed_command: Option<String>,
    /// The simple command run last, while an EXIT trap is set: its
    /// `$BASH_COMMAND`.
    pub last_command: Option<String>,
    /// Inside a function that the `DEBUG` and `RETURN` traps do not reach
    /// (no `set -T`), or one the `ERR` trap does not (no `set -E`).
    pub debug_suppressed: bool,
    /// While a simple command's redirections are in force: where standard
    /// error pointed before them, for `set -x`.
    pub trace_slot: Option<crate::exec::redirect::Slot>,
    pub err_suppressed: bool,
    /// Where commands were found on PATH, and how often used (`hash`),
    /// for the PATH it was made with.
    pub command_hash: FxHashMap<Vec<u8>, (Vec<u8>, u32)>,
    pub hashed_path: Vec<u8>,
    /// `pushd`'s stack, without the current directory.
    pub dir_stack: Vec<std::ffi::OsString>,
    /// The aliases, shared with the parser of the next command.
    pub aliases: crate::parse::Aliases,
    /// Whether `$( )` and `<( )` run their lists. Always, but in the
    /// expansion fuzz checks ([`crate::fuzzing`]), which must start no
    /// process: there they expand to nothing.
    pub run_substitutions: bool,
    /// Patterns compiled lately, by text, quoting and options (see
    /// `expand::pattern`).
    pub patterns: FxHashMap<crate::expand::PatternKey, Rc<crate::pattern::Pattern>>,
    /// Memory files a virtual subshell captured output in, emptied and
    /// kept for the next `$( )` (one per level of nesting in use).
    pub capture_files: Vec<crate::exec::CaptureFile>,
}

/// bash's PATH when the environment has none.
const DEFAULT_PATH: &[u8] = b"/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin:.";

/// The machine's hardware name (`x86_64`), as `uname -m` prints it.
fn machine_name() -> Vec<u8> {
    nix::sys::utsname::uname()
        .map(|u| u.machine().as_encoded_bytes().to_vec())
        .unwrap_or_default()
}

impl Shell {
    pub fn new(params: Params, mode: Mode) -> Shell {
        let pid = std::process::id() as i32;
        let mut shell = Shell {
            vars: Vars::from_environment(),
            params,
            status: 0,
            pid,
            last_background: None,
            jobs: Jobs::default(),
            mode,
            options: Options::default(),
            functions: FxHashMap::default(),
            fds: Redirections::default(),
            loop_depth: 0,
            function_depth: 0,
            frames: Vec::new(),
            function_sources: FxHashMap::default(),
            substitution_status: None,
            errexit_exempt: 0,
            builtin_abandoned: false,
            exit_request: None,
            terminal: None,
            child_signal: None,
            hangup: None,
            exit_warned: false,
            exit_warned_before: false,
            history: Vec::new(),
            script_name: None,
            lineno: 0,
            subshell: false,
            tail: false,
            command_string: false,
            trace_level: 0,
            script_source: None,
            started: std::time::Instant::now(),
            random: (pid as u32) ^ 0x5eed,
            last_random: None,
            random_reseed: false,
            traps: crate::traps::Traps::default(),
            aliases: Default::default(),
            patterns: FxHashMap::default(),
            capture_files: Vec::new(),
            pipe_statuses: Vec::new(),
            command_hash: FxHashMap::default(),
            hashed_path: Vec::new(),
            dir_stack: Vec::new(),
            last_argument: Vec::new(),
            current_command: None,
            trap_command: String::new(),
            failed_command: None,
            last_command: None,
            debug_suppressed: false,
            trace_slot: None,
            err_suppressed: false,
            run_substitutions: true,
        };
        // A prompt expands aliases; a script only after `shopt -s
        // expand_aliases`, as in bash.
        shell.options.expand_aliases = mode == Mode::Interactive;
        shell.fix_pwd();
        shell.bump_shlvl();
        if shell.vars.get("OLDPWD").is_none() {
            // bash exports OLDPWD from the start, valueless until the first
            // `cd`, so that `cd` then hands it to children.
            shell.vars.set_exported("OLDPWD", true);
        }
        // `$_` is the last argument of the last command, computed when read
        // (the value inherited is the path that started this shell).
        let _ = shell.vars.unset("_");
        shell.set_startup_variables();
        shell
    }

    /// The variables bash gives itself at start: defaults for those the
    /// environment did not bring, the description of the machine, and the
    /// user and parent ids, which stay as they were at start (readonly).
    fn set_startup_variables(&mut self) {
        let defaults: [(&str, &[u8]); 4] = [
            ("PATH", DEFAULT_PATH),
            ("PS4", b"+ "),
            ("OPTIND", b"1"),
            ("OPTERR", b"1"),
        ];
        for (name, value) in defaults {
            if self.vars.get(name).is_none() {
                let _ = self.vars.set(name, value.to_vec());
            }
        }
        // Never inherited: an IFS from the environment would change how
        // every script splits its words (bash resets it too).
        let _ = self.vars.set("IFS", b" \t\n".to_vec());
        let machine = machine_name();
        let hostname = nix::unistd::gethostname()
            .map(|h| h.into_encoded_bytes())
            .unwrap_or_default();
        for (name, value) in [
            ("OSTYPE", b"linux-gnu".to_vec()),
            ("HOSTTYPE", machine.clone()),
            ("MACHTYPE", [machine.as_slice(), b"-pc-linux-gnu"].concat()),
            ("HOSTNAME", hostname),
        ] {
            // What the environment says wins (`HOSTNAME=x sh`), as in bash.
            if self.vars.get(name).is_none() {
                let _ = self.vars.set(name, value);
            }
        }
        let ids = [
            ("UID", nix::unistd::getuid().as_raw() as i64),
            ("EUID", nix::unistd::geteuid().as_raw() as i64),
            ("PPID", i64::from(nix::unistd::getppid().as_raw())),
        ];
        for (name, id) in ids {
            let _ = self.vars.set(name, id.to_string().into_bytes());
            self.vars.set_attrs(name, |attrs| {
                attrs.integer = true;
                attrs.readonly = true;
            });
        }
    }

    pub fn interactive(&self) -> bool {
        self.mode == Mode::Interactive
    }

    /// `$-`: the letters of the shell's options.
    pub fn option_letters(&self) -> String {
        let mut letters = self.options.letters();
        match self.mode {
            Mode::Interactive => letters.push('i'),
            Mode::Stdin { .. } => letters.push('s'),
            Mode::Script if self.command_string => letters.push('c'),
            Mode::Script => {}
        }
        letters
    }

    /// Whether text is UTF-8 characters (`LC_ALL`, `LC_CTYPE` or `LANG`
    /// names a UTF-8 locale) rather than bytes, for lengths and patterns.
    pub fn utf8(&self) -> bool {
        let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
            .iter()
            .find_map(|name| self.vars.get(name).filter(|v| !v.is_empty()));
        // Compared in place, case folded byte by byte: lowering a copy
        // cost an allocation each time a pattern or a `read` asked.
        let has = |value: &[u8], part: &[u8]| {
            value
                .windows(part.len())
                .any(|window| window.eq_ignore_ascii_case(part))
        };
        locale.is_some_and(|value| has(value, b"utf-8") || has(value, b"utf8"))
    }

    /// The aliases a new parser expands, if alias expansion is on.
    pub fn parser_aliases(&self) -> Option<crate::parse::Aliases> {
        self.options
            .expand_aliases
            .then(|| std::rc::Rc::clone(&self.aliases))
    }

    /// The variables the shell computes when they are read: `$RANDOM`,
    /// `$SECONDS`, `$LINENO`, `$PPID`, `$BASHPID`. A variable of that name
    /// the user set would have been found first.
    pub fn dynamic_var(&mut self, name: &str) -> Option<Vec<u8>> {
        let text = match name {
            "LINENO" => self.lineno.to_string(),
            "FUNCNAME" | "BASH_SOURCE" | "BASH_LINENO" => {
                return self.dynamic_array(name)?.into_iter().next();
            }
            "_" => return Some(self.last_argument.clone()),
            "BASH_COMMAND" => self.bash_command(),
            "SECONDS" => self.started.elapsed().as_secs().to_string(),
            "BASHPID" => std::process::id().to_string(),
            "SHELLOPTS" => self.options.names_on(false),
            "BASHOPTS" => self.options.names_on(true),
            "RANDOM" => self.next_random().to_string(),
            _ => return None,
        };
        Some(text.into_bytes())
    }

    /// `RANDOM=N`: the next values are those bash gives after the same
    /// assignment.
    pub fn seed_random(&mut self, seed: u32) {
        self.random_reseed = false;
        self.random = seed;
        self.last_random = None;
    }

    /// Before `RANDOM` is read: a value assigned to it since (by `=`,
    /// `declare`, `read`, `(( ))`…) seeds the generator and goes, so the
    /// variable stays the shell's, computed at each read, as in bash.
    pub fn take_random_seed(&mut self) {
        let Some(seed) = self.vars.get("RANDOM") else {
            return;
        };
        let seed = String::from_utf8_lossy(seed).trim().parse::<i64>();
        self.seed_random(seed.unwrap_or(0) as u32);
        let _ = self.vars.unset_raw("RANDOM");
    }

    /// A new seed from the process and the clock: at start and in each
    /// subshell, as bash seeds its generator.
    pub fn reseed_random(&mut self) {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos() ^ d.as_secs() as u32);
        self.seed_random(std::process::id().wrapping_mul(31) ^ nanos);
    }

    /// The next `$RANDOM`: Park and Miller's minimal standard generator
    /// (x = 16807 x mod 2^31-1, computed without overflow as Schrage
    /// shows), its two halves folded together and cut to 15 bits, never
    /// the same value twice in a row: bash's generator, so a script that
    /// seeds it sees bash's numbers.
    pub fn next_random(&mut self) -> u32 {
        if std::mem::take(&mut self.random_reseed) {
            self.reseed_random();
        }
        loop {
            let x = match self.random {
                0 => 123_459_876_i64,
                seed => i64::from(seed),
            };
            let (high, low) = (x / 127_773, x % 127_773);
            let mut t = 16_807 * low - 2_836 * high;
            if t < 0 {
                t += 0x7fff_ffff;
            }
            self.random = t as u32;
            let folded = ((self.random >> 16) ^ (self.random & 0xffff)) & 0x7fff;
            if self.last_random != Some(folded) {
                self.last_random = Some(folded);
                return folded;
            }
        }
    }

    /// `$BASH_COMMAND`: in a trap, the command the trap is about; else the
    /// simple command running now, as bash prints it back.
    pub fn bash_command(&self) -> String {
        if self.traps.is_running() {
            return self.trap_command.clone();
        }
        match self.current_command {
            // SAFETY: `current_command` is set by `run_simple` from the
            // command it borrows and put back before it returns, so while
            // it is `Some` that borrow is alive on the stack below us.
            Some(command) => unsafe { command.as_ref() }.to_string(),
            None => self.trap_command.clone(),
        }
    }

    /// The arrays the shell computes from its call stack: `FUNCNAME`
    /// (innermost function first, `main` last), `BASH_SOURCE` (the file of
    /// each), `BASH_LINENO` (the line each was called from).
    pub fn dynamic_array(&self, name: &str) -> Option<Vec<Vec<u8>>> {
        let frames = self.frames.iter().rev();
        let bottom = self.script_source.clone();
        Some(match name {
            "FUNCNAME" => {
                if !self.frames.iter().any(|f| f.function.is_some()) {
                    return Some(Vec::new());
                }
                frames
                    .map(|f| {
                        f.function
                            .clone()
                            .unwrap_or_else(|| "source".to_owned())
                            .into_bytes()
                    })
                    .chain(std::iter::once(b"main".to_vec()))
                    .collect()
            }
            "BASH_SOURCE" => frames
                .map(|f| f.source.clone().into_bytes())
                .chain(bottom.map(String::into_bytes))
                .collect(),
            "BASH_LINENO" => frames
                .map(|f| f.line.to_string().into_bytes())
                .chain(std::iter::once(b"0".to_vec()))
                .collect(),
            _ => return None,
        })
    }

    /// Prints `minishell: [FILE: line N: ]message` on the shell's standard
    /// error (through the redirections in force).
    pub fn report_error(&self, message: &str) {
        let line = format!("{}{message}\n", self.error_prefix());
        crate::exec::write_to_slot(self.fds.slot(2), line.as_bytes());
    }

    /// Where a message comes from, as bash says it: `script.sh: line 3: `
    /// in a script (`$0: line N: ` for `-c`), `minishell: ` at a prompt.
    pub fn error_prefix(&self) -> String {
        match &self.script_name {
            // Put together by hand, not with `format!`: every external
            // command builds it (its messages are ready before the fork),
            // and the formatting machinery was a tenth of the instructions
            // of running `/bin/true` from a script.
            Some(name) => {
                let mut line = minishell_builtins::stack_text::StackText::<20>::new(0);
                line.push_number(i64::from(self.lineno));
                let line = std::str::from_utf8(line.bytes()).unwrap_or("0");
                let mut prefix = String::with_capacity(name.len() + line.len() + 9);
                prefix.push_str(name);
                prefix.push_str(": line ");
                prefix.push_str(line);
                prefix.push_str(": ");
                prefix
            }
            None => "minishell: ".to_owned(),
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
                let _ = self
                    .vars
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
        let _ = self
            .vars
            .set("SHLVL", (level + 1).max(0).to_string().into_bytes());
        self.vars.set_exported("SHLVL", true);
    }
}
