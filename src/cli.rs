//! The command line, read as bash reads its own: option letters and `-o
//! NAME` before the first operand, then `-c LINE [NAME ARGS…]`, `-s ARGS…`,
//! or a script file and its arguments.

use std::os::unix::ffi::OsStringExt;

pub const USAGE: &str = "\
usage: minishell [OPTIONS]             read commands from the terminal, or from
                                       standard input (printing `> ` before each)
       minishell [OPTIONS] -s [ARG ...]
                                       read commands from standard input, no prompt
       minishell [OPTIONS] -c LINE [NAME [ARG ...]]
                                       run LINE; $0 is NAME, $1… the ARGs
       minishell [OPTIONS] FILE [ARG ...]
                                       run the script FILE
options: -e -u -x -v -f -n -C -a -b -h -m -B (as set takes them, + turns off),
         -o NAME (set -o), -O NAME (shopt -s), -i (interactive), -l/--login,
         --norc, --noprofile,
         --explain (narrate each system call on stderr: set -o explain),
         --explain-to FILE (the same, into FILE),
         --version, --help, -- (end of options)
";

/// Where the commands come from.
pub enum Source {
    /// Standard input: a terminal, or the course's `> ` transcript
    /// (`prompt`), or `-s` (no prompt).
    Stdin { prompt: bool },
    /// `-c LINE`.
    Command { line: Vec<u8> },
    /// A script file.
    Script { file: Vec<u8> },
}

/// Everything the command line says.
pub struct Invocation {
    pub source: Source,
    /// `$0`, when the command line gives it.
    pub zero: Option<Vec<u8>>,
    pub args: Vec<Vec<u8>>,
    /// Options to set, by `set -o` name, in order.
    pub options: Vec<(String, bool)>,
    /// `-i`: interactive even if standard input is not a terminal's.
    pub interactive: bool,
    /// `--norc`: no `~/.minishellrc`.
    pub norc: bool,
    /// `--explain-to FILE`: where the narration goes.
    pub explain_to: Option<Vec<u8>>,
}

/// What reading the command line came to.
pub enum Parsed {
    Run(Invocation),
    /// `--help` or `--version`: print this and exit 0.
    Print(String),
}

/// The `set -o` name of an option letter.
fn option_name(letter: u8) -> Option<&'static str> {
    Some(match letter {
        b'a' => "allexport",
        b'b' => "notify",
        b'e' => "errexit",
        b'f' => "noglob",
        b'h' => "hashall",
        b'm' => "monitor",
        b'n' => "noexec",
        b'u' => "nounset",
        b'v' => "verbose",
        b'x' => "xtrace",
        b'B' => "braceexpand",
        b'C' => "noclobber",
        _ => return None,
    })
}

pub fn parse(args: impl Iterator<Item = std::ffi::OsString>) -> Result<Parsed, String> {
    let mut args = args.map(OsStringExt::into_vec).peekable();
    let mut invocation = Invocation {
        source: Source::Stdin { prompt: true },
        zero: None,
        args: Vec::new(),
        options: Vec::new(),
        interactive: false,
        norc: false,
        explain_to: None,
    };
    let mut command = false;
    let mut stdin = false;
    while let Some(arg) = args.peek().cloned() {
        match arg.as_slice() {
            // `-` alone ends the options too, as in bash.
            b"--" | b"-" => {
                args.next();
                break;
            }
            b"--help" => return Ok(Parsed::Print(USAGE.to_owned())),
            b"--version" => {
                return Ok(Parsed::Print(format!(
                    "minishell {}\n",
                    env!("CARGO_PKG_VERSION")
                )));
            }
            b"--explain" => {
                args.next();
                invocation.options.push(("explain".to_owned(), true));
            }
            b"--explain-to" => {
                args.next();
                let file = args
                    .next()
                    .ok_or("--explain-to: option requires an argument")?;
                invocation.explain_to = Some(file);
                invocation.options.push(("explain".to_owned(), true));
            }
            b"--login" | b"--norc" | b"--noprofile" | b"--posix" => {
                args.next();
                match arg.as_slice() {
                    b"--norc" => invocation.norc = true,
                    b"--posix" => invocation.options.push(("posix".to_owned(), true)),
                    _ => {}
                }
            }
            [sign @ (b'-' | b'+'), letters @ ..]
                if !letters.is_empty() && !letters.starts_with(b"-") =>
            {
                args.next();
                let on = *sign == b'-';
                for &letter in letters {
                    match letter {
                        b'c' => command = true,
                        b's' => stdin = true,
                        b'i' => invocation.interactive = on,
                        b'l' => {}
                        // `-o NAME` for set's options, `-O NAME` for shopt's.
                        b'o' | b'O' => {
                            let name = args.next().ok_or_else(|| {
                                format!("-{}: option requires an argument", char::from(letter))
                            })?;
                            invocation
                                .options
                                .push((String::from_utf8_lossy(&name).into_owned(), on));
                        }
                        other => match option_name(other) {
                            Some(name) => invocation.options.push((name.to_owned(), on)),
                            None => {
                                return Err(format!(
                                    "{}{}: invalid option\n{USAGE}",
                                    char::from(*sign),
                                    char::from(other)
                                ));
                            }
                        },
                    }
                }
            }
            [b'-', b'-', ..] => {
                return Err(format!(
                    "{}: invalid option\n{USAGE}",
                    String::from_utf8_lossy(&arg)
                ));
            }
            _ => break,
        }
    }
    if command {
        let line = args
            .next()
            .ok_or_else(|| "-c: option requires an argument".to_owned())?;
        invocation.source = Source::Command { line };
        invocation.zero = args.next();
        invocation.args = args.collect();
    } else if stdin {
        invocation.source = Source::Stdin { prompt: false };
        invocation.args = args.collect();
    } else if let Some(file) = args.next() {
        invocation.zero = Some(file.clone());
        invocation.source = Source::Script { file };
        invocation.args = args.collect();
    }
    Ok(Parsed::Run(invocation))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Invocation {
        match parse(args.iter().map(std::ffi::OsString::from)) {
            Ok(Parsed::Run(invocation)) => invocation,
            _ => panic!("{args:?} should run"),
        }
    }

    #[test]
    fn options_before_the_operands() {
        let i = run(&["-eu", "-o", "pipefail", "-c", "echo $0", "name", "a"]);
        assert!(matches!(i.source, Source::Command { .. }));
        assert_eq!(i.zero.as_deref(), Some(&b"name"[..]));
        assert_eq!(i.args, vec![b"a".to_vec()]);
        let names: Vec<&str> = i.options.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["errexit", "nounset", "pipefail"]);
        let i = run(&["-xc", "true"]);
        assert_eq!(i.options, vec![("xtrace".to_owned(), true)]);
        let i = run(&["+x", "script.sh", "-e"]);
        assert!(matches!(i.source, Source::Script { .. }));
        assert_eq!(i.args, vec![b"-e".to_vec()]);
        let i = run(&["-s", "a", "b"]);
        assert!(matches!(i.source, Source::Stdin { prompt: false }));
        assert_eq!(i.args.len(), 2);
    }

    #[test]
    fn bad_options_and_version() {
        assert!(parse(["-q"].iter().map(std::ffi::OsString::from)).is_err());
        assert!(matches!(
            parse(["--version"].iter().map(std::ffi::OsString::from)),
            Ok(Parsed::Print(_))
        ));
    }
}
