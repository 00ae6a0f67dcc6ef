//! Expansion: turning the parser's words into the argument strings a
//! command receives.
//!
//! In order, as POSIX orders it: tilde, then parameters (`$X`, `$?`…), then
//! field splitting of unquoted expansions on `$IFS`, then quote removal
//! (quotes already left the words in the parser). Text from quotes is never
//! split, and a word that expands to nothing unquoted disappears, while
//! `""` stays an empty argument.

use std::borrow::Cow;

use crate::ast::{Param, Word, WordPart};
use crate::shell::Shell;

/// Expands command words into fields: the argv of a command.
pub fn words(shell: &Shell, words: &[Word]) -> Vec<Vec<u8>> {
    let mut fields = Fields::new(shell);
    for word in words {
        fields.expand_word(word);
    }
    fields.finish()
}

/// Expands a word that stays one string whatever it contains: an
/// assignment's value (`A=$B` keeps B's spaces).
pub fn single(shell: &Shell, word: &Word) -> Vec<u8> {
    let mut out = Vec::new();
    for part in &word.parts {
        append_joined(shell, part, &mut out);
    }
    out
}

/// Expands a redirection target, which must be exactly one field:
/// `> $empty` and `> $two_words` are "ambiguous redirects" in bash.
/// A plain word (`> out.txt`) needs no expansion and is borrowed as is.
pub fn single_field<'w>(shell: &Shell, word: &'w Word) -> Option<Cow<'w, [u8]>> {
    if let [WordPart::Literal(text)] = word.parts.as_slice() {
        if !text.is_empty() {
            return Some(Cow::Borrowed(text));
        }
    }
    let mut fields = words(shell, std::slice::from_ref(word));
    match fields.len() {
        1 => fields.pop().map(Cow::Owned),
        _ => None,
    }
}

/// Text of a part with nothing split, for assignments and double quotes.
fn append_joined(shell: &Shell, part: &WordPart, out: &mut Vec<u8>) {
    match part {
        WordPart::Literal(text) | WordPart::SingleQuoted(text) => out.extend_from_slice(text),
        WordPart::Escaped(byte) => out.push(*byte),
        WordPart::DoubleQuoted(parts) => {
            for part in parts {
                append_joined(shell, part, out);
            }
        }
        WordPart::Param(param) => append_param_joined(shell, param, out),
        WordPart::Tilde(user) => out.extend_from_slice(&tilde(shell, user)),
    }
}

/// A parameter's value as one string: `$*` joined with the first character
/// of `$IFS` (none if IFS is empty), `$@` with spaces, as bash joins it.
fn append_param_joined(shell: &Shell, param: &Param, out: &mut Vec<u8>) {
    match param {
        Param::AllSeparate | Param::AllJoined => {
            let separator = match param {
                Param::AllSeparate => Some(b' '),
                _ => ifs(shell).first().copied(),
            };
            for (i, arg) in shell.params.args.iter().enumerate() {
                if i > 0 {
                    out.extend(separator);
                }
                out.extend_from_slice(arg);
            }
        }
        other => with_scalar(shell, other, |value| out.extend_from_slice(value)),
    }
}

/// Calls `f` with the value of a one-string parameter.
fn with_scalar(shell: &Shell, param: &Param, f: impl FnOnce(&[u8])) {
    let number: String;
    let value: &[u8] = match param {
        Param::Named(name) => shell.vars.get(name).unwrap_or_default(),
        Param::Positional(0) => &shell.params.zero,
        Param::Positional(n) => shell.params.args.get(n - 1).map_or(&[][..], |a| a),
        Param::LastBackground if shell.last_background.is_none() => b"",
        Param::Options => shell.option_letters().as_bytes(),
        Param::Status | Param::ShellPid | Param::LastBackground | Param::Count => {
            number = match param {
                Param::Status => shell.status.to_string(),
                Param::ShellPid => shell.pid.to_string(),
                Param::Count => shell.params.args.len().to_string(),
                _ => shell.last_background.unwrap_or_default().to_string(),
            };
            number.as_bytes()
        }
        Param::AllSeparate | Param::AllJoined => unreachable!("handled by the callers"),
    };
    f(value)
}

/// `~` is `$HOME`; `~user` is that user's home directory from the password
/// database. An unknown user leaves the text as written.
fn tilde(shell: &Shell, user: &[u8]) -> Vec<u8> {
    if user.is_empty() {
        return match shell.vars.get("HOME") {
            Some(home) => home.to_vec(),
            None => home_of_uid(nix::unistd::getuid().as_raw()).unwrap_or_else(|| b"~".to_vec()),
        };
    }
    match home_of_user(user) {
        Some(home) => home,
        None => [&b"~"[..], user].concat(),
    }
}

/// Reads `/etc/passwd` directly: the static binary avoids glibc's NSS,
/// which needs shared libraries at run time.
fn passwd_entries() -> Vec<Vec<Vec<u8>>> {
    let text = std::fs::read("/etc/passwd").unwrap_or_default();
    text.split(|&b| b == b'\n')
        .map(|line| {
            line.split(|&b| b == b':')
                .map(<[u8]>::to_vec)
                .collect::<Vec<_>>()
        })
        .filter(|fields| fields.len() >= 7)
        .collect()
}

fn home_of_user(user: &[u8]) -> Option<Vec<u8>> {
    passwd_entries()
        .into_iter()
        .find(|e| e[0] == user)
        .map(|mut e| e.swap_remove(5))
}

fn home_of_uid(uid: u32) -> Option<Vec<u8>> {
    let uid = uid.to_string().into_bytes();
    passwd_entries()
        .into_iter()
        .find(|e| e[2] == uid)
        .map(|mut e| e.swap_remove(5))
}

/// `$IFS`, or space-tab-newline when it is unset.
fn ifs(shell: &Shell) -> &[u8] {
    shell.vars.get("IFS").unwrap_or(b" \t\n")
}

/// The fields of a command line being built. Text accumulates in `current`
/// until an unquoted expansion's separator ends the field.
struct Fields<'a> {
    shell: &'a Shell,
    /// `$IFS`, looked up at the first unquoted expansion: most commands
    /// have none, and need not pay for the lookup.
    ifs: Option<&'a [u8]>,
    done: Vec<Vec<u8>>,
    current: Vec<u8>,
    /// The current field exists even if empty: it holds quotes (`""`) or
    /// was opened by a non-blank separator (`a::b` with `IFS=:`).
    keep: bool,
    /// The last expanded text ended a field with blanks; a following
    /// non-blank separator belongs to the same break (`a : b`).
    after_blank_break: bool,
}

impl<'a> Fields<'a> {
    fn new(shell: &'a Shell) -> Fields<'a> {
        Fields {
            shell,
            ifs: None,
            done: Vec::with_capacity(4),
            current: Vec::new(),
            keep: false,
            after_blank_break: false,
        }
    }

    fn expand_word(&mut self, word: &Word) {
        let shell = self.shell;
        self.after_blank_break = false;
        for part in &word.parts {
            match part {
                WordPart::Literal(text) => self.push_text(text),
                WordPart::Escaped(byte) => {
                    self.push_text(&[*byte]);
                    self.keep = true;
                }
                WordPart::SingleQuoted(text) => {
                    self.push_text(text);
                    self.keep = true;
                }
                WordPart::DoubleQuoted(parts) => {
                    let kept_before = self.keep;
                    self.keep = true;
                    self.expand_quoted(parts, kept_before);
                }
                WordPart::Param(Param::AllSeparate | Param::AllJoined) => {
                    for (i, arg) in shell.params.args.iter().enumerate() {
                        if i > 0 {
                            self.end_field();
                        }
                        self.push_split(arg);
                    }
                }
                WordPart::Param(param) => {
                    with_scalar(shell, param, |value| self.push_split(value));
                }
                WordPart::Tilde(user) => {
                    // Even an empty home directory is one (empty) argument.
                    self.push_text(&tilde(shell, user));
                    self.keep = true;
                }
            }
        }
        self.end_field();
    }

    /// The parts of `"…"`: never split; `"$@"` still makes one field per
    /// parameter, and with no parameters none at all, unless other quotes
    /// of the word (`""`) already made one.
    fn expand_quoted(&mut self, parts: &[WordPart], kept_before: bool) {
        let shell = self.shell;
        for part in parts {
            match part {
                WordPart::Param(Param::AllSeparate) => {
                    if shell.params.args.is_empty() && parts.len() == 1 {
                        self.keep = kept_before;
                    }
                    for (i, arg) in shell.params.args.iter().enumerate() {
                        if i > 0 {
                            self.end_field();
                            self.keep = true;
                        }
                        self.push_text(arg);
                    }
                }
                other => append_joined(shell, other, &mut self.current),
            }
        }
    }

    fn push_text(&mut self, text: &[u8]) {
        self.current.extend_from_slice(text);
        self.after_blank_break = false;
    }

    /// Text from an unquoted expansion: split on `$IFS`. Blanks (space, tab,
    /// newline in IFS) collapse and never make empty fields; every other
    /// IFS character ends a field, empty or not.
    fn push_split(&mut self, value: &[u8]) {
        let shell = self.shell;
        let ifs = *self.ifs.get_or_insert_with(|| ifs(shell));
        for &b in value {
            if !ifs.contains(&b) {
                self.current.push(b);
                self.after_blank_break = false;
            } else if b.is_ascii_whitespace() {
                if !self.current.is_empty() || self.keep {
                    self.end_field();
                    self.after_blank_break = true;
                }
            } else if self.after_blank_break {
                self.after_blank_break = false;
            } else {
                self.keep = true;
                self.end_field();
            }
        }
    }

    fn end_field(&mut self) {
        if !self.current.is_empty() || self.keep {
            self.done.push(std::mem::take(&mut self.current));
        }
        self.keep = false;
    }

    fn finish(mut self) -> Vec<Vec<u8>> {
        self.end_field();
        self.done
    }
}

#[cfg(test)]
mod tests;
