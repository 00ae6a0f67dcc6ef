//! `--hold SECONDS` and `--pause`: keep alive the state the lab asks
//! students to inspect from another terminal (a zombie, orphans, sleeping
//! children, threads and their stacks, shared and copied pages, deadlocked
//! threads), and print the commands to look at it with.

use std::io::{BufRead, IsTerminal};
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

use crate::io::Io;
use crate::millis;

/// The two ways to hold, flattened into the options of the demos that
/// have something to show.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Hold {
    /// Keep the state for SECONDS, then go on.
    #[arg(long, value_name = "SECONDS", value_parser = seconds)]
    pub hold: Option<f64>,
    /// Keep the state until Enter is pressed (needs a terminal).
    #[arg(long, conflicts_with = "hold")]
    pub pause: bool,
}

fn seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s.is_finite() && (0.0..=3600.0).contains(&s) => Ok(s),
        Ok(_) => Err("must be a number of seconds from 0 to 3600".to_owned()),
        Err(e) => Err(e.to_string()),
    }
}

impl Hold {
    /// Whether the student asked to hold.
    pub fn wanted(&self) -> bool {
        self.hold.is_some() || self.pause
    }

    /// Checks before the demo starts that it can hold as asked: `--pause`
    /// reads Enter from the terminal, and away from one it would read (and
    /// swallow) the next line of a script instead.
    pub fn check(&self) -> Result<(), String> {
        if self.pause && !std::io::stdin().is_terminal() {
            return Err(
                "--pause waits for Enter on a terminal; use --hold SECONDS here".to_owned(),
            );
        }
        Ok(())
    }

    /// Says what is being held and how to look at it, then waits; returns
    /// how long it held, in ms (0 when not asked). The lines go to standard
    /// output, or to standard error with `--json`, whose report must stay
    /// the only thing on standard output.
    pub fn keep(&self, io: &Io, json: bool, what: &str, looks: &[String]) -> f64 {
        self.keep_until(io, json, what, looks, &|| false)
    }

    /// As [`Hold::keep`], but ends early once `stop` says so (checked
    /// every 10 ms): a Ctrl-C the demo catches, say.
    pub fn keep_until(
        &self,
        io: &Io,
        json: bool,
        what: &str,
        looks: &[String],
        stop: &dyn Fn() -> bool,
    ) -> f64 {
        if !self.wanted() {
            return 0.0;
        }
        let stream = if json { &io.err } else { &io.out };
        let how = match self.hold {
            Some(s) => format!("for {s} s"),
            None => "until you press Enter".to_owned(),
        };
        let mut text = format!("holding {what} {how}; look from another terminal:\n");
        for look in looks {
            text.push_str(&format!("    {look}\n"));
        }
        stream.text(&text);
        let began = Instant::now();
        let deadline = self.hold.map(|s| began + Duration::from_secs_f64(s));
        while !stop() {
            match deadline {
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        break;
                    }
                    std::thread::sleep(left.min(STEP));
                }
                None if enter_pressed() => break,
                None => {}
            }
        }
        millis(began.elapsed())
    }
}

/// How often a hold looks at the clock, the terminal and its `stop`.
const STEP: Duration = Duration::from_millis(10);

/// Waits up to STEP for a line on standard input; true once one (or the
/// end of input) came.
fn enter_pressed() -> bool {
    let stdin = std::io::stdin();
    let mut fds = [PollFd::new(stdin.as_fd(), PollFlags::POLLIN)];
    match poll(&mut fds, PollTimeout::from(STEP.as_millis() as u16)) {
        Ok(0) | Err(_) => false,
        Ok(_) => {
            let mut line = String::new();
            let _ = stdin.lock().read_line(&mut line);
            true
        }
    }
}

/// The children of `pid`, with their state (`Z` for a zombie, `S` asleep).
pub fn children(pid: i32) -> String {
    format!("ps -o pid,ppid,stat,cmd --ppid {pid}")
}

/// One process, with its state.
pub fn process(pid: i32) -> String {
    format!("ps -o pid,ppid,stat,cmd -p {pid}")
}

/// The threads of `pid`, with what each waits in (`futex_wait_queue`).
pub fn threads(pid: i32) -> String {
    format!("ps -L -o pid,lwp,stat,wchan:24,comm -p {pid}")
}

/// The memory map of `pid`, with resident and dirty sizes.
pub fn maps(pid: i32) -> String {
    format!("pmap -x {pid}")
}

/// The kernel's view of `pid`: state, threads, memory, context switches.
pub fn status(pid: i32) -> String {
    format!("cat /proc/{pid}/status")
}
