//! `minishell-lab`: the binary the lab demos run in. The shell execs it with
//! a demo's name as `argv[0]` (as busybox runs its applets); run by its own
//! name or as `lab`, it takes the demo's name from its first argument.

use std::ffi::{CString, OsString};

use minishell_builtins::{Place, REGISTRY};
use minishell_demos::{Io, find};

fn main() {
    let mut args: Vec<OsString> = std::env::args_os().collect();
    let called = args
        .first()
        .and_then(|a| std::path::Path::new(a).file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if called == "lab" || called == minishell_builtins::lab::BINARY {
        args.remove(0);
        let asked = args.first().map(|a| a.to_string_lossy().into_owned());
        match asked.as_deref() {
            None | Some("--help" | "-h") => {
                print!("{}", list());
                std::process::exit(0);
            }
            Some(name) if find(name).is_none() => {
                eprintln!("minishell: lab: no demo named '{name}' (lab alone lists them)");
                std::process::exit(2);
            }
            Some(_) => {}
        }
    } else if let Some(zero) = args.first_mut() {
        // Run by a path (`/usr/local/bin/zombie`, a link): the name is its
        // last part.
        *zero = called.into();
    }
    let name = args
        .first()
        .map(|a| a.to_string_lossy().into_owned())
        .unwrap_or_default();
    let Some(demo) = find(&name) else {
        eprintln!("minishell: {name}: not a lab demo (lab alone lists them)");
        std::process::exit(127);
    };
    // `ps` and /proc/PID/comm show the demo's name, not minishell-lab.
    if let Ok(comm) = CString::new(name) {
        let _ = nix::sys::prctl::set_name(&comm);
    }
    // SAFETY: restoring the default action has no preconditions. Rust
    // ignores SIGPIPE; a demo that writes into a closed pipe (`cow | head
    // -1`) should end, as any program does.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    let mut io = Io::process(args);
    std::process::exit((demo.run)(&mut io));
}

/// `lab` alone: every demo with its summary, as `help` lists them.
fn list() -> String {
    let demos: Vec<_> = REGISTRY
        .iter()
        .filter(|b| b.place == Place::Process && b.name != "lab")
        .collect();
    let width = demos.iter().map(|b| b.name.len()).max().unwrap_or(0);
    let mut text =
        String::from("usage: lab NAME [ARG ...]   (the lab demos; `lab NAME --help` for one)\n\n");
    for demo in demos {
        text.push_str(&format!("  {:<width$}  {}\n", demo.name, demo.summary));
    }
    text
}
