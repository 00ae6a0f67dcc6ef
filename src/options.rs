//! The shell's options: `set -e`, `set -o pipefail` and the rest, and the
//! `shopt` options that change how words expand (`extglob`, `nullglob`…).
//! Each is a named field; the tables below give their `set` letters and
//! names, so `$-`, `set -o` and `shopt` all read the same fields.

/// Every option, off by default as in bash (except `hashall` and `braceexpand`,
/// which bash starts with on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// `set -e`: exit when a command fails (outside conditions).
    pub errexit: bool,
    /// `set -u`: expanding an unset variable is an error.
    pub nounset: bool,
    /// `set -x`: print each command, expanded, before running it.
    pub xtrace: bool,
    /// `set -v`: print each line as it is read.
    pub verbose: bool,
    /// `set -f`: no pathname expansion.
    pub noglob: bool,
    /// `set -C`: `>` does not overwrite an existing file.
    pub noclobber: bool,
    /// `set -n`: read commands, run none.
    pub noexec: bool,
    /// `set -a`: every variable assigned is exported.
    pub allexport: bool,
    /// `set -b`: report finished jobs at once, not before the next prompt.
    pub notify: bool,
    /// `set -h`: remember where commands were found.
    pub hashall: bool,
    /// `set -B`: brace expansion.
    pub braceexpand: bool,
    /// `set -m`: job control.
    pub monitor: bool,
    /// `set -o pipefail`: a pipeline fails if any stage fails.
    pub pipefail: bool,
    /// `set -E`: the `ERR` trap also runs in functions and subshells.
    pub errtrace: bool,
    /// `set -T`: the `DEBUG` and `RETURN` traps also run in functions and
    /// subshells.
    pub functrace: bool,
    /// `set -o posix`.
    pub posix: bool,
    /// `shopt -s extglob`: `@(a|b)`, `!(x)`… in patterns.
    pub extglob: bool,
    /// `shopt -s nullglob`: a pattern matching nothing disappears.
    pub nullglob: bool,
    /// `shopt -s failglob`: a pattern matching nothing is an error.
    pub failglob: bool,
    /// `shopt -s dotglob`: `*` matches names starting with `.`.
    pub dotglob: bool,
    /// `shopt -s nocaseglob`: globbing ignores case.
    pub nocaseglob: bool,
    /// `shopt -s nocasematch`: `case` and `[[ == ]]` ignore case.
    pub nocasematch: bool,
    /// `shopt -s globstar`: `**` matches any depth of directories.
    pub globstar: bool,
    /// `shopt -s expand_aliases`: aliases are expanded (on at a prompt).
    pub expand_aliases: bool,
    /// `shopt -s lastpipe`: a pipeline's last command runs in the shell.
    pub lastpipe: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            errexit: false,
            nounset: false,
            xtrace: false,
            verbose: false,
            noglob: false,
            noclobber: false,
            noexec: false,
            allexport: false,
            notify: false,
            hashall: true,
            braceexpand: true,
            monitor: false,
            pipefail: false,
            errtrace: false,
            functrace: false,
            posix: false,
            extglob: false,
            nullglob: false,
            failglob: false,
            dotglob: false,
            nocaseglob: false,
            nocasematch: false,
            globstar: false,
            expand_aliases: false,
            lastpipe: false,
        }
    }
}

/// An option's field, by name.
type Field = fn(&mut Options) -> &mut bool;

/// The options `set` knows: letter (if any), `-o` name, field. In bash's
/// `set -o` listing order (alphabetical).
pub const SET_OPTIONS: &[(Option<char>, &str, Field)] = &[
    (Some('a'), "allexport", |o| &mut o.allexport),
    (Some('B'), "braceexpand", |o| &mut o.braceexpand),
    (Some('e'), "errexit", |o| &mut o.errexit),
    (Some('E'), "errtrace", |o| &mut o.errtrace),
    (Some('T'), "functrace", |o| &mut o.functrace),
    (Some('h'), "hashall", |o| &mut o.hashall),
    (Some('m'), "monitor", |o| &mut o.monitor),
    (Some('C'), "noclobber", |o| &mut o.noclobber),
    (Some('n'), "noexec", |o| &mut o.noexec),
    (Some('f'), "noglob", |o| &mut o.noglob),
    (Some('b'), "notify", |o| &mut o.notify),
    (Some('u'), "nounset", |o| &mut o.nounset),
    (None, "pipefail", |o| &mut o.pipefail),
    (None, "posix", |o| &mut o.posix),
    (Some('v'), "verbose", |o| &mut o.verbose),
    (Some('x'), "xtrace", |o| &mut o.xtrace),
];

/// The options `shopt` knows, by name, sorted.
pub const SHOPT_OPTIONS: &[(&str, Field)] = &[
    ("dotglob", |o| &mut o.dotglob),
    ("expand_aliases", |o| &mut o.expand_aliases),
    ("extglob", |o| &mut o.extglob),
    ("failglob", |o| &mut o.failglob),
    ("globstar", |o| &mut o.globstar),
    ("lastpipe", |o| &mut o.lastpipe),
    ("nocaseglob", |o| &mut o.nocaseglob),
    ("nocasematch", |o| &mut o.nocasematch),
    ("nullglob", |o| &mut o.nullglob),
];

impl Options {
    /// The letters of the options that are on, as `$-` shows them (bash's
    /// order: `himBH…`, then the rest).
    pub fn letters(&self) -> String {
        let mut copy = self.clone();
        let order = [
            'a', 'b', 'e', 'f', 'h', 'm', 'n', 'u', 'v', 'x', 'B', 'C', 'E', 'T',
        ];
        let mut letters = String::new();
        for letter in order {
            if let Some((_, _, field)) = SET_OPTIONS.iter().find(|(l, _, _)| *l == Some(letter)) {
                if *field(&mut copy) {
                    letters.push(letter);
                }
            }
        }
        letters
    }

    /// The field of the option `set` names with `letter`.
    pub fn by_letter(&mut self, letter: char) -> Option<&mut bool> {
        let (_, _, field) = SET_OPTIONS.iter().find(|(l, _, _)| *l == Some(letter))?;
        Some(field(self))
    }

    /// `set -o`'s options (or `shopt`'s) and whether each is on.
    pub fn list(&self, shopt: bool) -> Vec<(&'static str, bool)> {
        let mut copy = self.clone();
        match shopt {
            false => SET_OPTIONS
                .iter()
                .map(|(_, name, field)| (*name, *field(&mut copy)))
                .collect(),
            true => SHOPT_OPTIONS
                .iter()
                .map(|(name, field)| (*name, *field(&mut copy)))
                .collect(),
        }
    }

    /// The field of the option named `name` (for `set -o` or `shopt`).
    pub fn by_name(&mut self, name: &str) -> Option<&mut bool> {
        if let Some((_, _, field)) = SET_OPTIONS.iter().find(|(_, n, _)| *n == name) {
            return Some(field(self));
        }
        let (_, field) = SHOPT_OPTIONS.iter().find(|(n, _)| *n == name)?;
        Some(field(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_follow_the_fields() {
        let mut options = Options::default();
        assert_eq!(options.letters(), "hB");
        *options.by_letter('e').unwrap() = true;
        *options.by_name("xtrace").unwrap() = true;
        assert_eq!(options.letters(), "ehxB");
        assert!(options.by_name("nosuch").is_none());
    }

    #[test]
    fn tables_are_sorted_by_name() {
        for pair in SET_OPTIONS.windows(2) {
            assert!(pair[0].1 < pair[1].1);
        }
        for pair in SHOPT_OPTIONS.windows(2) {
            assert!(pair[0].0 < pair[1].0);
        }
    }
}
