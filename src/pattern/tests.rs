//! Unit tests of the pattern syntax, the character rules and every operation; the expectations were checked against bash 5.2 (see also `tests/bash.rs`).

use super::*;

const EXT: PatternOptions = PatternOptions {
    extglob: true,
    nocase: false,
    explicit_dot: false,
    chars: Chars::Utf8,
};

/// A pattern written as the shell would receive it from source text: `'…'`
/// quotes and `\x` escapes mark bytes quoted; everything else unquoted.
fn src(word: &str) -> (Vec<u8>, Vec<bool>) {
    let (mut text, mut quoted) = (Vec::new(), Vec::new());
    let mut chars = word.bytes();
    while let Some(b) = chars.next() {
        match b {
            b'\'' => {
                for q in chars.by_ref().take_while(|&q| q != b'\'') {
                    text.push(q);
                    quoted.push(true);
                }
            }
            b'\\' => {
                if let Some(q) = chars.next() {
                    text.push(q);
                    quoted.push(true);
                }
            }
            _ => {
                text.push(b);
                quoted.push(false);
            }
        }
    }
    (text, quoted)
}

fn compile(word: &str, options: PatternOptions) -> Pattern {
    let (text, quoted) = src(word);
    Pattern::new(&text, |i| quoted[i], options)
}

/// An unquoted pattern (as from `$p`), extglob on.
fn pat(p: &[u8]) -> Pattern {
    Pattern::unquoted(p, EXT)
}

fn yes(p: &str, s: &str) {
    assert!(
        pat(p.as_bytes()).matches(s.as_bytes()),
        "{p:?} should match {s:?}"
    );
}

fn no(p: &str, s: &str) {
    assert!(
        !pat(p.as_bytes()).matches(s.as_bytes()),
        "{p:?} should not match {s:?}"
    );
}

#[test]
fn literal_text_and_empty_pattern() {
    yes("abc", "abc");
    no("abc", "abd");
    no("abc", "ab");
    yes("", "");
    no("", "a");
    no("a", "");
    yes("a|b", "a|b");
    yes("a)", "a)");
}

#[test]
fn star_and_question_mark() {
    yes("*", "");
    yes("*", "anything at all");
    yes("a*", "a");
    yes("*.rs", "main.rs");
    no("*.rs", "main.rs.bak");
    yes("a*b*c", "aXXbYYc");
    no("a*b*c", "aXXbYY");
    yes("**", "x");
    yes("?", "x");
    no("?", "");
    no("?", "xy");
    yes("??", "xy");
    yes("a?c", "a/c");
    yes("*/*", "dir/file");
}

#[test]
fn star_backtracking_stays_linear() {
    let subject = vec![b'a'; 20_000];
    let p = pat(b"*a*a*a*a*a*a*a*a*b");
    assert!(!p.matches(&subject));
    assert!(pat(b"*a*a*a*a*a*a*a*a").matches(&subject));
}

#[test]
fn bracket_members_ranges_and_negation() {
    yes("[abc]", "b");
    no("[abc]", "d");
    yes("[!abc]", "d");
    no("[!abc]", "a");
    yes("[^abc]", "d");
    yes("[a-z]", "q");
    no("[a-z]", "Q");
    yes("[a-cx-z]", "y");
    yes("[]a]", "]");
    yes("[]a]", "a");
    yes("[!]a]", "b");
    no("[!]a]", "]");
    yes("[a-]", "-");
    yes("[-a]", "-");
    yes("[]-a]", "^");
    yes("[a-c-e]", "-");
    no("[a-c-e]", "d");
    no("[z-a]", "z");
    no("[z-a]", "b");
    yes("[--/]", ".");
}

#[test]
fn unclosed_brackets_are_literal() {
    yes("[a", "[a");
    no("[a", "a");
    yes("[", "[");
    yes("a[", "a[");
    yes("[!]", "[!]");
    yes("[]", "[]");
    // `[` then the bracket `[:alpha:]` (members `:alph`).
    yes("[[:alpha:]", "[a");
    yes("[[:alpha:]", "[:");
    no("[[:alpha:]", "a");
}

#[test]
fn classes() {
    let cases: &[(&str, &str, &str)] = &[
        ("alpha", "aZé", "1_ "),
        ("digit", "09", "a٣"),
        ("alnum", "a9é", "_-"),
        ("upper", "AÉ", "aé1"),
        ("lower", "aé", "AÉ1"),
        ("space", " \t\n\u{b}\u{c}\r\u{2003}", "a\u{a0}"),
        ("blank", " \t\u{3000}", "\na"),
        ("punct", "!-_~€", "a1 é"),
        ("print", "a €", "\t\u{7f}"),
        ("graph", "a€!", " \t"),
        ("cntrl", "\t\u{7f}\u{85}", "a "),
        ("xdigit", "09afAF", "gG"),
        ("word", "a_9é", "-!"),
    ];
    for (name, members, others) in cases {
        let p = format!("[[:{name}:]]");
        for c in members.chars() {
            yes(&p, &c.to_string());
        }
        for c in others.chars() {
            no(&p, &c.to_string());
        }
    }
    yes("[[:alpha:][:digit:]]", "7");
    yes("[![:alpha:]]", "7");
    yes("[x[:digit:]]", "x");
}

#[test]
fn malformed_classes_equivalences_and_collating_symbols() {
    // An unknown class contributes nothing.
    no("[[:foo:]]", "f");
    no("[[:foo:]]", "[[:foo:]]");
    yes("[[:foo:]x]", "x");
    // `[:` without `:]`: the `[` is dropped.
    yes("[[:]", ":");
    no("[[:]", "[");
    yes("[[:alpha]", "a");
    no("[[:alpha]", "[");
    // Equivalence classes of one character.
    yes("[[=a=]]", "a");
    no("[[=a=]]", "á");
    yes("[[=a=]b]", "b");
    yes("[[=é=]]", "é");
    no("[[=ab=]b]", "b");
    yes("[[=a]", "=");
    yes("[[=a]", "[");
    // Collating symbols.
    yes("[[.a.]]", "a");
    yes("[[.-.]]", "-");
    yes("[[.hyphen.]]", "-");
    yes("[[.space.]]", " ");
    yes("[[.left-curly-bracket.]]", "{");
    no("[[.low-line.]]", "_");
    no("[[.foo.]]", "f");
    yes("[[.foo.]a]", "a");
    yes("[[.a.]-c]", "b");
    yes("[[.hyphen.]-c]", "b");
    no("[a-[.hyphen.]]", "a");
    // `[.` without `.]` invalidates the whole bracket.
    yes("[[.a]", "[a");
    no("[[.a]", "a");
}

#[test]
fn quoted_characters_inside_brackets() {
    let m = |w: &str, s: &str| compile(w, EXT).matches(s.as_bytes());
    assert!(m("[a'-'c]", "-"));
    assert!(!m("[a'-'c]", "b"));
    assert!(m("['a'-c]", "b"));
    assert!(m("[a-'c']", "b"));
    assert!(m("['!'a]", "!"));
    assert!(!m("['!'a]", "b"));
    assert!(m("[']']", "]"));
    // The quoted `]` does not close: the bracket is unclosed, so literal.
    assert!(m("[a']'", "[a]"));
    assert!(!m("[a']'", "a"));
    // A quoted `:` opens no class.
    assert!(m("[[':'alpha:]]", "a]"));
    assert!(!m("[[':'alpha:]]", "a"));
    // Unquoted backslashes (from a variable's value) escape too.
    yes("[a\\-z]", "-");
    no("[a\\-z]", "b");
    yes("[\\]]", "]");
    no("[\\]]", "\\");
    yes("[\\\\]", "\\");
    yes("[!\\a]", "b");
}

#[test]
fn backslashes_and_quoting() {
    yes("\\*", "*");
    no("\\*", "x");
    yes("\\a", "a");
    yes("\\", "\\");
    yes("a\\", "a\\");
    yes("\\[a]", "[a]");
    yes("\\\\*", "\\x");
    let m = |w: &str, s: &str| compile(w, EXT).matches(s.as_bytes());
    assert!(m("'*'", "*"));
    assert!(!m("'*'", "x"));
    assert!(m("'*'*", "*x"));
    assert!(m("\\?", "?"));
    assert!(!m("\\?", "x"));
    assert!(m("'[a]'", "[a]"));
}

#[test]
fn extglob_operators() {
    yes("?(a)b", "b");
    yes("?(a)b", "ab");
    no("?(a)b", "aab");
    yes("*(a|b)", "");
    yes("*(a|b)", "abba");
    no("*(a|b)", "abc");
    yes("+(a|b)c", "abc");
    no("+(a)b", "b");
    yes("@(a|ab)", "ab");
    no("@(a|b)", "ab");
    yes("@(a|b)@(a|b)", "ab");
    yes("@()", "");
    no("@()", "x");
    yes("?(a|b|)", "a");
    yes("*(ab|a)b", "aabab");
}

#[test]
fn extglob_negation() {
    yes("!(a)", "");
    no("!(a)", "a");
    yes("!(a)", "aa");
    yes("!(a)b", "b");
    no("!(a)b", "ab");
    yes("a!(X)b", "ab");
    no("a!(X)b", "aXb");
    yes("a!(X)b", "aXXb");
    no("!(*)", "x");
    no("!(a*|*c)", "abc");
    yes("!(a*|*c)", "bcd");
    yes("!(!(a))", "a");
    no("!(!(a))", "b");
    yes("!(a)*", "ab");
    no("!(*b)", "ab");
}

#[test]
fn extglob_nesting_and_malformed_groups() {
    yes("@(a|+(b|c))d", "bcbd");
    yes("*(a|@(b|c)?)", "abxcy");
    yes("@(x|*(.))dot", "..dot");
    yes("+(@(a|b))", "ab");
    // Alternatives may contain brackets holding `|` and `)`.
    yes("@([|)]|x)", ")");
    yes("@([|)]|x)", "|");
    // An opener without its `)` is literal.
    yes("@(a", "@(a");
    no("@(a", "a");
    yes("@(a|b))", "a)");
    // bash nests plain parentheses: the outer group never closes, and the
    // rest of an unclosed group is compared as plain text.
    yes("x@(a@(b)", "x@(a@(b)");
    no("x@(a@(b)", "x@(ab");
    yes("@(a|(b)", "@(a|(b)");
    no("@(a|(b)", "a");
    yes("@(a|(b))", "(b)");
    yes("@(a|(b))", "a");
    yes("*(a", "*(a");
    no("*(a", "x(a");
    yes("x@(a*", "x@(a*");
    no("x@(a*", "x@(ab");
    // bash skips brackets its own rough way while looking for the `)`.
    yes("@(a|[b)", "@(a|[b)");
    yes("@([)]|x)", ")");
    // Quoted `|` and `)` are literal inside a group.
    let m = |w: &str, s: &str| compile(w, EXT).matches(s.as_bytes());
    assert!(m("@(x'|'y)", "x|y"));
    assert!(!m("@(x'|'y)", "x"));
    assert!(m("@(x')')", "x)"));
    assert!(m("@'('x)", "@(x)"));
    // Without extglob the operators are plain characters.
    let plain = PatternOptions::default();
    assert!(Pattern::unquoted(b"@(a)", plain).matches(b"@(a)"));
    assert!(Pattern::unquoted(b"+(a)", plain).matches(b"+(a)"));
    assert!(Pattern::unquoted(b"?(a)", plain).matches(b"x(a)"));
    assert!(Pattern::unquoted(b"*(a)", plain).matches(b"xx(a)"));
}

#[test]
fn extglob_does_not_blow_up() {
    let subject: Vec<u8> = b"ab".repeat(1500);
    let started = std::time::Instant::now();
    for p in [
        &b"*(*(a|b)|ab)c"[..],
        b"+(+(a|ab|b)+(b|ba))x",
        b"!(!(!(*a*)))",
        b"*(a|b|ab|ba)*(a|b)!(x)",
        b"@(*a|*b)@(*a|*b)@(*a|*b)c",
    ] {
        let p = pat(p);
        let _ = p.matches(&subject);
        let _ = p.longest_suffix(&subject[..300]);
    }
    eprintln!("nested extglob on 3000 bytes: {:?}", started.elapsed());
}

#[test]
fn deep_nesting_neither_overflows_nor_loops() {
    let mut open = b"@(".repeat(100_000);
    open.push(b'a');
    assert!(pat(&open).matches(&open));
    let mut nested = b"@(".repeat(5_000);
    nested.push(b'a');
    nested.extend(b")".repeat(5_000));
    let p = pat(&nested);
    let _ = p.matches(b"a");
    let brackets = b"[[.[[:[[=".repeat(20_000);
    assert!(pat(&brackets).matches(&brackets));
    let many = b"?(x)".repeat(20_000);
    let dot = PatternOptions {
        explicit_dot: true,
        ..EXT
    };
    assert!(!Pattern::unquoted(&many, dot).matches(b".x"));
}

#[test]
fn utf8_characters() {
    yes("?", "é");
    no("??", "é");
    yes("h?llo", "héllo");
    yes("[é]", "é");
    yes("[a-é]", "z");
    yes("[a-é]", "à");
    no("[a-é]", "B");
    yes("[!a]", "€");
    yes("*é*", "café au lait");
    yes("?(é)x", "éx");
    yes("[[:alpha:]]", "é");
    yes("[[:upper:]]", "É");
    yes("[[:punct:]]", "€");
    yes("€?", "€€");
}

#[test]
fn invalid_utf8_falls_back_to_bytes() {
    let p = |p: &[u8], s: &[u8]| pat(p).matches(s);
    // bash matches bytewise once a byte is not valid UTF-8.
    assert!(!p(b"??", b"\xc3\xa9\xff"));
    assert!(p(b"???", b"\xc3\xa9\xff"));
    assert!(p(b"[\xc3\xa9]??", b"\xc3\xa9\xff"));
    assert!(!p(b"[\xc3\xa9]?", b"\xc3\xa9\xff"));
    assert!(p(b"??", b"a\xff"));
    assert!(p(b"*\xff", b"abc\xff"));
    // An invalid pattern makes the match bytewise too.
    assert!(p(b"\xc3*", b"\xc3\xa9"));
    assert!(!p(b"?\xff", b"\xc3\xa9a"));
    assert!(p(b"?", b"\xff"));
}

#[test]
fn c_locale_is_bytes() {
    let c = PatternOptions {
        chars: Chars::Bytes,
        ..EXT
    };
    let m = |p: &str, s: &str| Pattern::unquoted(p.as_bytes(), c).matches(s.as_bytes());
    assert!(!m("?", "é"));
    assert!(m("??", "é"));
    assert!(!m("[[:alpha:]]?", "é"));
    assert!(m("[é][é]", "é"));
    let nocase = PatternOptions { nocase: true, ..c };
    assert!(!Pattern::unquoted("é".as_bytes(), nocase).matches("É".as_bytes()));
    assert!(Pattern::unquoted(b"abc", nocase).matches(b"ABC"));
}

#[test]
fn nocase() {
    let o = PatternOptions {
        nocase: true,
        ..EXT
    };
    let m = |p: &str, s: &str| Pattern::unquoted(p.as_bytes(), o).matches(s.as_bytes());
    assert!(m("abc", "AbC"));
    assert!(m("ABC", "abc"));
    assert!(m("É", "é"));
    assert!(m("[a-c]", "B"));
    assert!(m("[A-C]", "b"));
    assert!(!m("[!a]", "A"));
    assert!(m("[É]", "é"));
    // Classes test the character as it is.
    assert!(!m("[[:lower:]]", "A"));
    assert!(!m("[[:upper:]]", "a"));
    // Range ends fold too: `[Z-a]` becomes the empty `[z-a]`.
    assert!(!m("[Z-a]", "_"));
    assert!(!m("[Z-a]", "z"));
    // towlower: the Kelvin sign folds to k; ſ and ß stay themselves.
    assert!(m("k", "\u{212a}"));
    assert!(!m("s", "ſ"));
    assert!(!m("ss", "ß"));
    assert!(m("@(a|b)*", "Bxx"));
    assert!(m("k*", "K.RS"));
}

#[test]
fn explicit_leading_dot() {
    let o = PatternOptions {
        explicit_dot: true,
        ..EXT
    };
    let m = |p: &str, s: &str| Pattern::unquoted(p.as_bytes(), o).matches(s.as_bytes());
    assert!(!m("*", ".x"));
    assert!(!m("*x", ".x"));
    assert!(!m("?x", ".x"));
    assert!(!m("[.]x", ".x"));
    assert!(!m("*.dot", ".dot"));
    assert!(m(".*", ".x"));
    assert!(m("\\.*", ".x"));
    assert!(m("*", "x.y"));
    assert!(m("x*", "x.y"));
    // extglob: a group offering a literal dot, or skippable before one.
    assert!(m("*(x).dot", ".dot"));
    assert!(m("?(x).dot", ".dot"));
    assert!(!m("@(x|).dot", ".dot"));
    assert!(m("@(.d|x)ot", ".dot"));
    assert!(m("+(.|d|o|t)", ".dot"));
    assert!(!m("@(.x|*)", ".dot"));
    assert!(m("@(.x|*)", "dot"));
    assert!(!m("!(x)", ".dot"));
    assert!(!m("!(.x)", ".dot"));
    assert!(m(".!(x)", ".dot"));
    assert!(!m("?(x)?dot", ".dot"));
    let quoted = compile("'.'*", o);
    assert!(quoted.matches(b".x"));
}

#[test]
fn literal_and_has_meta() {
    assert_eq!(pat(b"abc").literal(), Some(&b"abc"[..]));
    assert_eq!(pat(b"a\\*c").literal(), Some(&b"a*c"[..]));
    assert_eq!(pat(b"").literal(), Some(&b""[..]));
    assert_eq!(pat(b"[a").literal(), Some(&b"[a"[..]));
    assert_eq!(pat(b"@(a").literal(), Some(&b"@(a"[..]));
    assert_eq!(compile("'*'", EXT).literal(), Some(&b"*"[..]));
    assert!(!pat(b"abc").has_meta());
    for p in ["*", "a?", "[ab]", "@(a)", "!(a)", "[[:alpha:]", "[[:foo:]]"] {
        assert!(pat(p.as_bytes()).has_meta(), "{p}");
        assert_eq!(pat(p.as_bytes()).literal(), None, "{p}");
    }
    let nocase = PatternOptions {
        nocase: true,
        ..EXT
    };
    let p = Pattern::unquoted(b"Abc", nocase);
    assert_eq!(p.literal(), Some(&b"Abc"[..]));
    assert!(p.matches(b"aBC"));
    let plain = PatternOptions::default();
    assert_eq!(
        Pattern::unquoted(b"@(a)", plain).literal(),
        Some(&b"@(a)"[..])
    );
}

#[test]
fn prefixes() {
    let p = pat(b"*/");
    assert_eq!(p.shortest_prefix(b"a/b/c"), Some(2));
    assert_eq!(p.longest_prefix(b"a/b/c"), Some(4));
    assert_eq!(p.shortest_prefix(b"abc"), None);
    assert_eq!(pat(b"*").shortest_prefix(b"abc"), Some(0));
    assert_eq!(pat(b"*").longest_prefix(b"abc"), Some(3));
    assert_eq!(pat(b"").shortest_prefix(b"abc"), Some(0));
    assert_eq!(pat(b"ab").longest_prefix(b"abab"), Some(2));
    assert_eq!(pat(b"?").shortest_prefix("héllo".as_bytes()), Some(1));
    assert_eq!(pat(b"h?").shortest_prefix("héllo".as_bytes()), Some(3));
    assert_eq!(pat(b"a*(a)").shortest_prefix(b"aaa"), Some(1));
    assert_eq!(pat(b"a*(a)").longest_prefix(b"aaa"), Some(3));
    assert_eq!(pat(b"x").shortest_prefix(b""), None);
    assert_eq!(pat(b"*").shortest_prefix(b""), Some(0));
}

#[test]
fn suffixes() {
    let p = pat(b"/*");
    assert_eq!(p.shortest_suffix(b"a/b/c"), Some(3));
    assert_eq!(p.longest_suffix(b"a/b/c"), Some(1));
    assert_eq!(p.shortest_suffix(b"abc"), None);
    assert_eq!(pat(b"*").shortest_suffix(b"abc"), Some(3));
    assert_eq!(pat(b"*").longest_suffix(b"abc"), Some(0));
    assert_eq!(pat(b"?").shortest_suffix("héllé".as_bytes()), Some(5));
    assert_eq!(pat(b"!(b)").longest_suffix(b"abcb"), Some(0));
    assert_eq!(pat(b"!(b)").shortest_suffix(b"abcb"), Some(4));
    assert_eq!(pat(b"@(|b)").longest_suffix(b"ab"), Some(1));
    assert_eq!(pat(b"a*a").shortest_suffix(b"banana"), Some(3));
    assert_eq!(pat(b"a*a").longest_suffix(b"banana"), Some(1));
    assert_eq!(pat(b"?").longest_suffix(b"a\xff"), Some(1));
}

#[test]
fn find_leftmost_longest() {
    assert_eq!(pat(b"b*").find(b"abcabc"), Some(1..6));
    assert_eq!(pat(b"an").find(b"banana"), Some(1..3));
    assert_eq!(pat(b"a?").find(b"banana"), Some(1..3));
    assert_eq!(pat(b"x*").find(b"abc"), None);
    assert_eq!(pat(b"?(b)").find(b"abc"), Some(0..0));
    assert_eq!(pat(b"@()").find(b"abc"), Some(0..0));
    assert_eq!(pat(b"[bc]*(c)").find(b"abcc"), Some(1..4));
    assert_eq!(pat(b"[bc]").find(b"abcc"), Some(1..2));
    assert_eq!(pat(b"c*(c)").find(b"abcc"), Some(2..4));
    // An empty pattern finds nothing; at the end only a leading `*` matches.
    assert_eq!(pat(b"").find(b"abc"), None);
    assert_eq!(pat(b"*").find(b""), Some(0..0));
    assert_eq!(pat(b"*(x)").find(b""), Some(0..0));
    assert_eq!(pat(b"?(x)").find(b""), None);
    assert_eq!(pat(b"!(x)").find(b""), None);
    // A match never splits a character.
    assert_eq!(pat(b"*").find("é".as_bytes()), Some(0..2));
    assert_eq!(pat(b"?").find("aé".as_bytes()), Some(0..1));
}

#[test]
fn find_all_as_bash_replaces() {
    let all = |p: &[u8], s: &[u8]| pat(p).find_all(s);
    assert_eq!(all(b"an", b"banana"), vec![1..3, 3..5]);
    assert_eq!(all(b"a", b"banana"), vec![1..2, 3..4, 5..6]);
    assert_eq!(all(b"?", "héllo".as_bytes()).len(), 5);
    // Empty matches: one before each character, none at the end.
    assert_eq!(all(b"*(x)", b"abc"), vec![0..0, 1..1, 2..2]);
    assert_eq!(all(b"*(b)", b"abc"), vec![0..0, 1..2, 2..2]);
    assert_eq!(all(b"@(|a)", b"abc"), vec![0..1, 1..1, 2..2]);
    assert_eq!(all(b"*", b"abc"), vec![0..3]);
    assert_eq!(all(b"*", b""), vec![0..0]);
    assert_eq!(all(b"?(x)", b""), vec![]);
    assert_eq!(all(b"", b"abc"), vec![]);
    assert_eq!(all(b"x", b""), vec![]);
    assert_eq!(all(b"*(x)", "éa".as_bytes()), vec![0..0, 2..2]);
}

#[test]
fn anchored_replacement_forms() {
    assert_eq!(pat(b"").find_prefix(b"abc"), Some(0));
    assert_eq!(pat(b"").find_suffix(b"abc"), Some(3));
    assert_eq!(pat(b"a*").find_prefix(b"abc"), Some(3));
    assert_eq!(pat(b"?(x)").find_prefix(b"abc"), Some(0));
    assert_eq!(pat(b"?(x)").find_prefix(b""), None);
    assert_eq!(pat(b"*(x)").find_prefix(b""), Some(0));
    assert_eq!(pat(b"?(x)").find_suffix(b""), Some(0));
    assert_eq!(pat(b"b").find_prefix(b"abc"), None);
    assert_eq!(pat(b"c").find_suffix(b"abc"), Some(2));
    assert_eq!(pat(b"*c").find_suffix(b"abc"), Some(0));
}

#[test]
fn operators_in_nocase_and_with_quoted_parts() {
    let o = PatternOptions {
        nocase: true,
        ..EXT
    };
    let p = Pattern::unquoted(b"B", o);
    assert_eq!(p.find(b"ABC"), Some(1..2));
    assert_eq!(p.find_all(b"abcb"), vec![1..2, 3..4]);
    let q = compile("'*'x", EXT);
    assert_eq!(q.find(b"a*xb"), Some(1..3));
    assert_eq!(q.shortest_prefix(b"*xy"), Some(2));
}

/// The greedy matcher and the set matcher must agree on patterns without
/// groups: random patterns over a small alphabet, against random strings.
#[test]
fn greedy_and_set_matchers_agree() {
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let atoms: &[&str] = &["a", "b", "é", "*", "?", "[ab]", "[!a]", "[é-ï]", "\\*", "."];
    let letters: &[&str] = &["a", "b", "é", "*", ".", "ï"];
    for _ in 0..4000 {
        let p: String = (0..next(6)).map(|_| atoms[next(atoms.len())]).collect();
        let s: String = (0..next(7)).map(|_| letters[next(letters.len())]).collect();
        for explicit_dot in [false, true] {
            let o = PatternOptions {
                explicit_dot,
                ..PatternOptions::default()
            };
            let compiled = Pattern::unquoted(p.as_bytes(), o);
            let (prog, unit) = compiled.mode(s.as_bytes());
            let greedy = simple::matches(&prog.nodes, s.as_bytes(), 0, unit, explicit_dot);
            let mut engine = Engine::new(s.as_bytes(), unit, explicit_dot);
            let set = engine.ends(&prog.nodes, 0).contains(s.len());
            assert_eq!(greedy, set, "{p:?} on {s:?}, explicit_dot {explicit_dot}");
        }
    }
}

#[test]
fn patterns_are_reusable_and_cloneable() {
    let p = pat(b"*.@(rs|toml)");
    let q = p.clone();
    for name in ["a.rs", "Cargo.toml", "x.rs"] {
        assert!(p.matches(name.as_bytes()) && q.matches(name.as_bytes()));
    }
    assert!(!p.matches(b"a.c"));
}

#[test]
fn speed_of_a_typical_glob_match() {
    let names: Vec<Vec<u8>> = (0..100_000)
        .map(|i| format!("file_{i}.{}", ["rs", "c", "toml", "md"][i % 4]).into_bytes())
        .collect();
    let p = pat(b"*.rs");
    let started = std::time::Instant::now();
    let hits = names.iter().filter(|n| p.matches(n)).count();
    let elapsed = started.elapsed();
    assert_eq!(hits, 25_000);
    let q = pat(b"file_[0-9]*[13].@(rs|c)");
    let started = std::time::Instant::now();
    let ext_hits = names.iter().filter(|n| q.matches(n)).count();
    eprintln!(
        "`*.rs` against 100,000 names: {elapsed:?}; `file_[0-9]*[13].@(rs|c)`: {:?} ({ext_hits} hits)",
        started.elapsed()
    );
}

/// Random bytes, random quoting, every operation: nothing may panic, and the
/// answers must be consistent with each other.
#[test]
fn random_input_never_panics() {
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let alphabet = b"*?[]!^-()|@+\\:.=ab\xc3\xa9\xff/ ";
    // `PATTERN_FUZZ=N` runs N times as many rounds.
    let factor: usize = std::env::var("PATTERN_FUZZ")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    for round in 0..3000 * factor {
        let p: Vec<u8> = (0..next(12 + round % 20))
            .map(|_| alphabet[next(alphabet.len())])
            .collect();
        let q: Vec<bool> = (0..p.len()).map(|_| next(4) == 0).collect();
        let s: Vec<u8> = (0..next(10))
            .map(|_| alphabet[next(alphabet.len())])
            .collect();
        let options = PatternOptions {
            extglob: round % 2 == 0,
            nocase: round % 3 == 0,
            explicit_dot: round % 5 == 0,
            chars: if round % 7 == 0 {
                Chars::Bytes
            } else {
                Chars::Utf8
            },
        };
        let pattern = Pattern::new(&p, |i| q[i], options);
        let whole = pattern.matches(&s);
        let (short, long) = (pattern.shortest_prefix(&s), pattern.longest_prefix(&s));
        assert_eq!(short.is_some(), long.is_some());
        assert!(short <= long && long.is_none_or(|l| l <= s.len()));
        if whole && !options.explicit_dot {
            assert_eq!(long, Some(s.len()), "{p:?} {s:?}");
        }
        let (short, long) = (pattern.shortest_suffix(&s), pattern.longest_suffix(&s));
        assert_eq!(short.is_some(), long.is_some());
        assert!(long <= short && short.is_none_or(|i| i <= s.len()));
        let mut last = 0;
        for m in pattern.find_all(&s) {
            assert!(last <= m.start && m.start <= m.end && m.end <= s.len());
            last = m.end;
        }
        let _ = (
            pattern.find(&s),
            pattern.find_prefix(&s),
            pattern.find_suffix(&s),
        );
        let _ = (pattern.literal(), pattern.has_meta());
    }
}

#[test]
fn long_subjects_stay_fast() {
    let mut s = b"ab".repeat(50_000);
    s.extend_from_slice(b"c");
    let started = std::time::Instant::now();
    assert_eq!(pat(b"[ab]").find_all(&s).len(), 100_000);
    assert_eq!(pat(b"a*d").find_all(&s).len(), 0);
    assert_eq!(pat(b"b*c").find(&s), Some(1..s.len()));
    assert_eq!(pat(b"ba").find_all(&s).len(), 49_999);
    assert_eq!(pat(b"*/").longest_prefix(&s), None);
    assert_eq!(pat(b"a*").shortest_suffix(&s), Some(s.len() - 3));
    assert_eq!(pat(b"*d").longest_suffix(&s), None);
    assert_eq!(pat(b"@(a|b)").find_all(&s).len(), 100_000);
    eprintln!("operators over 100,000 bytes: {:?}", started.elapsed());
}
