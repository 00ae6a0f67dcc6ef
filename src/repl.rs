//! The input loop: read a line, ask for more while the command is
//! unfinished, parse, run, repeat until the input ends or `exit` runs.

use std::io::Write as _;

use minishell_builtins::jobs::job_line;

use crate::input::{LineSource, ShellView};
use crate::parse::{SyntaxError, SyntaxErrorKind, construct_is_open, parse, parse_at_end};
use crate::shell::{Mode, Shell};
use crate::signals::SignalFlag;
use crate::status::SYNTAX_ERROR;

/// Where the lines come from, for messages: a file names itself and the
/// line of a syntax error, as bash does (`minishell: x.sh: line 3: …`), and
/// stops there.
pub struct Origin {
    pub script_name: Option<String>,
}

pub fn run(shell: &mut Shell, source: &mut dyn LineSource, origin: &Origin) {
    let at_terminal = source.is_terminal();
    let mut text = Vec::new();
    while shell.exit_request.is_none() {
        shell.abandon_line = false;
        if shell.hangup.as_ref().is_some_and(SignalFlag::take) {
            break;
        }
        announce_jobs(shell);
        if at_terminal {
            source.refresh(view(shell));
        }
        text.clear();
        let first_line = source.lines_read() + 1;
        match source.read_line(&mut text, &prompt(shell, false)) {
            Ok(true) => {}
            Ok(false) if at_terminal => {
                // Ctrl-D at a prompt is `exit`, jobs warning included.
                shell.note_command_start();
                shell.request_exit(shell.status);
                continue;
            }
            Ok(false) => break,
            Err(e) => {
                eprintln!("minishell: cannot read input: {e}");
                shell.status = 1;
                break;
            }
        }
        loop {
            // bash drops NUL bytes from its input; a C string cannot hold them.
            if text.contains(&0) {
                text.retain(|&b| b != 0);
            }
            match parse(&text) {
                Ok(list) => {
                    remember(shell, source, &text);
                    source.before_run();
                    shell.run_list(&list);
                    break;
                }
                Err(error) if error.needs_more_input() => {
                    if matches!(source.read_line(&mut text, &prompt(shell, true)), Ok(true)) {
                        continue;
                    }
                    // The input ended inside the command.
                    match parse_at_end(&text) {
                        Ok(list) => {
                            source.before_run();
                            shell.run_list(&list);
                        }
                        Err(error) => syntax_error(shell, origin, &error, &text, first_line),
                    }
                    return;
                }
                Err(error) => {
                    if matches!(error.kind, SyntaxErrorKind::Unsupported(_)) {
                        // Read the refused construct to its end, so that
                        // none of its lines runs on its own afterwards.
                        while construct_is_open(&text)
                            && matches!(source.read_line(&mut text, &prompt(shell, true)), Ok(true))
                        {
                        }
                    }
                    remember(shell, source, &text);
                    syntax_error(shell, origin, &error, &text, first_line);
                    if origin.script_name.is_some() {
                        return;
                    }
                    break;
                }
            }
        }
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
    }
}

/// Before a prompt: collect children that changed and, at a terminal, tell
/// which background jobs finished or stopped, as bash does:
/// `[1]+  Done                    sleep 1`.
fn announce_jobs(shell: &mut Shell) {
    shell.reap_if_signalled();
    if shell.terminal.is_none() {
        return;
    }
    for job in shell.jobs.take_notices() {
        let _ = writeln!(std::io::stderr(), "{}", job_line(&job, false));
    }
}

/// Reports a syntax error; nothing of its text has run. A script stops
/// there, as bash's does; a prompt goes on.
fn syntax_error(
    shell: &mut Shell,
    origin: &Origin,
    error: &SyntaxError,
    text: &[u8],
    first_line: usize,
) {
    let (line, _) = error.line_and_column(text);
    let place = match &origin.script_name {
        Some(name) => format!("{name}: line {}: ", first_line + line - 1),
        None => String::new(),
    };
    let _ = writeln!(
        std::io::stderr(),
        "minishell: {place}{}",
        error.describe(text)
    );
    shell.status = SYNTAX_ERROR;
    if shell.mode == Mode::Script {
        shell.exit_request = Some(SYNTAX_ERROR);
    }
}

/// The prompt for the next line: the course's `> ` on a non-terminal
/// standard input; nothing for scripts; at a terminal `$PS1`, or the
/// working directory (with `~` for home), the last status if it failed,
/// and `> ` — `…> ` while a command goes on over several lines.
fn prompt(shell: &Shell, continuation: bool) -> String {
    match shell.mode {
        Mode::Stdin { prompt: true } => "> ".to_owned(),
        Mode::Interactive if continuation => "…> ".to_owned(),
        Mode::Interactive => match shell.vars.get("PS1") {
            Some(ps1) => String::from_utf8_lossy(ps1).into_owned(),
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
