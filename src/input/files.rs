//! File-name completion: the entries of a directory whose names start
//! with what is typed, a directory with `/` after it, characters the
//! shell would split or expand escaped with a backslash.

use super::line_editor::Candidate;

/// The characters that end a file name being typed (an unescaped one).
fn ends_name(c: char) -> bool {
    c.is_whitespace() || "\"'`<>=;|&(".contains(c)
}

/// The characters a file name's replacement escapes.
fn needs_escape(c: char) -> bool {
    c.is_whitespace() || "\"'`<>;|&()$\\*?[]{}!#~".contains(c)
}

/// Where the file name before `pos` starts: after the last character
/// that ends a name and is not escaped with a backslash.
fn name_start(line: &str, pos: usize) -> usize {
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in line[..pos].char_indices() {
        match (escaped, c) {
            (true, _) => escaped = false,
            (false, '\\') => escaped = true,
            (false, c) if ends_name(c) => start = i + c.len_utf8(),
            _ => {}
        }
    }
    start
}

/// The name as the shell will see it: backslashes taken out.
fn unescape(typed: &str) -> String {
    let mut name = String::with_capacity(typed.len());
    let mut chars = typed.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => name.extend(chars.next()),
            c => name.push(c),
        }
    }
    name
}

fn escape(name: &str) -> String {
    let mut text = String::with_capacity(name.len());
    for c in name.chars() {
        if needs_escape(c) {
            text.push('\\');
        }
        text.push(c);
    }
    text
}

/// The file names the word before `pos` can become: where the word
/// starts, and the candidates, by name. The directory part is kept as
/// typed; a name starting with `.` is offered only when a `.` is typed.
pub fn complete_path(line: &str, pos: usize) -> (usize, Vec<Candidate>) {
    let start = name_start(line, pos);
    let typed = &line[start..pos];
    // The directory part as typed (escapes and all) and the name begun.
    let (typed_dir, begun) = match typed.rfind('/') {
        Some(slash) => (&typed[..=slash], &typed[slash + 1..]),
        None => ("", typed),
    };
    let begun = unescape(begun);
    let dir = match unescape(typed_dir) {
        dir if dir.is_empty() => ".".to_owned(),
        dir => dir,
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return (start, Vec::new());
    };
    let mut candidates: Vec<Candidate> = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            if !name.starts_with(&begun) || (name.starts_with('.') && !begun.starts_with('.')) {
                return None;
            }
            // Following a symbolic link: one to a directory is completed as
            // a directory, as the shell would enter it.
            let is_dir = std::fs::metadata(entry.path()).is_ok_and(|m| m.is_dir());
            let slash = if is_dir { "/" } else { "" };
            Some(Candidate {
                display: format!("{name}{slash}"),
                replacement: format!("{typed_dir}{}{slash}", escape(&name)),
            })
        })
        .collect();
    candidates.sort_by(|a, b| a.display.cmp(&b.display));
    (start, candidates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_a_directory_escaped_and_marked() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_str().unwrap();
        std::fs::create_dir(dir.path().join("labs")).unwrap();
        std::fs::write(dir.path().join("lab notes.txt"), "").unwrap();
        std::fs::write(dir.path().join(".hidden"), "").unwrap();
        let line = format!("ls {root}/la");
        let (start, found) = complete_path(&line, line.len());
        assert_eq!(start, 3);
        let shown: Vec<_> = found.iter().map(|c| c.display.as_str()).collect();
        assert_eq!(shown, ["lab notes.txt", "labs/"]);
        assert_eq!(found[0].replacement, format!("{root}/lab\\ notes.txt"));
        // An escaped space does not end the name.
        let line = format!("cat {root}/lab\\ n");
        let (start, found) = complete_path(&line, line.len());
        assert_eq!((start, found.len()), (4, 1));
        // Hidden names only when asked for.
        let line = format!("x>{root}/");
        let (start, found) = complete_path(&line, line.len());
        assert_eq!((start, found.len()), (2, 2));
        let line = format!("ls {root}/.h");
        assert_eq!(complete_path(&line, line.len()).1.len(), 1);
    }
}
