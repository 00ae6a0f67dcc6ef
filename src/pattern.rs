//! SCAFFOLD pattern: literal matching only.
#[derive(Debug, Clone, Default)]
pub struct PatternOptions {
    pub extglob: bool,
    pub nocase: bool,
}
#[derive(Debug, Clone)]
pub struct Pattern {
    text: Vec<u8>,
}
impl Pattern {
    pub fn new(text: &[u8], _q: impl Fn(usize) -> bool, _o: PatternOptions) -> Pattern {
        Pattern {
            text: text.to_vec(),
        }
    }
    pub fn matches(&self, s: &[u8]) -> bool {
        self.text == b"*" || self.text == s
    }
    pub fn prefix_len(&self, s: &[u8], _longest: bool) -> Option<usize> {
        s.starts_with(&self.text).then_some(self.text.len())
    }
    pub fn suffix_start(&self, s: &[u8], _longest: bool) -> Option<usize> {
        s.ends_with(&self.text).then_some(s.len() - self.text.len())
    }
    pub fn find(&self, s: &[u8], from: usize) -> Option<(usize, usize)> {
        if self.text.is_empty() {
            return None;
        }
        s[from..]
            .windows(self.text.len())
            .position(|w| w == self.text.as_slice())
            .map(|p| (from + p, from + p + self.text.len()))
    }
}
