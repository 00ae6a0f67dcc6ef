//! Unit tests of expansion: words built by hand (not by the parser, so a
//! parser bug cannot hide here) expanded against a shell whose variables
//! and parameters each test sets.

use super::*;
use crate::ast::build::{dq, lit, sq, var};
use crate::shell::{Mode, Params};

// ---- helpers -------------------------------------------------------------

/// A shell with `$0` = `minishell`, the given positional parameters, IFS
/// unset and HOME set to a known directory.
fn shell_with(args: &[&str]) -> Shell {
    let params = Params {
        zero: b"minishell".to_vec(),
        args: args.iter().map(|a| a.as_bytes().to_vec()).collect(),
    };
    let mut shell = Shell::new(params, Mode::Script);
    shell.vars.unset("IFS");
    shell.vars.set("HOME", b"/home/tester".to_vec());
    shell
}

fn shell() -> Shell {
    shell_with(&[])
}

fn set(shell: &mut Shell, name: &str, value: &str) {
    shell.vars.set(name, value.as_bytes().to_vec());
}

fn param(param: Param) -> WordPart {
    WordPart::Param(param)
}

fn tilde(user: &str) -> WordPart {
    WordPart::Tilde(user.as_bytes().to_vec())
}

fn w(parts: Vec<WordPart>) -> Word {
    Word { parts }
}

/// The fields of one word, as text.
fn fields(shell: &Shell, parts: Vec<WordPart>) -> Vec<String> {
    fields_of(shell, &[w(parts)])
}

/// The fields of several words, as text.
fn fields_of(shell: &Shell, words: &[Word]) -> Vec<String> {
    super::words(shell, words)
        .into_iter()
        .map(|f| String::from_utf8(f).expect("UTF-8 field"))
        .collect()
}

fn single_text(shell: &Shell, parts: Vec<WordPart>) -> String {
    String::from_utf8(single(shell, &w(parts))).expect("UTF-8")
}

fn single_field_text(shell: &Shell, parts: Vec<WordPart>) -> Option<String> {
    single_field(shell, &w(parts)).map(|f| String::from_utf8(f.into_owned()).expect("UTF-8"))
}

// ---- literals and quotes -------------------------------------------------

#[test]
fn literal_words_are_fields() {
    let shell = shell();
    assert_eq!(
        fields_of(
            &shell,
            &[
                Word::literal("echo"),
                Word::literal("a"),
                Word::literal("b")
            ]
        ),
        ["echo", "a", "b"]
    );
    assert_eq!(fields_of(&shell, &[]), Vec::<String>::new());
}

#[test]
fn quoted_text_is_taken_as_written() {
    let shell = shell();
    assert_eq!(fields(&shell, vec![sq("a  b $X")]), ["a  b $X"]);
    assert_eq!(fields(&shell, vec![dq(vec![lit("a  b")])]), ["a  b"]);
    assert_eq!(fields(&shell, vec![WordPart::Escaped(b' ')]), [" "]);
    assert_eq!(
        fields(
            &shell,
            vec![
                lit("a"),
                sq("b c"),
                dq(vec![lit(" d")]),
                WordPart::Escaped(b'$')
            ]
        ),
        ["ab c d$"]
    );
}

#[test]
fn literal_text_is_never_split() {
    // Only expansions are split; a literal holding IFS bytes (from a
    // quoted part merged by a caller, say) stays whole.
    let mut shell = shell();
    set(&mut shell, "IFS", "a");
    assert_eq!(fields(&shell, vec![lit("banana")]), ["banana"]);
}

#[test]
fn bytes_pass_through_unchanged() {
    let mut shell = shell();
    shell.vars.set("B", vec![0xff, b' ', 0xfe]);
    let out = super::words(
        &shell,
        &[w(vec![WordPart::Literal(vec![0, 0xff])]), w(vec![var("B")])],
    );
    assert_eq!(out, vec![vec![0, 0xff], vec![0xff], vec![0xfe]]);
}

#[test]
fn empty_quotes_make_an_empty_field() {
    let shell = shell();
    assert_eq!(fields(&shell, vec![dq(vec![])]), [""]);
    assert_eq!(fields(&shell, vec![sq("")]), [""]);
    assert_eq!(fields(&shell, vec![sq(""), dq(vec![])]), [""]);
    assert_eq!(
        fields_of(
            &shell,
            &[Word::literal("a"), w(vec![sq("")]), Word::literal("b")]
        ),
        ["a", "", "b"]
    );
}

#[test]
fn an_empty_unquoted_expansion_disappears() {
    let mut shell = shell();
    set(&mut shell, "EMPTY", "");
    shell.vars.unset("UNSET");
    assert_eq!(fields(&shell, vec![var("EMPTY")]), Vec::<String>::new());
    assert_eq!(fields(&shell, vec![var("UNSET")]), Vec::<String>::new());
    assert_eq!(
        fields(&shell, vec![var("EMPTY"), var("UNSET")]),
        Vec::<String>::new()
    );
    assert_eq!(
        fields_of(
            &shell,
            &[
                Word::literal("a"),
                w(vec![var("EMPTY")]),
                Word::literal("b")
            ]
        ),
        ["a", "b"]
    );
    // Quoted, or next to other text, it stays.
    assert_eq!(fields(&shell, vec![dq(vec![var("EMPTY")])]), [""]);
    assert_eq!(fields(&shell, vec![var("EMPTY"), sq("")]), [""]);
    assert_eq!(fields(&shell, vec![lit("x"), var("UNSET")]), ["x"]);
}

// ---- field splitting -----------------------------------------------------

#[test]
fn default_ifs_splits_on_blanks() {
    let mut shell = shell();
    set(&mut shell, "V", "  a \t b\n\nc  ");
    assert_eq!(fields(&shell, vec![var("V")]), ["a", "b", "c"]);
    set(&mut shell, "V", " \t\n ");
    assert_eq!(fields(&shell, vec![var("V")]), Vec::<String>::new());
    set(&mut shell, "V", "one");
    assert_eq!(fields(&shell, vec![var("V")]), ["one"]);
}

#[test]
fn ifs_set_to_the_default_value_splits_the_same() {
    let mut shell = shell();
    set(&mut shell, "IFS", " \t\n");
    set(&mut shell, "V", "  a \t b  ");
    assert_eq!(fields(&shell, vec![var("V")]), ["a", "b"]);
}

#[test]
fn non_blank_ifs_makes_empty_fields() {
    let mut shell = shell();
    set(&mut shell, "IFS", ":");
    let cases: &[(&str, &[&str])] = &[
        ("a::b", &["a", "", "b"]),
        (":a", &["", "a"]),
        ("a:", &["a"]),
        ("a", &["a"]),
        (":", &[""]),
        ("::", &["", ""]),
        ("a b", &["a b"]),
        ("a:b:c", &["a", "b", "c"]),
    ];
    for &(value, expected) in cases {
        set(&mut shell, "V", value);
        assert_eq!(fields(&shell, vec![var("V")]), expected, "V={value:?}");
    }
}

#[test]
fn blank_and_non_blank_ifs_characters_together() {
    let mut shell = shell();
    set(&mut shell, "IFS", " :");
    let cases: &[(&str, &[&str])] = &[
        ("a : b", &["a", "b"]),
        ("a:b", &["a", "b"]),
        ("a: b", &["a", "b"]),
        ("a :b", &["a", "b"]),
        ("a :: b", &["a", "", "b"]),
        (" a ", &["a"]),
        (" : a", &["", "a"]),
    ];
    for &(value, expected) in cases {
        set(&mut shell, "V", value);
        assert_eq!(fields(&shell, vec![var("V")]), expected, "V={value:?}");
    }
}

#[test]
fn empty_ifs_does_not_split() {
    let mut shell = shell();
    set(&mut shell, "IFS", "");
    set(&mut shell, "V", " a  b ");
    assert_eq!(fields(&shell, vec![var("V")]), [" a  b "]);
    set(&mut shell, "V", "");
    assert_eq!(fields(&shell, vec![var("V")]), Vec::<String>::new());
}

#[test]
fn splitting_joins_the_text_around_the_expansion() {
    let mut shell = shell();
    set(&mut shell, "V", " a b ");
    assert_eq!(fields(&shell, vec![lit("x"), var("V")]), ["x", "a", "b"]);
    assert_eq!(fields(&shell, vec![var("V"), lit("y")]), ["a", "b", "y"]);
    set(&mut shell, "V", "a b");
    assert_eq!(
        fields(&shell, vec![lit("x"), var("V"), lit("y")]),
        ["xa", "by"]
    );
    assert_eq!(
        fields(&shell, vec![sq("q"), var("V"), dq(vec![lit("r")])]),
        ["qa", "br"]
    );
    set(&mut shell, "W", "c d");
    assert_eq!(fields(&shell, vec![var("V"), var("W")]), ["a", "bc", "d"]);
}

#[test]
fn splitting_stays_within_each_word() {
    let mut shell = shell();
    set(&mut shell, "V", "a ");
    set(&mut shell, "W", " b");
    assert_eq!(
        fields_of(&shell, &[w(vec![var("V")]), w(vec![var("W")])]),
        ["a", "b"]
    );
    assert_eq!(fields(&shell, vec![var("V"), var("W")]), ["a", "b"]);
}

#[test]
fn a_separator_at_the_start_of_the_next_word_is_its_own() {
    // bash: IFS=" :"; V="a "; W=":b"; printf '<%s>' $V $W  →  <a><><b>
    let mut shell = shell();
    set(&mut shell, "IFS", " :");
    set(&mut shell, "V", "a ");
    set(&mut shell, "W", ":b");
    assert_eq!(
        fields_of(&shell, &[w(vec![var("V")]), w(vec![var("W")])]),
        ["a", "", "b"]
    );
}

#[test]
fn quoted_expansions_are_never_split() {
    let mut shell = shell();
    set(&mut shell, "V", " a  b ");
    assert_eq!(fields(&shell, vec![dq(vec![var("V")])]), [" a  b "]);
    assert_eq!(
        fields(&shell, vec![dq(vec![lit("<"), var("V"), lit(">")])]),
        ["< a  b >"]
    );
    set(&mut shell, "IFS", ":");
    set(&mut shell, "V", "a::b");
    assert_eq!(fields(&shell, vec![dq(vec![var("V")])]), ["a::b"]);
}

#[test]
fn tilde_results_are_not_split() {
    let mut shell = shell();
    set(&mut shell, "HOME", "/home/a b");
    assert_eq!(fields(&shell, vec![tilde("")]), ["/home/a b"]);
}

// ---- special and positional parameters ------------------------------------

#[test]
fn all_parameters_unquoted_are_split() {
    let shell = shell_with(&["a b", "c", ""]);
    assert_eq!(
        fields(&shell, vec![param(Param::AllSeparate)]),
        ["a", "b", "c"]
    );
    assert_eq!(
        fields(&shell, vec![param(Param::AllJoined)]),
        ["a", "b", "c"]
    );
    assert_eq!(
        fields(&shell, vec![lit("x"), param(Param::AllSeparate), lit("y")]),
        // The empty last parameter still ends a field, as in bash.
        ["xa", "b", "c", "y"]
    );
}

#[test]
fn quoted_at_gives_each_parameter_its_own_field() {
    let shell = shell_with(&["a b", "", "c"]);
    assert_eq!(
        fields(&shell, vec![dq(vec![param(Param::AllSeparate)])]),
        ["a b", "", "c"]
    );
    // Text in the quotes sticks to the first and last parameters.
    assert_eq!(
        fields(
            &shell,
            vec![dq(vec![lit("<"), param(Param::AllSeparate), lit(">")])]
        ),
        ["<a b", "", "c>"]
    );
    let shell = shell_with(&["only"]);
    assert_eq!(
        fields(&shell, vec![dq(vec![param(Param::AllSeparate)])]),
        ["only"]
    );
    let shell = shell_with(&[""]);
    assert_eq!(
        fields(&shell, vec![dq(vec![param(Param::AllSeparate)])]),
        [""]
    );
}

#[test]
fn quoted_at_with_no_parameters_is_no_field() {
    let shell = shell();
    assert_eq!(
        fields(&shell, vec![dq(vec![param(Param::AllSeparate)])]),
        Vec::<String>::new()
    );
    assert_eq!(
        fields_of(
            &shell,
            &[
                Word::literal("cmd"),
                w(vec![dq(vec![param(Param::AllSeparate)])]),
                Word::literal("end"),
            ]
        ),
        ["cmd", "end"]
    );
    // With other text in the quotes the word stays.
    assert_eq!(
        fields(&shell, vec![dq(vec![lit("x"), param(Param::AllSeparate)])]),
        ["x"]
    );
    assert_eq!(
        fields(&shell, vec![param(Param::AllSeparate)]),
        Vec::<String>::new()
    );
}

#[test]
fn quoted_at_with_no_parameters_after_other_quotes_is_one_empty_field() {
    // bash and dash: set --; n() { echo $#; }; n \"\"\"$@\"  →  1
    let shell = shell();
    assert_eq!(
        fields(
            &shell,
            vec![dq(vec![]), dq(vec![param(Param::AllSeparate)])]
        ),
        [""]
    );
    assert_eq!(
        fields(&shell, vec![sq(""), dq(vec![param(Param::AllSeparate)])]),
        [""]
    );
}

#[test]
fn quoted_star_joins_with_the_first_ifs_character() {
    let mut shell = shell_with(&["a", "b c", "d"]);
    let star = || vec![dq(vec![param(Param::AllJoined)])];
    assert_eq!(fields(&shell, star()), ["a b c d"]);
    set(&mut shell, "IFS", ":-");
    assert_eq!(fields(&shell, star()), ["a:b c:d"]);
    set(&mut shell, "IFS", "");
    assert_eq!(fields(&shell, star()), ["ab cd"]);
    let shell = shell_with(&[]);
    assert_eq!(fields(&shell, star()), [""]);
}

#[test]
fn count_zero_and_positionals() {
    let args: Vec<String> = (1..=11).map(|n| format!("arg{n}")).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let shell = shell_with(&args);
    assert_eq!(fields(&shell, vec![param(Param::Count)]), ["11"]);
    assert_eq!(
        fields(&shell, vec![param(Param::Positional(0))]),
        ["minishell"]
    );
    assert_eq!(fields(&shell, vec![param(Param::Positional(1))]), ["arg1"]);
    assert_eq!(
        fields(&shell, vec![param(Param::Positional(10))]),
        ["arg10"]
    );
    assert_eq!(
        fields(&shell, vec![param(Param::Positional(11))]),
        ["arg11"]
    );
    assert_eq!(
        fields(&shell, vec![param(Param::Positional(12))]),
        Vec::<String>::new()
    );
    assert_eq!(
        fields(&shell, vec![dq(vec![param(Param::Positional(12))])]),
        [""]
    );
    assert_eq!(fields(&shell_with(&[]), vec![param(Param::Count)]), ["0"]);
}

#[test]
fn positional_parameters_are_split_unquoted() {
    let shell = shell_with(&["a  b"]);
    assert_eq!(
        fields(&shell, vec![param(Param::Positional(1))]),
        ["a", "b"]
    );
    assert_eq!(
        fields(&shell, vec![dq(vec![param(Param::Positional(1))])]),
        ["a  b"]
    );
}

#[test]
fn status_and_pids() {
    let mut shell = shell();
    assert_eq!(fields(&shell, vec![param(Param::Status)]), ["0"]);
    shell.status = 127;
    assert_eq!(fields(&shell, vec![param(Param::Status)]), ["127"]);
    assert_eq!(
        fields(&shell, vec![param(Param::ShellPid)]),
        [std::process::id().to_string()]
    );
}

#[test]
fn last_background_is_empty_before_any_job() {
    let mut shell = shell();
    assert_eq!(
        fields(&shell, vec![param(Param::LastBackground)]),
        Vec::<String>::new()
    );
    assert_eq!(
        fields(&shell, vec![dq(vec![param(Param::LastBackground)])]),
        [""]
    );
    shell.last_background = Some(4242);
    assert_eq!(fields(&shell, vec![param(Param::LastBackground)]), ["4242"]);
}

#[test]
fn options_of_a_script_shell() {
    let shell = shell();
    assert_eq!(fields(&shell, vec![dq(vec![param(Param::Options)])]), [""]);
}

// ---- tilde -------------------------------------------------------------

/// A user's home directory as `/etc/passwd` gives it, read here
/// independently of the code under test.
fn passwd_home(user: &str) -> Option<String> {
    let text = std::fs::read_to_string("/etc/passwd").ok()?;
    text.lines()
        .map(|line| line.split(':').collect::<Vec<_>>())
        .find(|fields| fields.len() >= 7 && fields[0] == user)
        .map(|fields| fields[5].to_owned())
}

#[test]
fn tilde_is_home() {
    let shell = shell();
    assert_eq!(fields(&shell, vec![tilde("")]), ["/home/tester"]);
    assert_eq!(
        fields(&shell, vec![tilde(""), lit("/x")]),
        ["/home/tester/x"]
    );
    assert_eq!(
        single_text(&shell, vec![tilde(""), lit("/x")]),
        "/home/tester/x"
    );
}

#[test]
fn tilde_with_an_empty_home_is_an_empty_field() {
    let mut shell = shell();
    set(&mut shell, "HOME", "");
    assert_eq!(fields(&shell, vec![tilde("")]), [""]);
}

#[test]
fn tilde_user_reads_the_password_file() {
    let Some(home) = passwd_home("root") else {
        eprintln!("no root in /etc/passwd; skipped");
        return;
    };
    let shell = shell();
    assert_eq!(fields(&shell, vec![tilde("root")]), [home.as_str()]);
    assert_eq!(
        fields(&shell, vec![tilde("root"), lit("/x")]),
        [format!("{home}/x")]
    );
}

#[test]
fn tilde_of_an_unknown_user_stays_as_written() {
    let shell = shell();
    assert_eq!(
        fields(&shell, vec![tilde("nosuchuser"), lit("/x")]),
        ["~nosuchuser/x"]
    );
    assert_eq!(
        single_text(&shell, vec![tilde("nosuchuser")]),
        "~nosuchuser"
    );
}

#[test]
fn tilde_without_home_uses_the_password_file() {
    let mut shell = shell();
    shell.vars.unset("HOME");
    let uid = nix::unistd::getuid().as_raw().to_string();
    let text = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let expected = text
        .lines()
        .map(|line| line.split(':').collect::<Vec<_>>())
        .find(|f| f.len() >= 7 && f[2] == uid)
        .map_or("~".to_owned(), |f| f[5].to_owned());
    assert_eq!(fields(&shell, vec![tilde("")]), [expected]);
}

// ---- single and single_field ---------------------------------------------

#[test]
fn single_never_splits() {
    let mut shell = shell_with(&["p q", "r"]);
    set(&mut shell, "V", " a  b ");
    assert_eq!(single_text(&shell, vec![var("V")]), " a  b ");
    assert_eq!(
        single_text(&shell, vec![lit("x="), var("V"), sq("!")]),
        "x= a  b !"
    );
    assert_eq!(
        single_text(&shell, vec![param(Param::AllSeparate)]),
        "p q r"
    );
    assert_eq!(
        single_text(&shell, vec![dq(vec![param(Param::AllJoined)])]),
        "p q r"
    );
    assert_eq!(single_text(&shell, vec![var("UNSET_X")]), "");
    assert_eq!(single_text(&shell, vec![]), "");
    set(&mut shell, "IFS", ":");
    set(&mut shell, "V", "a::b");
    assert_eq!(single_text(&shell, vec![var("V")]), "a::b");
    assert_eq!(single_text(&shell, vec![param(Param::AllJoined)]), "p q:r");
}

#[test]
fn single_joins_at_with_spaces_as_bash_does() {
    // bash: IFS=:; set -- a b; A=$@; echo "$A"  →  a b   (dash: a:b)
    let mut shell = shell_with(&["a", "b"]);
    set(&mut shell, "IFS", ":");
    assert_eq!(single_text(&shell, vec![param(Param::AllSeparate)]), "a b");
    assert_eq!(single_text(&shell, vec![param(Param::AllJoined)]), "a:b");
}

#[test]
fn single_field_takes_exactly_one_field() {
    let mut shell = shell();
    set(&mut shell, "ONE", "file");
    set(&mut shell, "TWO", "a b");
    set(&mut shell, "EMPTY", "");
    assert_eq!(
        single_field_text(&shell, vec![var("ONE"), lit(".txt")]),
        Some("file.txt".to_owned())
    );
    assert_eq!(single_field_text(&shell, vec![var("EMPTY")]), None);
    assert_eq!(single_field_text(&shell, vec![var("UNSET_X")]), None);
    assert_eq!(single_field_text(&shell, vec![var("TWO")]), None);
    assert_eq!(
        single_field_text(&shell, vec![dq(vec![var("TWO")])]),
        Some("a b".to_owned())
    );
    assert_eq!(
        single_field_text(&shell, vec![dq(vec![var("EMPTY")])]),
        Some(String::new())
    );
    assert_eq!(single_field_text(&shell, vec![sq("")]), Some(String::new()));
}

#[test]
fn single_field_with_all_parameters() {
    let shell = shell_with(&["a", "b"]);
    assert_eq!(
        single_field_text(&shell, vec![dq(vec![param(Param::AllSeparate)])]),
        None
    );
    assert_eq!(
        single_field_text(&shell, vec![dq(vec![param(Param::AllJoined)])]),
        Some("a b".to_owned())
    );
    let shell = shell_with(&["a"]);
    assert_eq!(
        single_field_text(&shell, vec![param(Param::AllSeparate)]),
        Some("a".to_owned())
    );
}
