//! Tests of pathname expansion on temporary directory trees (bash's answers for the same trees are checked in `tests/bash.rs`).

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use super::*;

/// A temporary tree, removed when dropped. Patterns are given relative to
/// it and results come back relative to it, without changing the process's
/// directory (tests run in parallel).
struct Tree(PathBuf);

impl Tree {
    fn new(name: &str, files: &[&[u8]]) -> Tree {
        let root = std::env::temp_dir().join(format!("pattern-glob-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).expect("temporary directory");
        for f in files {
            let path = root.join(OsStr::from_bytes(f));
            if f.ends_with(b"/") {
                fs::create_dir_all(&path).expect("directory");
            } else {
                if let Some(dir) = path.parent() {
                    fs::create_dir_all(dir).expect("directory");
                }
                fs::write(&path, b"").expect("file");
            }
        }
        Tree(root)
    }

    fn prefix(&self) -> Vec<u8> {
        let mut p = self.0.as_os_str().as_bytes().to_vec();
        p.push(b'/');
        p
    }

    /// Globs `pattern` (unquoted, from source text: `'…'` quotes) under the
    /// tree; the tree's own path is quoted, so it never counts as a pattern.
    fn glob(&self, pattern: &str, options: GlobOptions) -> Vec<String> {
        let prefix = self.prefix();
        let mut text = prefix.clone();
        let mut quoted = vec![true; prefix.len()];
        let mut in_quotes = false;
        for b in pattern.bytes() {
            if b == b'\'' {
                in_quotes = !in_quotes;
                continue;
            }
            text.push(b);
            quoted.push(in_quotes);
        }
        glob(&text, |i| quoted[i], &options)
            .into_iter()
            .map(|p| {
                String::from_utf8_lossy(p.strip_prefix(prefix.as_slice()).unwrap_or(&p))
                    .into_owned()
            })
            .collect()
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

const EXT: GlobOptions = GlobOptions {
    dotglob: false,
    nocaseglob: false,
    extglob: true,
    globstar: false,
    match_dots: false,
    chars: Chars::Utf8,
};

fn tree(name: &str) -> Tree {
    Tree::new(
        name,
        &[
            b"a.rs",
            b"b.rs",
            b"c.txt",
            b".hidden",
            b"sp ace.rs",
            b"bad\xff.rs",
            b"A.RS",
            b"dir/x.rs",
            b"dir/.y.rs",
            b"dir/sub/z.rs",
            b".hdir/w",
            b"empty/",
        ],
    )
}

#[test]
fn stars_questions_and_brackets() {
    let t = tree("basic");
    assert_eq!(
        t.glob("*.rs", EXT),
        ["a.rs", "b.rs", "bad\u{fffd}.rs", "sp ace.rs"]
    );
    assert_eq!(t.glob("?.rs", EXT), ["a.rs", "b.rs"]);
    assert_eq!(t.glob("[ab].rs", EXT), ["a.rs", "b.rs"]);
    assert_eq!(
        t.glob("[!a]*.rs", EXT),
        ["b.rs", "bad\u{fffd}.rs", "sp ace.rs"]
    );
    assert_eq!(t.glob("*.nothing", EXT), Vec::<String>::new());
}

#[test]
fn results_are_sorted_bytewise() {
    let t = tree("sorted");
    let all = t.glob("*", EXT);
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(
        all,
        [
            "A.RS",
            "a.rs",
            "b.rs",
            "bad\u{fffd}.rs",
            "c.txt",
            "dir",
            "empty",
            "sp ace.rs"
        ]
    );
    assert_eq!(all, sorted);
}

#[test]
fn dotfiles_need_an_explicit_dot() {
    let t = tree("dots");
    assert_eq!(t.glob(".*", EXT), [".hdir", ".hidden"]);
    assert_eq!(t.glob("[.]*", EXT), Vec::<String>::new());
    assert_eq!(t.glob("dir/.*", EXT), ["dir/.y.rs"]);
    assert_eq!(t.glob("dir/*", EXT), ["dir/sub", "dir/x.rs"]);
    let dotglob = GlobOptions {
        dotglob: true,
        ..EXT
    };
    assert_eq!(
        t.glob("dir/*", dotglob),
        ["dir/.y.rs", "dir/sub", "dir/x.rs"]
    );
    // `.` and `..` only ever come from a literal component.
    assert_eq!(t.glob(".?", EXT), Vec::<String>::new());
    assert_eq!(t.glob("*/..", EXT), ["dir/..", "empty/.."]);
    assert_eq!(t.glob("*/.", EXT), ["dir/.", "empty/."]);
}

#[test]
fn trailing_slash_keeps_directories() {
    let t = tree("slash");
    assert_eq!(t.glob("*/", EXT), ["dir/", "empty/"]);
    assert_eq!(t.glob("dir/*/", EXT), ["dir/sub/"]);
    assert_eq!(t.glob("dir/*//", EXT), ["dir/sub/"]);
    assert_eq!(t.glob("a*/", EXT), Vec::<String>::new());
}

#[test]
fn literal_components_are_looked_up_not_read() {
    let t = tree("literal");
    assert_eq!(t.glob("*/x.rs", EXT), ["dir/x.rs"]);
    assert_eq!(t.glob("*/sub/*", EXT), ["dir/sub/z.rs"]);
    assert_eq!(t.glob("*/nope", EXT), Vec::<String>::new());
    assert_eq!(t.glob("d*//x.rs", EXT), ["dir/x.rs"]);
    // Quoted metacharacters are text: no pattern, the field comes back.
    assert_eq!(t.glob("'*'.rs", EXT), ["*.rs"]);
    assert_eq!(t.glob("'sp ace'*", EXT), ["sp ace.rs"]);
    // A quoted slash still separates components.
    assert_eq!(t.glob("dir'/'*.rs", EXT), ["dir/x.rs"]);
}

#[test]
fn fields_without_a_pattern_come_back_unchanged() {
    assert_eq!(glob(b"plain", |_| false, &EXT), [b"plain".to_vec()]);
    assert_eq!(glob(b"a\\.rs", |_| false, &EXT), [b"a\\.rs".to_vec()]);
    assert_eq!(glob(b"x*", |_| true, &EXT), [b"x*".to_vec()]);
    assert_eq!(glob(b"d[/]x", |_| false, &EXT), [b"d[/]x".to_vec()]);
    assert!(!is_pattern(b"[a", |_| false, false));
    assert!(is_pattern(b"[]", |_| false, false));
    assert!(is_pattern(b"a*", |_| false, false));
    assert!(!is_pattern(b"\\*", |_| false, false));
    assert!(!is_pattern(b"@(a)", |_| false, false));
    assert!(is_pattern(b"@(a)", |_| false, true));
}

#[test]
fn case_folding_applies_to_patterns_only() {
    let t = tree("nocase");
    let nocase = GlobOptions {
        nocaseglob: true,
        ..EXT
    };
    assert_eq!(t.glob("[a]*", nocase), ["A.RS", "a.rs"]);
    assert_eq!(t.glob("DIR/*", nocase), Vec::<String>::new());
    assert_eq!(t.glob("D*/X*", nocase), ["dir/x.rs"]);
}

#[test]
fn extglob_in_components() {
    let t = tree("extglob");
    assert_eq!(t.glob("@(a|b).rs", EXT), ["a.rs", "b.rs"]);
    assert_eq!(t.glob("!(*.rs)", EXT), ["A.RS", "c.txt", "dir", "empty"]);
    assert_eq!(t.glob("*(.)h*", EXT), [".hdir", ".hidden"]);
}

#[test]
fn non_utf8_names_are_kept_as_bytes() {
    let t = tree("bytes");
    let mut text = t.prefix();
    let quoted_prefix = text.len();
    text.extend_from_slice(b"bad\xff*");
    let found = glob(&text, |i| i < quoted_prefix, &EXT);
    assert_eq!(found.len(), 1);
    assert!(found[0].ends_with(b"bad\xff.rs"));
}

#[test]
fn globstar() {
    let t = tree("globstar");
    let star = GlobOptions {
        globstar: true,
        ..EXT
    };
    assert_eq!(
        t.glob("**/*.rs", star),
        [
            "a.rs",
            "b.rs",
            "bad\u{fffd}.rs",
            "dir/sub/z.rs",
            "dir/x.rs",
            "sp ace.rs"
        ]
    );
    assert_eq!(
        t.glob("dir/**", star),
        ["dir/", "dir/sub", "dir/sub/z.rs", "dir/x.rs"]
    );
    // The tree's own path is a literal prefix: like `d/**/`, `**/` after
    // it yields the directory itself (here, the empty remainder) too.
    assert_eq!(t.glob("**/", star), ["", "dir/", "dir/sub/", "empty/"]);
    // Without globstar `**` is `*`.
    assert_eq!(t.glob("**/*.rs", EXT), ["dir/x.rs"]);
}

#[test]
fn globstar_does_not_follow_symlinks_and_survives_deep_trees() {
    let t = tree("deep");
    std::os::unix::fs::symlink(t.0.join("dir"), t.0.join("link")).expect("symlink");
    let star = GlobOptions {
        globstar: true,
        ..EXT
    };
    assert_eq!(t.glob("**/z.rs", star), ["dir/sub/z.rs"]);
    assert_eq!(
        t.glob("link/**", star),
        ["link/", "link/sub", "link/sub/z.rs", "link/x.rs"]
    );
    let mut deep = t.0.join("d");
    for _ in 0..200 {
        deep.push("d");
    }
    fs::create_dir_all(&deep).expect("deep tree");
    fs::write(deep.join("leaf"), b"").expect("leaf");
    let found = t.glob("**/leaf", star);
    assert_eq!(found.len(), 1);
    assert!(found[0].ends_with("/d/leaf"));
}

#[test]
fn unreadable_directories_are_skipped() {
    use std::os::unix::fs::PermissionsExt;
    let t = tree("unreadable");
    let locked = t.0.join("dir");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).expect("chmod");
    let readable = fs::read_dir(&locked).is_ok();
    let found = t.glob("*/*", EXT);
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).expect("chmod back");
    if readable {
        eprintln!("running as root: permissions are not enforced, nothing to check");
    } else {
        assert_eq!(found, Vec::<String>::new());
    }
}

#[test]
fn missing_directories_and_odd_input_do_not_panic() {
    assert!(glob(b"/nonexistent-dir-xyz/*", |_| false, &EXT).is_empty());
    assert!(
        glob(b"*\0*", |_| false, &EXT).is_empty() || !glob(b"*\0*", |_| false, &EXT).is_empty()
    );
    let _ = glob(b"[", |_| false, &EXT);
    let _ = glob(b"/*[", |_| false, &EXT);
    let _ = glob(b"", |_| false, &EXT);
    let _ = glob(b"////", |_| false, &EXT);
    let _ = glob(b"*/", |_| false, &GlobOptions::default());
}
