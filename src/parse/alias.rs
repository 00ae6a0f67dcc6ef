//! Alias expansion, as bash does it while reading: when the word where a
//! command starts is an unquoted alias name, its value replaces it in the
//! input and is read again, so an alias may expand to several words, a
//! pipeline or a reserved word (`alias x='{ echo'`). An alias is not
//! expanded again inside its own value, and a value ending in a blank
//! makes the next word a candidate too.

use std::rc::Rc;

use rustc_hash::FxHashMap;

use super::Parser;
use super::lexer::is_metachar;

/// The aliases defined, by name.
pub type Aliases = Rc<FxHashMap<String, Vec<u8>>>;

/// An expansion in progress: the alias, and where its text ends in the
/// input (while the position is before it, the alias is not expanded).
pub(super) struct Expanding {
    name: String,
    end: usize,
}

impl Parser<'_> {
    /// Expands the alias at the position, if the word there is one, as
    /// many times as the new first word is another alias. When the last
    /// value ended in a blank, returns where it ends: the word after it is
    /// a candidate too.
    pub(super) fn expand_aliases(&mut self) -> Option<usize> {
        let aliases = self.aliases.clone()?;
        let mut next_too = None;
        loop {
            self.blanks();
            let pos = self.r.pos();
            self.expanding.retain(|e| e.end > pos);
            let rest = self.r.rest();
            let len = rest
                .iter()
                .take_while(|&&b| !is_metachar(b) && !b"'\"\\$`".contains(&b))
                .count();
            if len == 0 || rest.get(len).is_some_and(|b| b"'\"\\$`".contains(b)) {
                return next_too;
            }
            let Ok(name) = std::str::from_utf8(&rest[..len]) else {
                return next_too;
            };
            if self.expanding.iter().any(|e| e.name == name) {
                return next_too;
            }
            let Some(value) = aliases.get(name) else {
                return next_too;
            };
            let name = name.to_owned();
            let value = value.clone();
            next_too = value
                .last()
                .is_some_and(|&b| b == b' ' || b == b'\t')
                .then_some(pos + value.len());
            let delta = value.len() as isize - len as isize;
            self.r.splice(pos, len, &value);
            for e in &mut self.expanding {
                e.end = (e.end as isize + delta) as usize;
            }
            self.expanding.push(Expanding {
                name,
                end: pos + value.len(),
            });
        }
    }
}
