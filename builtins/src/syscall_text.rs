//! A system call written for people, the way strace writes it: one place
//! that renders clone flags, strings, argument vectors, wait flags and
//! errors, shared by explain mode (the shell narrating its own calls) and
//! the lab demos' tracer (a demo watching another process's calls).

use nix::errno::Errno;

/// Clone flags by name, the exit signal last: `CLONE_VM|CLONE_VFORK|SIGCHLD`.
pub fn clone_flags(flags: u64) -> String {
    const NAMES: [(libc::c_int, &str); 23] = [
        (libc::CLONE_VM, "CLONE_VM"),
        (libc::CLONE_FS, "CLONE_FS"),
        (libc::CLONE_FILES, "CLONE_FILES"),
        (libc::CLONE_SIGHAND, "CLONE_SIGHAND"),
        (libc::CLONE_PIDFD, "CLONE_PIDFD"),
        (libc::CLONE_PTRACE, "CLONE_PTRACE"),
        (libc::CLONE_VFORK, "CLONE_VFORK"),
        (libc::CLONE_PARENT, "CLONE_PARENT"),
        (libc::CLONE_THREAD, "CLONE_THREAD"),
        (libc::CLONE_NEWNS, "CLONE_NEWNS"),
        (libc::CLONE_SYSVSEM, "CLONE_SYSVSEM"),
        (libc::CLONE_SETTLS, "CLONE_SETTLS"),
        (libc::CLONE_PARENT_SETTID, "CLONE_PARENT_SETTID"),
        (libc::CLONE_CHILD_CLEARTID, "CLONE_CHILD_CLEARTID"),
        (libc::CLONE_UNTRACED, "CLONE_UNTRACED"),
        (libc::CLONE_CHILD_SETTID, "CLONE_CHILD_SETTID"),
        (libc::CLONE_NEWCGROUP, "CLONE_NEWCGROUP"),
        (libc::CLONE_NEWUTS, "CLONE_NEWUTS"),
        (libc::CLONE_NEWIPC, "CLONE_NEWIPC"),
        (libc::CLONE_NEWUSER, "CLONE_NEWUSER"),
        (libc::CLONE_NEWPID, "CLONE_NEWPID"),
        (libc::CLONE_NEWNET, "CLONE_NEWNET"),
        (libc::CLONE_IO, "CLONE_IO"),
    ];
    let mut rest = flags & !0xff;
    let mut names: Vec<String> = Vec::new();
    for (bit, name) in NAMES {
        let bit = u64::from(bit as u32);
        if rest & bit != 0 {
            names.push(name.to_owned());
            rest &= !bit;
        }
    }
    if rest != 0 {
        names.push(format!("{rest:#x}"));
    }
    let signal = (flags & 0xff) as i32;
    if signal != 0 {
        names.push(crate::wait_status::signal_name(signal));
    }
    if names.is_empty() {
        names.push("0".to_owned());
    }
    names.join("|")
}

/// A C string in double quotes, with C escapes for what is not printable.
pub fn quoted(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() + 2);
    text.push('"');
    for &b in bytes {
        match b {
            b'"' => text.push_str("\\\""),
            b'\\' => text.push_str("\\\\"),
            b'\n' => text.push_str("\\n"),
            b'\t' => text.push_str("\\t"),
            0x20..=0x7e => text.push(b as char),
            _ => text.push_str(&format!("\\x{b:02x}")),
        }
    }
    text.push('"');
    text
}

/// An argument vector: `["ls", "-l"]`.
pub fn argv<T: AsRef<[u8]>>(args: &[T]) -> String {
    let words: Vec<String> = args.iter().map(|a| quoted(a.as_ref())).collect();
    format!("[{}]", words.join(", "))
}

/// `waitpid`'s options by name: `WNOHANG|WUNTRACED`, or `0`.
pub fn wait_flags(flags: i32) -> String {
    let mut names = Vec::new();
    for (bit, name) in [
        (libc::WNOHANG, "WNOHANG"),
        (libc::WUNTRACED, "WUNTRACED"),
        (libc::WCONTINUED, "WCONTINUED"),
    ] {
        if flags & bit != 0 {
            names.push(name);
        }
    }
    if names.is_empty() {
        "0".to_owned()
    } else {
        names.join("|")
    }
}

/// `open`'s flags by name: `O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC`.
pub fn open_flags(flags: i32) -> String {
    let mut names = vec![match flags & libc::O_ACCMODE {
        libc::O_RDONLY => "O_RDONLY".to_owned(),
        libc::O_WRONLY => "O_WRONLY".to_owned(),
        libc::O_RDWR => "O_RDWR".to_owned(),
        other => format!("{other:#o}"),
    }];
    for (bit, name) in [
        (libc::O_CREAT, "O_CREAT"),
        (libc::O_EXCL, "O_EXCL"),
        (libc::O_NOCTTY, "O_NOCTTY"),
        (libc::O_TRUNC, "O_TRUNC"),
        (libc::O_APPEND, "O_APPEND"),
        (libc::O_CLOEXEC, "O_CLOEXEC"),
    ] {
        if flags & bit != 0 {
            names.push(name.to_owned());
        }
    }
    names.join("|")
}

/// A failed call's result as strace prints it: `-1 ENOENT (No such file or
/// directory)`.
pub fn failure(errno: Errno) -> String {
    format!("-1 {errno:?} ({})", errno.desc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clone_flags_are_named_with_the_exit_signal_last() {
        let flags = (libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD) as u64;
        assert_eq!(clone_flags(flags), "CLONE_VM|CLONE_VFORK|SIGCHLD");
        assert_eq!(clone_flags(0), "0");
        assert_eq!(clone_flags(1 << 40), "0x10000000000");
    }

    #[test]
    fn strings_and_vectors_as_strace_writes_them() {
        assert_eq!(argv(&["ls", "a \"b\"\n"]), r#"["ls", "a \"b\"\n"]"#);
        assert_eq!(
            wait_flags(libc::WNOHANG | libc::WUNTRACED),
            "WNOHANG|WUNTRACED"
        );
        assert_eq!(wait_flags(0), "0");
        assert_eq!(failure(Errno::ECHILD), "-1 ECHILD (No child processes)");
    }
}
