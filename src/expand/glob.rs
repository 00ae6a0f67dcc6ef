//! Pathname expansion of one field (`*.rs`, `src/*/mod.rs`, `**/*.c`): which existing paths a pattern names, as bash 5.2 lists them.
//!
//! The field is cut at every `/`, quoted or not (no pattern ever matches a
//! slash). Components before the first one with a metacharacter form a
//! directory prefix kept as written (`.hid///*` gives `.hid///x`); after it,
//! each component is one step: a pattern reads its directory once and keeps
//! the names it matches, plain text is appended without reading anything,
//! and `**` (with `globstar`) stands for any depth of directories. Paths
//! built after the first pattern use single slashes, as bash's do.
//!
//! bash's rules, checked on this machine (bash 5.2, `LC_ALL=C.UTF-8`):
//! - `.` and `..` are never matched by a pattern, not even `.*`
//!   (`globskipdots`, on by default; off, they are); a literal `.` or `..`
//!   component is kept (`*/..`).
//! - A name starting with `.` needs a pattern starting with a literal `.`
//!   unless `dotglob` (see [`PatternOptions::explicit_dot`]).
//! - A trailing `/` keeps directories only, symbolic links to directories
//!   included, and ends each result with one `/`.
//! - A last component of plain text must exist (`lstat`: a dangling symlink
//!   counts); an unreadable or missing directory silently yields nothing.
//! - `**` matches the directory itself and every directory below, without
//!   following symbolic links; as the last component it also yields every
//!   file below (`d/**` starts with `d/` itself). Results are not
//!   deduplicated (`**/x/**/k` can list a path twice, as bash does).
//! - Results are sorted byte by byte (bash's order under `C` and
//!   `C.UTF-8`); names that are not UTF-8 are kept as bytes.

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::pattern::{Chars, Pattern, PatternOptions};

/// The shell options pathname expansion depends on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GlobOptions {
    /// Patterns may match names starting with `.` (never `.` and `..`).
    pub dotglob: bool,
    /// Names are matched case-insensitively (plain-text components are not:
    /// bash looks them up as written).
    pub nocaseglob: bool,
    /// Extended patterns `?(…) *(…) +(…) @(…) !(…)`.
    pub extglob: bool,
    /// `**` as a whole component matches any depth of directories.
    pub globstar: bool,
    /// `shopt -u globskipdots`: `.` and `..` can match too (`.*` does).
    pub match_dots: bool,
    /// The locale's characters.
    pub chars: Chars,
}

/// One component of the field after the directory prefix.
enum Step {
    /// Plain text: appended, nothing read.
    Name(Vec<u8>),
    /// A pattern: the directory is read and its names matched; `dots`: it
    /// may match `.` and `..` too (it starts with a literal `.`, and
    /// `globskipdots` is off).
    Match(Box<Pattern>, bool),
    /// `**` under `globstar`.
    AnyDepth,
}

/// Whether bash would try pathname expansion on the field at all: an
/// unquoted `*` or `?`, an unquoted `[` followed later in the same
/// component by an unquoted `]`, or an extglob opener. This is looser than
/// what compiles to a pattern (`[]` counts), as in bash: such a field is
/// looked up literally, and vanishes under `nullglob` if absent.
pub fn is_pattern(text: &[u8], quoted: impl Fn(usize) -> bool, extglob: bool) -> bool {
    let op = |i: usize, b: u8| text.get(i) == Some(&b) && !quoted(i);
    let mut open = false;
    let mut i = 0;
    while i < text.len() {
        if !quoted(i) {
            match text[i] {
                b'\\' => i += 1,
                b'*' | b'?' => return true,
                b'[' => open = true,
                b']' if open => return true,
                b'/' => open = false,
                b'+' | b'@' | b'!' if extglob && op(i + 1, b'(') => return true,
                _ => {}
            }
        }
        i += 1;
    }
    false
}

/// Expands one field. `quoted(i)` tells whether byte `i` was quoted.
///
/// Returns the matching paths, sorted; empty when nothing matches (the
/// caller then keeps the field, or drops it under `nullglob`). A field that
/// is no pattern at all ([`is_pattern`]) comes back unchanged as the only
/// result, without touching the file system: bash leaves such a word alone
/// even under `nullglob`, backslashes included (`p='a\.rs'; echo $p`).
pub fn glob(text: &[u8], quoted: impl Fn(usize) -> bool, options: &GlobOptions) -> Vec<Vec<u8>> {
    let quoted: Vec<bool> = (0..text.len()).map(quoted).collect();
    let quoted = |i: usize| quoted.get(i).copied().unwrap_or(false);
    if !is_pattern(text, quoted, options.extglob) {
        return vec![text.to_vec()];
    }
    let pattern_options = PatternOptions {
        extglob: options.extglob,
        nocase: options.nocaseglob,
        explicit_dot: !options.dotglob,
        chars: options.chars,
    };
    let mut components = Vec::new();
    let mut start = 0;
    for (i, &b) in text.iter().enumerate() {
        if b == b'/' {
            components.push(start..i);
            start = i + 1;
        }
    }
    components.push(start..text.len());

    let mut steps = Vec::new();
    let mut prefix_end = None;
    let mut trailing_slash = false;
    let last = components.len() - 1;
    for (k, range) in components.into_iter().enumerate() {
        let piece = &text[range.clone()];
        let at = range.start;
        let any_depth = options.globstar && piece == b"**" && !quoted(at) && !quoted(at + 1);
        let pattern = Pattern::new(piece, |i| quoted(at + i), pattern_options);
        if prefix_end.is_none() {
            if any_depth || pattern.has_meta() {
                prefix_end = Some(at);
            } else {
                continue;
            }
        }
        if piece.is_empty() {
            trailing_slash |= k == last;
        } else if any_depth {
            if !matches!(steps.last(), Some(Step::AnyDepth)) {
                steps.push(Step::AnyDepth);
            }
        } else if pattern.has_meta() {
            let dots = options.match_dots && piece.first() == Some(&b'.');
            steps.push(Step::Match(Box::new(pattern), dots));
        } else {
            steps.push(Step::Name(dequote(piece, |i| quoted(at + i))));
        }
    }
    let Some(prefix_end) = prefix_end else {
        // Looks like a pattern to bash (`[]`) but every part is plain text.
        let path = dequote(text, quoted);
        let keep = if text.ends_with(b"/") {
            is_dir(&path)
        } else {
            exists(&path)
        };
        return if keep { vec![path] } else { Vec::new() };
    };

    let mut paths = vec![dequote(&text[..prefix_end], quoted)];
    let count = steps.len();
    for (k, step) in steps.iter().enumerate() {
        let is_last = k + 1 == count;
        let mut next = Vec::new();
        for dir in &paths {
            match step {
                Step::Name(name) => {
                    let path = join(dir, name);
                    if !is_last || exists(&path) {
                        next.push(path);
                    }
                }
                Step::Match(pattern, dots) => {
                    if *dots {
                        for dots in [&b"."[..], b".."] {
                            if pattern.matches(dots) {
                                next.push(join(dir, dots));
                            }
                        }
                    }
                    read_matching(dir, pattern, is_last, &mut next)
                }
                Step::AnyDepth => walk(dir, is_last, options.dotglob, &mut next),
            }
        }
        paths = next;
        if paths.is_empty() {
            break;
        }
    }
    if trailing_slash {
        paths.retain(|p| is_dir(p));
        for p in &mut paths {
            if !p.ends_with(b"/") {
                p.push(b'/');
            }
        }
    }
    sort_bytewise(&mut paths);
    paths
}

/// Sorts byte by byte, as `sort_unstable` would (unstable is the same
/// order here: the paths are unique), in a third of the instructions. The
/// prefix every path shares (`/usr/bin/` in `/usr/bin/*`) is skipped, and
/// each path is sorted by a key holding the next eight bytes as one
/// big-endian number, so most comparisons are of two integers; only paths
/// whose keys tie compare the rest. Padding a short name with zero bytes
/// keeps the order: a name holds no NUL, so `ab` (`ab\0…`) still sorts
/// before `abc`. (Sorting the paths themselves was half of 200 globs of
/// /usr/bin/*'s instructions.)
fn sort_bytewise(paths: &mut Vec<Vec<u8>>) {
    let Some((first, rest)) = paths.split_first() else {
        return;
    };
    let mut shared = first.len();
    for path in rest {
        shared = first[..shared]
            .iter()
            .zip(path.iter())
            .take_while(|(a, b)| a == b)
            .count();
    }
    let key = |path: &[u8]| {
        let tail = &path[shared..];
        let mut bytes = [0u8; 8];
        let n = tail.len().min(8);
        bytes[..n].copy_from_slice(&tail[..n]);
        u64::from_be_bytes(bytes)
    };
    let mut keyed: Vec<(u64, Vec<u8>)> = paths.drain(..).map(|p| (key(&p), p)).collect();
    keyed.sort_unstable_by(|(ka, a), (kb, b)| {
        ka.cmp(kb).then_with(|| a[shared..].cmp(&b[shared..]))
    });
    paths.extend(keyed.into_iter().map(|(_, path)| path));
}

/// Removes quoting: an unquoted backslash makes the next byte plain and
/// disappears; at the end of the text it just disappears (bash's
/// `dequote_pathname`).
fn dequote(text: &[u8], quoted: impl Fn(usize) -> bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text[i] == b'\\' && !quoted(i) {
            i += 1;
        }
        if let Some(&b) = text.get(i) {
            out.push(b);
        }
        i += 1;
    }
    out
}

fn as_path(bytes: &[u8]) -> &Path {
    if bytes.is_empty() {
        Path::new(".")
    } else {
        Path::new(OsStr::from_bytes(bytes))
    }
}

fn join(dir: &[u8], name: &[u8]) -> Vec<u8> {
    let mut path = Vec::with_capacity(dir.len() + 1 + name.len());
    path.extend_from_slice(dir);
    if !dir.is_empty() && !dir.ends_with(b"/") {
        path.push(b'/');
    }
    path.extend_from_slice(name);
    path
}

fn exists(path: &[u8]) -> bool {
    fs::symlink_metadata(as_path(path)).is_ok()
}

fn is_dir(path: &[u8]) -> bool {
    fs::metadata(as_path(path)).is_ok_and(|m| m.is_dir())
}

/// Appends to `out` the entries of `dir` that `pattern` matches. Unless
/// this is the last step, entries known to be plain files are skipped:
/// nothing can follow them.
///
/// Read with `readdir` itself: each name is matched where the kernel put
/// it, and only a match is copied (std's `read_dir` copied every name twice:
/// a tenth of 200 globs of /usr/bin/*'s instructions).
fn read_matching(dir: &[u8], pattern: &Pattern, is_last: bool, out: &mut Vec<Vec<u8>>) {
    let Ok(path) = std::ffi::CString::new(as_path(dir).as_os_str().as_bytes()) else {
        return;
    };
    // SAFETY: opendir takes a valid C string; the stream is checked, used
    // only in this function and closed at its end.
    let stream = unsafe { libc::opendir(path.as_ptr()) };
    if stream.is_null() {
        return;
    }
    loop {
        // SAFETY: `stream` is open; the entry it returns stays valid until
        // the next readdir or closedir, and is used only before them.
        let entry = unsafe { libc::readdir(stream) };
        if entry.is_null() {
            break;
        }
        // SAFETY: d_name is a NUL-terminated name inside the entry.
        let (name, kind) = unsafe {
            (
                std::ffi::CStr::from_ptr((*entry).d_name.as_ptr()).to_bytes(),
                (*entry).d_type,
            )
        };
        // As std's read_dir: `.` and `..` are not entries (they match only
        // where asked for, see `glob`).
        if name == b"." || name == b".." || !pattern.matches(name) {
            continue;
        }
        let path = join(dir, name);
        if !is_last {
            let regular = match kind {
                libc::DT_UNKNOWN => fs::symlink_metadata(as_path(&path)).is_ok_and(|m| m.is_file()),
                kind => kind == libc::DT_REG,
            };
            if regular {
                continue;
            }
        }
        out.push(path);
    }
    // SAFETY: the stream opened above, closed once.
    unsafe { libc::closedir(stream) };
}

/// `**`: appends `dir` and every directory below it (not following
/// symbolic links, skipping hidden ones unless `dotglob`). As the last step
/// it appends every entry below too, and `dir` itself only if it is a
/// non-empty path to a directory. A stack, not recursion: trees can be deep.
fn walk(dir: &[u8], is_last: bool, dotglob: bool, out: &mut Vec<Vec<u8>>) {
    if !is_last || (!dir.is_empty() && is_dir(dir)) {
        out.push(dir.to_vec());
    }
    let mut pending = vec![dir.to_vec()];
    while let Some(current) = pending.pop() {
        let Ok(entries) = fs::read_dir(as_path(&current)) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.as_bytes();
            if !dotglob && name.first() == Some(&b'.') {
                continue;
            }
            let path = join(&current, name);
            let real_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if real_dir {
                pending.push(path.clone());
            }
            if real_dir || is_last {
                out.push(path);
            }
        }
    }
}

#[cfg(test)]
mod tests;
