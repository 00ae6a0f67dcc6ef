//! POSIX extended regular expressions, for `[[ text =~ regex ]]`: the C
//! library's own `regcomp`/`regexec`, as bash uses them, so the same
//! expression means the same thing in both shells.

use std::ffi::CString;

/// A compiled regular expression.
pub struct Regex {
    compiled: libc::regex_t,
    groups: usize,
}

impl Regex {
    /// Compiles `pattern` as an extended regular expression; `Err` with the
    /// library's error code when it is malformed.
    pub fn new(pattern: &[u8]) -> Result<Regex, i32> {
        let pattern = CString::new(pattern).map_err(|_| libc::REG_BADPAT)?;
        // SAFETY: regex_t is a plain C struct that regcomp fills in; zeroed
        // is a valid starting state for it.
        let mut compiled: libc::regex_t = unsafe { std::mem::zeroed() };
        // SAFETY: `compiled` and `pattern` are valid for the call.
        let code = unsafe { libc::regcomp(&mut compiled, pattern.as_ptr(), libc::REG_EXTENDED) };
        if code != 0 {
            return Err(code);
        }
        Ok(Regex {
            groups: group_count(pattern.as_bytes()) + 1,
            compiled,
        })
    }

    /// The match and its groups (`None` for a group that matched nothing),
    /// or `None` when the text does not match. Text holding a NUL byte is
    /// matched up to it, as C strings are.
    pub fn captures(&self, text: &[u8]) -> Option<Vec<Option<Vec<u8>>>> {
        let end = text.iter().position(|&b| b == 0).unwrap_or(text.len());
        let text = &text[..end];
        let c_text = CString::new(text).ok()?;
        let mut matches = vec![
            libc::regmatch_t {
                rm_so: -1,
                rm_eo: -1
            };
            self.groups
        ];
        // SAFETY: `compiled` was filled by regcomp; `matches` holds
        // `groups` entries, as the call is told.
        let code = unsafe {
            libc::regexec(
                &self.compiled,
                c_text.as_ptr(),
                self.groups,
                matches.as_mut_ptr(),
                0,
            )
        };
        if code != 0 {
            return None;
        }
        Some(
            matches
                .iter()
                .map(|m| {
                    (m.rm_so >= 0 && m.rm_eo >= m.rm_so)
                        .then(|| text[m.rm_so as usize..m.rm_eo as usize].to_vec())
                })
                .collect(),
        )
    }
}

/// How many groups `( … )` an extended regular expression holds (libc
/// keeps the count in a field Rust cannot see): every `(` outside a
/// bracket expression and not escaped.
fn group_count(pattern: &[u8]) -> usize {
    let mut count = 0;
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            b'\\' => i += 1,
            b'(' => count += 1,
            b'[' => {
                // A bracket expression: `]` right after `[` or `[^` is a member.
                i += 1;
                if pattern.get(i) == Some(&b'^') {
                    i += 1;
                }
                if pattern.get(i) == Some(&b']') {
                    i += 1;
                }
                while i < pattern.len() && pattern[i] != b']' {
                    if pattern[i] == b'[' && matches!(pattern.get(i + 1), Some(b':' | b'.' | b'='))
                    {
                        let close = pattern[i + 1];
                        i += 2;
                        while i + 1 < pattern.len()
                            && !(pattern[i] == close && pattern[i + 1] == b']')
                        {
                            i += 1;
                        }
                        i += 1;
                    }
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    count
}

impl Drop for Regex {
    fn drop(&mut self) {
        // SAFETY: `compiled` was filled by a successful regcomp and is freed
        // once, here.
        unsafe { libc::regfree(&mut self.compiled) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_and_no_match() {
        let re = Regex::new(b"^(a+)(b)?c$").unwrap();
        let groups = re.captures(b"aac").unwrap();
        assert_eq!(
            groups,
            vec![Some(b"aac".to_vec()), Some(b"aa".to_vec()), None]
        );
        assert!(re.captures(b"x").is_none());
        assert!(Regex::new(b"(").is_err());
        assert_eq!(group_count(b"(a)[(]\\((b)"), 2);
    }
}
