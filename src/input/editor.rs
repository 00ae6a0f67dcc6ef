//! What the prompt knows about the shell while the user types: Tab
//! completion (command names, files, `%N` jobs), hints from history, and
//! colours (an unknown command in red, operators, quoted strings). This is
//! the [`Assist`] the line editor asks on every key.

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;

use rustc_hash::FxHashSet;

use super::complete::{complete, is_break};
use super::line_editor::{Assist, Candidate, History};

/// What the helper knows of the shell, refreshed before each prompt.
#[derive(Default)]
pub struct ShellView {
    /// `$PATH`, to find commands for completion and colouring.
    pub path: String,
    /// The numbers of the current jobs, for `fg %<Tab>`.
    pub jobs: Vec<usize>,
    /// The shell's variable names, for `$HO<Tab>`.
    pub vars: Vec<String>,
    /// `$HOME`, for `~/<Tab>`.
    pub home: String,
}

pub struct ShellHelper {
    view: ShellView,
    /// Executables on `$PATH`, listed when PATH changes.
    commands: BTreeSet<String>,
    colour: bool,
    /// Commands that failed (a syntax error, or a status other than 0)
    /// the last time they ran: never offered as a hint.
    failed: FxHashSet<String>,
}

impl ShellHelper {
    /// Colour only on a terminal, and never with `NO_COLOR` set.
    pub fn new(colour: bool) -> ShellHelper {
        ShellHelper {
            view: ShellView::default(),
            commands: BTreeSet::new(),
            colour,
            failed: FxHashSet::default(),
        }
    }

    /// Notes how `command` (as history holds it) ended the last time it
    /// ran, for the hints.
    pub fn note_result(&mut self, command: &str, succeeded: bool) {
        match succeeded {
            true => self.failed.remove(command),
            false => self.failed.insert(command.to_owned()),
        };
    }

    pub fn update(&mut self, view: ShellView) {
        if view.path != self.view.path {
            self.commands = executables_on(&view.path);
        }
        self.view = view;
    }

    /// Whether `name` runs something: a builtin or demo, a file on PATH, or
    /// a path to an executable file.
    fn is_command(&self, name: &str) -> bool {
        if name.contains('/') {
            return std::fs::metadata(name)
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0);
        }
        minishell_builtins::find(name.as_bytes()).is_some() || self.commands.contains(name)
    }
}

/// Every executable file in PATH's directories, by name.
fn executables_on(path: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for dir in path.split(':').filter(|d| !d.is_empty()) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let executable = entry
                .metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0);
            if executable {
                names.insert(entry.file_name().to_string_lossy().into_owned());
            }
        }
    }
    names
}

/// ANSI colours, named for what they mark.
const RED: &str = "\x1b[31m";
const CYAN: &str = "\x1b[36m";
const YELLOW: &str = "\x1b[33m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

/// Whether an operator or redirection starts at byte `i` (`c` is the char
/// there): `|&;<>()`, or digits touching a redirection (`2>`).
fn is_operator_start(line: &str, i: usize, c: char) -> bool {
    "|&;<>()".contains(c)
        || (c.is_ascii_digit()
            && line[i..]
                .trim_start_matches(|d: char| d.is_ascii_digit())
                .starts_with(['<', '>']))
}

/// The line with colours: quoted strings yellow, operators and
/// redirections cyan, a first word that runs nothing red. A light scan,
/// not the parser: the line may be half typed.
fn colour_line(line: &str, is_command: impl Fn(&str) -> bool) -> String {
    let mut out = String::with_capacity(line.len() + 16);
    let mut chars = line.char_indices().peekable();
    let mut expect_command = true;
    while let Some(&(i, c)) = chars.peek() {
        if c == '\'' || c == '"' {
            let end = line[i + 1..].find(c).map_or(line.len(), |e| i + 1 + e + 1);
            out.push_str(YELLOW);
            out.push_str(&line[i..end]);
            out.push_str(RESET);
            while chars.peek().is_some_and(|&(j, _)| j < end) {
                chars.next();
            }
            expect_command = false;
        } else if is_operator_start(line, i, c) {
            let end = line[i..]
                .find(|x: char| !("|&;<>()".contains(x) || x.is_ascii_digit()))
                .map_or(line.len(), |e| i + e);
            let op = &line[i..end];
            out.push_str(CYAN);
            out.push_str(op);
            out.push_str(RESET);
            while chars.peek().is_some_and(|&(j, _)| j < end) {
                chars.next();
            }
            // After a control operator a new command starts; after a
            // redirection a file name follows.
            expect_command = !op.contains(['<', '>']);
        } else if c.is_whitespace() {
            out.push(c);
            chars.next();
        } else {
            let end = line[i..]
                .find(|x: char| is_break(x) || x == '\'' || x == '"')
                .map_or(line.len(), |e| i + e);
            let word = &line[i..end];
            let is_assignment = word.split_once('=').is_some_and(|(name, _)| {
                !name.is_empty() && name.chars().all(|x| x.is_ascii_alphanumeric() || x == '_')
            });
            if expect_command && !is_assignment && !is_command(word) {
                out.push_str(RED);
                out.push_str(word);
                out.push_str(RESET);
            } else {
                out.push_str(word);
            }
            if !is_assignment {
                expect_command = false;
            }
            while chars.peek().is_some_and(|&(j, _)| j < end) {
                chars.next();
            }
        }
    }
    out
}

impl Assist for ShellHelper {
    fn highlight(&self, line: &str) -> String {
        match self.colour {
            true => colour_line(line, |name| self.is_command(name)),
            false => line.to_owned(),
        }
    }

    /// The rest of the latest history line that starts with what is typed
    /// and did not fail, up to the end of its first line (a command of
    /// several lines hints only its first). None without colours: a hint
    /// in the colour of typed text would look typed (`NO_COLOR`).
    fn hint(&self, line: &str, history: &History) -> Option<String> {
        if !self.colour || line.is_empty() {
            return None;
        }
        let entry = history
            .entries()
            .iter()
            .rev()
            .find(|entry| entry.starts_with(line) && !self.failed.contains(entry.as_str()))?;
        let first_line = entry.split('\n').next().unwrap_or("");
        first_line
            .get(line.len()..)
            .filter(|rest| !rest.is_empty())
            .map(str::to_owned)
    }

    fn highlight_hint(&self, hint: &str) -> String {
        match self.colour {
            true => format!("{DIM}{hint}{RESET}"),
            false => hint.to_owned(),
        }
    }

    fn complete(&self, line: &str, pos: usize) -> (usize, Vec<Candidate>) {
        complete(&self.view, &self.commands, line, pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_mark_unknown_commands_operators_and_strings() {
        let known = |n: &str| n == "echo" || n == "cat";
        let text = colour_line("nosuch 'a b' | cat > f", known);
        assert!(text.starts_with(&format!("{RED}nosuch{RESET}")), "{text:?}");
        assert!(text.contains(&format!("{YELLOW}'a b'{RESET}")), "{text:?}");
        assert!(
            text.contains(&format!("{CYAN}|{RESET} cat {CYAN}>{RESET} f")),
            "{text:?}"
        );
        let plain = colour_line("X=1 echo hi 2>&1", known);
        assert!(!plain.contains(RED), "{plain:?}");
        assert!(plain.contains(&format!("{CYAN}2>&1{RESET}")), "{plain:?}");
        // Every character is consumed, whatever the line holds.
        for line in ["echo $((1))x", "(a) ; b", "'unclosed", "2", "a>", "é|ü"] {
            let text = colour_line(line, known);
            let stripped = text
                .replace(RED, "")
                .replace(CYAN, "")
                .replace(YELLOW, "")
                .replace(RESET, "");
            assert_eq!(stripped, line);
        }
    }
}
