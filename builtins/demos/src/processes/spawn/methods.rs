//! The four ways the `spawn` demo runs a command: fork+exec, vfork,
//! posix_spawn and system(), each one call that returns when the child is
//! reaped. What the children need (argv, envp, the path, the line for sh)
//! is built once beforehand, in [`Prepared`], so that the child of fork or
//! vfork has nothing left to compute.

use std::ffi::{CString, OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use std::ptr;

use libc::c_char;
use minishell_builtins::wait_status::WaitBits;
use nix::errno::Errno;
use nix::unistd::{AccessFlags, ForkResult, Pid, access, fork};

use crate::trace::signal_name;

/// One way to run a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    ForkExec,
    Vfork,
    PosixSpawn,
    System,
}

impl Method {
    pub const ALL: [Method; 4] = [
        Method::ForkExec,
        Method::Vfork,
        Method::PosixSpawn,
        Method::System,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Method::ForkExec => "fork-exec",
            Method::Vfork => "vfork",
            Method::PosixSpawn => "posix-spawn",
            Method::System => "system",
        }
    }

    /// The library calls the demo makes for it.
    pub fn calls(self) -> &'static str {
        match self {
            Method::ForkExec => "fork() + execvpe()",
            Method::Vfork => "vfork() + execve()",
            Method::PosixSpawn => "posix_spawnp()",
            Method::System => "system()",
        }
    }
}

/// Everything the calls need, built before any of them, so that the child
/// of fork or vfork has nothing left to compute.
pub struct Prepared {
    /// CMD as given: execvpe and posix_spawnp search PATH for it.
    file: CString,
    /// CMD found in PATH here, for vfork's child, which must not search.
    path: CString,
    /// Owns the strings `argv` and `envp` point into.
    _strings: Vec<CString>,
    argv: Vec<*const c_char>,
    envp: Vec<*const c_char>,
    /// `CMD ARGS` quoted for sh, for system() (and for minishell, traced).
    pub(super) shell_line: CString,
}

impl Prepared {
    pub fn new(command: &[OsString]) -> Result<Prepared, String> {
        let c_string = |word: &OsStr| {
            CString::new(word.as_bytes())
                .map_err(|_| format!("{}: a NUL byte in a word", word.to_string_lossy()))
        };
        let file = c_string(&command[0])?;
        let path = c_string(find_in_path(&command[0]).as_os_str())?;
        let mut strings = Vec::new();
        for word in command {
            strings.push(c_string(word)?);
        }
        let argc = strings.len();
        for (key, value) in std::env::vars_os() {
            let mut entry = key;
            entry.push("=");
            entry.push(value);
            strings.push(c_string(&entry)?);
        }
        // The CStrings' buffers stay where they are when `strings` moves.
        let pointers = |range: &[CString]| {
            let mut list: Vec<*const c_char> = range.iter().map(|s| s.as_ptr()).collect();
            list.push(ptr::null());
            list
        };
        let argv = pointers(&strings[..argc]);
        let envp = pointers(&strings[argc..]);
        let line: Vec<String> = command.iter().map(|w| shell_quote(w)).collect();
        Ok(Prepared {
            file,
            path,
            argv,
            envp,
            shell_line: c_string(OsStr::new(&line.join(" ")))?,
            _strings: strings,
        })
    }
}

/// Where execvp would find `name`: itself when it holds a `/`, else the
/// first executable file of that name in PATH, else `name` unchanged (and
/// the execve fails, as the trace shows).
fn find_in_path(name: &OsStr) -> PathBuf {
    if name.as_bytes().contains(&b'/') {
        return PathBuf::from(name);
    }
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/bin:/usr/bin".into());
    for dir in std::env::split_paths(&path) {
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        };
        let candidate = dir.join(name);
        if candidate.is_file() && access(&candidate, AccessFlags::X_OK).is_ok() {
            return candidate;
        }
    }
    PathBuf::from(name)
}

/// A word as sh reads it back unchanged: bare when it is plain, else in
/// single quotes.
fn shell_quote(word: &OsStr) -> String {
    let text = word.to_string_lossy();
    let plain = |c: char| c.is_ascii_alphanumeric() || "_./,:=+@%-".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text.into_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// How one call ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Exited(i32),
    Signaled(i32),
    /// The call itself failed: `posix_spawnp: ENOENT`.
    Failed(String),
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Exited(code) => write!(f, "exited with {code}"),
            Outcome::Signaled(signal) => write!(f, "killed by {}", signal_name(*signal)),
            Outcome::Failed(why) => f.write_str(why),
        }
    }
}

/// Runs the command once with `method` and reaps it.
pub fn spawn_once(method: Method, prepared: &Prepared) -> Outcome {
    match method {
        Method::ForkExec => fork_exec(prepared),
        Method::Vfork => vfork_exec(prepared),
        Method::PosixSpawn => posix_spawn(prepared),
        Method::System => system(prepared),
    }
}

fn fork_exec(prepared: &Prepared) -> Outcome {
    // SAFETY: the demo runs in a process of its own with a single thread;
    // the child only calls execvpe and _exit.
    match unsafe { fork() } {
        Ok(ForkResult::Child) => {
            // SAFETY: the pointers are to NUL-terminated strings and
            // null-terminated arrays built before the fork; _exit ends
            // the child without running the parent's exit handlers.
            unsafe {
                libc::execvpe(
                    prepared.file.as_ptr(),
                    prepared.argv.as_ptr(),
                    prepared.envp.as_ptr(),
                );
                libc::_exit(127)
            }
        }
        Ok(ForkResult::Parent { child }) => reap(child),
        Err(e) => Outcome::Failed(format!("fork: {e:?}")),
    }
}

fn vfork_exec(prepared: &Prepared) -> Outcome {
    // SAFETY: see vfork_execve; the pointers are valid, NUL-terminated
    // and null-terminated, and outlive the call.
    let result = unsafe {
        vfork_execve(
            prepared.path.as_ptr(),
            prepared.argv.as_ptr(),
            prepared.envp.as_ptr(),
        )
    };
    match result {
        Ok(child) => reap(child),
        Err(e) => Outcome::Failed(format!("vfork: {e:?}")),
    }
}

/// vfork, then execve in the child, or _exit(127) if execve fails.
///
/// Why vfork is dangerous: its child runs in the parent's memory, on the
/// parent's stack, while the parent sleeps until the child calls execve or
/// _exit. Whatever the child writes (a variable, a stack slot, errno, a
/// lock taken by malloc), the parent finds changed when it wakes; if the
/// child returned from the function that called vfork, it would overwrite
/// the frame the parent returns through. And in Rust the compiler does not
/// know that a call of `libc::vfork` returns twice, so even code that looks
/// harmless may reuse a stack slot across it (rust-lang/libc#1596; the
/// crate deprecates `vfork` for this reason). A raw `syscall(SYS_vfork)`
/// through libc is worse: the child returns from `syscall()`, and its next
/// call overwrites the return address the parent still needs.
///
/// What makes this use sound: the vfork, the execve and the _exit are one
/// block of assembly, so the compiler sees a single step that returns once,
/// in the parent. In the child, the system calls take their arguments from
/// registers, which it inherited with the parent's values; it writes no
/// memory at all (not even errno, since these are raw system calls) and
/// leaves the block only through execve or exit_group. Between vfork and
/// execve no signal handler can run on the shared stack: the demo is a
/// fresh process (Place::Process) that installs none, and Rust's runtime
/// catches only SIGSEGV and SIGBUS, which these instructions do not raise
/// (a bad pointer makes execve fail with EFAULT).
///
/// # Safety
/// `path` and the strings of `argv` and `envp` are NUL-terminated, and the
/// two arrays end with a null pointer.
#[cfg(target_arch = "x86_64")]
unsafe fn vfork_execve(
    path: *const c_char,
    argv: *const *const c_char,
    envp: *const *const c_char,
) -> nix::Result<Pid> {
    let result: i64;
    // SAFETY: as above; `syscall` clobbers rcx and r11, and the child never
    // comes back to compiled code. The kernel preserves rdi, rsi and rdx.
    unsafe {
        std::arch::asm!(
            "syscall",           // rax = vfork()
            "test rax, rax",
            "jnz 2f",            // the parent: the child's PID, or -errno
            "mov eax, {execve}", // the child: execve(rdi, rsi, rdx)
            "syscall",
            "mov edi, 127",      // it failed: exit_group(127)
            "mov eax, {exit}",
            "syscall",
            "2:",
            execve = const libc::SYS_execve,
            exit = const libc::SYS_exit_group,
            inlateout("rax") libc::SYS_vfork => result,
            inout("rdi") path => _,
            in("rsi") argv,
            in("rdx") envp,
            out("rcx") _,
            out("r11") _,
            options(nostack),
        );
    }
    if result < 0 {
        Err(Errno::from_raw(-result as i32))
    } else {
        Ok(Pid::from_raw(result as i32))
    }
}

/// On other processors the assembly above would have to be written again
/// (aarch64 has no vfork system call: clone with CLONE_VM|CLONE_VFORK).
#[cfg(not(target_arch = "x86_64"))]
unsafe fn vfork_execve(
    _path: *const c_char,
    _argv: *const *const c_char,
    _envp: *const *const c_char,
) -> nix::Result<Pid> {
    Err(Errno::ENOSYS)
}

fn posix_spawn(prepared: &Prepared) -> Outcome {
    let mut pid: libc::pid_t = 0;
    // SAFETY: the pointers are to NUL-terminated strings and null-terminated
    // arrays that outlive the call; no file actions, no attributes.
    let error = unsafe {
        libc::posix_spawnp(
            &mut pid,
            prepared.file.as_ptr(),
            ptr::null(),
            ptr::null(),
            prepared.argv.as_ptr().cast(),
            prepared.envp.as_ptr().cast(),
        )
    };
    if error != 0 {
        return Outcome::Failed(format!("posix_spawnp: {:?}", Errno::from_raw(error)));
    }
    reap(Pid::from_raw(pid))
}

fn system(prepared: &Prepared) -> Outcome {
    // SAFETY: a NUL-terminated string; system() waits for its child.
    let status = unsafe { libc::system(prepared.shell_line.as_ptr()) };
    if status == -1 {
        return Outcome::Failed(format!("system: {:?}", Errno::last()));
    }
    outcome(status)
}

/// A raw wait status through the shell's one decoder.
fn outcome(raw: i32) -> Outcome {
    match WaitBits::decode(raw) {
        WaitBits::Exited(code) => Outcome::Exited(code),
        WaitBits::Signaled { signal, .. } => Outcome::Signaled(signal),
        other => Outcome::Failed(format!("waitpid: {other:?}")),
    }
}

fn reap(child: Pid) -> Outcome {
    let mut raw = 0;
    // SAFETY: `raw` outlives the call.
    if unsafe { libc::waitpid(child.as_raw(), &mut raw, 0) } < 0 {
        return Outcome::Failed(format!("waitpid: {:?}", Errno::last()));
    }
    outcome(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_only_when_sh_would_change_them() {
        assert_eq!(shell_quote(OsStr::new("/bin/true")), "/bin/true");
        assert_eq!(shell_quote(OsStr::new("a b")), "'a b'");
        assert_eq!(shell_quote(OsStr::new("it's")), r"'it'\''s'");
        assert_eq!(shell_quote(OsStr::new("")), "''");
    }
}
