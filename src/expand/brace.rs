//! Brace expansion: `a{b,c}d` becomes `abd acd`, `{1..3}` becomes `1 2 3`,
//! before any other expansion, as bash does it. The parser found the
//! braces (`WordPart::Brace`); here each word with braces becomes the list
//! of words it stands for, in order.

use std::borrow::Cow;

use crate::ast::{Brace, WordPart};

/// More words than this from one sequence, or from one word's braces, is
/// surely a mistake (`{1..1e9}` would exhaust memory); bash has no limit,
/// minishell leaves the brace as written.
const MAX_SEQUENCE: i64 = 1 << 20;

/// The words one word's parts stand for: itself alone when it holds no
/// brace expansion.
pub fn expand(parts: &[WordPart]) -> Vec<Cow<'_, [WordPart]>> {
    if !parts.iter().any(|p| matches!(p, WordPart::Brace(_))) {
        return vec![Cow::Borrowed(parts)];
    }
    expand_owned(parts)
        .into_iter()
        .map(|word| {
            // Tilde expansion comes after brace expansion: `~{/a,/b}` is
            // `~/a ~/b`, each word's tilde expanded.
            let mut word = merge_literals(word);
            crate::parse::mark_tilde(&mut word, false);
            Cow::Owned(word)
        })
        .collect()
}

/// Joins neighbouring literal parts, which brace expansion leaves apart.
fn merge_literals(parts: Vec<WordPart>) -> Vec<WordPart> {
    let mut out: Vec<WordPart> = Vec::with_capacity(parts.len());
    for part in parts {
        match (out.last_mut(), part) {
            (Some(WordPart::Literal(last)), WordPart::Literal(text)) => last.extend(text),
            (_, part) => out.push(part),
        }
    }
    out
}

fn expand_owned(parts: &[WordPart]) -> Vec<Vec<WordPart>> {
    let mut words: Vec<Vec<WordPart>> = vec![Vec::new()];
    for part in parts {
        let WordPart::Brace(brace) = part else {
            for word in &mut words {
                word.push(part.clone());
            }
            continue;
        };
        let choices: Vec<Vec<WordPart>> = match brace.as_ref() {
            Brace::Alternatives(alternatives) => alternatives
                .iter()
                .flat_map(|alternative| expand_owned(alternative))
                .collect(),
            Brace::Sequence { start, end, step } => match sequence(start, end, step.as_deref()) {
                Some(items) => items
                    .into_iter()
                    .map(|text| vec![WordPart::Literal(text)])
                    .collect(),
                None => vec![vec![WordPart::Literal(brace.to_string().into_bytes())]],
            },
        };
        if words.len().saturating_mul(choices.len()) > MAX_SEQUENCE as usize {
            // `{1..5000}{1..5000}`: past the limit of one sequence, the
            // brace stays as written, as a sequence too long to make does
            // (before, the product was allocated at once, and the shell
            // aborted when it could not be).
            let text = brace.to_string().into_bytes();
            for word in &mut words {
                word.push(WordPart::Literal(text.clone()));
            }
            continue;
        }
        let mut next = Vec::with_capacity(words.len() * choices.len());
        for word in &words {
            for choice in &choices {
                let mut joined = word.clone();
                joined.extend(choice.iter().cloned());
                next.push(joined);
            }
        }
        words = next;
    }
    words
}

/// The items of `{start..end[..step]}`: numbers (zero-padded to the widest
/// end when either end is written with a leading zero) or letters. `None`
/// when the sequence is too long to make.
fn sequence(start: &[u8], end: &[u8], step: Option<&[u8]>) -> Option<Vec<Vec<u8>>> {
    let number = |t: &[u8]| std::str::from_utf8(t).ok()?.parse::<i64>().ok();
    let step = match step {
        Some(s) => number(s)?.checked_abs()?.max(1),
        None => 1,
    };
    if let (Some(a), Some(b)) = (number(start), number(end)) {
        let count = (a.abs_diff(b) / step.unsigned_abs()) as i64 + 1;
        if count > MAX_SEQUENCE {
            return None;
        }
        let padded = |t: &[u8]| {
            let digits = t.strip_prefix(b"-").unwrap_or(t);
            digits.len() > 1 && digits[0] == b'0'
        };
        let width = if padded(start) || padded(end) {
            start.len().max(end.len())
        } else {
            0
        };
        let mut items = Vec::with_capacity(count as usize);
        let mut n = a;
        for _ in 0..count {
            let text = if n < 0 {
                format!("-{:0w$}", n.unsigned_abs(), w = width.saturating_sub(1))
            } else {
                format!("{n:0width$}")
            };
            items.push(text.into_bytes());
            n = if a <= b { n + step } else { n - step };
        }
        return Some(items);
    }
    let (a, b) = (i64::from(start[0]), i64::from(end[0]));
    let mut items = Vec::new();
    let mut c = a;
    loop {
        // Letters step through the bytes between, as bash does (`{Z..a}`
        // includes the punctuation between the cases).
        items.push(vec![c as u8]);
        if c == b {
            break;
        }
        c = if a <= b { c + step } else { c - step };
        if (a <= b && c > b) || (a > b && c < b) {
            break;
        }
    }
    Some(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seq(a: &str, b: &str, step: Option<&str>) -> Vec<String> {
        sequence(a.as_bytes(), b.as_bytes(), step.map(str::as_bytes))
            .unwrap()
            .into_iter()
            .map(|t| String::from_utf8(t).unwrap())
            .collect()
    }

    #[test]
    fn numbers_letters_steps_and_padding() {
        assert_eq!(seq("1", "3", None), ["1", "2", "3"]);
        assert_eq!(seq("3", "1", None), ["3", "2", "1"]);
        assert_eq!(seq("1", "10", Some("4")), ["1", "5", "9"]);
        assert_eq!(seq("01", "03", None), ["01", "02", "03"]);
        assert_eq!(seq("-1", "1", None), ["-1", "0", "1"]);
        assert_eq!(seq("a", "e", Some("2")), ["a", "c", "e"]);
        assert_eq!(seq("c", "a", None), ["c", "b", "a"]);
    }

    #[test]
    fn alternatives_multiply() {
        let parts = vec![
            WordPart::Brace(Box::new(Brace::Alternatives(vec![
                vec![WordPart::Literal(b"a".to_vec())],
                vec![WordPart::Literal(b"b".to_vec())],
            ]))),
            WordPart::Brace(Box::new(Brace::Sequence {
                start: b"1".to_vec(),
                end: b"2".to_vec(),
                step: None,
            })),
        ];
        let words: Vec<String> = expand(&parts)
            .iter()
            .map(|w| w.iter().map(|p| p.to_string()).collect())
            .collect();
        assert_eq!(words, ["a1", "a2", "b1", "b2"]);
    }
}
