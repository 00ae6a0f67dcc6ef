//! Ctrl-R: reverse incremental search through the history, as readline
//! has it. Each character typed narrows the search to the newest command
//! holding what was typed; Ctrl-R again goes to an older one; Backspace
//! widens it. Enter runs the command found, Ctrl-G or Escape puts the line
//! back as it was, and any other key edits the command found.

use std::io;

use super::keys::Key;
use super::render::{Frame, terminal_width};
use super::text::char_of_byte;
use super::{LineEditor, Session, Watch, write_out};

/// How the search ended.
pub enum Found {
    /// Back to editing (the line found, or the line as it was).
    Edit,
    /// Enter: run the line found.
    Run,
    /// A key that ends the search and then acts on the line found.
    Key(Key),
}

/// The newest entry at or before `from` holding `query`.
fn find(entries: &[String], query: &str, from: Option<usize>) -> Option<usize> {
    let from = from?;
    (0..=from.min(entries.len().checked_sub(1)?))
        .rev()
        .find(|&i| entries[i].contains(query))
}

pub fn reverse_search(
    editor: &mut LineEditor,
    s: &mut Session<'_>,
    wake: &mut Option<&mut dyn Watch>,
) -> io::Result<Found> {
    let original = s.buffer.clone();
    let newest = editor.history.entries().len().checked_sub(1);
    let mut query = String::new();
    let mut at = newest;
    let mut failed = false;
    loop {
        let entries = editor.history.entries();
        let line = at.and_then(|i| entries.get(i)).map_or("", String::as_str);
        let cursor = line.find(query.as_str()).unwrap_or(0);
        let prompt = match failed {
            true => format!("(failed reverse-i-search)`{query}': "),
            false => format!("(reverse-i-search)`{query}': "),
        };
        let frame = Frame {
            prompt: &prompt,
            line,
            coloured_line: line,
            cursor,
            hint: "",
            coloured_hint: "",
        };
        write_out(&s.screen.redraw(&frame, terminal_width()))?;
        let Some(key) = editor.reader.next_key(wake)? else {
            s.buffer = original;
            return Ok(Found::Edit);
        };
        let narrowed = match key {
            Key::Text(c) => Some(c),
            Key::Byte(b) => Some(char_of_byte(b)),
            _ => None,
        };
        let entries = editor.history.entries();
        let next = match (key, narrowed) {
            (_, Some(c)) => {
                query.push(c);
                find(entries, &query, at.or(newest))
            }
            (Key::Backspace, _) => {
                query.pop();
                find(entries, &query, newest)
            }
            (Key::Control('r'), _) => find(entries, &query, at.and_then(|i| i.checked_sub(1))),
            (Key::Resize, _) => {
                s.screen.resize(terminal_width());
                continue;
            }
            (Key::Control('g') | Key::Escape, _) => {
                s.buffer = original;
                return Ok(Found::Edit);
            }
            (key, _) => {
                if !query.is_empty() {
                    if let Some(entry) = at.and_then(|i| entries.get(i)) {
                        s.buffer.set(entry);
                    }
                }
                return Ok(match key {
                    Key::Enter => Found::Run,
                    key => Found::Key(key),
                });
            }
        };
        failed = next.is_none();
        if next.is_some() {
            at = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_entry_holding_the_query_at_or_before_a_place() {
        let entries: Vec<String> = ["ls a", "echo x", "ls b"].map(String::from).to_vec();
        assert_eq!(find(&entries, "ls", Some(2)), Some(2));
        assert_eq!(find(&entries, "ls", Some(1)), Some(0));
        assert_eq!(find(&entries, "zz", Some(2)), None);
        assert_eq!(find(&entries, "ls", None), None);
        assert_eq!(find(&[], "ls", Some(0)), None);
    }
}
