//! Tab completion: what the word under the cursor can become, and a short
//! description beside each candidate where one exists, as fish shows them
//! (`cd  (change the working directory)`). Command names, directories for
//! `cd`, builtin and demo names for `help`, `type` and `man`, a builtin's
//! or demo's options (from its help text), `$NAME`, `~user/` and paths.

use std::collections::BTreeSet;

use super::editor::ShellView;
use super::files::complete_path;
use super::line_editor::Candidate;

/// The characters that end a word for completion and colouring.
pub fn is_break(c: char) -> bool {
    c.is_whitespace() || "|&;<>()".contains(c)
}

/// Where the word under the cursor starts, and whether it is a command's
/// first word (at the start, or after an operator).
pub fn current_word(line: &str, pos: usize) -> (usize, bool) {
    let before = &line[..pos];
    let start = before.rfind(is_break).map_or(0, |i| {
        i + before[i..].chars().next().map_or(1, char::len_utf8)
    });
    let ahead = before[..start].trim_end();
    let first = ahead.is_empty() || ahead.ends_with(['|', '&', ';', '(']);
    (start, first)
}

/// A candidate shown as `name  (what it is)`, inserted as `insert`.
fn described(name: &str, what: &str, insert: String) -> Candidate {
    let display = match what {
        "" => name.to_owned(),
        what => format!("{name}  ({what})"),
    };
    Candidate {
        display,
        replacement: insert,
    }
}

/// The registry's names (builtins and lab demos) starting with `prefix`,
/// each with its summary.
fn registry_names(prefix: &str) -> Vec<Candidate> {
    minishell_builtins::REGISTRY
        .iter()
        .filter(|b| b.name.starts_with(prefix))
        .map(|b| described(b.name, b.summary, format!("{} ", b.name)))
        .collect()
}

/// Command names starting with `prefix`: builtins and lab demos (with
/// their summaries), then the programs on PATH.
fn command_names(commands: &BTreeSet<String>, prefix: &str) -> Vec<Candidate> {
    let mut pairs = registry_names(prefix);
    let known: Vec<String> = pairs.iter().map(|p| p.replacement.clone()).collect();
    for name in commands.iter().filter(|n| n.starts_with(prefix)) {
        let insert = format!("{name} ");
        if !known.contains(&insert) {
            pairs.push(described(name, "", insert));
        }
    }
    pairs.sort_by(|a, b| a.replacement.cmp(&b.replacement));
    pairs
}

/// The options a builtin's or demo's help text names (`-n N`, `--json`),
/// each with the words the text gives it: its own line's explanation, or
/// the values its usage line lists.
pub fn options_of(help: &str) -> Vec<(String, String)> {
    let mut options: Vec<(String, String)> = Vec::new();
    let mut add = |name: &str, what: &str, from_usage: bool| {
        let name = name.trim_end_matches([',', ']', ')', '=']);
        if name.len() < 2 || !name.starts_with('-') || name == "--" {
            return;
        }
        let what = short(what);
        match options.iter_mut().find(|(n, _)| n == name) {
            // The body's explanation wins over the usage line's value.
            Some((_, known)) if !what.is_empty() && (known.is_empty() || !from_usage) => {
                *known = what.to_owned();
            }
            Some(_) => {}
            None => options.push((name.to_owned(), what.to_owned())),
        }
    };
    let mut lines = help.lines();
    // The usage line: `name [--parent handler|never] [-n N] [-L|-P] [-ers]`.
    if let Some(usage) = lines.next() {
        for group in usage.split('[').skip(1) {
            let group = group.split(']').next().unwrap_or("");
            let mut words = group.split_whitespace();
            let Some(names) = words.next() else {
                continue;
            };
            let value = words.next().unwrap_or("");
            for name in names.split('|').flat_map(letters) {
                add(&name, value, true);
            }
        }
    }
    // The body: `  --json   print the measurements as one JSON object`,
    // sometimes two to a line (`-a  an array      -A  an associative one`).
    for line in lines {
        for (head, what) in entries(line) {
            let mut words = head.split_whitespace();
            let name = words.next().unwrap_or("");
            // A line per value (`--parent never  …`) explains the value,
            // not the option: keep what the usage line said.
            let explains_value = words.next().is_some_and(|w| {
                !w.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            });
            add(name, if explains_value { "" } else { what.trim() }, false);
        }
    }
    options
}

/// A line of a help text's body as (option and its value, explanation)
/// pairs: a wide gap ends the option's words, and a wide gap followed by
/// `-` starts the next option.
fn entries(line: &str) -> Vec<(&str, &str)> {
    let mut found: Vec<(&str, &str)> = Vec::new();
    for piece in line.split("   ").map(str::trim).filter(|p| !p.is_empty()) {
        let (head, what) = piece.split_once("  ").unwrap_or((piece, ""));
        match found.last_mut() {
            _ if piece.starts_with('-') => found.push((head, what.trim())),
            Some((_, explanation)) if explanation.is_empty() => *explanation = piece,
            _ => {}
        }
    }
    found
}

/// A cluster of one-letter options (`-ers`) as its letters (`-e`, `-r`,
/// `-s`); any other name as it is.
fn letters(name: &str) -> Vec<String> {
    match name.strip_prefix('-') {
        Some(cluster) if cluster.len() > 1 && cluster.chars().all(|c| c.is_ascii_alphabetic()) => {
            cluster.chars().map(|c| format!("-{c}")).collect()
        }
        _ => vec![name.to_owned()],
    }
}

/// An option's explanation cut to what its first line says whole: before
/// a parenthesis the line does not close.
fn short(what: &str) -> &str {
    match (what.rfind('('), what.rfind(')')) {
        (Some(open), close) if close.is_none_or(|close| close < open) => what[..open].trim_end(),
        _ => what,
    }
}

/// The options of command `command` starting with `prefix`.
fn option_names(command: &str, prefix: &str) -> Vec<Candidate> {
    let Some(builtin) = minishell_builtins::find(command.as_bytes()) else {
        return Vec::new();
    };
    options_of(builtin.help)
        .into_iter()
        .filter(|(name, _)| name.starts_with(prefix))
        .map(|(name, what)| {
            let insert = format!("{name} ");
            described(&name, &what, insert)
        })
        .collect()
}

/// `$NA` or `${NA`: the variables whose names start with what follows the
/// `$`, completed in place (with the `}` a brace needs).
fn variable_names(view: &ShellView, word: &str, start: usize) -> Option<(usize, Vec<Candidate>)> {
    let dollar = word.rfind('$')?;
    let after = &word[dollar + 1..];
    let (braced, prefix) = match after.strip_prefix('{') {
        Some(rest) => (true, rest),
        None => (false, after),
    };
    if !prefix
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return None;
    }
    let from = start + dollar + 1 + usize::from(braced);
    let pairs = view
        .vars
        .iter()
        .filter(|name| name.starts_with(prefix))
        .map(|name| Candidate {
            display: format!("${name}"),
            replacement: if braced {
                format!("{name}}}")
            } else {
                name.clone()
            },
        })
        .collect();
    Some((from, pairs))
}

/// The accounts in /etc/passwd: (name, home directory).
fn accounts() -> Vec<(String, String)> {
    let text = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    text.lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            (fields.len() > 5).then(|| (fields[0].to_owned(), fields[5].to_owned()))
        })
        .collect()
}

/// `~us` becomes `~user/`; `~/sr` and `~user/sr` complete as the path
/// under that home directory would, keeping the `~` as typed.
fn tilde(view: &ShellView, word: &str) -> Option<Vec<Candidate>> {
    let rest = word.strip_prefix('~')?;
    let Some(slash) = rest.find('/') else {
        let pairs = accounts()
            .into_iter()
            .filter(|(name, _)| name.starts_with(rest))
            .map(|(name, home)| described(&format!("~{name}"), &home, format!("~{name}/")))
            .collect();
        return Some(pairs);
    };
    let user = &rest[..slash];
    let home = match user {
        "" => view.home.clone(),
        user => accounts().into_iter().find(|(n, _)| n == user)?.1,
    };
    let home = home.trim_end_matches('/');
    let path = format!("{home}{}", &rest[slash..]);
    let (_, pairs) = complete_path(&path, path.len());
    let pairs = pairs
        .into_iter()
        .filter_map(|pair| {
            let under = pair.replacement.strip_prefix(home)?;
            Some(Candidate {
                display: pair.display,
                replacement: format!("~{user}{under}"),
            })
        })
        .collect();
    Some(pairs)
}

/// What the word under the cursor can become: where it starts, and the
/// candidates.
/// `commands`: the programs on PATH.
pub fn complete(
    view: &ShellView,
    commands: &BTreeSet<String>,
    line: &str,
    pos: usize,
) -> (usize, Vec<Candidate>) {
    let (start, first) = current_word(line, pos);
    let word = &line[start..pos];
    if let Some(found) = variable_names(view, word, start) {
        return found;
    }
    if first && !word.contains('/') && !word.starts_with('~') {
        return (start, command_names(commands, word));
    }
    let words: Vec<&str> = line[..start].split_whitespace().collect();
    let command = words
        .iter()
        .rev()
        .take_while(|w| !w.ends_with(['|', '&', ';', '(']))
        .last()
        .copied()
        .unwrap_or("");
    let directories_only = matches!(command, "cd" | "pushd");
    let keep = |pairs: Vec<Candidate>| -> Vec<Candidate> {
        match directories_only {
            true => pairs
                .into_iter()
                .filter(|p| p.replacement.ends_with('/'))
                .collect(),
            false => pairs,
        }
    };
    if let Some(pairs) = tilde(view, word) {
        return (start, keep(pairs));
    }
    if word.starts_with('%') && ["fg", "bg", "kill", "wait", "jobs", "disown"].contains(&command) {
        let pairs = view
            .jobs
            .iter()
            .map(|id| format!("%{id}"))
            .filter(|spec| spec.starts_with(word))
            .map(Candidate::plain)
            .collect();
        return (start, pairs);
    }
    if word.starts_with('-') {
        let pairs = option_names(command, word);
        if !pairs.is_empty() {
            return (start, pairs);
        }
    }
    match command {
        "help" => return (start, registry_names(word)),
        "type" | "man" | "which" | "command" if !word.contains('/') => {
            return (start, command_names(commands, word));
        }
        _ => {}
    }
    let (from, pairs) = complete_path(line, pos);
    (from, keep(pairs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_word_under_the_cursor_and_whether_it_is_a_command() {
        assert_eq!(current_word("sum-a", 5), (0, true));
        assert_eq!(current_word("ls src/ma", 9), (3, false));
        assert_eq!(current_word("ls | gr", 7), (5, true));
        assert_eq!(current_word("a && b", 6), (5, true));
        assert_eq!(current_word("echo x > fi", 11), (9, false));
    }

    #[test]
    fn options_come_from_the_help_text() {
        let help = "sigchld [--parent handler|never|block|all] [-n N] [--json]
    The demo.
      --parent handler  a SIGCHLD handler reaps
      --parent never    the parent never waits
      -n N              how many children, 1 to 64 (default 5)
      --json            print the measurements as one JSON object
";
        let options = options_of(help);
        let get = |name: &str| {
            options
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, what)| what.as_str())
        };
        assert_eq!(get("--parent"), Some("handler|never|block|all"));
        assert_eq!(get("-n"), Some("how many children, 1 to 64 (default 5)"));
        assert_eq!(
            get("--json"),
            Some("print the measurements as one JSON object")
        );
        assert_eq!(options.len(), 3);
        // Clusters, alternatives, two options to a line, a cut explanation.
        let help = "read [-ers] [-L|-P] [--after S]
      -a  an indexed array        -A  an associative array
      --after S   notify after S seconds (default 1 when standard
";
        let options = options_of(help);
        let names: Vec<&str> = options.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["-e", "-r", "-s", "-L", "-P", "--after", "-a", "-A"]);
        assert_eq!(options[5].1, "notify after S seconds");
        assert_eq!(options[7].1, "an associative array");
    }

    #[test]
    fn variables_complete_after_a_dollar() {
        let view = ShellView {
            vars: vec!["HOME".into(), "HOSTNAME".into(), "PATH".into()],
            ..ShellView::default()
        };
        let (from, pairs) = variable_names(&view, "$HO", 5).unwrap();
        assert_eq!(from, 6);
        let names: Vec<_> = pairs.iter().map(|p| p.replacement.as_str()).collect();
        assert_eq!(names, ["HOME", "HOSTNAME"]);
        let (from, pairs) = variable_names(&view, "x${PA", 0).unwrap();
        assert_eq!((from, pairs[0].replacement.as_str()), (3, "PATH}"));
        assert!(variable_names(&view, "$(ls", 0).is_none());
    }
}
