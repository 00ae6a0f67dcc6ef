//! `set -x`: each command, expanded, on standard error before it runs,
//! after `$PS4` (`+ `) whose first character is repeated once more for each
//! level of command substitution, as bash shows nesting.

use super::Shell;
use crate::quote::quote_for_trace;
use crate::vars::Value;

impl Shell {
    /// `$PS4`, expanded, with its first character repeated per level.
    fn trace_prefix(&mut self) -> Vec<u8> {
        let ps4 = match self.vars.get("PS4").map(<[u8]>::to_vec) {
            Some(ps4) => {
                let word = crate::ast::Word {
                    parts: vec![crate::ast::WordPart::Literal(ps4)],
                };
                crate::expand::string(self, &word).unwrap_or_default()
            }
            None => b"+ ".to_vec(),
        };
        let Some((&first, rest)) = ps4.split_first() else {
            return ps4;
        };
        let mut prefix = vec![first; self.trace_level + 1];
        prefix.extend_from_slice(rest);
        prefix
    }

    /// A traced line: the prefix, then `text`.
    pub(super) fn trace_raw(&mut self, text: &[u8]) {
        let mut line = self.trace_prefix();
        line.extend_from_slice(text);
        line.push(b'\n');
        // Where the shell's own standard error points: a command's
        // `2>file` is not where its trace goes, as in bash.
        let slot = self.trace_slot.unwrap_or_else(|| self.fds.slot(2));
        super::write_to_slot(slot, &line);
    }

    /// A command's words, each quoted as needed.
    pub(super) fn trace_words(&mut self, words: &[Vec<u8>]) {
        let mut text = Vec::new();
        for (i, word) in words.iter().enumerate() {
            if i > 0 {
                text.push(b' ');
            }
            text.extend(quote_for_trace(word));
        }
        self.trace_raw(&text);
    }

    /// An assignment as it was made: `x=value`, `a=(1 2)`.
    pub(super) fn trace_assignment(&mut self, name: &str) {
        let mut text = name.as_bytes().to_vec();
        text.push(b'=');
        match self.vars.var(name).map(|v| v.value.clone()) {
            Some(Value::Indexed(array)) => {
                text.push(b'(');
                for (i, value) in array.values().enumerate() {
                    if i > 0 {
                        text.push(b' ');
                    }
                    text.extend(quote_for_trace(value));
                }
                text.push(b')');
            }
            Some(Value::Scalar(value)) => text.extend(quote_for_trace(&value)),
            _ => {}
        }
        self.trace_raw(&text);
    }
}
