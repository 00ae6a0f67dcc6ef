//! The commands typed before, for Up and Down, Ctrl-R and the hints, and
//! the history file that keeps them between shells.
//!
//! The file is appended to after each command, so two shells open at once
//! both keep their lines. Its format is the one the shell's history files
//! already have: a first line `#V2`, then one command a line, a newline
//! inside a command written `\n` and a backslash `\\`. Bytes that are not
//! UTF-8 are written as the bytes they are.

use std::io::{self, Write as _};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use super::text::{line_bytes, line_text};

/// The first line of a history file.
const HEADER: &[u8] = b"#V2\n";

pub struct History {
    entries: Vec<String>,
    limit: usize,
}

impl History {
    /// A history keeping the last `limit` commands.
    pub fn new(limit: usize) -> History {
        History {
            entries: Vec::new(),
            limit,
        }
    }

    /// Oldest first.
    pub fn entries(&self) -> &[String] {
        &self.entries
    }

    /// Adds `command`, unless it is empty, starts with a space (bash's
    /// ignorespace: a way to keep a line out of the file) or repeats the
    /// last one (ignoredups). Returns whether it was added.
    pub fn add(&mut self, command: &str) -> bool {
        if command.trim().is_empty()
            || command.starts_with(' ')
            || self.entries.last().is_some_and(|last| last == command)
        {
            return false;
        }
        self.entries.push(command.to_owned());
        if self.entries.len() > self.limit {
            let extra = self.entries.len() - self.limit;
            self.entries.drain(..extra);
        }
        true
    }

    /// Reads the history file. A file grown past twice the limit (appends
    /// from many sessions) is written again with the last `limit` only.
    pub fn load(&mut self, file: &Path) -> io::Result<()> {
        let bytes = std::fs::read(file)?;
        let (escaped, body) = match bytes.strip_prefix(HEADER) {
            Some(body) => (true, body),
            None => (false, bytes.as_slice()),
        };
        let lines: Vec<&[u8]> = body
            .split(|&b| b == b'\n')
            .filter(|line| !line.is_empty())
            .collect();
        for line in &lines {
            let text = line_text(line);
            let entry = if escaped { unescape(&text) } else { text };
            self.entries.push(entry);
        }
        let extra = self.entries.len().saturating_sub(self.limit);
        self.entries.drain(..extra);
        if lines.len() > 2 * self.limit {
            let mut text = HEADER.to_vec();
            for entry in &self.entries {
                text.extend(escape(entry));
            }
            std::fs::write(file, text)?;
        }
        Ok(())
    }

    /// Appends `command` to the history file, creating it readable by its
    /// owner only (0600): it holds every command typed, passwords given on
    /// command lines included.
    pub fn append(file: &Path, command: &str) -> io::Result<()> {
        let mut out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(file)?;
        let mut text = Vec::new();
        if out.metadata()?.len() == 0 {
            text.extend_from_slice(HEADER);
        }
        text.extend(escape(command));
        out.write_all(&text)
    }
}

/// A command as one line of the file, newline included.
fn escape(command: &str) -> Vec<u8> {
    let mut text = String::with_capacity(command.len() + 1);
    for c in command.chars() {
        match c {
            '\\' => text.push_str("\\\\"),
            '\n' => text.push_str("\\n"),
            c => text.push(c),
        }
    }
    text.push('\n');
    line_bytes(&text)
}

/// The reverse of [`escape`], for one line without its newline.
fn unescape(line: &str) -> String {
    let mut text = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (c, c == '\\') {
            (_, true) => match chars.next() {
                Some('n') => text.push('\n'),
                Some(other) => text.push(other),
                None => text.push('\\'),
            },
            (c, false) => text.push(c),
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_spaces_and_the_limit() {
        let mut history = History::new(3);
        assert!(history.add("a"));
        assert!(!history.add("a"));
        assert!(!history.add(" secret"));
        assert!(!history.add("  "));
        assert!(history.add("b"));
        assert!(history.add("a"));
        assert!(history.add("c"));
        assert_eq!(history.entries(), ["b", "a", "c"]);
    }

    #[test]
    fn the_file_keeps_commands_of_several_lines_and_any_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("history");
        let odd = line_text(b"echo \xff\\x");
        for command in ["echo a &&\necho b", odd.as_str(), "plain"] {
            History::append(&file, command).unwrap();
        }
        let bytes = std::fs::read(&file).unwrap();
        assert_eq!(bytes, b"#V2\necho a &&\\necho b\necho \xff\\\\x\nplain\n");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let mut history = History::new(2);
        history.load(&file).unwrap();
        assert_eq!(history.entries(), [odd.as_str(), "plain"]);
    }
}
