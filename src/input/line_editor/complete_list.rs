//! What Tab does with the candidates a completer offers, as bash does: the
//! longest start they share is inserted, and when that adds nothing a
//! second Tab lists them in columns fitted to the terminal's width.

use unicode_width::UnicodeWidthStr;

/// One thing the word under the cursor can become.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// What the list shows (`cd  (change the working directory)`).
    pub display: String,
    /// What replaces the word.
    pub replacement: String,
}

impl Candidate {
    /// A candidate shown as what it inserts.
    pub fn plain(text: String) -> Candidate {
        Candidate {
            display: text.clone(),
            replacement: text,
        }
    }
}

/// The longest start all the replacements share, cut on a character.
pub fn common_start(candidates: &[Candidate]) -> &str {
    let Some(first) = candidates.first() else {
        return "";
    };
    let mut end = first.replacement.len();
    for other in &candidates[1..] {
        let shared = first
            .replacement
            .char_indices()
            .zip(other.replacement.chars())
            .find(|((_, a), b)| a != b)
            .map_or(
                first.replacement.len().min(other.replacement.len()),
                |((i, _), _)| i,
            );
        end = end.min(shared);
    }
    // `shared` is on a character of `first` already; min keeps it so.
    &first.replacement[..end]
}

/// The candidates' displays in columns that fit `width`, filled down
/// then across (as `ls` and bash), each row ending in `\r\n`.
pub fn columns(displays: &[&str], width: usize) -> String {
    const GAP: usize = 2;
    let widest = displays.iter().map(|d| d.width()).max().unwrap_or(0);
    let per_row = ((width + GAP) / (widest + GAP)).max(1);
    let rows = displays.len().div_ceil(per_row);
    let mut out = String::new();
    for row in 0..rows {
        let mut line = String::new();
        let mut column = row;
        while let Some(display) = displays.get(column) {
            line.push_str(display);
            column += rows;
            if displays.get(column).is_some() {
                let pad = widest + GAP - display.width();
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push_str(&line);
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidates(names: &[&str]) -> Vec<Candidate> {
        names
            .iter()
            .map(|n| Candidate::plain((*n).to_owned()))
            .collect()
    }

    #[test]
    fn the_shared_start_of_the_candidates() {
        assert_eq!(common_start(&candidates(&["type ", "typeset "])), "type");
        assert_eq!(common_start(&candidates(&["labs/"])), "labs/");
        assert_eq!(common_start(&candidates(&["été", "étage"])), "ét");
        assert_eq!(common_start(&candidates(&["ab", "a"])), "a");
        assert_eq!(common_start(&[]), "");
    }

    #[test]
    fn columns_fill_down_then_across_within_the_width() {
        let names = ["a", "bb", "ccc", "d", "e"];
        // Widest 3 + gap 2: 2 columns in 10, so 3 rows.
        assert_eq!(columns(&names, 10), "a    d\r\nbb   e\r\nccc\r\n");
        assert_eq!(columns(&names, 3), "a\r\nbb\r\nccc\r\nd\r\ne\r\n");
        assert_eq!(columns(&names, 80), "a    bb   ccc  d    e\r\n");
    }
}
