//! `test` and `[`: evaluate a condition given as words. POSIX fixes the
//! meaning of up to four words by their count; beyond that bash parses a
//! grammar of `!`, `-a`, `-o` and parentheses. Both are followed here as
//! bash follows them, down to which word an error message names.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;

use crate::builtin::{Builtin, Group, Place};
use crate::conditions;
use crate::context::{Context, Status};

/// The help both names share, after their usage lines.
macro_rules! help_body {
    () => {
        "    Evaluate EXPRESSION and return 0 if it is true, 1 if it is false,
    2 if it cannot be read. Files:
      -e F  exists          -f F  regular file    -d F  directory
      -h F, -L F  symbolic link   -b F, -c F  block, character device
      -p F  named pipe      -S F  socket          -s F  not empty
      -r F, -w F, -x F  readable, writable, executable by you
      -u F, -g F, -k F  set-user-ID, set-group-ID, sticky bit set
      -O F, -G F  owned by your user, your group
      -N F  modified since last read   -t FD  descriptor is a terminal
      F1 -nt F2, F1 -ot F2  newer, older    F1 -ef F2  the same file
    Strings: -z S (empty), -n S or S (not empty), S1 = S2 (also ==),
      S1 != S2, S1 < S2, S1 > S2 (byte order).
    Integers: N1 -eq N2, -ne, -lt, -le, -gt, -ge.
    Shell: -v NAME (variable is set), -o OPTION (option is on).
    Combine with ! EXPR, EXPR -a EXPR, EXPR -o EXPR and ( EXPR ).
    By word count: none is false, one is true if not empty, two or three
    are read as one operator (or ! and the rest), as POSIX says.
"
    };
}

pub static TEST: Builtin = Builtin {
    name: "test",
    summary: "evaluate a condition on files, strings or numbers",
    help: concat!(
        "test [EXPRESSION]\n",
        "    (Also written [ EXPRESSION ].)\n",
        help_body!()
    ),
    place: Place::Anywhere,
    group: Group::Shell,
    // `test --help` is one non-empty word, so true, as in bash.
    help_option: false,
    run,
};

pub static BRACKET: Builtin = Builtin {
    name: "[",
    summary: "evaluate a condition, like test, closed by ]",
    help: concat!(
        "[ [EXPRESSION] ]\n",
        "    The same as test, with a last word ].\n",
        help_body!()
    ),
    place: Place::Anywhere,
    group: Group::Shell,
    help_option: false,
    run,
};

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let name = super::shown(&args[0]).into_owned();
    let mut words: Vec<&[u8]> = args[1..].iter().map(|a| a.as_bytes()).collect();
    if name == "[" {
        if words.last() != Some(&&b"]"[..]) {
            return super::fail(ctx, &name, "missing `]'", 2);
        }
        words.pop();
    }
    match evaluate(&words, &ShellProbe { ctx }, name == "[") {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(message) => super::fail(ctx, &name, message, 2),
    }
}

/// What a condition may ask of the shell.
trait Probe {
    /// `-v NAME`.
    fn var_is_set(&self, name: &[u8]) -> bool;
    /// `-o OPTION`: on (false for an option that does not exist).
    fn option_on(&self, name: &[u8]) -> bool;
    /// `-t FD`: whether the builtin's descriptor FD is a terminal.
    fn terminal(&self, fd: i64) -> bool;
}

struct ShellProbe<'a> {
    ctx: &'a dyn Context,
}

impl Probe for ShellProbe<'_> {
    fn var_is_set(&self, name: &[u8]) -> bool {
        std::str::from_utf8(name).is_ok_and(|n| self.ctx.var_is_set(n))
    }

    fn option_on(&self, name: &[u8]) -> bool {
        std::str::from_utf8(name).is_ok_and(|n| self.ctx.option(n) == Some(true))
    }

    fn terminal(&self, fd: i64) -> bool {
        // The builtin's descriptors are the shell's after redirections, so
        // `test -t 1 > file` asks about the file.
        let Ok(fd) = i32::try_from(fd) else {
            return false;
        };
        match self.ctx.input_fd(fd) {
            Some(real) => nix::unistd::isatty(borrow(real)).unwrap_or(false),
            None => false,
        }
    }
}

/// A descriptor number as nix's calls take it.
fn borrow(fd: i32) -> std::os::fd::BorrowedFd<'static> {
    // SAFETY: the descriptor is only queried (isatty) while the shell
    // holds it open; a closed one only makes the query fail.
    unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) }
}

/// A condition that cannot be read: the message after `test: `.
type Error = String;

/// The truth of `words` (after the name, and without `[`'s `]`).
fn evaluate(words: &[&[u8]], probe: &dyn Probe, bracket: bool) -> Result<bool, Error> {
    let mut parser = Parser {
        words,
        pos: 0,
        probe,
        bracket,
    };
    let value = match words.len() {
        0 => false,
        1 => !words[0].is_empty(),
        2 => parser.two(0)?,
        3 => parser.three(0)?,
        4 => parser.four()?,
        _ => parser.or()?,
    };
    if words.len() < 4 {
        parser.pos = words.len();
    }
    match words.get(parser.pos) {
        None => Ok(value),
        Some(word) if word.first() == Some(&b'-') => {
            Err(format!("syntax error: `{}' unexpected", text(word)))
        }
        Some(_) => Err("too many arguments".to_owned()),
    }
}

fn text(word: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(word)
}

/// `-X` with a letter `test` knows as a unary operator.
fn is_unary(word: &[u8]) -> bool {
    matches!(word, [b'-', letter] if b"abcdefghknoprstuvwxzGLNORS".contains(letter))
}

/// The binary operators, `-a` and `-o` aside.
fn is_binary(word: &[u8]) -> bool {
    matches!(
        word,
        b"=" | b"=="
            | b"!="
            | b"<"
            | b">"
            | b"-nt"
            | b"-ot"
            | b"-ef"
            | b"-eq"
            | b"-ne"
            | b"-lt"
            | b"-le"
            | b"-gt"
            | b"-ge"
    )
}

struct Parser<'a> {
    words: &'a [&'a [u8]],
    /// The next word to read.
    pos: usize,
    probe: &'a dyn Probe,
    /// Run as `[` (whose `]` was taken off the words).
    bracket: bool,
}

impl<'a> Parser<'a> {
    fn word(&self, at: usize) -> &'a [u8] {
        self.words.get(at).copied().unwrap_or_default()
    }

    /// Two words: `! WORD` or a unary operator and its operand.
    fn two(&mut self, at: usize) -> Result<bool, Error> {
        let (first, second) = (self.word(at), self.word(at + 1));
        if first == b"!" {
            return Ok(second.is_empty());
        }
        if is_unary(first) {
            return self.unary(first[1], second);
        }
        Err(format!("{}: unary operator expected", text(first)))
    }

    /// Three words: a binary operator, `-a`/`-o` between two words, `!`
    /// and two words, or a word in parentheses.
    fn three(&mut self, at: usize) -> Result<bool, Error> {
        let (first, middle, last) = (self.word(at), self.word(at + 1), self.word(at + 2));
        if is_binary(middle) {
            return self.binary(first, middle, last);
        }
        match middle {
            b"-a" => return Ok(!first.is_empty() && !last.is_empty()),
            b"-o" => return Ok(!first.is_empty() || !last.is_empty()),
            _ => {}
        }
        if first == b"!" {
            return Ok(!self.two(at + 1)?);
        }
        // Here bash looks at the first byte only: `(x a )y` is true.
        if first.first() == Some(&b'(') && last.first() == Some(&b')') {
            return Ok(!middle.is_empty());
        }
        Err(format!("{}: binary operator expected", text(middle)))
    }

    /// Four words: `!` and three, `( two )`, or the grammar.
    fn four(&mut self) -> Result<bool, Error> {
        if self.word(0) == b"!" {
            self.pos = 4;
            return Ok(!self.three(1)?);
        }
        if self.word(0) == b"(" && self.word(3) == b")" {
            self.pos = 4;
            return self.two(1);
        }
        self.or()
    }

    /// `and [-o or]`. Both sides are evaluated, so an error on the right
    /// is reported even when the left decides.
    fn or(&mut self) -> Result<bool, Error> {
        let left = self.and()?;
        if self.word(self.pos) == b"-o" && self.pos < self.words.len() {
            self.pos += 1;
            let right = self.or()?;
            return Ok(left || right);
        }
        Ok(left)
    }

    /// `term [-a and]`.
    fn and(&mut self) -> Result<bool, Error> {
        let left = self.term()?;
        if self.word(self.pos) == b"-a" && self.pos < self.words.len() {
            self.pos += 1;
            let right = self.and()?;
            return Ok(left && right);
        }
        Ok(left)
    }

    /// `! term`, `( or )`, `word binop word`, `unop word`, or `word`.
    fn term(&mut self) -> Result<bool, Error> {
        if self.pos >= self.words.len() {
            return Err("argument expected".to_owned());
        }
        if self.word(self.pos) == b"!" {
            let mut negate = false;
            while self.pos < self.words.len() && self.word(self.pos) == b"!" {
                negate = !negate;
                self.pos += 1;
            }
            let value = self.term()?;
            return Ok(value != negate);
        }
        if self.word(self.pos) == b"(" {
            self.pos += 1;
            let value = self.or()?;
            return match self.words.get(self.pos) {
                // bash's `[` drops its `]` from the count but not from
                // the words, so there the message finds it.
                None if self.bracket => Err("`)' expected, found ]".to_owned()),
                None => Err("`)' expected".to_owned()),
                Some(&b")") => {
                    self.pos += 1;
                    Ok(value)
                }
                Some(word) => Err(format!("`)' expected, found {}", text(word))),
            };
        }
        let left = self.word(self.pos);
        if self.pos + 3 <= self.words.len() && is_binary(self.word(self.pos + 1)) {
            let (op, right) = (self.word(self.pos + 1), self.word(self.pos + 2));
            self.pos += 3;
            return self.binary(left, op, right);
        }
        if self.pos + 2 <= self.words.len() && is_unary(left) {
            let letter = left[1];
            let operand = self.word(self.pos + 1);
            if letter == b't' && conditions::parse_test_integer(operand).is_none() {
                // `-t` without a number takes no operand, and is false.
                self.pos += 1;
                return Ok(false);
            }
            self.pos += 2;
            return self.unary(letter, operand);
        }
        self.pos += 1;
        Ok(!left.is_empty())
    }

    fn unary(&mut self, letter: u8, operand: &[u8]) -> Result<bool, Error> {
        Ok(match letter {
            b'v' => self.probe.var_is_set(operand),
            b'o' => self.probe.option_on(operand),
            b't' => {
                conditions::parse_test_integer(operand).is_some_and(|fd| self.probe.terminal(fd))
            }
            // No variable is a name reference in minishell.
            b'R' => false,
            letter => conditions::unary(letter, operand).unwrap_or(false),
        })
    }

    fn binary(&mut self, left: &[u8], op: &[u8], right: &[u8]) -> Result<bool, Error> {
        Ok(match op {
            b"=" | b"==" => left == right,
            b"!=" => left != right,
            b"<" => left < right,
            b">" => left > right,
            b"-nt" | b"-ot" | b"-ef" => conditions::files(&text(op), left, right),
            _ => {
                let number = |word: &[u8]| {
                    conditions::parse_test_integer(word)
                        .ok_or_else(|| format!("{}: integer expression expected", text(word)))
                };
                let (a, b) = (number(left)?, number(right)?);
                conditions::integers(&text(op), a, b)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fake;

    impl Probe for Fake {
        fn var_is_set(&self, name: &[u8]) -> bool {
            name == b"SET"
        }
        fn option_on(&self, name: &[u8]) -> bool {
            name == b"errexit"
        }
        fn terminal(&self, fd: i64) -> bool {
            fd == 9
        }
    }

    fn eval(line: &str) -> Result<bool, Error> {
        let words: Vec<&[u8]> = if line.is_empty() {
            Vec::new()
        } else {
            line.split(' ')
                .map(|w| if w == "''" { &b""[..] } else { w.as_bytes() })
                .collect()
        };
        evaluate(&words, &Fake, false)
    }

    fn error(line: &str) -> String {
        eval(line).unwrap_err()
    }

    #[test]
    fn counted_forms() {
        assert_eq!(eval(""), Ok(false));
        assert_eq!(eval("''"), Ok(false));
        assert_eq!(eval("-f"), Ok(true));
        assert_eq!(eval("! ''"), Ok(true));
        assert_eq!(eval("-z ''"), Ok(true));
        assert_eq!(eval("a = a"), Ok(true));
        assert_eq!(eval("! a = a"), Ok(false));
        assert_eq!(eval("( a )"), Ok(true));
        assert_eq!(eval("( = )"), Ok(false));
        assert_eq!(eval("(x a )y"), Ok(true));
        assert_eq!(eval("-e -a -e"), Ok(true));
        assert_eq!(eval("( a = a )"), Ok(true));
        assert_eq!(eval("! -n = -n"), Ok(false));
    }

    #[test]
    fn counted_form_errors_name_the_word() {
        assert_eq!(error("a b"), "a: unary operator expected");
        assert_eq!(error("'' -a"), ": unary operator expected");
        assert_eq!(error("a b c"), "b: binary operator expected");
        assert_eq!(error("-f a b"), "a: binary operator expected");
        assert_eq!(error("( a b )"), "a: unary operator expected");
        assert_eq!(error("a =~ a"), "=~: binary operator expected");
        assert_eq!(error("a b c d"), "too many arguments");
        assert_eq!(error("( a = b"), "`)' expected");
        let words: Vec<&[u8]> = vec![b"(", b"a", b"=", b"b"];
        assert_eq!(
            evaluate(&words, &Fake, true),
            Err("`)' expected, found ]".to_owned())
        );
    }

    #[test]
    fn integers() {
        assert_eq!(eval("1 -eq 1"), Ok(true));
        assert_eq!(eval("-1 -lt 0"), Ok(true));
        assert_eq!(error("a -eq 1"), "a: integer expression expected");
        assert_eq!(error("1 -eq b"), "b: integer expression expected");
        assert_eq!(error("0x1 -eq 1"), "0x1: integer expression expected");
        assert_eq!(eval("010 -eq 10"), Ok(true));
    }

    #[test]
    fn grammar() {
        assert_eq!(eval("1 -lt 2 -a 3 -gt 4"), Ok(false));
        assert_eq!(eval("( 1 -lt 2 ) -o 3"), Ok(true));
        assert_eq!(eval("a -a b -o c -a ''"), Ok(true));
        assert_eq!(eval("'' -o a -a ''"), Ok(false));
        assert_eq!(eval("! ! ! a -a b"), Ok(false));
        assert_eq!(eval("( a -a b -a c )"), Ok(true));
        assert_eq!(eval("-z a -a -t"), Ok(false));
        assert_eq!(error("a -a b -a"), "argument expected");
        assert_eq!(error("a -x b -a c"), "syntax error: `-x' unexpected");
        assert_eq!(error("-q a -a b c"), "too many arguments");
        assert_eq!(error("a -a ( b c"), "`)' expected, found c");
        assert_eq!(
            error("1 -eq 1 -a x -lt 2"),
            "x: integer expression expected"
        );
    }

    #[test]
    fn shell_questions() {
        assert_eq!(eval("-v SET"), Ok(true));
        assert_eq!(eval("-v UNSET"), Ok(false));
        assert_eq!(eval("-o errexit"), Ok(true));
        assert_eq!(eval("-o nosuch"), Ok(false));
        assert_eq!(eval("-t 9"), Ok(true));
        assert_eq!(eval("-t x"), Ok(false));
        assert_eq!(eval("-t 9 -a a"), Ok(true));
        assert_eq!(eval("-t -a a"), Ok(true));
    }
}
