//! Brace expansion's syntax: finding `{a,b}` and `{1..10}` in a word's
//! unquoted text, so expansion can make several words of one. Only
//! unquoted braces and commas count (`"{a,b}"` and `{a\,b}` are text), and a
//! brace with neither a comma nor a valid sequence inside stays text, as in
//! bash (`{}`, `{x}`, `{a..}`).

use crate::ast::{Brace, WordPart};

/// One unit of a word for the search: an unquoted byte, or a whole part
/// that is not unquoted text (a quote, an expansion).
#[derive(Clone)]
enum Piece {
    Byte(u8),
    Part(WordPart),
}

/// The word's parts with every brace expansion found made a
/// [`WordPart::Brace`].
pub fn mark(parts: Vec<WordPart>) -> Vec<WordPart> {
    let has_brace = parts
        .iter()
        .any(|p| matches!(p, WordPart::Literal(t) if t.contains(&b'{')));
    if !has_brace {
        return parts;
    }
    let pieces: Vec<Piece> = parts
        .into_iter()
        .flat_map(|part| match part {
            WordPart::Literal(text) => text.into_iter().map(Piece::Byte).collect::<Vec<_>>(),
            other => vec![Piece::Part(other)],
        })
        .collect();
    build(&pieces)
}

/// The parts for a run of pieces, braces expanded.
fn build(pieces: &[Piece]) -> Vec<WordPart> {
    let mut out: Vec<WordPart> = Vec::new();
    let mut i = 0;
    while i < pieces.len() {
        if let Piece::Byte(b'{') = pieces[i] {
            if let Some((brace, end)) = brace_at(pieces, i) {
                out.push(WordPart::Brace(Box::new(brace)));
                i = end + 1;
                continue;
            }
        }
        match &pieces[i] {
            Piece::Byte(b) => match out.last_mut() {
                Some(WordPart::Literal(text)) => text.push(*b),
                _ => out.push(WordPart::Literal(vec![*b])),
            },
            Piece::Part(part) => out.push(part.clone()),
        }
        i += 1;
    }
    out
}

/// The brace expansion opening at `open`, and where its `}` is.
fn brace_at(pieces: &[Piece], open: usize) -> Option<(Brace, usize)> {
    let mut depth = 0;
    let mut commas = Vec::new();
    for (i, piece) in pieces.iter().enumerate().skip(open + 1) {
        match piece {
            Piece::Byte(b'{') => depth += 1,
            Piece::Byte(b'}') if depth > 0 => depth -= 1,
            Piece::Byte(b'}') => {
                let inside = &pieces[open + 1..i];
                if !commas.is_empty() {
                    let mut alternatives = Vec::new();
                    let mut start = open + 1;
                    for &comma in &commas {
                        alternatives.push(build(&pieces[start..comma]));
                        start = comma + 1;
                    }
                    alternatives.push(build(&pieces[start..i]));
                    return Some((Brace::Alternatives(alternatives), i));
                }
                return sequence(inside).map(|brace| (brace, i));
            }
            Piece::Byte(b',') if depth == 0 => commas.push(i),
            _ => {}
        }
    }
    None
}

/// `{1..10}`, `{-3..3..2}`, `{a..z}`: two ends of the same kind and an
/// optional step, all unquoted text.
fn sequence(inside: &[Piece]) -> Option<Brace> {
    let text: Vec<u8> = inside
        .iter()
        .map(|p| match p {
            Piece::Byte(b) => Some(*b),
            Piece::Part(_) => None,
        })
        .collect::<Option<_>>()?;
    let fields: Vec<&[u8]> = split_dots(&text);
    let (start, end, step) = match fields.as_slice() {
        [a, b] => (*a, *b, None),
        [a, b, c] => (*a, *b, Some(*c)),
        _ => return None,
    };
    let is_number = |t: &[u8]| {
        let digits = t
            .strip_prefix(b"-")
            .or_else(|| t.strip_prefix(b"+"))
            .unwrap_or(t);
        !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
    };
    let is_letter = |t: &[u8]| t.len() == 1 && t[0].is_ascii_alphabetic();
    let ends_match = (is_number(start) && is_number(end)) || (is_letter(start) && is_letter(end));
    if !ends_match || step.is_some_and(|s| !is_number(s)) {
        return None;
    }
    Some(Brace::Sequence {
        start: start.to_vec(),
        end: end.to_vec(),
        step: step.map(<[u8]>::to_vec),
    })
}

/// Splits `a..b..c` at each `..`.
fn split_dots(text: &[u8]) -> Vec<&[u8]> {
    let mut fields = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i + 1 < text.len() {
        if &text[i..i + 2] == b".." {
            fields.push(&text[start..i]);
            i += 2;
            start = i;
        } else {
            i += 1;
        }
    }
    fields.push(&text[start..]);
    fields
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::build::{lit, sq};

    fn alternatives(parts: &[WordPart]) -> Option<Vec<Vec<WordPart>>> {
        parts.iter().find_map(|p| match p {
            WordPart::Brace(b) => match b.as_ref() {
                Brace::Alternatives(a) => Some(a.clone()),
                _ => None,
            },
            _ => None,
        })
    }

    #[test]
    fn commas_make_alternatives() {
        let parts = mark(vec![lit("a{b,c}d")]);
        assert_eq!(parts.len(), 3);
        assert_eq!(
            alternatives(&parts),
            Some(vec![vec![lit("b")], vec![lit("c")]])
        );
    }

    #[test]
    fn quoted_braces_and_commas_are_text() {
        let parts = mark(vec![lit("{a"), sq(","), lit("b}")]);
        assert!(alternatives(&parts).is_none());
        assert_eq!(mark(vec![lit("{}")]), vec![lit("{}")]);
        assert_eq!(mark(vec![lit("{x}")]), vec![lit("{x}")]);
    }

    #[test]
    fn sequences_need_matching_ends() {
        let parts = mark(vec![lit("{1..5..2}")]);
        assert!(matches!(&parts[0], WordPart::Brace(b) if matches!(**b, Brace::Sequence { .. })));
        assert_eq!(mark(vec![lit("{1..a}")]), vec![lit("{1..a}")]);
        assert_eq!(mark(vec![lit("{a..}")]), vec![lit("{a..}")]);
    }

    #[test]
    fn nested_braces() {
        let parts = mark(vec![lit("{a,{b,c}}")]);
        let alts = alternatives(&parts).unwrap();
        assert_eq!(alts.len(), 2);
        assert!(alternatives(&alts[1]).is_some());
    }
}
