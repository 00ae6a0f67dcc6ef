//! Prompt strings: the backslash escapes of `$PS1` and `${x@P}` (`\u` the
//! user, `\w` the directory, `\$` `#` for root, `\t` the time…), decoded
//! as bash decodes them before expanding the result like a word.

use crate::shell::Shell;

/// The escapes of `text` decoded; `$x`, `$( )` and the rest are left for
/// the caller to expand.
pub fn decode(shell: &Shell, text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        i += 1;
        if b != b'\\' || i == text.len() {
            out.push(b);
            continue;
        }
        let c = text[i];
        i += 1;
        let var = |name: &str| shell.vars.get(name).unwrap_or_default().to_vec();
        match c {
            b'a' => out.push(7),
            b'e' => out.push(27),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b'\\' => out.push(b'\\'),
            b'[' | b']' => {}
            b'$' => out.push(if nix::unistd::geteuid().is_root() {
                b'#'
            } else {
                b'$'
            }),
            b'u' => out.extend(user_name()),
            b'h' | b'H' => {
                let host = host_name();
                let host = match c {
                    b'h' => host
                        .split(|&b| b == b'.')
                        .next()
                        .unwrap_or_default()
                        .to_vec(),
                    _ => host,
                };
                out.extend(host);
            }
            b'w' | b'W' => {
                let pwd = var("PWD");
                let home = var("HOME");
                let shown = if !home.is_empty()
                    && (pwd == home || pwd.starts_with(&[home.as_slice(), b"/"].concat()))
                {
                    [b"~".as_slice(), &pwd[home.len()..]].concat()
                } else {
                    pwd.clone()
                };
                if c == b'w' {
                    out.extend(shown);
                } else if shown == b"~" || pwd == b"/" {
                    out.extend(if pwd == b"/" {
                        b"/".to_vec()
                    } else {
                        b"~".to_vec()
                    });
                } else {
                    out.extend(pwd.rsplit(|&b| b == b'/').next().unwrap_or_default());
                }
            }
            b's' => {
                let zero = shell.params.zero.clone();
                out.extend(zero.rsplit(|&b| b == b'/').next().unwrap_or_default());
            }
            b'v' => out.extend_from_slice(version_short().as_bytes()),
            b'V' => out.extend_from_slice(env!("CARGO_PKG_VERSION").as_bytes()),
            b'j' => out.extend_from_slice(shell.jobs.summaries().len().to_string().as_bytes()),
            b'!' | b'#' => out.extend_from_slice((shell.history.len() + 1).to_string().as_bytes()),
            b'l' => out.extend_from_slice(b"tty"),
            b'd' | b't' | b'T' | b'@' | b'A' => out.extend(time_text(c)),
            b'0'..=b'7' => {
                let mut value = u32::from(c - b'0');
                let mut n = 1;
                while n < 3 && i < text.len() && (b'0'..=b'7').contains(&text[i]) {
                    value = value * 8 + u32::from(text[i] - b'0');
                    i += 1;
                    n += 1;
                }
                out.push(value as u8);
            }
            other => {
                out.push(b'\\');
                out.push(other);
            }
        }
    }
    out
}

/// `MAJOR.MINOR`, as `\v` shows it.
fn version_short() -> String {
    let version = env!("CARGO_PKG_VERSION");
    version.split('.').take(2).collect::<Vec<_>>().join(".")
}

fn user_name() -> Vec<u8> {
    let uid = nix::unistd::getuid().as_raw().to_string().into_bytes();
    let passwd = std::fs::read("/etc/passwd").unwrap_or_default();
    for line in passwd.split(|&b| b == b'\n') {
        let fields: Vec<&[u8]> = line.split(|&b| b == b':').collect();
        if fields.len() > 2 && fields[2] == uid.as_slice() {
            return fields[0].to_vec();
        }
    }
    uid
}

fn host_name() -> Vec<u8> {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname writes a
    // NUL-terminated name into it (truncated if too long).
    let ok = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) } == 0;
    if !ok {
        return Vec::new();
    }
    let len = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    buf[..len].to_vec()
}

/// `\d` (`Tue May 26`), `\t` (24-hour `HH:MM:SS`), `\T` (12-hour), `\@`
/// (12-hour am/pm), `\A` (24-hour `HH:MM`), in local time.
fn time_text(escape: u8) -> Vec<u8> {
    // SAFETY: time and localtime_r fill the structures they are given.
    let tm = unsafe {
        let now = libc::time(std::ptr::null_mut());
        let mut tm: libc::tm = std::mem::zeroed();
        libc::localtime_r(&now, &mut tm);
        tm
    };
    let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let hour12 = match tm.tm_hour % 12 {
        0 => 12,
        h => h,
    };
    let text = match escape {
        b'd' => format!(
            "{} {} {:02}",
            days[tm.tm_wday.rem_euclid(7) as usize],
            months[tm.tm_mon.rem_euclid(12) as usize],
            tm.tm_mday
        ),
        b't' => format!("{:02}:{:02}:{:02}", tm.tm_hour, tm.tm_min, tm.tm_sec),
        b'T' => format!("{:02}:{:02}:{:02}", hour12, tm.tm_min, tm.tm_sec),
        b'@' => format!(
            "{:02}:{:02} {}",
            hour12,
            tm.tm_min,
            if tm.tm_hour < 12 { "AM" } else { "PM" }
        ),
        _ => format!("{:02}:{:02}", tm.tm_hour, tm.tm_min),
    };
    text.into_bytes()
}
