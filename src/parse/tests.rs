//! Unit tests of the parser: the tree each construct builds, printing a tree
//! back as text that parses to the same tree, the errors with their lines
//! and columns, and inputs large or strange enough to break a careless
//! parser.

use super::*;
use crate::ast::build::{dq, lit, sq, var};
use crate::ast::*;

fn parsed(source: &str) -> List {
    match parse(source.as_bytes()) {
        Ok(list) => list,
        Err(e) => panic!("{source:?} should parse, got {}", e.describe()),
    }
}

fn error(source: &str) -> SyntaxError {
    match parse(source.as_bytes()) {
        Ok(list) => panic!("{source:?} should fail, parsed {list}"),
        Err(e) => e,
    }
}

/// The one command of a one-command source.
fn command(source: &str) -> Command {
    let list = parsed(source);
    assert_eq!(list.items.len(), 1, "one item in {source:?}");
    let pipeline = &list.items[0].and_or.first;
    assert_eq!(pipeline.commands.len(), 1, "one command in {source:?}");
    pipeline.commands[0].clone()
}

fn simple(source: &str) -> SimpleCommand {
    match command(source) {
        Command::Simple(simple) => simple,
        other => panic!("{source:?} is not simple: {other:?}"),
    }
}

fn compound(source: &str) -> Compound {
    match command(source) {
        Command::Compound(compound) => compound,
        other => panic!("{source:?} is not compound: {other:?}"),
    }
}

/// The parts of the word after `echo`.
fn arg(source: &str) -> Vec<WordPart> {
    let simple = simple(source);
    assert_eq!(simple.words.len(), 2, "echo and one word in {source:?}");
    match &simple.words[1] {
        Argument::Word(word) => word.parts.clone(),
        other => panic!("not a word: {other:?}"),
    }
}

fn words(source: &str) -> Vec<String> {
    simple(source).words.iter().map(|w| w.to_string()).collect()
}

// ---- words ----------------------------------------------------------------

#[test]
fn quoting_forms() {
    assert_eq!(arg("echo 'a b'"), vec![sq("a b")]);
    assert_eq!(arg("echo \"a $x\""), vec![dq(vec![lit("a "), var("x")])]);
    assert_eq!(
        arg("echo a\\ b"),
        vec![lit("a"), WordPart::Escaped(b' '), lit("b")]
    );
    assert_eq!(
        arg("echo $'a\\nb'"),
        vec![WordPart::AnsiC(b"a\nb".to_vec())]
    );
    assert_eq!(
        arg("echo \"\\$x \\q\""),
        vec![dq(vec![WordPart::Escaped(b'$'), lit("x \\q")])]
    );
}

#[test]
fn a_backslash_newline_joins_words_and_lines() {
    assert_eq!(words("echo a\\\nb"), ["echo", "ab"]);
    let list = parsed("echo a &\\\n& echo b");
    assert_eq!(list.items[0].and_or.rest.len(), 1);
    // Inside single quotes it stays.
    assert_eq!(arg("echo 'a\\\nb'"), vec![sq("a\\\nb")]);
    // Inside a parameter's name it goes, braced or not (found by the
    // round-trip fuzz target: `$a\<newline>b` printed back as `$ab`).
    for text in ["echo $a\\\nb", "echo ${a\\\nb}", "echo $a\\\n\\\nb"] {
        let [WordPart::Param(p)] = &arg(text)[..] else {
            panic!("{text:?}: {:?}", arg(text));
        };
        assert_eq!(p.param, Param::Named("ab".into()), "{text:?}");
    }
}

#[test]
fn parameter_expansions() {
    let [WordPart::Param(p)] = &arg("echo ${x:-default}")[..] else {
        panic!("one parameter");
    };
    assert!(matches!(p.op, ParamOp::Default { colon: true, .. }));
    let [WordPart::Param(p)] = &arg("echo ${#a[@]}")[..] else {
        panic!("one parameter");
    };
    assert_eq!(
        (p.op.clone(), p.subscript.clone()),
        (ParamOp::Length, Some(Subscript::All))
    );
    let [WordPart::Param(p)] = &arg("echo ${x//a/b}")[..] else {
        panic!("one parameter");
    };
    assert!(matches!(
        p.op,
        ParamOp::Replace {
            mode: ReplaceMode::All,
            ..
        }
    ));
    let [WordPart::Param(p)] = &arg("echo ${!x}")[..] else {
        panic!("one parameter");
    };
    assert!(p.indirect);
    let [WordPart::Param(p)] = &arg("echo ${x:1:2}")[..] else {
        panic!("one parameter");
    };
    assert!(matches!(
        p.op,
        ParamOp::Substring {
            length: Some(_),
            ..
        }
    ));
    assert!(matches!(
        arg("echo ${x!}")[..],
        [WordPart::BadSubstitution(_)]
    ));
}

#[test]
fn command_substitution_bodies_are_parsed_with_the_word() {
    let parts = arg("echo $(echo a; echo b)");
    let [
        WordPart::CommandSub {
            body,
            backquoted: false,
        },
    ] = &parts[..]
    else {
        panic!("a command substitution: {parts:?}");
    };
    assert_eq!(body.items.len(), 2);
    let parts = arg("echo `echo \\`x\\``");
    assert!(matches!(
        &parts[..],
        [WordPart::CommandSub {
            backquoted: true,
            ..
        }]
    ));
    // A case pattern's `)` belongs to the case.
    let parts = arg("echo $(case x in x) echo y;; esac)");
    assert!(matches!(&parts[..], [WordPart::CommandSub { .. }]));
}

#[test]
fn arithmetic_is_parsed_once_when_plain() {
    let parts = arg("echo $((1 + 2))");
    let [WordPart::Arith(arith)] = &parts[..] else {
        panic!("arithmetic: {parts:?}");
    };
    assert!(matches!(arith.parsed, Some(Ok(_))));
    let parts = arg("echo $(($x + 2))");
    let [WordPart::Arith(arith)] = &parts[..] else {
        panic!("arithmetic: {parts:?}");
    };
    assert!(arith.parsed.is_none(), "expanded before parsing");
    // `$((echo a); echo b)` is a substitution of a subshell.
    assert!(matches!(
        &arg("echo $((echo a); echo b)")[..],
        [WordPart::CommandSub { .. }]
    ));
    // Operators that end commands elsewhere are arithmetic operators here:
    // what decides is whether the parentheses close with `))`.
    for text in [
        "echo $((1 && 2))",
        "echo $((0 || 1))",
        "echo $((5 | 3))",
        "echo $((1 << 3 & 7))",
    ] {
        assert!(
            matches!(&arg(text)[..], [WordPart::Arith(_)]),
            "{text} is arithmetic"
        );
    }
}

#[test]
fn brace_expansion_is_found_in_unquoted_text_only() {
    assert!(matches!(
        &arg("echo a{b,c}d")[..],
        [_, WordPart::Brace(_), _]
    ));
    assert!(matches!(&arg("echo {1..3}")[..], [WordPart::Brace(_)]));
    assert_eq!(arg("echo '{a,b}'"), vec![sq("{a,b}")]);
    assert_eq!(arg("echo {a}"), vec![lit("{a}")]);
}

#[test]
fn tilde_at_word_start_and_in_assignments() {
    assert_eq!(arg("echo ~/x"), vec![WordPart::Tilde(vec![]), lit("/x")]);
    assert_eq!(arg("echo ~bob"), vec![WordPart::Tilde(b"bob".to_vec())]);
    assert_eq!(arg("echo a~"), vec![lit("a~")]);
    let simple = simple("PATH=~/bin:~/sbin");
    let AssignValue::Scalar(word) = &simple.assignments[0].value else {
        panic!("scalar");
    };
    assert_eq!(
        word.parts
            .iter()
            .filter(|p| matches!(p, WordPart::Tilde(_)))
            .count(),
        2
    );
}

// ---- simple commands --------------------------------------------------------

#[test]
fn assignments_words_and_redirections() {
    let s = simple("A=1 B+=2 c[3]=x echo hi > out 2>&1");
    assert_eq!(s.assignments.len(), 3);
    assert!(s.assignments[1].append);
    assert!(s.assignments[2].index.is_some());
    assert_eq!(s.words.len(), 2);
    assert_eq!(s.redirections.len(), 2);
    assert_eq!(s.redirections[1].fd, Some(2));
    assert_eq!(s.redirections[1].op, RedirOp::DupOutput);
}

#[test]
fn arrays_and_declarations() {
    let s = simple("a=(x 'y z' [5]=w)");
    let AssignValue::Array(elements) = &s.assignments[0].value else {
        panic!("array");
    };
    assert_eq!(elements.len(), 3);
    assert!(elements[2].key.is_some());
    let s = simple("local x=$y z");
    assert!(matches!(s.words[1], Argument::Assignment(_)));
    assert!(matches!(s.words[2], Argument::Word(_)));
    // After any other command, it is a word.
    assert!(matches!(simple("echo x=1").words[1], Argument::Word(_)));
}

#[test]
fn every_redirection_operator() {
    for (text, op) in [
        ("<", RedirOp::Read),
        (">", RedirOp::Write),
        (">|", RedirOp::Clobber),
        (">>", RedirOp::Append),
        ("<>", RedirOp::ReadWrite),
        (">&", RedirOp::DupOutput),
        ("<&", RedirOp::DupInput),
        ("&>", RedirOp::WriteBoth),
        ("&>>", RedirOp::AppendBoth),
        ("<<<", RedirOp::HereString),
    ] {
        let s = simple(&format!("cat {text} x"));
        assert_eq!(s.redirections[0].op, op, "{text}");
    }
}

#[test]
fn here_documents_take_their_bodies_after_the_line() {
    let s = simple("cat <<EOF\nhello $x\nEOF\n");
    let RedirTarget::HereDoc(doc) = &s.redirections[0].target else {
        panic!("a here-document");
    };
    assert!(!doc.literal);
    let body = doc.body.get().expect("body read");
    assert!(body.to_string().contains("hello"));
    // Quoted delimiter: literal; <<-: tabs stripped; two on one line.
    let list = parsed("cat <<'A' <<-B\n$x\nA\n\tb\n\tB\necho after\n");
    assert_eq!(list.items.len(), 2);
    let Command::Simple(s) = &list.items[0].and_or.first.commands[0] else {
        panic!("simple");
    };
    let RedirTarget::HereDoc(a) = &s.redirections[0].target else {
        panic!("here-doc");
    };
    let RedirTarget::HereDoc(b) = &s.redirections[1].target else {
        panic!("here-doc");
    };
    assert!(a.literal);
    assert_eq!(
        a.body.get().map(|w| w.to_string()),
        Some("'$x\n'".to_owned())
    );
    assert!(b.strip_tabs);
    assert_eq!(
        b.body.get().map(|w| w.to_string()),
        Some("\"b\n\"".to_owned())
    );
}

// ---- compound commands -------------------------------------------------------

#[test]
fn if_elif_else() {
    let c = compound("if a; then b; elif c; then d; else e; fi");
    let CompoundKind::If(command) = c.kind else {
        panic!("if");
    };
    assert_eq!(command.branches.len(), 2);
    assert!(command.otherwise.is_some());
}

#[test]
fn loops() {
    assert!(matches!(
        compound("while a; do b; done").kind,
        CompoundKind::While(WhileLoop { until: false, .. })
    ));
    assert!(matches!(
        compound("until a; do b; done").kind,
        CompoundKind::While(WhileLoop { until: true, .. })
    ));
    let CompoundKind::For(f) = compound("for x in a b\ndo echo $x\ndone").kind else {
        panic!("for");
    };
    assert_eq!((f.name.as_str(), f.words.map(|w| w.len())), ("x", Some(2)));
    let CompoundKind::For(f) = compound("for x; do :; done").kind else {
        panic!("for");
    };
    assert!(f.words.is_none());
    assert!(matches!(
        compound("for ((i=0; i<3; i++)); do :; done").kind,
        CompoundKind::ArithFor(_)
    ));
    assert!(matches!(
        compound("select x in a b; do break; done").kind,
        CompoundKind::Select(_)
    ));
}

#[test]
fn case_items_and_terminators() {
    let CompoundKind::Case(c) =
        compound("case $x in a|b) one;; (c) two;& d) three;;& *) four\nesac").kind
    else {
        panic!("case");
    };
    let terminators: Vec<CaseTerminator> = c.items.iter().map(|i| i.terminator).collect();
    assert_eq!(
        terminators,
        [
            CaseTerminator::Break,
            CaseTerminator::FallThrough,
            CaseTerminator::Continue,
            CaseTerminator::Break
        ]
    );
    assert_eq!(c.items[0].patterns.len(), 2);
    let CompoundKind::Case(c) = compound("case x in esac").kind else {
        panic!("case");
    };
    assert!(c.items.is_empty());
}

#[test]
fn groups_subshells_arith_and_cond() {
    assert!(matches!(compound("{ a; b; }").kind, CompoundKind::Group(_)));
    assert!(matches!(
        compound("( a; b )").kind,
        CompoundKind::Subshell(_)
    ));
    assert!(matches!(
        compound("(( x = 1 + 2 ))").kind,
        CompoundKind::Arith(_)
    ));
    assert!(matches!(
        compound("((echo a); echo b)").kind,
        CompoundKind::Subshell(_)
    ));
    let CompoundKind::Cond(expr) = compound("[[ -f x && ! $a == b* || ( c < d ) ]]").kind else {
        panic!("cond");
    };
    assert!(matches!(expr, CondExpr::Or(_, _)));
    let CompoundKind::Cond(expr) = compound("[[ $x =~ ^(a|b)$ ]]").kind else {
        panic!("cond");
    };
    assert!(matches!(expr, CondExpr::Binary(CondBinary::Regex, _, _)));
}

#[test]
fn compound_commands_take_redirections_and_pipes() {
    let c = compound("{ a; } > out 2>&1");
    assert_eq!(c.redirections.len(), 2);
    let list = parsed("if a; then b; fi | cat");
    assert_eq!(list.items[0].and_or.first.commands.len(), 2);
    let list = parsed("while read l; do :; done < f &");
    assert!(list.items[0].background);
}

#[test]
fn functions_both_ways() {
    let Command::Function(f) = command("f() { echo hi; }") else {
        panic!("function");
    };
    assert!(!f.keyword);
    let Command::Function(f) = command("function g { echo hi; } > log") else {
        panic!("function");
    };
    assert!(f.keyword);
    assert_eq!(f.body.redirections.len(), 1);
    let Command::Function(f) = command("my-func ()\n( echo sub )") else {
        panic!("function");
    };
    assert_eq!(f.name, "my-func");
}

#[test]
fn negation_and_time() {
    let list = parsed("! a | b");
    assert!(list.items[0].and_or.first.negated);
    let list = parsed("time -p sleep 0");
    assert_eq!(list.items[0].and_or.first.timed, Some(Timed::Posix));
    let list = parsed("time");
    assert!(list.items[0].and_or.first.commands.is_empty());
}

#[test]
fn reserved_words_only_in_command_position() {
    assert_eq!(words("echo if then fi"), ["echo", "if", "then", "fi"]);
    assert!(matches!(
        command("if true; then echo; fi"),
        Command::Compound(_)
    ));
    // Quoted, a reserved word is a command name.
    assert!(matches!(command("'if' x"), Command::Simple(_)));
}

// ---- printing back -------------------------------------------------------------

#[test]
fn display_reads_back_to_the_same_tree() {
    for source in [
        "a && b || c; d &",
        "if a; then b; elif c; then d; else e; fi",
        "while a; do b; done > f",
        "for x in 1 \"2 3\"; do echo $x; done",
        "case $y in a|b) one;; *) two;& esac",
        "{ a; b; } 2>&1 | cat",
        "( cd /; ls )",
        "f () { echo \"${x:-d}\" $(date) `pwd` $((1+2)); }",
        "[[ -n $a && $b == c* ]]",
        "x=1 y=(a b) echo ~/z {a,b}",
        "! time -p a | b",
    ] {
        let tree = parsed(source);
        let printed = tree.to_string();
        let again = parsed(&printed);
        assert_eq!(
            tree.to_string(),
            again.to_string(),
            "{source:?} printed as {printed:?}"
        );
    }
}

// ---- errors --------------------------------------------------------------------

#[test]
fn errors_name_the_token_line_and_column() {
    for (source, token, line, column) in [
        ("| ls", "|", 1, 1),
        ("ls | | x", "|", 1, 6),
        ("echo a ;;", ";;", 1, 8),
        ("done", "done", 1, 1),
        ("fi", "fi", 1, 1),
        ("if true; then\nfi", "fi", 2, 1),
        ("echo ok\nwhile a; do\nesac", "esac", 3, 1),
        ("{ }", "}", 1, 3),
        ("case x in a) b;; (", "newline", 1, 19),
    ] {
        let e = error(source);
        match &e.kind {
            SyntaxErrorKind::UnexpectedToken(t) => assert_eq!(t, token, "{source:?}"),
            SyntaxErrorKind::UnexpectedEnd { .. } => assert_eq!(token, "newline", "{source:?}"),
            other => panic!("{source:?}: {other:?}"),
        }
        assert_eq!(
            (e.line, e.column),
            (line, column),
            "{source:?}: {}",
            e.describe()
        );
    }
}

#[test]
fn unfinished_constructs_end_unexpectedly() {
    for source in [
        "if true; then",
        "while true; do echo",
        "case x in",
        "echo $(ls",
        "echo \"abc",
        "echo 'abc",
        "f() {",
        "echo `ls",
        "a &&",
    ] {
        let e = error(source);
        assert!(e.is_unexpected_end(), "{source:?}: {e:?}");
    }
    let e = error("echo $(ls");
    assert_eq!(
        e.kind,
        SyntaxErrorKind::UnexpectedEnd {
            looking_for: Some(")".into())
        }
    );
}

#[test]
fn an_unterminated_here_document_warns_and_takes_the_rest() {
    let mut lines = TextLines::new(b"cat <<EOF\nbody\n");
    let mut parser = Parser::new(&mut lines);
    let list = parser.next_command().unwrap().unwrap();
    assert_eq!(list.items.len(), 1);
    let warnings = parser.take_warnings();
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].contains("delimited by end-of-file (wanted 'EOF')"),
        "{warnings:?}"
    );
}

#[test]
fn process_substitution_is_a_word_not_a_redirection() {
    assert!(matches!(
        &arg("cat <(ls)")[..],
        [WordPart::ProcessSub { reads: true, .. }]
    ));
    assert!(matches!(
        &arg("tee >(wc -l)")[..],
        [WordPart::ProcessSub { reads: false, .. }]
    ));
    // Touching other text, it is part of the word, as in bash.
    assert!(matches!(
        &arg("echo a<(true)")[..],
        [WordPart::Literal(_), WordPart::ProcessSub { .. }]
    ));
    // After a redirection operator and a blank, it is the file to open.
    let list = parse(b"cat < <(ls)").unwrap();
    let Command::Simple(simple) = &list.items[0].and_or.first.commands[0] else {
        panic!("{list:?}");
    };
    assert_eq!(simple.redirections.len(), 1);
    let RedirTarget::Word(target) = &simple.redirections[0].target else {
        panic!("{simple:?}");
    };
    assert!(matches!(
        &target.parts[..],
        [WordPart::ProcessSub { reads: true, .. }]
    ));
}

#[test]
fn unsupported_constructs_are_refused_by_name() {
    let e = error("coproc cat");
    let SyntaxErrorKind::Unsupported(message) = e.kind else {
        panic!("coproc: {e:?}");
    };
    assert!(message.contains("coproc"), "{message}");
}

#[test]
fn a_name_in_braces_before_an_operator_names_the_descriptor() {
    for (source, name, words) in [
        ("exec {fd}>f", Some("fd"), 1),
        ("exec {a[2]}<&0", Some("a[2]"), 1),
        ("echo {fd} >f", None, 2),
        ("echo {fd}2>f", None, 2),
        ("echo {1x}>f", None, 2),
    ] {
        let simple = simple(source);
        assert_eq!(simple.redirections.len(), 1, "{source}");
        assert_eq!(simple.redirections[0].fd_var.as_deref(), name, "{source}");
        assert_eq!(simple.words.len(), words, "{source}");
    }
}

#[test]
fn commands_come_one_line_at_a_time() {
    let mut lines = TextLines::new(b"echo a; echo b\nif x\nthen y\nfi\n\n# c\necho z");
    let mut parser = Parser::new(&mut lines);
    let mut counts = Vec::new();
    while let Some(list) = parser.next_command().unwrap() {
        counts.push(list.items.len());
    }
    assert_eq!(counts, [2, 1, 0, 0, 1]);
}

// ---- hostile input -----------------------------------------------------------------

/// Runs `f` on a thread with the stack the shell's main thread has (8 MiB;
/// test threads get 2 MiB).
fn on_shell_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    on_shell_stack(|| {
        let deep = "(".repeat(100_000);
        assert!(parse(deep.as_bytes()).is_err());
        let deep = "$(".repeat(100_000);
        assert!(parse(format!("echo {deep}").as_bytes()).is_err());
        let deep = "{ ".repeat(100_000);
        assert!(parse(deep.as_bytes()).is_err());
        let deep = "\"$(".repeat(100_000);
        assert!(parse(format!("echo {deep}").as_bytes()).is_err());
    });
}

#[test]
fn a_long_quoted_string_is_read_a_line_at_a_time() {
    // The parser asks for each of the 100,000 lines once and never parses
    // the text again (the old loop re-parsed it after every line).
    let text = format!("echo \"{}\"", "line\n".repeat(100_000));
    let mut lines = CountingLines(TextLines::new(text.as_bytes()), 0);
    let mut parser = Parser::new(&mut lines);
    let list = parser.next_command().unwrap().unwrap();
    assert_eq!(list.items.len(), 1);
    drop(parser);
    assert_eq!(lines.1, 100_001);
}

/// A line source that counts the lines asked of it.
struct CountingLines<'t>(TextLines<'t>, usize);

impl LineReader for CountingLines<'_> {
    fn next_line(&mut self, buf: &mut Vec<u8>, continuation: bool) -> std::io::Result<bool> {
        self.1 += 1;
        self.0.next_line(buf, continuation)
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut state = 0x2545f4914f6cdd1du64;
    for _ in 0..3000 {
        let len = (state % 40) as usize;
        let mut text = Vec::with_capacity(len);
        for _ in 0..len {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let alphabet = b"a $(){}[]|&;<>'\"\\`\n#=*?~-!x0";
            text.push(alphabet[(state % alphabet.len() as u64) as usize]);
        }
        let _ = parse(&text);
    }
}
