//! The shell's parts as the fuzz targets (`fuzz/`) and their replay test
//! (`tests/fuzz_replay.rs`) drive them. Each function takes arbitrary bytes,
//! runs one part of the shell on them, and panics when something that must
//! hold for every input does not: so a fuzzer finds the inputs that break
//! it, and plain `cargo test` replays the ones found, without nightly.
//!
//! None of them starts a process: the expansion and arithmetic checks run
//! against a shell whose `$( )` and `<( )` expand to nothing.

use std::os::fd::OwnedFd;

use crate::ast::{Command, List};
use crate::exec::fds::PrivateFd;
use crate::parse::{Parser, SyntaxError, TextLines};
use crate::shell::{Mode, Params, Shell};

/// The parser on any bytes: it never panics, reads every input to its end
/// (recovering after each error as a script does), and every syntax error
/// points inside the text, at a line it has and a column of that line (or
/// just past the end of the input).
pub fn parse(input: &[u8]) {
    let mut lines = TextLines::new(input);
    let mut parser = Parser::new(&mut lines);
    // Each error skips at least the rest of a line, so a parse makes at
    // most one error per line; more means the parser stopped advancing.
    let mut errors = 0;
    let limit = input.iter().filter(|&&b| b == b'\n').count() + 1;
    loop {
        match parser.next_command() {
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(error) => {
                assert_inside(input, &error);
                errors += 1;
                assert!(
                    errors <= limit,
                    "{:?}: more errors than lines, the parser is stuck",
                    String::from_utf8_lossy(input)
                );
                parser.recover();
            }
        }
    }
}

/// Panics unless the error's line and column are a place in `input`.
fn assert_inside(input: &[u8], error: &SyntaxError) {
    let lines: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
    let line = error.line as usize;
    assert!(
        (1..=lines.len()).contains(&line),
        "{:?}: {error:?} is on line {line} of {}",
        String::from_utf8_lossy(input),
        lines.len()
    );
    // Columns count characters: every byte but UTF-8's continuation bytes.
    let characters = lines[line - 1]
        .iter()
        .filter(|&&b| (b & 0xC0) != 0x80)
        .count();
    let column = error.column as usize;
    assert!(
        (1..=characters + 1).contains(&column),
        "{:?}: {error:?} is at column {column} of a line of {characters} characters",
        String::from_utf8_lossy(input)
    );
}

/// Printing a tree back (`Display`, what `jobs` and `type` show) and
/// parsing the text again gives the same tree, but for the line numbers
/// (the text is printed on one line). Input that does not parse, is not
/// UTF-8 (a `String` cannot hold other bytes) or holds a here-document
/// (printed as its operator only: the body is not on the command's line)
/// is skipped.
pub fn round_trip(input: &[u8]) {
    let Ok(text) = std::str::from_utf8(input) else {
        return;
    };
    let Ok(tree) = crate::parse::parse(text.as_bytes()) else {
        return;
    };
    let shape = without_lines(&tree);
    if shape.contains("HereDoc(HereDoc {") {
        return;
    }
    let printed = tree.to_string();
    let again = match crate::parse::parse(printed.as_bytes()) {
        Ok(again) => again,
        Err(error) => panic!("{text:?} printed as {printed:?}, which does not parse: {error}"),
    };
    assert_eq!(
        shape,
        without_lines(&again),
        "{text:?} printed as {printed:?} reads back as another tree"
    );
}

/// The tree's `Debug` text with every `line: N` field made `line: 0`. Text
/// in the tree prints as byte lists and names cannot hold a blank, so only
/// the fields read so.
fn without_lines(tree: &List) -> String {
    let debug = format!("{tree:?}");
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug.as_str();
    while let Some(at) = rest.find("line: ") {
        out.push_str(&rest[..at + "line: ".len()]);
        rest = rest[at + "line: ".len()..].trim_start_matches(|c: char| c.is_ascii_digit());
        out.push('0');
    }
    out.push_str(rest);
    out
}

/// Expansion of the words of any command line against a fixed shell (see
/// [`fixed_shell`]): every simple command's words as a command's arguments
/// and as one string, its assignments' values and its redirections'
/// targets. Nothing runs; expansion must only never panic. The first byte
/// picks options (`set -u`, `extglob`, `nocasematch`, a UTF-8 locale), so
/// that the fuzzer reaches their paths too.
pub fn expand(input: &[u8]) {
    let Some((&flags, text)) = input.split_first() else {
        return;
    };
    let Ok(list) = crate::parse::parse(text) else {
        return;
    };
    let mut shell = fixed_shell(flags);
    for command in simple_commands(&list) {
        let _ = crate::expand::argv(&mut shell, &command.words);
        for word in &command.words {
            if let crate::ast::Argument::Word(word) = word {
                let _ = crate::expand::string(&mut shell, word);
            }
        }
        for assignment in &command.assignments {
            if let crate::ast::AssignValue::Scalar(word) = &assignment.value {
                let _ = crate::expand::string(&mut shell, word);
            }
        }
        for redirection in &command.redirections {
            if let crate::ast::RedirTarget::Word(word) = &redirection.target {
                let _ = crate::expand::redirect_target(&mut shell, word);
            }
        }
    }
}

/// The arithmetic evaluator (`$(( ))`, `(( ))`, array subscripts) on any
/// text, against the fixed shell: it must never panic, whatever the text
/// and the values of the variables it names. The first byte picks options
/// as for [`expand`].
pub fn arith(input: &[u8]) {
    let Some((&flags, text)) = input.split_first() else {
        return;
    };
    let mut shell = fixed_shell(flags);
    let _ = crate::expand::eval_arith_text(&mut shell, text);
}

/// The simple commands of a list's pipelines, outside compound commands.
fn simple_commands(list: &List) -> impl Iterator<Item = &crate::ast::SimpleCommand> {
    list.items
        .iter()
        .flat_map(|item| {
            std::iter::once(&item.and_or.first).chain(item.and_or.rest.iter().map(|(_, p)| p))
        })
        .flat_map(|pipeline| &pipeline.commands)
        .filter_map(|command| match command {
            Command::Simple(simple) => Some(simple),
            _ => None,
        })
}

/// The variables every expansion check starts from: scalars with blanks,
/// glob characters and arithmetic in them, arrays of both kinds, a
/// nameref, a readonly and an integer variable, positional parameters.
const FIXED_STATE: &[u8] = br#"x='hello world'; empty=; star='*'; n=42; e='n+1'; self='self+1'
neg=-5; big=9223372036854775807; path=/usr/local/bin/file.tar.gz
arr=(zero 'one two' '' '*' 3); arr[10]=ten
declare -A map=([k]=v ['two words']=2 [*]=star)
declare -n ref=x; declare -n aref=arr; readonly ro=fixed; declare -i int=3
declare -u up=loud; declare -l low=QUIET; IFS=$' \t\n'; HOME=/home/fuzz"#;

/// A shell in the fixed state: no variable from the environment, standard
/// error to /dev/null (the checks only look for panics), pathname
/// expansion off (it would read the file system), and command and process
/// substitution off (they would start processes).
fn fixed_shell(flags: u8) -> Shell {
    let params = Params {
        zero: b"minishell".to_vec(),
        args: [&b"one"[..], b"two words", b"", b"*", b" lead"]
            .map(<[u8]>::to_vec)
            .to_vec(),
    };
    let mut shell = Shell::new(params, Mode::Script);
    shell.vars = crate::vars::Vars::default();
    shell.run_substitutions = false;
    if let Ok(null) = std::fs::OpenOptions::new().write(true).open("/dev/null") {
        shell.fds.give(PrivateFd::new(OwnedFd::from(null)), 2);
    }
    if let Ok(setup) = crate::parse::parse(FIXED_STATE) {
        shell.run_list(&setup);
    }
    let options = &mut shell.options;
    options.noglob = true;
    options.nounset = flags & 1 != 0;
    options.extglob = flags & 2 != 0;
    options.nocasematch = flags & 4 != 0;
    if flags & 8 != 0 {
        let _ = shell.vars.set("LC_ALL", b"C.UTF-8".to_vec());
    }
    shell
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixed_state_is_set() {
        let mut shell = fixed_shell(0);
        assert_eq!(shell.vars.get("x"), Some(&b"hello world"[..]));
        assert_eq!(crate::expand::eval_arith_text(&mut shell, b"e * 2"), Ok(86));
        let word = crate::parse::parse(b"echo ${map[k]}${#arr[@]}$(echo no)").unwrap();
        let command = simple_commands(&word).next().unwrap();
        let argv = crate::expand::argv(&mut shell, &command.words).unwrap();
        assert_eq!(argv, [&b"echo"[..], b"v6"]);
    }

    #[test]
    fn lines_are_left_out_of_the_shape() {
        let one = crate::parse::parse(b"a; b").unwrap();
        let two = crate::parse::parse(b"\n\na\nb").unwrap();
        assert_eq!(without_lines(&one), without_lines(&two));
    }
}
