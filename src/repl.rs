//! The input loop: parse one complete command (the parser pulls as many
//! lines as it needs), run it, announce jobs, repeat until the input ends
//! or `exit` runs.

use std::io::{self, Write as _};

use minishell_builtins::jobs::job_line;

use crate::exec::Flow;
use crate::input::{LineSource, ShellView};
use crate::parse::{LineReader, Parser, SyntaxError};
use crate::shell::{Mode, Shell};
use crate::signals::SignalFlag;
use crate::status::SYNTAX_ERROR;

/// Where the lines come from, for messages: a file names itself and the
/// line of an error, as bash does (`x.sh: line 3: …`), and a syntax error
/// stops it there.
pub struct Origin {
    pub script_name: Option<String>,
}

/// The line source as the parser sees it: the first line of a command is
/// read after the primary prompt, the rest after the continuation prompt.
struct Lines<'a> {
    source: &'a mut dyn LineSource,
    prompt: String,
    continuation: String,
    /// Text the last parser read but left (see `Parser::leftover`), given
    /// out line by line before the source is read again.
    pending: &'a mut Vec<u8>,
}

impl LineReader for Lines<'_> {
    fn next_line(&mut self, buf: &mut Vec<u8>, continuation: bool) -> io::Result<bool> {
        if !self.pending.is_empty() {
            let end = self
                .pending
                .iter()
                .position(|&b| b == b'\n')
                .map_or(self.pending.len(), |i| i + 1);
            buf.extend(self.pending.drain(..end));
            return Ok(true);
        }
        let prompt = if continuation {
            &self.continuation
        } else {
            &self.prompt
        };
        self.source.read_line(buf, prompt)
    }
}

/// Reads and runs commands until the input ends or the shell must exit.
/// Returns the flow that ended it (`Exit` for `exit`).
pub fn run(shell: &mut Shell, source: &mut dyn LineSource, origin: &Origin) -> Flow {
    let at_terminal = source.is_terminal();
    let mut line = 1;
    let mut pending = Vec::new();
    shell.script_name = origin.script_name.clone();
    loop {
        if shell.hangup.as_ref().is_some_and(SignalFlag::take) {
            return Flow::Exit(129);
        }
        if let Flow::Exit(status) = shell.run_pending_traps() {
            return Flow::Exit(status);
        }
        announce_jobs(shell, source);
        if at_terminal {
            source.refresh(view(shell));
        }
        let mut lines = Lines {
            prompt: prompt(shell, false),
            continuation: prompt(shell, true),
            source: &mut *source,
            pending: &mut pending,
        };
        let mut parser = Parser::new(&mut lines).starting_at_line(line);
        parser.extglob = shell.options.extglob;
        parser.aliases = shell.parser_aliases();
        let parsed = parser.next_command();
        let text = parser.text().to_vec();
        let read_error = parser.take_read_error();
        for warning in parser.take_warnings() {
            shell.report_error(&warning);
        }
        if parsed.is_err() && read_error.is_none() {
            parser.recover();
        }
        line = parser.next_line_number();
        let leftover = parser.leftover().to_vec();
        drop(parser);
        lines_pending(&mut pending, leftover);
        if shell.options.verbose {
            crate::exec::write_to_slot(shell.fds.slot(2), &text);
        }
        let list = match parsed {
            Ok(Some(list)) => list,
            Ok(None) => match read_error {
                Some(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Some(e) => {
                    shell.report_error(&format!("cannot read input: {e}"));
                    shell.status = 1;
                    return Flow::Normal;
                }
                None if at_terminal => {
                    // Ctrl-D at a prompt is `exit`, jobs warning included.
                    shell.note_command_start();
                    if shell.exit_allowed() {
                        return Flow::Exit(shell.status);
                    }
                    continue;
                }
                None => return Flow::Normal,
            },
            Err(error) => {
                if let Some(e) = &read_error {
                    if e.kind() == io::ErrorKind::Interrupted {
                        // Ctrl-C in an unfinished command drops it.
                        continue;
                    }
                }
                remember(shell, source, &text);
                if at_terminal {
                    source.note_result(&text, false);
                }
                if at_terminal && unclosed_at_eof(shell, &error) {
                    continue;
                }
                syntax_error(shell, origin, &error);
                if shell.mode == Mode::Script {
                    return Flow::Exit(shell.status);
                }
                continue;
            }
        };
        if list.items.is_empty() {
            continue;
        }
        remember(shell, source, &text);
        if shell.options.noexec {
            continue;
        }
        source.before_run();
        file_collected(shell, source);
        crate::explain::tree(&list);
        // `-c`'s last command: nothing is left to read after it.
        shell.tail = shell.command_string
            && shell.mode == Mode::Script
            && pending.is_empty()
            && source.at_end();
        match shell.run_list(&list) {
            Flow::Exit(status) => return Flow::Exit(status),
            Flow::Return(status) => shell.status = status,
            _ => {}
        }
        if at_terminal {
            source.note_result(&text, shell.status == 0);
        }
    }
}

/// Puts what a parser left in front of what is still pending.
fn lines_pending(pending: &mut Vec<u8>, leftover: Vec<u8>) {
    if !leftover.is_empty() {
        let rest = std::mem::replace(pending, leftover);
        pending.extend(rest);
    }
}

/// Runs a whole text as commands, one at a time, as `eval` and `source`
/// do: a syntax error stops it (status 2) after the commands before it ran.
pub fn run_text(shell: &mut Shell, text: &[u8], first_line: u32) -> Flow {
    let mut lines = crate::parse::TextLines::new(text);
    let mut parser = Parser::new(&mut lines).starting_at_line(first_line);
    loop {
        parser.extglob = shell.options.extglob;
        parser.aliases = shell.parser_aliases();
        match parser.next_command() {
            Ok(Some(list)) => {
                crate::explain::tree(&list);
                let flow = shell.run_list(&list);
                if !flow.is_normal() {
                    return flow;
                }
            }
            Ok(None) => return Flow::Normal,
            Err(error) => {
                shell.report_error(&error.describe());
                shell.status = SYNTAX_ERROR;
                return Flow::Normal;
            }
        }
    }
}

impl Shell {
    /// `source FILE [ARGS]`: runs the file's commands in this shell, with
    /// ARGS as `$1…` while it runs; `return` ends it. A name without `/` is
    /// looked for on PATH, then in the current directory, as bash does.
    /// `None` when the file cannot be read.
    pub fn source_file(
        &mut self,
        name: &[u8],
        args: Option<Vec<std::ffi::OsString>>,
    ) -> Option<(crate::status::Status, Flow)> {
        use std::os::unix::ffi::{OsStrExt, OsStringExt};
        // `shopt -u sourcepath`: only the name as given.
        let path = if name.contains(&b'/') || !self.options.sourcepath {
            name.to_vec()
        } else {
            let path_var = self.vars.get("PATH").unwrap_or_default();
            path_var
                .split(|&b| b == b':')
                .map(|dir| [if dir.is_empty() { b"." } else { dir }, b"/", name].concat())
                .find(|candidate| {
                    std::fs::metadata(std::ffi::OsStr::from_bytes(candidate))
                        .is_ok_and(|m| m.is_file())
                })
                .unwrap_or_else(|| name.to_vec())
        };
        // `. /dev/stdin <<< text` reads where the builtin's stdin points.
        let path = self.fds.path_through_slots(&path).unwrap_or(path);
        let text = std::fs::read(std::ffi::OsStr::from_bytes(&path)).ok()?;
        let saved_args = args.map(|args| {
            std::mem::replace(
                &mut self.params.args,
                args.into_iter().map(std::ffi::OsString::into_vec).collect(),
            )
        });
        let saved_name = self
            .script_name
            .replace(String::from_utf8_lossy(name).into_owned());
        let saved_line = std::mem::replace(&mut self.lineno, 1);
        self.function_depth += 1;
        self.frames.push(crate::shell::Frame {
            function: None,
            source: String::from_utf8_lossy(name).into_owned(),
            line: saved_line,
        });
        let mut flow = run_text(self, &text, 1);
        let status = self.status;
        if let Flow::Exit(status) = self.run_return_trap() {
            flow = Flow::Exit(status);
        }
        if let Flow::Return(_) | Flow::Normal = flow {
            self.status = status;
        }
        self.frames.pop();
        self.function_depth -= 1;
        self.lineno = saved_line;
        self.script_name = saved_name;
        if let Some(args) = saved_args {
            self.params.args = args;
        }
        Some(match flow {
            Flow::Return(status) => {
                self.status = status;
                (status, Flow::Normal)
            }
            other => (self.status, other),
        })
    }
}

/// A complete command, however many lines it took, is one history entry.
fn remember(shell: &mut Shell, source: &mut dyn LineSource, text: &[u8]) {
    if source.is_terminal() {
        source.add_history(text);
        shell.history = source.history();
    }
}

/// What completion needs to know of the shell.
fn view(shell: &Shell) -> ShellView {
    ShellView {
        path: String::from_utf8_lossy(shell.vars.get("PATH").unwrap_or_default()).into_owned(),
        jobs: shell.jobs.summaries().iter().map(|j| j.id).collect(),
        vars: shell.vars.names_with_prefix(""),
        home: String::from_utf8_lossy(shell.vars.get("HOME").unwrap_or_default()).into_owned(),
    }
}

/// Before a prompt: collect children that changed and, at a terminal, tell
/// which background jobs finished or stopped, as bash does:
/// `[1]+  Done                    sleep 1`.
fn announce_jobs(shell: &mut Shell, source: &mut dyn LineSource) {
    file_collected(shell, source);
    shell.reap_if_signalled();
    if shell.terminal.is_none() {
        return;
    }
    for job in shell.jobs.take_notices() {
        let _ = writeln!(std::io::stderr(), "{}", job_line(&job, false));
    }
}

/// Files in the job table what the terminal collected while its prompt
/// waited, before a command (`jobs`, `wait`) or a prompt looks at it.
fn file_collected(shell: &mut Shell, source: &mut dyn LineSource) {
    for (pid, bits) in source.collected() {
        shell.jobs.record(pid, bits);
    }
}

/// Ctrl-D in an unclosed quote at a terminal: bash's words for it,
/// `unexpected EOF while looking for matching '"'`, and status 2; the
/// shell stays (only Ctrl-D on an empty line leaves).
fn unclosed_at_eof(shell: &mut Shell, error: &SyntaxError) -> bool {
    let crate::parse::SyntaxErrorKind::UnexpectedEnd {
        looking_for: Some(what),
    } = &error.kind
    else {
        return false;
    };
    shell.report_error(&format!(
        "unexpected EOF while looking for matching '{what}'"
    ));
    shell.status = SYNTAX_ERROR;
    true
}

/// Reports a syntax error; nothing of its command has run.
fn syntax_error(shell: &mut Shell, origin: &Origin, error: &SyntaxError) {
    let place = match &origin.script_name {
        Some(name) => format!("{name}: line {}: ", error.line),
        None => "minishell: ".to_owned(),
    };
    let _ = writeln!(std::io::stderr(), "{place}{}", error.describe());
    // bash keeps `$?` after a malformed `[[ ]]`, and sets 2 for the rest.
    if !matches!(error.kind, crate::parse::SyntaxErrorKind::Conditional(_)) {
        shell.status = SYNTAX_ERROR;
    }
}

/// `$PS1` or `$PS2`: escapes decoded (`\w`, `\u`…), then expanded.
fn expand_prompt(shell: &mut Shell, text: &[u8]) -> String {
    let decoded = crate::prompt::decode(shell, text);
    let expanded = match crate::parse::expandable_text(&decoded) {
        Ok(word) => crate::expand::string(shell, &word).unwrap_or(decoded),
        Err(_) => decoded,
    };
    String::from_utf8_lossy(&expanded).into_owned()
}

/// The prompt for the next line: the course's `> ` on a non-terminal
/// standard input; nothing for scripts; at a terminal `$PS1`, or the
/// working directory (with `~` for home), the last status if it failed,
/// and `> ` — `…> ` while a command goes on over several lines.
fn prompt(shell: &mut Shell, continuation: bool) -> String {
    match shell.mode {
        Mode::Stdin { prompt: true } => "> ".to_owned(),
        Mode::Interactive if continuation => match shell.vars.get("PS2").map(<[u8]>::to_vec) {
            Some(ps2) => expand_prompt(shell, &ps2),
            None => "…> ".to_owned(),
        },
        Mode::Interactive => match shell.vars.get("PS1").map(<[u8]>::to_vec) {
            Some(ps1) => expand_prompt(shell, &ps1),
            None => {
                let var = |name| {
                    String::from_utf8_lossy(shell.vars.get(name).unwrap_or(b"")).into_owned()
                };
                let (dir, home) = (var("PWD"), var("HOME"));
                let dir = match dir.strip_prefix(home.as_str()) {
                    Some(rest)
                        if !home.is_empty() && (rest.is_empty() || rest.starts_with('/')) =>
                    {
                        format!("~{rest}")
                    }
                    _ => dir,
                };
                match shell.status {
                    0 => format!("{dir}> "),
                    status => format!("{dir} [{status}]> "),
                }
            }
        },
        _ => String::new(),
    }
}
