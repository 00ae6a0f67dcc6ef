//! `read`: one line (or up to a delimiter, or N characters) of input into
//! variables, split by `IFS`. The options and the reading loop are here;
//! the byte source is `read/input.rs`, the splitting `read/split.rs`.

mod input;
mod split;

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::time::Duration;

use super::{fail, is_assignable, is_valid_name, shown};
use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};
use crate::errors::plain;
use input::{Failure, Input};
use split::{Char, Ifs};

pub static READ: Builtin = Builtin {
    name: "read",
    summary: "read a line of input into variables",
    help: "read [-ers] [-a ARRAY] [-d DELIM] [-i TEXT] [-n N] [-N N] [-p PROMPT] [-t TIMEOUT] [-u FD] [NAME ...]
    Read a line from standard input and split it into fields with IFS: the
    first field goes to the first NAME, the second to the second, and the
    last NAME gets the rest of the line. With no NAME the whole line goes
    to REPLY, unsplit. A backslash escapes the next character (it does not
    separate fields) and a backslash before a newline joins two lines.
      -a ARRAY  put every field in ARRAY, from index 0
      -d DELIM  read up to the first character of DELIM, not a newline
                (an empty DELIM means a NUL byte)
      -n N      return after N characters, or at the delimiter
      -N N      return after exactly N characters, delimiters included,
                and do not split
      -p PROMPT print PROMPT on standard error first, if input is a terminal
      -r        backslashes are ordinary characters
      -s        do not echo what is typed on a terminal
      -t TIMEOUT  give up after TIMEOUT seconds (a fraction is allowed;
                TMOUT is the default); 0 only tests whether input is waiting
      -u FD     read from descriptor FD instead of standard input
      -e, -i TEXT  accepted for bash's scripts; there is no line editor
    The status is 0, 1 at end of input (what was read is still assigned),
    more than 128 after a timeout.
",
    place: Place::Shell,
    group: Group::Shell,
    help_option: true,
    run,
};

const USAGE: &str = "read: usage: read [-ers] [-a array] [-d delim] [-i text] [-n nchars] [-N nchars] [-p prompt] [-t timeout] [-u fd] [name ...]";

/// The status of a read that timed out: 128 + SIGALRM, as bash's.
const TIMED_OUT: Status = 128 + libc::SIGALRM;

/// Where the characters count stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Count {
    /// Up to the delimiter.
    Line,
    /// `-n N`: at most N characters, or up to the delimiter.
    AtMost(usize),
    /// `-N N`: exactly N characters, the delimiter being one like any other.
    Exactly(usize),
}

/// The options, as read from the command line.
struct Options {
    raw: bool,
    silent: bool,
    array: Option<OsString>,
    delimiter: u8,
    count: Count,
    prompt: Option<OsString>,
    timeout: Option<OsString>,
    fd: Option<OsString>,
}

/// What went wrong with the options: bash's message and status.
struct Refusal {
    message: String,
    /// The usage line follows (status 2).
    usage: bool,
}

impl Refusal {
    fn usage(message: String) -> Refusal {
        Refusal {
            message,
            usage: true,
        }
    }
}

/// Reads the options as bash's `internal_getopt` does: letters may be
/// grouped (`-rs`), an argument may be attached (`-n1`) or the next word,
/// `--` ends them and so does the first word not starting with `-`.
fn parse_options(args: &[OsString]) -> Result<(Options, &[OsString]), Refusal> {
    let mut options = Options {
        raw: false,
        silent: false,
        array: None,
        delimiter: b'\n',
        count: Count::Line,
        prompt: None,
        timeout: None,
        fd: None,
    };
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        let bytes = arg.as_bytes();
        if bytes == b"--" {
            i += 1;
            break;
        }
        if bytes.len() < 2 || bytes[0] != b'-' {
            break;
        }
        i += 1;
        let mut j = 1;
        while j < bytes.len() {
            let letter = bytes[j];
            j += 1;
            match letter {
                b'r' => options.raw = true,
                b's' => options.silent = true,
                b'e' => {}
                b'a' | b'd' | b'i' | b'n' | b'N' | b'p' | b't' | b'u' => {
                    let value = if j < bytes.len() {
                        let value = OsStr::from_bytes(&bytes[j..]).to_owned();
                        j = bytes.len();
                        value
                    } else {
                        let Some(next) = args.get(i) else {
                            return Err(Refusal::usage(format!(
                                "-{}: option requires an argument",
                                char::from(letter)
                            )));
                        };
                        i += 1;
                        next.clone()
                    };
                    take_value(&mut options, letter, value)?;
                }
                other => {
                    let shown = String::from_utf8_lossy(&[other]).into_owned();
                    return Err(Refusal::usage(format!("-{shown}: invalid option")));
                }
            }
        }
    }
    Ok((options, &args[i..]))
}

fn take_value(options: &mut Options, letter: u8, value: OsString) -> Result<(), Refusal> {
    match letter {
        b'a' => options.array = Some(value),
        b'd' => options.delimiter = value.as_bytes().first().copied().unwrap_or(0),
        b'i' => {}
        b'n' | b'N' => {
            let count = crate::conditions::parse_test_integer(value.as_bytes())
                .filter(|&n| (0..=i64::from(i32::MAX)).contains(&n))
                .ok_or_else(|| Refusal {
                    message: format!("{}: invalid number", shown(&value)),
                    usage: false,
                })? as usize;
            options.count = if letter == b'n' {
                Count::AtMost(count)
            } else {
                Count::Exactly(count)
            };
        }
        b'p' => options.prompt = Some(value),
        b't' => options.timeout = Some(value),
        _ => options.fd = Some(value),
    }
    Ok(())
}

/// A timeout as bash reads one: digits, a point and more digits, with an
/// optional `+`; no exponent, no blanks, nothing negative. Precision stops
/// at microseconds; an absurdly large one is as good as none.
fn parse_timeout(text: &[u8]) -> Option<Duration> {
    let text = text.strip_prefix(b"+").unwrap_or(text);
    let (whole, fraction) = match text.iter().position(|&b| b == b'.') {
        Some(point) => (&text[..point], &text[point + 1..]),
        None => (text, &b""[..]),
    };
    if !whole.iter().chain(fraction).all(u8::is_ascii_digit) {
        return None;
    }
    let seconds = whole.iter().fold(0u64, |acc, &d| {
        acc.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    });
    let micros = (0..6).fold(0u32, |acc, i| {
        acc * 10 + fraction.get(i).map_or(0, |&d| u32::from(d - b'0'))
    });
    Duration::from_secs(seconds).checked_add(Duration::from_micros(u64::from(micros)))
}

fn run(args: &[OsString], ctx: &mut dyn Context) -> Status {
    let (options, names) = match parse_options(&args[1..]) {
        Ok(parsed) => parsed,
        Err(refusal) => {
            let status = fail(
                ctx,
                "read",
                refusal.message,
                if refusal.usage { 2 } else { 1 },
            );
            if refusal.usage {
                let _ = writeln!(ctx.stderr(), "{USAGE}");
            }
            return status;
        }
    };
    let timeout = match &options.timeout {
        Some(text) => match parse_timeout(text.as_bytes()) {
            Some(timeout) => Some(timeout),
            None => {
                return fail(
                    ctx,
                    "read",
                    format_args!("{}: invalid timeout specification", shown(text)),
                    1,
                );
            }
        },
        // TMOUT is the default, when it is a valid timeout.
        None => ctx
            .var("TMOUT")
            .and_then(|t| parse_timeout(t.as_bytes()))
            .filter(|t| !t.is_zero()),
    };
    let fd_number = match &options.fd {
        Some(text) => match crate::conditions::parse_test_integer(text.as_bytes())
            .and_then(|n| i32::try_from(n).ok())
            .filter(|&n| n >= 0)
        {
            Some(n) => n,
            None => {
                return fail(
                    ctx,
                    "read",
                    format_args!("{}: invalid file descriptor specification", shown(text)),
                    1,
                );
            }
        },
        None => 0,
    };
    let fd = ctx.input_fd(fd_number);
    if options.fd.is_some() {
        let open = fd.is_some_and(|fd| {
            nix::fcntl::fcntl(input::borrow(fd), nix::fcntl::FcntlArg::F_GETFD).is_ok()
        });
        if !open {
            return fail(
                ctx,
                "read",
                format_args!("{fd_number}: invalid file descriptor: Bad file descriptor"),
                1,
            );
        }
    }
    // bash checks the first name before reading, the others as it assigns.
    if options.array.is_none() {
        if let Some(first) = names.first().filter(|n| !is_assignable(n.as_bytes())) {
            return fail(
                ctx,
                "read",
                format_args!("`{}': not a valid identifier", shown(first)),
                1,
            );
        }
    }
    let Some(fd) = fd else {
        return fail(
            ctx,
            "read",
            format_args!("read error: {fd_number}: Bad file descriptor"),
            1,
        );
    };

    if timeout.is_some_and(|t| t.is_zero()) {
        // `-t 0`: only whether input is waiting; nothing is read.
        return match input::ready(fd, 0) {
            Ok(true) => 0,
            _ => 1,
        };
    }

    let terminal = nix::unistd::isatty(input::borrow(fd)).unwrap_or(false);
    if terminal {
        if let Some(prompt) = &options.prompt {
            let _ = ctx.stderr().write_all(prompt.as_bytes());
            let _ = ctx.stderr().flush();
        }
    }
    // A terminal delivers a line at a time; bash takes characters as they
    // come when it counts them or stops at another delimiter.
    let by_character = options.count != Count::Line || options.delimiter != b'\n';
    let _modes = terminal
        .then(|| input::TerminalModes::set(fd, options.silent, by_character))
        .flatten();
    let _ctrl_c = (terminal && ctx.interactive()).then(input::CtrlC::catch);

    let utf8 = super::printf::utf8_locale(ctx);
    let mut source = Input::new(fd, timeout);
    let (line, end) = read_line(&mut source, &options, utf8);
    drop(source);
    let status = match end {
        End::Delimiter | End::Count => 0,
        End::Eof => 1,
        End::Failed(Failure::Timeout) => TIMED_OUT,
        End::Failed(Failure::Interrupted) => {
            // bash ends the line the ^C was echoed on, and drops the rest
            // of the command line.
            let _ = ctx.stderr().write_all(b"\n");
            ctx.abandon_line();
            return 128 + libc::SIGINT;
        }
        End::Failed(Failure::System(e)) => {
            let error = std::io::Error::from_raw_os_error(e as i32);
            return fail(
                ctx,
                "read",
                format_args!("read error: {fd_number}: {}", plain(&error)),
                1,
            );
        }
    };
    match assign(ctx, &options, names, &line) {
        Ok(()) => status,
        Err(status) => status,
    }
}

/// Why reading stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Delimiter,
    /// `-n`/`-N` got its characters.
    Count,
    Eof,
    Failed(Failure),
}

/// Reads up to the delimiter or the count, handling backslashes unless
/// `-r`: a backslash escapes the next byte, and disappears with a newline
/// after it. NUL bytes are dropped (unless NUL is the delimiter), as bash
/// drops them.
fn read_line(source: &mut Input, options: &Options, utf8: bool) -> (Vec<Char>, End) {
    let mut line = Vec::new();
    let wanted = match options.count {
        Count::Line => None,
        Count::AtMost(n) | Count::Exactly(n) => Some(n),
    };
    if wanted == Some(0) {
        return (line, End::Count);
    }
    let mut characters = 0;
    // Bytes still due to finish a UTF-8 character already counted.
    let mut continuing = 0;
    let mut escape_next = false;
    loop {
        if continuing == 0 && wanted.is_some_and(|n| characters >= n) {
            return (line, End::Count);
        }
        let byte = match source.next() {
            Ok(Some(byte)) => byte,
            Ok(None) => {
                if escape_next {
                    line.push(Char::PHANTOM);
                }
                return (line, End::Eof);
            }
            Err(failure) => return (line, End::Failed(failure)),
        };
        if byte == 0 && options.delimiter != 0 {
            continue;
        }
        if continuing > 0 && (0x80..0xc0).contains(&byte) {
            continuing -= 1;
            line.push(Char {
                byte,
                escaped: escape_next,
            });
            continue;
        }
        continuing = 0;
        if escape_next {
            escape_next = false;
            if byte == b'\n' {
                continue;
            }
            line.push(Char {
                byte,
                escaped: true,
            });
        } else if !options.raw && byte == b'\\' {
            escape_next = true;
            continue;
        } else if byte == options.delimiter && !matches!(options.count, Count::Exactly(_)) {
            return (line, End::Delimiter);
        } else {
            line.push(Char {
                byte,
                escaped: false,
            });
        }
        characters += 1;
        if utf8 {
            continuing = match byte {
                0xc0..=0xdf => 1,
                0xe0..=0xef => 2,
                0xf0..=0xf7 => 3,
                _ => 0,
            };
        }
    }
}

/// Assigns what was read: to REPLY, to the names, or to the array. On a
/// failed assignment (a bad name after the first, a readonly variable) the
/// error is reported, later names keep their values, and the status is 1.
fn assign(
    ctx: &mut dyn Context,
    options: &Options,
    names: &[OsString],
    line: &[Char],
) -> Result<(), Status> {
    let ifs_value = ctx.var("IFS");
    let ifs = Ifs::new(ifs_value.as_ref().map_or(b" \t\n", |v| v.as_bytes()));
    let whole = matches!(options.count, Count::Exactly(_));
    if let Some(array) = &options.array {
        if !is_valid_name(array.as_bytes()) {
            return Err(fail(
                ctx,
                "read",
                format_args!("`{}': not a valid identifier", shown(array)),
                1,
            ));
        }
        let values = if whole {
            vec![split::text(line)]
        } else {
            split::fields(line, &ifs)
        };
        let values = values.into_iter().map(OsString::from_vec).collect();
        let name = String::from_utf8_lossy(array.as_bytes()).into_owned();
        return ctx
            .set_array(&name, values)
            .map_err(|message| report(ctx, &message));
    }
    if names.is_empty() {
        let text = split::text(line);
        return ctx
            .set_var("REPLY", OsStr::from_bytes(&text))
            .map_err(|message| report(ctx, &message));
    }
    let values = if whole {
        let mut values = vec![Vec::new(); names.len()];
        values[0] = split::text(line);
        values
    } else {
        split::names(line, &ifs, names.len())
    };
    for (name, value) in names.iter().zip(values) {
        if !is_assignable(name.as_bytes()) {
            return Err(fail(
                ctx,
                "read",
                format_args!("`{}': not a valid identifier", shown(name)),
                1,
            ));
        }
        let name = String::from_utf8_lossy(name.as_bytes()).into_owned();
        if let Err(message) = ctx.set_var(&name, OsStr::from_bytes(&value)) {
            return Err(report(ctx, &message));
        }
    }
    Ok(())
}

/// A failed assignment, reported as the shell words it (`x: readonly
/// variable`).
fn report(ctx: &mut dyn Context, message: &str) -> Status {
    let prefix = ctx.message_prefix();
    let _ = writeln!(ctx.stderr(), "{prefix}{message}");
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<OsString> {
        words.iter().map(OsString::from).collect()
    }

    #[test]
    fn options_group_and_take_arguments() {
        let a = args(&["-rs", "-n1", "-d", ":", "-p", "> ", "x", "y"]);
        let (options, names) = parse_options(&a).ok().unwrap();
        assert!(options.raw && options.silent);
        assert_eq!(options.count, Count::AtMost(1));
        assert_eq!(options.delimiter, b':');
        assert_eq!(options.prompt.as_deref(), Some(OsStr::new("> ")));
        assert_eq!(names, &a[6..]);
        let a = args(&["-d", "", "--", "-x"]);
        let (options, names) = parse_options(&a).ok().unwrap();
        assert_eq!(options.delimiter, 0);
        assert_eq!(names, &a[3..]);
    }

    #[test]
    fn option_errors_in_bash_words() {
        let refusal = |words: &[&str]| parse_options(&args(words)).err().unwrap();
        assert_eq!(refusal(&["-x"]).message, "-x: invalid option");
        assert_eq!(refusal(&["-n"]).message, "-n: option requires an argument");
        let bad = refusal(&["-n", "x"]);
        assert_eq!(
            (bad.message.as_str(), bad.usage),
            ("x: invalid number", false)
        );
        assert_eq!(refusal(&["-N", "-1"]).message, "-1: invalid number");
    }

    #[test]
    fn timeouts_as_bash_reads_them() {
        assert_eq!(parse_timeout(b"1.5"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_timeout(b".5"), Some(Duration::from_millis(500)));
        assert_eq!(parse_timeout(b"5."), Some(Duration::from_secs(5)));
        assert_eq!(parse_timeout(b"+1"), Some(Duration::from_secs(1)));
        assert_eq!(parse_timeout(b""), Some(Duration::ZERO));
        assert_eq!(
            parse_timeout(b"1.2345678"),
            Some(Duration::from_micros(1_234_567))
        );
        assert_eq!(parse_timeout(b"-1"), None);
        assert_eq!(parse_timeout(b" 1"), None);
        assert_eq!(parse_timeout(b"1e1"), None);
        assert_eq!(parse_timeout(b"1..2"), None);
    }

    fn read_text(input: &[u8], words: &[&str]) -> (Vec<u8>, End) {
        let (reader, writer) = nix::unistd::pipe().unwrap();
        nix::unistd::write(&writer, input).unwrap();
        drop(writer);
        let a = args(words);
        let (options, _) = parse_options(&a).ok().unwrap();
        let fd = std::os::fd::AsRawFd::as_raw_fd(&reader);
        let mut source = Input::new(fd, None);
        let (line, end) = read_line(&mut source, &options, false);
        (split::text(&line), end)
    }

    #[test]
    fn backslashes_escape_and_join_lines() {
        assert_eq!(
            read_text(b"a\\\nb c\nd", &[]),
            (b"ab c".to_vec(), End::Delimiter)
        );
        assert_eq!(
            read_text(b"a\\\nb\n", &["-r"]),
            (b"a\\".to_vec(), End::Delimiter)
        );
        assert_eq!(read_text(b"a\\", &[]), (b"a".to_vec(), End::Eof));
        assert_eq!(
            read_text(b"a\\:b:", &["-d", ":"]),
            (b"a:b".to_vec(), End::Delimiter)
        );
        assert_eq!(read_text(b"a\0b\n", &[]), (b"ab".to_vec(), End::Delimiter));
    }

    #[test]
    fn counts_stop_reading() {
        assert_eq!(
            read_text(b"a\\bc\n", &["-n", "2"]),
            (b"ab".to_vec(), End::Count)
        );
        assert_eq!(
            read_text(b"ab\ncd", &["-N", "4"]),
            (b"ab\nc".to_vec(), End::Count)
        );
        assert_eq!(
            read_text(b"ab\ncd", &["-n", "4"]),
            (b"ab".to_vec(), End::Delimiter)
        );
        assert_eq!(read_text(b"abc", &["-n", "0"]), (Vec::new(), End::Count));
    }
}
