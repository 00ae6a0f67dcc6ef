//! A terminal: rustyline reads each line with editing, history, completion
//! and colours. Used only when standard input is a terminal: on a pipe
//! rustyline would read ahead and take input that belongs to the commands.

use std::io;
use std::os::fd::FromRawFd;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use nix::fcntl::OFlag;
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::Pid;

use rustyline::Editor;
use rustyline::config::{CompletionType, Config};
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;

use super::LineSource;
use super::editor::{ShellHelper, ShellView};
use crate::exec::fds::PrivateFd;

/// How many commands the history keeps.
const HISTORY_SIZE: usize = 1000;

pub struct TerminalSource {
    editor: Editor<ShellHelper, FileHistory>,
    /// The history file, appended to after each command, so that two shells
    /// open at once both keep their lines.
    history_file: Option<PathBuf>,
    lines: usize,
    /// Children collected while the prompt waited (see [`ChildWatch`]).
    children: Option<ChildWatch>,
    /// The editor's own descriptors (its SIGWINCH pipe), listed among the
    /// shell's private ones so that a forked copy of the shell closes
    /// them; the editor owns them, and they are released, not closed,
    /// before it closes them.
    editor_fds: Vec<PrivateFd>,
}

impl Drop for TerminalSource {
    fn drop(&mut self) {
        for fd in self.editor_fds.drain(..) {
            fd.release();
        }
    }
}

/// While the prompt waits for a key, a child that ends or stops is
/// collected at once, as bash does, not left a zombie until Enter: SIGCHLD
/// writes a byte to a pipe (signal-hook's handler, which does only that),
/// the line editor watches the pipe beside the terminal and, when it is
/// readable, runs [`collect`] on the shell's own thread. The statuses wait
/// here for the job table ([`LineSource::collected`]), which files them
/// before the next command runs or prompt shows.
struct ChildWatch {
    /// The pipe's ends, listed as the shell's private descriptors so that a
    /// forked copy of the shell (a subshell) closes them. The handler owns
    /// the write end and closes it when unregistered: it is only listed.
    _read_end: PrivateFd,
    write_end: Option<PrivateFd>,
    handler: signal_hook::SigId,
    statuses: Arc<Mutex<Vec<WaitStatus>>>,
}

impl ChildWatch {
    /// Sets up the pipe and the handler and gives the editor its part.
    fn install(editor: &mut Editor<ShellHelper, FileHistory>) -> Option<ChildWatch> {
        // Close-on-exec: no command inherits them. Non-blocking: a full
        // pipe drops the byte (one unread byte already says enough), and
        // draining stops when it is empty.
        let flags = OFlag::O_CLOEXEC | OFlag::O_NONBLOCK;
        let (read_end, write_end) = nix::unistd::pipe2(flags).ok()?;
        let (read_end, write_end) = (PrivateFd::new(read_end), PrivateFd::new(write_end));
        let handler =
            signal_hook::low_level::pipe::register_raw(libc::SIGCHLD, write_end.raw()).ok()?;
        let statuses = Arc::new(Mutex::new(Vec::new()));
        let fd = read_end.raw();
        let shared = Arc::clone(&statuses);
        editor.set_wake(Some(rustyline::Wake {
            fd,
            action: Arc::new(move || collect(fd, &shared)),
        }));
        Some(ChildWatch {
            _read_end: read_end,
            write_end: Some(write_end),
            handler,
            statuses,
        })
    }
}

impl Drop for ChildWatch {
    fn drop(&mut self) {
        if let Some(write_end) = self.write_end.take() {
            write_end.release();
        }
        // Closes the write end.
        signal_hook::low_level::unregister(self.handler);
    }
}

/// Empties the SIGCHLD pipe first, then collects every child that changed
/// (the order signal-hook asks for: a signal arriving meanwhile leaves a
/// new byte, so none is missed). At the prompt no command is running, so
/// every child is a job's, and `waitpid(-1)` is what the shell's own reap
/// before the prompt does.
fn collect(pipe: std::os::fd::RawFd, statuses: &Mutex<Vec<WaitStatus>>) {
    let mut bytes = [0u8; 64];
    // SAFETY: `pipe` is the read end owned by the `ChildWatch`, which
    // outlives the editor's use of it; reading into a local buffer.
    while unsafe { libc::read(pipe, bytes.as_mut_ptr().cast(), bytes.len()) } > 0 {}
    let flags = WaitPidFlag::WNOHANG | WaitPidFlag::WUNTRACED | WaitPidFlag::WCONTINUED;
    let mut collected = statuses
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    loop {
        match waitpid(Pid::from_raw(-1), Some(flags)) {
            Ok(WaitStatus::StillAlive) | Err(_) => return,
            Ok(status) => collected.push(status),
        }
    }
}

impl TerminalSource {
    /// `colour`: whether to colour what is typed (a terminal, no NO_COLOR).
    pub fn new(history_file: Option<PathBuf>, colour: bool) -> io::Result<TerminalSource> {
        let config = Config::builder()
            .auto_add_history(false)
            .history_ignore_dups(true)
            .map_err(io::Error::other)?
            .history_ignore_space(true)
            .max_history_size(HISTORY_SIZE)
            .map_err(io::Error::other)?
            .completion_type(CompletionType::List)
            .build();
        let mut editor = Editor::with_config(config).map_err(io::Error::other)?;
        editor.set_helper(Some(ShellHelper::new(colour)));
        if let Some(file) = &history_file {
            create_private(file);
            let _ = editor.load_history(file);
        }
        let children = ChildWatch::install(&mut editor);
        let editor_fds = editor
            .own_fds()
            .into_iter()
            // SAFETY: the editor keeps these open for as long as it lives;
            // the `PrivateFd` only lists them and is released (never
            // closes them) when the source drops, before the editor does.
            .map(|fd| PrivateFd::new(unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) }))
            .collect();
        Ok(TerminalSource {
            editor,
            history_file,
            lines: 0,
            children,
            editor_fds,
        })
    }
}

/// Creates the history file readable by its owner only (0600): it holds
/// every command typed, passwords given on command lines included.
fn create_private(file: &std::path::Path) {
    use std::os::unix::fs::OpenOptionsExt;
    let _ = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(file);
}

/// The bytes of a line as typed: rustyline hands a byte that was not UTF-8
/// over as a private-use character (see `rustyline::char_of_byte`), turned
/// back into that byte here, so `echo A\xffB` runs with the `\xff` typed.
fn line_bytes(line: &str) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(line.len());
    for c in line.chars() {
        match rustyline::byte_of_char(c) {
            Some(byte) => bytes.push(byte),
            None => bytes.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    bytes
}

/// A command as rustyline's history holds it: the reverse of
/// [`line_bytes`], so a recalled line runs with the same bytes.
fn line_text(bytes: &[u8]) -> String {
    bytes
        .utf8_chunks()
        .flat_map(|chunk| {
            let invalid = chunk.invalid().iter().map(|&b| rustyline::char_of_byte(b));
            chunk.valid().chars().chain(invalid)
        })
        .collect()
}

impl LineSource for TerminalSource {
    fn read_line(&mut self, buf: &mut Vec<u8>, prompt: &str) -> io::Result<bool> {
        match self.editor.readline(prompt) {
            Ok(line) => {
                buf.extend(line_bytes(&line));
                buf.push(b'\n');
                self.lines += 1;
                Ok(true)
            }
            // Ctrl-C at the prompt abandons the line (or the unfinished
            // command), not the shell: the input loop drops it.
            Err(ReadlineError::Interrupted) => Err(io::Error::from(io::ErrorKind::Interrupted)),
            Err(ReadlineError::Eof) => Ok(false),
            Err(e) => Err(io::Error::other(e)),
        }
    }

    fn add_history(&mut self, command: &[u8]) {
        let text = line_text(command);
        let text = text.trim_end_matches('\n');
        if text.trim().is_empty() {
            return;
        }
        // rustyline leaves out a line starting with a space (bash's
        // ignorespace) and one repeating the last.
        if let Ok(true) = self.editor.add_history_entry(text) {
            if let Some(file) = &self.history_file {
                let _ = self.editor.append_history(file);
            }
        }
    }

    fn note_result(&mut self, command: &[u8], succeeded: bool) {
        let text = line_text(command);
        if let Some(helper) = self.editor.helper_mut() {
            helper.note_result(text.trim_end_matches('\n'), succeeded);
        }
    }

    fn history(&self) -> Vec<String> {
        self.editor.history().iter().cloned().collect()
    }

    fn refresh(&mut self, view: ShellView) {
        if let Some(helper) = self.editor.helper_mut() {
            helper.update(view);
        }
    }

    fn is_terminal(&self) -> bool {
        true
    }

    fn collected(&mut self) -> Vec<WaitStatus> {
        match &self.children {
            Some(watch) => std::mem::take(
                &mut *watch
                    .statuses
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner()),
            ),
            None => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_that_are_not_utf8_survive_the_line_editor() {
        let typed = b"echo A\xff\xfeB \xc3\xa9 \xe2\x82";
        let text = line_text(typed);
        assert!(text.contains('é'));
        assert_eq!(line_bytes(&text), typed);
    }
}
