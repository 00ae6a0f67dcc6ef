//! Unit tests of the parser: the tree each construct builds, printing a tree
//! back as text that parses to the same tree, the errors with their columns,
//! and inputs large or strange enough to break a careless parser.

use super::*;
use crate::ast::build::{dq, lit, sq, var};
use crate::ast::*;

// ---- helpers -------------------------------------------------------------

fn parsed(source: &str) -> List {
    parse_bytes(source.as_bytes())
}

fn parse_bytes(source: &[u8]) -> List {
    match parse(source) {
        Ok(list) => list,
        Err(e) => panic!(
            "{:?} should parse, got {}",
            String::from_utf8_lossy(source),
            e.describe(source)
        ),
    }
}

/// The one simple command of a one-command source.
fn simple(source: &str) -> SimpleCommand {
    let list = parsed(source);
    assert_eq!(list.items.len(), 1, "one item in {source:?}");
    let item = &list.items[0];
    assert!(!item.background, "{source:?} is not in the background");
    assert!(item.and_or.rest.is_empty(), "no && or || in {source:?}");
    let commands = &item.and_or.first.commands;
    assert_eq!(commands.len(), 1, "one command in {source:?}");
    let Command::Simple(command) = &commands[0];
    command.clone()
}

/// The words of a one-command source.
fn words(source: &str) -> Vec<Word> {
    simple(source).words
}

/// The one word of a source such as `echo WORD`: the word after `echo`.
fn arg(source: &str) -> Vec<WordPart> {
    let words = words(source);
    assert_eq!(words.len(), 2, "echo and one word in {source:?}");
    words[1].parts.clone()
}

fn tilde(user: &str) -> WordPart {
    WordPart::Tilde(user.as_bytes().to_vec())
}

fn word(parts: Vec<WordPart>) -> Word {
    Word { parts }
}

fn lits(texts: &[&str]) -> Vec<Word> {
    texts.iter().map(|t| Word::literal(t)).collect()
}

fn redir(fd: Option<i32>, op: RedirOp, target: &str) -> Redirection {
    Redirection {
        fd,
        op,
        target: Word::literal(target),
    }
}

fn assign(name: &str, value: Vec<WordPart>) -> Assignment {
    Assignment {
        name: name.to_owned(),
        value: word(value),
    }
}

/// The words of each command of the one pipeline of `source`.
fn pipeline_words(source: &str) -> Vec<Vec<Word>> {
    let list = parsed(source);
    assert_eq!(list.items.len(), 1, "one item in {source:?}");
    list.items[0]
        .and_or
        .first
        .commands
        .iter()
        .map(|Command::Simple(c)| c.words.clone())
        .collect()
}

/// The first word of every command of a pipeline, as text.
fn names(pipeline: &Pipeline) -> Vec<String> {
    pipeline
        .commands
        .iter()
        .map(|Command::Simple(c)| c.words[0].to_string())
        .collect()
}

/// The error of a source that must not parse, with its column.
fn error(source: &str) -> (SyntaxErrorKind, usize) {
    error_bytes(source.as_bytes())
}

fn error_bytes(source: &[u8]) -> (SyntaxErrorKind, usize) {
    match parse(source) {
        Ok(list) => panic!(
            "{:?} should fail, parsed as {list:?}",
            String::from_utf8_lossy(source)
        ),
        Err(e) => {
            let (line, column) = e.line_and_column(source);
            assert_eq!(line, 1, "{:?}", String::from_utf8_lossy(source));
            let message = e.describe(source);
            assert!(
                message.ends_with(&format!("at column {column}")),
                "{message}"
            );
            (e.kind, column)
        }
    }
}

fn token(text: &str) -> SyntaxErrorKind {
    SyntaxErrorKind::UnexpectedToken(text.to_owned())
}

// ---- simple commands -----------------------------------------------------

#[test]
fn words_are_split_on_blanks() {
    assert_eq!(words("echo hello world"), lits(&["echo", "hello", "world"]));
    assert_eq!(words("  echo \t a   b  "), lits(&["echo", "a", "b"]));
    assert_eq!(words("ls"), lits(&["ls"]));
}

#[test]
fn empty_and_blank_input_is_an_empty_list() {
    for source in [
        "",
        "   ",
        "\t",
        "\n",
        "\n\n  \n\t\n",
        "# only a comment",
        "# one\n  # two\n",
    ] {
        assert_eq!(parsed(source), List::default(), "{source:?}");
    }
}

#[test]
fn assignments_come_only_before_the_command_name() {
    let command = simple("A=1 B=two cmd C=3");
    assert_eq!(
        command.assignments,
        vec![assign("A", vec![lit("1")]), assign("B", vec![lit("two")])]
    );
    assert_eq!(command.words, lits(&["cmd", "C=3"]));

    assert_eq!(words("echo A=1"), lits(&["echo", "A=1"]));
}

#[test]
fn assignment_alone_and_with_an_empty_value() {
    let command = simple("A=1");
    assert_eq!(command.assignments, vec![assign("A", vec![lit("1")])]);
    assert!(command.words.is_empty());

    let command = simple("EMPTY= cmd");
    assert_eq!(command.assignments, vec![assign("EMPTY", vec![])]);
    assert_eq!(command.words, lits(&["cmd"]));
}

#[test]
fn assignment_values_keep_their_parts() {
    let command = simple("A='x y'\"$B\" _under_1=$HOME");
    assert_eq!(
        command.assignments,
        vec![
            assign("A", vec![sq("x y"), dq(vec![var("B")])]),
            assign("_under_1", vec![var("HOME")]),
        ]
    );
}

#[test]
fn words_that_only_look_like_assignments() {
    // Not a name before `=`: an ordinary word, so the command name.
    assert_eq!(words("1A=x"), lits(&["1A=x"]));
    assert_eq!(words("=x"), lits(&["=x"]));
    let command = simple("'A'=x");
    assert!(command.assignments.is_empty());
    assert_eq!(command.words, vec![word(vec![sq("A"), lit("=x")])]);
}

#[test]
fn redirections_between_assignments_and_words() {
    let command = simple("A=1 >out B=2 cmd <in arg");
    assert_eq!(
        command.assignments,
        vec![assign("A", vec![lit("1")]), assign("B", vec![lit("2")])]
    );
    assert_eq!(command.words, lits(&["cmd", "arg"]));
    assert_eq!(
        command.redirections,
        vec![
            redir(None, RedirOp::Write, "out"),
            redir(None, RedirOp::Read, "in")
        ]
    );
}

// ---- redirections --------------------------------------------------------

#[test]
fn every_redirection_operator_glued_and_spaced() {
    use RedirOp::*;
    let cases: &[(&str, Option<i32>, RedirOp, &str)] = &[
        ("<", None, Read, "f"),
        (">", None, Write, "f"),
        (">|", None, Write, "f"),
        (">>", None, Append, "f"),
        ("<>", None, ReadWrite, "f"),
        ("2>", Some(2), Write, "f"),
        ("2>>", Some(2), Append, "f"),
        ("&>", None, WriteBoth, "f"),
        ("&>>", None, AppendBoth, "f"),
        ("2>&", Some(2), DupOutput, "1"),
        ("3<&", Some(3), DupInput, "0"),
        ("<&", None, DupInput, "4"),
        (">&", None, DupOutput, "-"),
        ("5>&", Some(5), DupOutput, "-"),
        ("3>", Some(3), Write, "f"),
        ("10>", Some(10), Write, "f"),
        ("0<", Some(0), Read, "f"),
    ];
    for &(op_text, fd, op, target) in cases {
        for source in [
            format!("cmd {op_text}{target}"),
            format!("cmd {op_text} {target}"),
            format!("cmd {op_text}\t{target} "),
        ] {
            let command = simple(&source);
            assert_eq!(command.words, lits(&["cmd"]), "{source:?}");
            assert_eq!(
                command.redirections,
                vec![redir(fd, op, target)],
                "{source:?}"
            );
        }
    }
}

#[test]
fn redirection_defaults() {
    assert_eq!(RedirOp::Read.default_fd(), 0);
    assert_eq!(RedirOp::ReadWrite.default_fd(), 0);
    assert_eq!(RedirOp::DupInput.default_fd(), 0);
    assert_eq!(RedirOp::Write.default_fd(), 1);
    assert_eq!(RedirOp::Append.default_fd(), 1);
    assert_eq!(RedirOp::DupOutput.default_fd(), 1);
}

#[test]
fn redirections_keep_their_order_among_words() {
    let command = simple("echo <in> out");
    assert_eq!(command.words, lits(&["echo"]));
    assert_eq!(
        command.redirections,
        vec![
            redir(None, RedirOp::Read, "in"),
            redir(None, RedirOp::Write, "out")
        ]
    );

    let command = simple(">f 2>&1 cmd a 2>>log b <x");
    assert_eq!(command.words, lits(&["cmd", "a", "b"]));
    assert_eq!(
        command.redirections,
        vec![
            redir(None, RedirOp::Write, "f"),
            redir(Some(2), RedirOp::DupOutput, "1"),
            redir(Some(2), RedirOp::Append, "log"),
            redir(None, RedirOp::Read, "x"),
        ]
    );

    // The other order is a different command.
    let command = simple("cmd 2>&1 >f");
    assert_eq!(
        command.redirections,
        vec![
            redir(Some(2), RedirOp::DupOutput, "1"),
            redir(None, RedirOp::Write, "f")
        ]
    );
}

#[test]
fn redirection_alone_is_a_command() {
    let command = simple(">f");
    assert!(command.words.is_empty() && command.assignments.is_empty());
    assert_eq!(command.redirections, vec![redir(None, RedirOp::Write, "f")]);
}

#[test]
fn a_digit_apart_from_the_operator_is_a_word() {
    let command = simple("echo 2 >f");
    assert_eq!(command.words, lits(&["echo", "2"]));
    assert_eq!(command.redirections, vec![redir(None, RedirOp::Write, "f")]);

    // Digits inside a longer word do not name a descriptor.
    let command = simple("echo a2>f");
    assert_eq!(command.words, lits(&["echo", "a2"]));
    assert_eq!(command.redirections, vec![redir(None, RedirOp::Write, "f")]);
}

#[test]
fn digit_before_ampersand_greater_is_a_word() {
    // As in bash: `2&>f` is the argument `2` and `&>f`.
    let command = simple("echo 2&>f");
    assert_eq!(command.words, lits(&["echo", "2"]));
    assert_eq!(
        command.redirections,
        vec![redir(None, RedirOp::WriteBoth, "f")]
    );
}

#[test]
fn redirection_targets_are_words_with_parts() {
    let command = simple("cat <\"$DIR\"/'a b'");
    assert_eq!(
        command.redirections,
        vec![Redirection {
            fd: None,
            op: RedirOp::Read,
            target: word(vec![dq(vec![var("DIR")]), lit("/"), sq("a b")]),
        }]
    );
}

// ---- pipelines, and-or lists, lists --------------------------------------

#[test]
fn pipelines() {
    assert_eq!(
        pipeline_words("ls -l | grep x|wc -l"),
        vec![
            lits(&["ls", "-l"]),
            lits(&["grep", "x"]),
            lits(&["wc", "-l"])
        ]
    );
}

#[test]
fn pipe_both_adds_stderr_to_the_left_command() {
    let list = parsed("make 2>f |& grep err | wc");
    let commands = &list.items[0].and_or.first.commands;
    assert_eq!(commands.len(), 3);
    let Command::Simple(left) = &commands[0];
    assert_eq!(left.words, lits(&["make"]));
    assert_eq!(
        left.redirections,
        vec![
            redir(Some(2), RedirOp::Write, "f"),
            redir(Some(2), RedirOp::DupOutput, "1")
        ]
    );
    let Command::Simple(middle) = &commands[1];
    assert!(middle.redirections.is_empty());

    // Glued.
    let list = parsed("a|&b");
    let commands = &list.items[0].and_or.first.commands;
    let Command::Simple(left) = &commands[0];
    assert_eq!(
        left.redirections,
        vec![redir(Some(2), RedirOp::DupOutput, "1")]
    );
    assert_eq!(names(&list.items[0].and_or.first), ["a", "b"]);
}

#[test]
fn and_or_lists_run_left_to_right() {
    let list = parsed("a && b || c&&d");
    assert_eq!(list.items.len(), 1);
    let and_or = &list.items[0].and_or;
    assert_eq!(names(&and_or.first), ["a"]);
    let rest: Vec<(AndOr, Vec<String>)> =
        and_or.rest.iter().map(|(op, p)| (*op, names(p))).collect();
    assert_eq!(
        rest,
        vec![
            (AndOr::And, vec!["b".to_owned()]),
            (AndOr::Or, vec!["c".to_owned()]),
            (AndOr::And, vec!["d".to_owned()]),
        ]
    );
}

#[test]
fn pipelines_bind_tighter_than_and_or() {
    let list = parsed("a | b && c | d");
    let and_or = &list.items[0].and_or;
    assert_eq!(names(&and_or.first), ["a", "b"]);
    assert_eq!(and_or.rest.len(), 1);
    assert_eq!(and_or.rest[0].0, AndOr::And);
    assert_eq!(names(&and_or.rest[0].1), ["c", "d"]);
}

/// Each item's command names and whether it runs in the background.
fn items(source: &str) -> Vec<(Vec<String>, bool)> {
    parsed(source)
        .items
        .iter()
        .map(|item| (names(&item.and_or.first), item.background))
        .collect()
}

fn item(names: &[&str], background: bool) -> (Vec<String>, bool) {
    (names.iter().map(|s| s.to_string()).collect(), background)
}

#[test]
fn separators() {
    let expected = vec![item(&["a"], false), item(&["b"], false)];
    assert_eq!(items("a; b"), expected);
    assert_eq!(items("a;b"), expected);
    assert_eq!(items("a\nb"), expected);
    assert_eq!(items("a;\n\n b;"), expected);
    assert_eq!(items("\n a \n\n b \n"), expected);
}

#[test]
fn background_items() {
    assert_eq!(items("a &"), vec![item(&["a"], true)]);
    assert_eq!(items("a&"), vec![item(&["a"], true)]);
    assert_eq!(
        items("a & b"),
        vec![item(&["a"], true), item(&["b"], false)]
    );
    assert_eq!(
        items("a | b & c; d &"),
        vec![
            item(&["a", "b"], true),
            item(&["c"], false),
            item(&["d"], true)
        ]
    );
    assert_eq!(
        items("a &\nb"),
        vec![item(&["a"], true), item(&["b"], false)]
    );
}

#[test]
fn background_applies_to_the_whole_and_or_list() {
    let list = parsed("a && b &");
    assert_eq!(list.items.len(), 1);
    assert!(list.items[0].background);
    assert_eq!(list.items[0].and_or.rest.len(), 1);
}

#[test]
fn commands_continue_on_the_next_line_after_an_operator() {
    assert_eq!(
        pipeline_words("ls |\n wc"),
        vec![lits(&["ls"]), lits(&["wc"])]
    );
    assert_eq!(
        pipeline_words("ls |\n\n  \n wc"),
        vec![lits(&["ls"]), lits(&["wc"])]
    );
    assert_eq!(pipeline_words("ls |&\nwc"), pipeline_words("ls |& wc"));

    for (source, op) in [
        ("a &&\nb", AndOr::And),
        ("a ||\nb", AndOr::Or),
        ("a &&  # why\n\n b", AndOr::And),
    ] {
        let list = parsed(source);
        assert_eq!(list.items.len(), 1, "{source:?}");
        let and_or = &list.items[0].and_or;
        assert_eq!(names(&and_or.first), ["a"]);
        assert_eq!(and_or.rest.len(), 1);
        assert_eq!(and_or.rest[0].0, op);
        assert_eq!(names(&and_or.rest[0].1), ["b"]);
    }
}

// ---- word parts ----------------------------------------------------------

#[test]
fn single_quotes_keep_every_byte() {
    assert_eq!(arg("echo 'a $X \\ \" b'"), vec![sq("a $X \\ \" b")]);
    assert_eq!(arg("echo ''"), vec![sq("")]);
    assert_eq!(arg("echo 'two\nlines'"), vec![sq("two\nlines")]);
    assert_eq!(arg("echo '#x'"), vec![sq("#x")]);
}

#[test]
fn double_quotes_hold_literals_and_parameters() {
    assert_eq!(
        arg("echo \"a $X ${Y}b\""),
        vec![dq(vec![lit("a "), var("X"), lit(" "), var("Y"), lit("b")])]
    );
    assert_eq!(arg("echo \"\""), vec![dq(vec![])]);
    assert_eq!(
        arg("echo \"a  'b' | c\""),
        vec![dq(vec![lit("a  'b' | c")])]
    );
}

#[test]
fn backslash_in_double_quotes() {
    // `\"`, `\$`, `\\` lose the backslash; before anything else it stays.
    assert_eq!(
        arg(r#"echo "\" \$X \\ \z \n""#),
        vec![dq(vec![lit(r#"" $X \ \z \n"#)])]
    );
    // Backslash-newline inside double quotes disappears.
    assert_eq!(arg("echo \"a\\\nb\""), vec![dq(vec![lit("ab")])]);
}

#[test]
fn backslash_outside_quotes_escapes_one_byte() {
    assert_eq!(arg("echo \\x"), vec![WordPart::Escaped(b'x')]);
    assert_eq!(
        arg("echo a\\ b\\$c"),
        vec![
            lit("a"),
            WordPart::Escaped(b' '),
            lit("b"),
            WordPart::Escaped(b'$'),
            lit("c")
        ]
    );
    assert_eq!(
        arg("echo \\'\\\"\\\\"),
        vec![
            WordPart::Escaped(b'\''),
            WordPart::Escaped(b'"'),
            WordPart::Escaped(b'\\')
        ]
    );
    // Escaped operators do not end the word.
    assert_eq!(
        arg("echo a\\|b\\;"),
        vec![
            lit("a"),
            WordPart::Escaped(b'|'),
            lit("b"),
            WordPart::Escaped(b';')
        ]
    );
}

#[test]
fn adjacent_parts_form_one_word() {
    assert_eq!(
        arg("echo a'b'\"c$X\"d$Y\\e"),
        vec![
            lit("a"),
            sq("b"),
            dq(vec![lit("c"), var("X")]),
            lit("d"),
            var("Y"),
            WordPart::Escaped(b'e'),
        ]
    );
}

#[test]
fn named_parameters() {
    assert_eq!(arg("echo $HOME"), vec![var("HOME")]);
    assert_eq!(arg("echo $_x1/y"), vec![var("_x1"), lit("/y")]);
    assert_eq!(arg("echo ${HOME}x"), vec![var("HOME"), lit("x")]);
    assert_eq!(arg("echo $A$B"), vec![var("A"), var("B")]);
    assert_eq!(arg("echo $A-b"), vec![var("A"), lit("-b")]);
}

#[test]
fn special_parameters() {
    let cases = [
        ("$?", Param::Status),
        ("$$", Param::ShellPid),
        ("$!", Param::LastBackground),
        ("$#", Param::Count),
        ("$@", Param::AllSeparate),
        ("$*", Param::AllJoined),
        ("$-", Param::Options),
        ("${?}", Param::Status),
        ("${$}", Param::ShellPid),
        ("${!}", Param::LastBackground),
        ("${#}", Param::Count),
        ("${@}", Param::AllSeparate),
        ("${*}", Param::AllJoined),
        ("${-}", Param::Options),
    ];
    for (text, param) in cases {
        assert_eq!(
            arg(&format!("echo {text}")),
            vec![WordPart::Param(param.clone())],
            "{text}"
        );
        assert_eq!(
            arg(&format!("echo \"{text}\"")),
            vec![dq(vec![WordPart::Param(param)])],
            "\"{text}\""
        );
    }
}

#[test]
fn positional_parameters() {
    for n in 0..=9 {
        assert_eq!(
            arg(&format!("echo ${n}")),
            vec![WordPart::Param(Param::Positional(n))]
        );
    }
    assert_eq!(
        arg("echo ${10}"),
        vec![WordPart::Param(Param::Positional(10))]
    );
    assert_eq!(
        arg("echo ${123}"),
        vec![WordPart::Param(Param::Positional(123))]
    );
    // `$10` is `$1` then a literal 0.
    assert_eq!(
        arg("echo $10"),
        vec![WordPart::Param(Param::Positional(1)), lit("0")]
    );
}

#[test]
fn a_dollar_that_starts_nothing_is_literal() {
    assert_eq!(arg("echo $"), vec![lit("$")]);
    assert_eq!(arg("echo a$"), vec![lit("a$")]);
    assert_eq!(arg("echo $%x"), vec![lit("$%x")]);
    assert_eq!(arg("echo $/"), vec![lit("$/")]);
    assert_eq!(arg("echo \"$\""), vec![dq(vec![lit("$")])]);
    assert_eq!(arg("echo \"a $ b\""), vec![dq(vec![lit("a $ b")])]);
    assert_eq!(words("echo $ x"), lits(&["echo", "$", "x"]));
    // `$` then a quote: the `$` stays, the quote is its own part.
    assert_eq!(arg("echo $\"x\""), vec![lit("$"), dq(vec![lit("x")])]);
}

#[test]
fn tilde_at_the_start_of_a_word() {
    assert_eq!(arg("echo ~"), vec![tilde("")]);
    assert_eq!(arg("echo ~/x"), vec![tilde(""), lit("/x")]);
    assert_eq!(arg("echo ~user/x"), vec![tilde("user"), lit("/x")]);
    assert_eq!(arg("echo ~root"), vec![tilde("root")]);
    assert_eq!(arg("echo ~/a/~/b"), vec![tilde(""), lit("/a/~/b")]);
    assert_eq!(
        arg("echo ~/\"x\""),
        vec![tilde(""), lit("/"), dq(vec![lit("x")])]
    );
}

#[test]
fn tilde_not_at_the_start_or_quoted_is_literal() {
    assert_eq!(arg("echo a~"), vec![lit("a~")]);
    assert_eq!(arg("echo a/~/b"), vec![lit("a/~/b")]);
    assert_eq!(arg("echo x=~/b"), vec![lit("x=~/b")]);
    assert_eq!(arg("echo '~'"), vec![sq("~")]);
    assert_eq!(arg("echo \"~\""), vec![dq(vec![lit("~")])]);
    assert_eq!(arg("echo \\~"), vec![WordPart::Escaped(b'~')]);
    // The prefix runs into a quote: no tilde expansion, as in bash.
    assert_eq!(arg("echo ~\"/x\""), vec![lit("~"), dq(vec![lit("/x")])]);
    assert_eq!(arg("echo ~'u'"), vec![lit("~"), sq("u")]);
    assert_eq!(arg("echo ~$X"), vec![lit("~"), var("X")]);
}

#[test]
fn tilde_in_assignments_after_colons() {
    let command = simple("P=~/a:~/b");
    assert_eq!(
        command.assignments,
        vec![assign(
            "P",
            vec![tilde(""), lit("/a:"), tilde(""), lit("/b")]
        )]
    );
    let command = simple("P=/x:~u:~");
    assert_eq!(
        command.assignments,
        vec![assign(
            "P",
            vec![lit("/x:"), tilde("u"), lit(":"), tilde("")]
        )]
    );
    let command = simple("P=a~:b~c");
    assert_eq!(command.assignments, vec![assign("P", vec![lit("a~:b~c")])]);
    // In an argument `:` does not start a tilde prefix.
    assert_eq!(arg("echo a:~/b"), vec![lit("a:~/b")]);
}

#[test]
fn comments() {
    assert_eq!(words("echo a # b c"), lits(&["echo", "a"]));
    assert_eq!(words("echo a #"), lits(&["echo", "a"]));
    assert_eq!(words("echo a#b"), lits(&["echo", "a#b"]));
    assert_eq!(words("echo #a"), lits(&["echo"]));
    assert_eq!(
        items("a # x; b\nc"),
        vec![item(&["a"], false), item(&["c"], false)]
    );
    assert_eq!(words("echo a;# b"), lits(&["echo", "a"]));
}

#[test]
fn backslash_newline_continues_the_line() {
    assert_eq!(words("ec\\\nho a"), lits(&["echo", "a"]));
    assert_eq!(words("echo \\\n a"), lits(&["echo", "a"]));
    // A final continuation waits for the next line, unless there is none.
    assert!(parse(b"echo a\\\n").unwrap_err().needs_more_input());
    let at_end = parse_at_end(b"echo a\\\n").unwrap();
    assert_eq!(at_end.items.len(), 1);
    assert_eq!(words("echo a \\\n\\\n b"), lits(&["echo", "a", "b"]));
    assert_eq!(
        pipeline_words("a \\\n| b"),
        vec![lits(&["a"]), lits(&["b"])]
    );
}

// bash removes backslash-newline before it reads tokens, so the pair may
// split a `$NAME` or an operator and the line still means the same.

#[test]
fn backslash_newline_between_dollar_and_name() {
    assert_eq!(arg("echo $\\\nX"), vec![var("X")]);
    assert_eq!(arg("echo \"$\\\nX\""), vec![dq(vec![var("X")])]);
}

#[test]
fn backslash_newline_inside_operators() {
    let list = parsed("a &\\\n& b");
    assert_eq!(list.items.len(), 1);
    assert_eq!(list.items[0].and_or.rest.len(), 1);
    assert_eq!(
        simple("echo a >\\\n> f").redirections,
        vec![redir(None, RedirOp::Append, "f")]
    );
    let command = simple("echo 2\\\n>f");
    assert_eq!(command.words, lits(&["echo"]));
    assert_eq!(
        command.redirections,
        vec![redir(Some(2), RedirOp::Write, "f")]
    );
}

#[test]
fn non_utf8_and_nul_bytes_are_kept_in_literals() {
    let list = parse_bytes(b"echo a\0b \xff\xfe 'q\xffq' \"\xc3\"");
    let Command::Simple(command) = &list.items[0].and_or.first.commands[0];
    assert_eq!(
        command.words,
        vec![
            Word::literal("echo"),
            word(vec![WordPart::Literal(b"a\0b".to_vec())]),
            word(vec![WordPart::Literal(vec![0xff, 0xfe])]),
            word(vec![WordPart::SingleQuoted(b"q\xffq".to_vec())]),
            word(vec![dq(vec![WordPart::Literal(vec![0xc3])])]),
        ]
    );
}

#[test]
fn utf8_words() {
    assert_eq!(words("échoé ñ 日本"), lits(&["échoé", "ñ", "日本"]));
}

// ---- Display round trip --------------------------------------------------

#[test]
fn printing_a_tree_gives_text_that_parses_to_the_same_tree() {
    let sources = [
        "echo hello world",
        "A=1 B='x y' cmd arg",
        "A= cmd",
        "P=~/a:~/b",
        "cmd <in >out 2>>err 3<>rw >|clob &>both &>>both2",
        "cmd 2>&1 >&- 3<&0 <&4",
        "echo 2 >f",
        "echo 2&>f",
        "a | b | c",
        "make |& grep x",
        "a && b || c",
        "a & b; c &",
        "a\nb\nc",
        "echo 'single $X' \"double $X ${Y}z \\\" \\$ \\\\ \\z\"",
        "echo a\\ b \\$x \\\\ \\' \\\"",
        "echo $? $$ $! $# $@ $* $- $0 $9 ${10} $10",
        "echo \"$@\" \"$*\" \"${10}\"",
        "echo $ a$ $% \"$\"",
        "echo ~ ~/x ~user/x a~ ~\"/x\" \\~",
        "echo a#b # comment",
        "echo $A$B ${A}x $A-b",
        "cmd <\"$DIR\"/'a b'",
        "echo '' \"\"",
        "échoé ñ",
    ];
    for source in sources {
        let tree = parsed(source);
        let text = tree.to_string();
        let again = match parse(text.as_bytes()) {
            Ok(again) => again,
            Err(e) => panic!(
                "{source:?} printed as {text:?}, which fails: {}",
                e.describe(text.as_bytes())
            ),
        };
        assert_eq!(again, tree, "{source:?} printed as {text:?}");
        // Printing is stable: the printed text prints as itself.
        assert_eq!(again.to_string(), text, "{source:?}");
    }
}

#[test]
fn an_escaped_multibyte_character_keeps_its_bytes() {
    // Escaping a non-ASCII character changes nothing; its bytes stay whole.
    assert_eq!(
        arg("echo \\é"),
        vec![WordPart::Literal("é".as_bytes().to_vec())]
    );
}

#[test]
fn an_escaped_multibyte_character_prints_back() {
    let tree = parsed("echo \\é");
    let text = tree.to_string();
    assert_eq!(parse(text.as_bytes()), Ok(tree), "printed as {text:?}");
}

#[test]
fn display_of_a_few_trees() {
    assert_eq!(parsed("a  &&b|c ;d&").to_string(), "a && b | c; d &");
    assert_eq!(parsed("a|&b").to_string(), "a 2>&1 | b");
    assert_eq!(parsed("echo $X").to_string(), "echo ${X}");
    assert_eq!(parsed("echo > f").to_string(), "echo >f");
}

// ---- errors --------------------------------------------------------------

#[test]
fn operator_where_a_command_must_start() {
    assert_eq!(error("| ls"), (token("|"), 1));
    assert_eq!(error("ls | | x"), (token("|"), 6));
    assert_eq!(error("ls |  |x"), (token("|"), 7));
    assert_eq!(error("&& x"), (token("&&"), 1));
    assert_eq!(error("|| x"), (token("||"), 1));
    assert_eq!(error("  ; x"), (token(";"), 3));
    assert_eq!(error("& x"), (token("&"), 1));
    assert_eq!(error("a && || b"), (token("||"), 6));
    assert_eq!(error("a | && b"), (token("&&"), 5));
}

#[test]
fn double_semicolon() {
    assert_eq!(error(";;"), (token(";;"), 1));
    assert_eq!(error("echo a ;;"), (token(";;"), 8));
    assert_eq!(error("echo a;;"), (token(";;"), 7));
}

#[test]
fn empty_command_between_separators() {
    assert_eq!(error("echo a; ; b"), (token(";"), 9));
    assert_eq!(error("echo a & ; b"), (token(";"), 10));
    assert_eq!(error("echo a &&& b"), (token("&"), 10));
}

#[test]
fn redirection_without_a_target() {
    assert_eq!(error(">"), (token("newline"), 2));
    assert_eq!(error("echo >"), (token("newline"), 7));
    assert_eq!(error("echo >  "), (token("newline"), 9));
    assert_eq!(error("echo > |"), (token("|"), 8));
    assert_eq!(error("echo 2>;"), (token(";"), 8));
    assert_eq!(error("echo > > f"), (token(">"), 8));
    assert_eq!(error("echo < && x"), (token("&&"), 8));
    assert_eq!(error("echo >&"), (token("newline"), 8));
}

#[test]
fn redirection_target_missing_before_a_newline() {
    let source = b"echo >\nx";
    let e = parse(source).unwrap_err();
    assert_eq!(e.kind, token("newline"));
    assert_eq!(e.line_and_column(source), (1, 7));
    assert!(!e.needs_more_input());
}

#[test]
fn parentheses_are_not_supported_as_words() {
    assert_eq!(error("( ls )"), (token("("), 1));
    assert_eq!(error("ls )"), (token(")"), 4));
    assert_eq!(error("echo a(b"), (token("("), 7));
}

#[test]
fn unexpected_tokens_do_not_ask_for_more_input() {
    for source in ["| ls", ";;", "echo >", "( ls )", "a && || b"] {
        let e = parse(source.as_bytes()).unwrap_err();
        assert!(!e.needs_more_input(), "{source:?}: {e}");
    }
}

#[test]
fn text_ending_where_a_command_must_follow() {
    for source in [
        "ls |",
        "ls | ",
        "ls |\n",
        "ls |&",
        "ls &&",
        "ls ||\n\n",
        "a && b ||",
        "echo \\",
    ] {
        let e = parse(source.as_bytes()).unwrap_err();
        assert_eq!(e.kind, SyntaxErrorKind::UnexpectedEnd, "{source:?}");
        assert!(e.needs_more_input(), "{source:?}");
        assert!(e.offset <= source.len(), "{source:?}");
    }
    // The continued text parses once the next line comes.
    assert_eq!(
        pipeline_words("ls |\nwc"),
        vec![lits(&["ls"]), lits(&["wc"])]
    );
    assert_eq!(words("echo \\\nx"), lits(&["echo", "x"]));
}

#[test]
fn unclosed_quotes_point_at_the_opening_quote() {
    assert_eq!(
        error("echo 'abc"),
        (SyntaxErrorKind::UnclosedQuote(b'\''), 6)
    );
    assert_eq!(
        error("echo \"abc"),
        (SyntaxErrorKind::UnclosedQuote(b'"'), 6)
    );
    assert_eq!(
        error("echo ab'c"),
        (SyntaxErrorKind::UnclosedQuote(b'\''), 8)
    );
    assert_eq!(
        error("echo \"a $X"),
        (SyntaxErrorKind::UnclosedQuote(b'"'), 6)
    );
    assert_eq!(
        error("echo \"a\\"),
        (SyntaxErrorKind::UnclosedQuote(b'"'), 6)
    );
    assert_eq!(
        error("echo 'a\nb"),
        (SyntaxErrorKind::UnclosedQuote(b'\''), 6)
    );
    for source in ["echo 'abc", "echo \"abc", "echo \"x\\", "a | b '\n"] {
        let e = parse(source.as_bytes()).unwrap_err();
        assert!(e.needs_more_input(), "{source:?}");
    }
    // The continuation closes it.
    assert_eq!(arg("echo 'abc\ndef'"), vec![sq("abc\ndef")]);
}

#[test]
fn unclosed_quote_on_a_later_line() {
    let source = b"echo a\necho 'b";
    let e = parse(source).unwrap_err();
    assert_eq!(e.kind, SyntaxErrorKind::UnclosedQuote(b'\''));
    assert_eq!(e.line_and_column(source), (2, 6));
}

#[test]
fn unclosed_braced_parameter() {
    assert_eq!(error("echo ${"), (SyntaxErrorKind::UnclosedQuote(b'{'), 6));
    assert_eq!(
        error("echo ${HOME"),
        (SyntaxErrorKind::UnclosedQuote(b'{'), 6)
    );
    assert_eq!(
        error("echo \"${HOME\""),
        (SyntaxErrorKind::UnclosedQuote(b'{'), 7)
    );
    let e = parse(b"echo ${").unwrap_err();
    assert_eq!(e.to_string(), "syntax error: unclosed '${'");
}

#[test]
fn braced_parameter_naming_nothing() {
    assert_eq!(error("echo ${}"), (SyntaxErrorKind::BadSubstitution, 6));
    assert_eq!(error("echo x${%}"), (SyntaxErrorKind::BadSubstitution, 7));
    assert_eq!(error("echo ${1a}"), (SyntaxErrorKind::BadSubstitution, 6));
    assert_eq!(error("echo \"${}\""), (SyntaxErrorKind::BadSubstitution, 7));
    let e = parse(b"echo ${}").unwrap_err();
    assert!(!e.needs_more_input());
}

#[test]
fn braced_parameter_with_a_blank_is_a_bad_substitution() {
    assert_eq!(error("echo ${a b}"), (SyntaxErrorKind::BadSubstitution, 6));
}

#[test]
fn braced_positional_too_large_is_a_bad_substitution() {
    assert_eq!(
        error("echo ${99999999999999999999999}"),
        (SyntaxErrorKind::BadSubstitution, 6)
    );
}

fn is_unsupported(kind: &SyntaxErrorKind) -> bool {
    matches!(kind, SyntaxErrorKind::Unsupported(_))
}

#[test]
fn unsupported_syntax_is_refused() {
    let cases = [
        ("echo $(ls)", 6),
        ("echo \"$(ls)\"", 7),
        ("echo $((1+2))", 6),
        ("echo `ls`", 6),
        ("echo \"a`ls`\"", 8),
        ("cat <<EOF", 5),
        ("cat <<<word", 5),
        ("echo ${x:-y}", 6),
        ("echo ${#x}", 6),
        ("echo $'a'", 6),
    ];
    for (source, column) in cases {
        let (kind, at) = error(source);
        assert!(is_unsupported(&kind), "{source:?}: {kind:?}");
        assert_eq!(at, column, "{source:?}");
        let e = parse(source.as_bytes()).unwrap_err();
        assert!(!e.needs_more_input(), "{source:?}");
        assert!(e.to_string().contains("not supported"), "{source:?}: {e}");
    }
}

#[test]
fn here_document_on_a_numbered_descriptor_is_refused() {
    let (kind, column) = error("cat 2<<EOF");
    assert!(is_unsupported(&kind), "{kind:?}");
    assert_eq!(column, 5);
}

#[test]
fn columns_count_characters_not_bytes() {
    assert_eq!(error("échoé | | x"), (token("|"), 9));
    let e = parse("échoé | | x".as_bytes()).unwrap_err();
    assert_eq!(e.offset, 10);
    assert_eq!(error("日本 'x"), (SyntaxErrorKind::UnclosedQuote(b'\''), 4));
}

#[test]
fn describe_names_the_token_and_the_column() {
    let source = b"ls | | x";
    let e = parse(source).unwrap_err();
    assert_eq!(
        e.describe(source),
        "syntax error near unexpected token '|' at column 6"
    );
    let source = b"echo 'x";
    let e = parse(source).unwrap_err();
    assert_eq!(
        e.describe(source),
        "syntax error: unclosed ' quote at column 6"
    );
    let source = b"ls |";
    let e = parse(source).unwrap_err();
    assert_eq!(e.to_string(), "syntax error: unexpected end of file");
}

#[test]
fn line_and_column_on_later_lines() {
    let source = b"echo a\n\nls | | x";
    let e = parse(source).unwrap_err();
    assert_eq!(e.kind, token("|"));
    assert_eq!(e.line_and_column(source), (3, 6));
}

// ---- robustness ----------------------------------------------------------

/// Runs `f` on a thread with a small stack, like the main thread of a
/// program whose parser recursed too deeply, and fails on a panic or an
/// overflow (which kills the whole test process: that is a bug too).
fn within(seconds: u64, what: &str, f: impl FnOnce() + Send + 'static) {
    let start = std::time::Instant::now();
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .expect("thread")
        .join()
        .unwrap_or_else(|_| panic!("{what} panicked"));
    let took = start.elapsed();
    assert!(
        took.as_secs() < seconds,
        "{what} took {took:?}, more than {seconds}s"
    );
}

#[test]
fn a_megabyte_line_of_words() {
    within(10, "1 MB of words", || {
        let source = "echo ".to_owned() + &"ab ".repeat(350_000);
        assert!(source.len() > 1_000_000);
        let words = words(&source);
        assert_eq!(words.len(), 350_001);
        assert_eq!(words[350_000], Word::literal("ab"));
    });
}

#[test]
fn a_megabyte_word() {
    within(10, "a 1 MB word", || {
        let source = "echo ".to_owned() + &"x".repeat(1 << 20);
        assert_eq!(words(&source)[1], Word::literal(&"x".repeat(1 << 20)));
    });
}

#[test]
fn ten_thousand_and_operators() {
    within(10, "10,000 &&", || {
        let source = "true".to_owned() + &" && true".repeat(10_000);
        let list = parsed(&source);
        assert_eq!(list.items.len(), 1);
        assert_eq!(list.items[0].and_or.rest.len(), 10_000);
    });
}

#[test]
fn ten_thousand_or_operators_across_lines() {
    within(10, "10,000 ||\\n", || {
        let source = "false".to_owned() + &" ||\nfalse".repeat(10_000);
        let list = parsed(&source);
        assert_eq!(list.items[0].and_or.rest.len(), 10_000);
    });
}

#[test]
fn a_five_thousand_stage_pipeline() {
    within(10, "5,000 stages", || {
        let source = "cat".to_owned() + &" | cat".repeat(4_999);
        let list = parsed(&source);
        assert_eq!(list.items[0].and_or.first.commands.len(), 5_000);
    });
}

#[test]
fn ten_thousand_semicolons() {
    within(10, "10,000 ;", || {
        let source = "true;".repeat(10_000);
        assert_eq!(parsed(&source).items.len(), 10_000);
        let source = "a &".repeat(10_000);
        let list = parsed(&source);
        assert_eq!(list.items.len(), 10_000);
        assert!(list.items.iter().all(|item| item.background));
    });
}

#[test]
fn ten_thousand_newlines_and_comments() {
    within(10, "10,000 lines", || {
        let source = "# c\n\n".repeat(10_000) + "x";
        assert_eq!(parsed(&source).items.len(), 1);
    });
}

#[test]
fn deeply_alternating_quotes() {
    within(10, "alternating quotes", || {
        // `"'"'"'"…`: a double-quoted `'`, a single-quoted `"`, and so on.
        let pairs = 20_000;
        let source = "echo ".to_owned() + &"\"'\"'\"'".repeat(pairs);
        let parts = arg(&source);
        assert_eq!(parts.len(), 2 * pairs);
        assert_eq!(parts[0], dq(vec![lit("'")]));
        assert_eq!(parts[1], sq("\""));
    });
}

#[test]
fn many_redirections_and_parameters() {
    within(10, "many redirections", || {
        let source = "cmd".to_owned() + &" 2>>f <g".repeat(5_000) + &" $A${B}".repeat(5_000);
        let command = simple(&source);
        assert_eq!(command.redirections.len(), 10_000);
        assert_eq!(command.words.len(), 5_001);
    });
}

/// A small deterministic generator, so failures can be reproduced.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn random_shell_like_bytes_never_panic() {
    within(20, "random inputs", || {
        let alphabet = b"a |&;<>'\"\\$#~{}()=\n\t2";
        let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
        for case in 0..5_000 {
            let len = rng.below(40);
            let source: Vec<u8> = (0..len)
                .map(|_| alphabet[rng.below(alphabet.len())])
                .collect();
            check_one(case, &source);
        }
    });
}

#[test]
fn random_arbitrary_bytes_never_panic() {
    within(20, "random bytes", || {
        let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
        for case in 0..3_000 {
            let len = rng.below(60);
            let source: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            check_one(case, &source);
        }
    });
}

/// Parses one input: any result but a panic will do, an error must point
/// inside the text, and a tree must print back as text that parses.
fn check_one(case: usize, source: &[u8]) {
    let shown = String::from_utf8_lossy(source).into_owned();
    let result = std::panic::catch_unwind(|| parse(source));
    let result = result.unwrap_or_else(|_| panic!("case {case}: parse panicked on {shown:?}"));
    match result {
        Ok(list) => {
            // Printing may lose invalid UTF-8; only check valid text.
            if std::str::from_utf8(source).is_ok() {
                let text = list.to_string();
                assert!(
                    parse(text.as_bytes()).is_ok(),
                    "case {case}: {shown:?} printed as {text:?}, which fails"
                );
            }
        }
        Err(e) => {
            assert!(
                e.offset <= source.len(),
                "case {case}: offset {} past the end of {shown:?}",
                e.offset
            );
            let _ = e.describe(source);
        }
    }
}
