//! Starting the shell: reads the command line, picks the input mode, and
//! exits with the status of the last command.

use std::io::Write as _;
use std::os::unix::ffi::OsStringExt;

use crate::input::{LineSource, ScriptSource, StdinSource, TerminalSource};
use crate::repl::Origin;
use crate::shell::{Mode, Params, Shell};
use crate::{cli, exec, repl, signals, status, terminal};
use minishell_builtins::Place;

/// The whole program: what `src/bin/minishell.rs` runs, from the C
/// runtime's own `main`.
pub fn main() -> ! {
    open_missing_standard_descriptors();
    shell_main()
}

/// What std's wrapper would have done: a standard descriptor that is not
/// open at start (`minishell 1>&-`) is opened on /dev/null, so the first
/// file the shell opens cannot take its number. One `poll` checks all
/// three.
fn open_missing_standard_descriptors() {
    let mut fds = [0, 1, 2].map(|fd| libc::pollfd {
        fd,
        events: 0,
        revents: 0,
    });
    // SAFETY: three valid pollfd structs for the duration of the call.
    if unsafe { libc::poll(fds.as_mut_ptr(), 3, 0) } < 0 {
        return;
    }
    for pollfd in fds {
        if pollfd.revents & libc::POLLNVAL != 0 {
            // SAFETY: open with a static C string; it takes the lowest free
            // number, which is this one.
            unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) };
        }
    }
}

fn shell_main() -> ! {
    if let Some(status) = run_as_demo() {
        std::process::exit(status);
    }
    let invocation = match cli::parse(std::env::args_os().skip(1)) {
        Ok(cli::Parsed::Run(invocation)) => invocation,
        Ok(cli::Parsed::Print(text)) => {
            print!("{text}");
            std::process::exit(0);
        }
        Err(message) => {
            let _ = write!(std::io::stderr(), "minishell: {message}");
            std::process::exit(2);
        }
    };
    // Rust ignores SIGPIPE for its programs; a shell must not, or writing
    // into a closed pipe (`… | head -1`) would loop on errors instead of
    // ending, as bash ends.
    crate::signals::set_disposition(libc::SIGPIPE, libc::SIG_DFL);
    keep_freed_memory();
    std::process::exit(run(invocation));
}

/// Tells malloc to keep up to 16 MiB of freed memory at the top of the
/// heap instead of giving it back at once. A loop that builds and drops
/// the same lists each turn (`set -- /usr/bin/*`: a thousand names) made
/// glibc shrink the heap at every turn and fault the same pages in again:
/// 547 page faults for 200 such globs, 155 with this.
fn keep_freed_memory() {
    // SAFETY: mallopt only changes a malloc setting; called before any
    // other thread exists.
    unsafe { libc::mallopt(libc::M_TRIM_THRESHOLD, 16 << 20) };
}

/// Where the history lives: `$MINISHELL_HISTFILE`, else
/// `~/.minishell_history`.
fn history_file() -> Option<std::path::PathBuf> {
    if let Some(file) = std::env::var_os("MINISHELL_HISTFILE") {
        return Some(file.into());
    }
    std::env::var_os("HOME").map(|home| std::path::Path::new(&home).join(".minishell_history"))
}

/// Colour what is typed only on a terminal, and never with `NO_COLOR`.
fn colour() -> bool {
    std::env::var_os("NO_COLOR").is_none()
        && nix::unistd::isatty(std::io::stdout()).unwrap_or(false)
}

/// `~/.minishellrc`, run when an interactive shell starts. An error in it
/// is reported with the file and line, and the shell starts anyway.
fn run_startup_file(shell: &mut Shell) {
    let Some(home) = shell
        .vars
        .get("HOME")
        .map(|h| std::ffi::OsString::from_vec(h.to_vec()))
    else {
        return;
    };
    let file = std::path::Path::new(&home).join(".minishellrc");
    let Ok(text) = std::fs::read(&file) else {
        return;
    };
    let origin = Origin {
        script_name: Some(file.display().to_string()),
    };
    if let exec::Flow::Exit(status) = repl::run(shell, &mut ScriptSource::new(text), &origin) {
        shell.exit_request = Some(status);
    }
}

/// This binary started under a lab demo's name (a link named after the
/// demo): the demo's registry entry hands the process over to the lab
/// binary, `minishell-lab`, beside this one. (The shell itself execs the
/// lab binary directly; the demos are not in this binary.)
fn run_as_demo() -> Option<i32> {
    let argv0 = std::env::args_os().next()?;
    let name = std::path::Path::new(&argv0)
        .file_name()?
        .as_encoded_bytes()
        .to_vec();
    if name.starts_with(b"minishell") {
        // The shell itself, as nearly always: no need to touch the registry
        // (and fault its pages in) on the way to a `-c true`.
        return None;
    }
    let demo = minishell_builtins::find(&name).filter(|b| b.place == Place::Process)?;
    // `ps` and /proc/PID/comm show the demo's name, not "exe".
    let _ = nix::sys::prctl::set_name(&std::ffi::CString::new(name).ok()?);
    // A demo that writes into a closed pipe should end, as any program.
    crate::signals::set_disposition(libc::SIGPIPE, libc::SIG_DFL);
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let mut shell = Shell::new(Params::default(), Mode::Script);
    Some(exec::run_builtin_alone(&mut shell, demo, &args))
}

fn run(invocation: cli::Invocation) -> i32 {
    // Descriptor 0 itself: `std::io::stdin()` would set up std's 8 KiB
    // input buffer, which the shell never reads through (two more heap
    // pages to fault in at every start).
    // SAFETY: isatty only inspects the descriptor.
    let terminal = unsafe { libc::isatty(libc::STDIN_FILENO) } == 1;
    let cli::Invocation {
        source,
        zero,
        args,
        options,
        interactive,
        norc,
        explain_to,
    } = invocation;
    if let Some(file) = explain_to {
        if let Err(e) = minishell_builtins::narrate::to_file(&std::ffi::OsString::from_vec(file)) {
            eprintln!("minishell: --explain-to: {e}");
            return 2;
        }
    }
    let zero = zero.unwrap_or_else(|| b"minishell".to_vec());
    let command_string = matches!(source, cli::Source::Command { .. });
    let params = Params {
        zero: zero.clone(),
        args,
    };
    let (mode, origin, mut source): (Mode, Origin, Box<dyn LineSource>) = match source {
        cli::Source::Command { line } => (
            Mode::Script,
            Origin {
                script_name: Some(String::from_utf8_lossy(&zero).into_owned()),
            },
            Box::new(ScriptSource::new(line)),
        ),
        cli::Source::Script { file } => {
            let name = String::from_utf8_lossy(&file).into_owned();
            let text = match std::fs::read(std::ffi::OsStr::new(&std::ffi::OsString::from_vec(
                file.clone(),
            ))) {
                Ok(text) => text,
                Err(e) => {
                    eprintln!(
                        "minishell: {name}: {}",
                        minishell_builtins::errors::plain(&e)
                    );
                    return status::NOT_FOUND;
                }
            };
            if exec::binary::looks_binary(&text) {
                eprintln!("{name}: {name}: cannot execute binary file");
                return status::NOT_EXECUTABLE;
            }
            (
                Mode::Script,
                Origin {
                    script_name: Some(name),
                },
                Box::new(ScriptSource::new(text)),
            )
        }
        cli::Source::Stdin { prompt } if terminal || interactive => {
            let _ = prompt;
            // The line editor opens descriptors of its own.
            exec::fds::expect_unlisted();
            match TerminalSource::new(history_file(), colour()) {
                Ok(source) => (
                    Mode::Interactive,
                    Origin { script_name: None },
                    Box::new(source),
                ),
                Err(e) => {
                    eprintln!("minishell: cannot use the terminal: {e}");
                    return 1;
                }
            }
        }
        cli::Source::Stdin { prompt } => (
            Mode::Stdin { prompt },
            Origin { script_name: None },
            Box::new(StdinSource::new()),
        ),
    };
    let mut shell = Shell::new(params, mode);
    shell.command_string = command_string;
    if mode == Mode::Script && !command_string {
        shell.script_source = origin.script_name.clone();
    }
    for (name, on) in options {
        if !shell.options.set(&name, on) {
            eprintln!("minishell: {name}: invalid option name");
            return 2;
        }
    }
    if mode == Mode::Interactive {
        // The line editor starts with emacs keys, as bash's.
        shell.options.set("emacs", true);
        // Take the terminal first (waiting to be in the foreground), then
        // outlive the keys meant for the jobs, which each get a process
        // group and the terminal in turn.
        shell.terminal = terminal::Terminal::claim();
        signals::ignore_job_control_signals();
        shell.watch_children();
        shell.hangup = signals::SignalFlag::install(libc::SIGHUP);
    }
    if mode != Mode::Interactive {
        signals::handle_script_interrupts();
    }
    if mode == Mode::Interactive && !norc {
        run_startup_file(&mut shell);
    }
    if shell.exit_request.is_none() {
        if let exec::Flow::Exit(status) = repl::run(&mut shell, source.as_mut(), &origin) {
            shell.exit_request = Some(status);
        }
    }
    let status = shell.exit_request.unwrap_or(shell.status);
    let status = shell.run_exit_trap(status);
    if let Some(terminal) = shell.terminal.take() {
        shell.hang_up_jobs();
        terminal.release();
    }
    // The process ends now: freeing every variable and tree one by one
    // would only cost time (10% of `-c true`); the kernel takes it all.
    std::mem::forget(shell);
    status
}
