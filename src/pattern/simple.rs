//! Whole-string matching of patterns without extglob groups, by the greedy star algorithm: no allocation, no recursion.
//!
//! Only the last `*` seen is ever revisited: when the rest of the pattern
//! fails, that star swallows one more character and the rest is tried
//! again. Earlier stars need no revisiting, because whatever they could have
//! absorbed the last star can absorb too. This takes O(pattern × subject)
//! steps at worst, never the exponential time of naive backtracking.

use super::parse::Node;
use super::text::Unit;

/// Whether `nodes` match `s[from..]` entirely. `explicit_dot` is
/// pathname expansion's rule: a `.` at the very start of `s` is matched only
/// by a literal `.`, never by `*`, `?` or a bracket (bash's `FNM_PERIOD`).
pub(crate) fn matches(
    nodes: &[Node],
    s: &[u8],
    from: usize,
    unit: Unit,
    explicit_dot: bool,
) -> bool {
    let n = s.len();
    let mut pi = 0;
    let mut si = from;
    // The node after the last star, and where that star's match ends now.
    let mut star: Option<(usize, usize)> = None;
    loop {
        if let Some(node) = nodes.get(pi) {
            let blocked = explicit_dot && si == 0 && s.first() == Some(&b'.');
            let step = match node {
                Node::Star => {
                    if blocked {
                        return false;
                    }
                    if pi + 1 == nodes.len() {
                        return true;
                    }
                    star = Some((pi + 1, si));
                    pi += 1;
                    continue;
                }
                Node::Lit(bytes) => s
                    .get(si..)
                    .is_some_and(|rest| rest.starts_with(bytes))
                    .then_some(bytes.len()),
                Node::Fold(c) => unit
                    .decode(s, si)
                    .filter(|&(ch, _)| unit.fold(ch) == *c)
                    .map(|(_, len)| len),
                Node::Any if !blocked => unit.decode(s, si).map(|(_, len)| len),
                Node::Set(set) if !blocked => unit
                    .decode(s, si)
                    .filter(|&(ch, _)| set.contains(ch, unit))
                    .map(|(_, len)| len),
                Node::Any | Node::Set(_) | Node::Group(_) => None,
            };
            if let Some(len) = step {
                si += len;
                pi += 1;
                continue;
            }
        } else if si == n {
            return true;
        }
        match star {
            Some((after, end)) if end < n => {
                let end = end + unit.len_at(s, end);
                star = Some((after, end));
                pi = after;
                si = end;
            }
            _ => return false,
        }
    }
}
