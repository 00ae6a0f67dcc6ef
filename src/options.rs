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
    /// `set -o explain` (minishell's own): narrate each system call the
    /// shell makes (see `sys` and `narrate`).
    pub explain: bool,
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
    /// `shopt -s xpg_echo`: `echo` expands backslash escapes.
    pub xpg_echo: bool,
    /// `shopt -s inherit_errexit`: `$( )` keeps `set -e`.
    pub inherit_errexit: bool,
    /// `shopt -s shift_verbose`: `shift` past the end says so.
    pub shift_verbose: bool,
    /// `shopt -s sourcepath` (on): `source NAME` looks in PATH.
    pub sourcepath: bool,
    /// `shopt -s execfail`: a failed `exec` does not end a script.
    pub execfail: bool,
    /// `shopt -s localvar_inherit`: `local x` starts with the outer value.
    pub localvar_inherit: bool,
    /// `shopt -s globskipdots` (on): `.*` never matches `.` and `..`.
    pub globskipdots: bool,
    /// `shopt -s patsub_replacement` (on): `&` in `${x/p/r}` is the match.
    pub patsub_replacement: bool,
    /// `shopt -s extdebug`: bash's debugger support; here, the DEBUG,
    /// RETURN and ERR traps reach functions and subshells (as `set -T`
    /// and `set -E` make them).
    pub extdebug: bool,
    /// `set -o interactive-comments` (`shopt interactive_comments`): `#`
    /// starts a comment at the prompt too. minishell always reads them so;
    /// the option is kept for what `$SHELLOPTS` and `shopt` show.
    pub interactive_comments: bool,
    /// `set -o emacs` / `set -o vi`: the line editor's key bindings (an
    /// interactive shell starts in emacs mode).
    pub emacs: bool,
    pub vi: bool,
    /// bash's options that concern only its own line editor, history,
    /// mail or compatibility levels (see [`ACCEPTED_SHOPT`]).
    pub accepted: [bool; ACCEPTED_SHOPT.len()],
}

/// bash's `shopt` options that change nothing in minishell: they concern
/// bash's own history file, line editor, completion, mail checks or its
/// compatibility levels. `shopt` knows them (with bash's defaults) so that
/// scripts and rc files written for bash, which set them freely, still
/// run; `shopt` shows what they were set to.
pub const ACCEPTED_SHOPT: [(&str, bool); 38] = [
    ("assoc_expand_once", false),
    ("autocd", false),
    ("cdable_vars", false),
    ("cdspell", false),
    ("checkhash", false),
    ("checkjobs", false),
    ("checkwinsize", true),
    ("cmdhist", true),
    ("compat31", false),
    ("compat32", false),
    ("compat40", false),
    ("compat41", false),
    ("compat42", false),
    ("compat43", false),
    ("compat44", false),
    ("complete_fullquote", true),
    ("direxpand", false),
    ("dirspell", false),
    ("extquote", true),
    ("force_fignore", true),
    ("globasciiranges", true),
    ("gnu_errfmt", false),
    ("histappend", false),
    ("histreedit", false),
    ("histverify", false),
    ("hostcomplete", true),
    ("huponexit", false),
    ("lithist", false),
    ("localvar_unset", false),
    ("login_shell", false),
    ("mailwarn", false),
    ("no_empty_cmd_completion", false),
    ("noexpand_translation", false),
    ("progcomp", true),
    ("progcomp_alias", false),
    ("promptvars", true),
    ("restricted_shell", false),
    ("varredir_close", false),
];

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
            explain: false,
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
            xpg_echo: false,
            inherit_errexit: false,
            shift_verbose: false,
            sourcepath: true,
            execfail: false,
            localvar_inherit: false,
            globskipdots: true,
            patsub_replacement: true,
            extdebug: false,
            interactive_comments: true,
            emacs: false,
            vi: false,
            accepted: ACCEPTED_SHOPT.map(|(_, on)| on),
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
    (None, "emacs", |o| &mut o.emacs),
    (Some('e'), "errexit", |o| &mut o.errexit),
    (Some('E'), "errtrace", |o| &mut o.errtrace),
    (None, "explain", |o| &mut o.explain),
    (Some('T'), "functrace", |o| &mut o.functrace),
    (Some('h'), "hashall", |o| &mut o.hashall),
    (None, "interactive-comments", |o| {
        &mut o.interactive_comments
    }),
    (Some('m'), "monitor", |o| &mut o.monitor),
    (Some('C'), "noclobber", |o| &mut o.noclobber),
    (Some('n'), "noexec", |o| &mut o.noexec),
    (Some('f'), "noglob", |o| &mut o.noglob),
    (Some('b'), "notify", |o| &mut o.notify),
    (Some('u'), "nounset", |o| &mut o.nounset),
    (None, "pipefail", |o| &mut o.pipefail),
    (None, "posix", |o| &mut o.posix),
    (Some('v'), "verbose", |o| &mut o.verbose),
    (None, "vi", |o| &mut o.vi),
    (Some('x'), "xtrace", |o| &mut o.xtrace),
];

/// The options `shopt` knows, by name, sorted.
pub const SHOPT_OPTIONS: &[(&str, Field)] = &[
    ("dotglob", |o| &mut o.dotglob),
    ("execfail", |o| &mut o.execfail),
    ("expand_aliases", |o| &mut o.expand_aliases),
    ("extdebug", |o| &mut o.extdebug),
    ("extglob", |o| &mut o.extglob),
    ("failglob", |o| &mut o.failglob),
    ("globskipdots", |o| &mut o.globskipdots),
    ("globstar", |o| &mut o.globstar),
    ("inherit_errexit", |o| &mut o.inherit_errexit),
    ("interactive_comments", |o| &mut o.interactive_comments),
    ("lastpipe", |o| &mut o.lastpipe),
    ("localvar_inherit", |o| &mut o.localvar_inherit),
    ("nocaseglob", |o| &mut o.nocaseglob),
    ("nocasematch", |o| &mut o.nocasematch),
    ("nullglob", |o| &mut o.nullglob),
    ("patsub_replacement", |o| &mut o.patsub_replacement),
    ("shift_verbose", |o| &mut o.shift_verbose),
    ("sourcepath", |o| &mut o.sourcepath),
    ("xpg_echo", |o| &mut o.xpg_echo),
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
            true => {
                let mut all: Vec<(&'static str, bool)> = SHOPT_OPTIONS
                    .iter()
                    .map(|(name, field)| (*name, *field(&mut copy)))
                    .chain(
                        ACCEPTED_SHOPT
                            .iter()
                            .zip(self.accepted)
                            .map(|((name, _), on)| (*name, on)),
                    )
                    .collect();
                all.sort_by_key(|(name, _)| *name);
                all
            }
        }
    }

    /// Whether the DEBUG and RETURN traps reach functions and subshells.
    pub fn traces_functions(&self) -> bool {
        self.functrace || self.extdebug
    }

    /// Whether the ERR trap reaches functions and subshells.
    pub fn traces_errors(&self) -> bool {
        self.errtrace || self.extdebug
    }

    /// `$SHELLOPTS` (`shopt: false`) or `$BASHOPTS`: the names of the
    /// options that are on, joined with colons.
    pub fn names_on(&self, shopt: bool) -> String {
        let on: Vec<&str> = self
            .list(shopt)
            .into_iter()
            .filter(|(_, on)| *on)
            .map(|(name, _)| name)
            .collect();
        on.join(":")
    }

    /// Turns an option on or off by name; `false` if there is none. Of
    /// `emacs` and `vi`, turning one on turns the other off.
    pub fn set(&mut self, name: &str, on: bool) -> bool {
        let Some(field) = self.by_name(name) else {
            return false;
        };
        *field = on;
        if name == "explain" {
            // The narration's state is the process's (a forked child reads
            // it without the shell's structures).
            if let Err(e) = minishell_builtins::narrate::set(on) {
                eprintln!("minishell: {e}");
            }
        }
        if on && name == "emacs" {
            self.vi = false;
        } else if on && name == "vi" {
            self.emacs = false;
        }
        true
    }

    /// The field of the option named `name` (for `set -o` or `shopt`).
    pub fn by_name(&mut self, name: &str) -> Option<&mut bool> {
        if let Some((_, _, field)) = SET_OPTIONS.iter().find(|(_, n, _)| *n == name) {
            return Some(field(self));
        }
        if let Some((_, field)) = SHOPT_OPTIONS.iter().find(|(n, _)| *n == name) {
            return Some(field(self));
        }
        let index = ACCEPTED_SHOPT.iter().position(|(n, _)| *n == name)?;
        Some(&mut self.accepted[index])
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
