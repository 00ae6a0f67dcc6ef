//! `true` and `false`: a status and nothing else, for conditions and loops.

use std::ffi::OsString;

use crate::builtin::{Builtin, Group, Place};
use crate::context::{Context, Status};

/// `:`, the null command: like `true`, kept for scripts (`: > file`
/// truncates a file, `while :` loops forever).
pub static COLON: Builtin = Builtin {
    name: ":",
    summary: "do nothing, successfully (status 0)",
    help: ":\n    Do nothing and succeed; its arguments are expanded and ignored.\n",
    place: Place::Anywhere,
    group: Group::Shell,
    help_option: false,
    run: succeed,
};

pub static TRUE: Builtin = Builtin {
    name: "true",
    summary: "do nothing, successfully (status 0)",
    help: "true\n    Return a successful status (0). Arguments are ignored.\n",
    place: Place::Anywhere,
    group: Group::Shell,
    help_option: false,
    run: succeed,
};

pub static FALSE: Builtin = Builtin {
    name: "false",
    summary: "do nothing, unsuccessfully (status 1)",
    help: "false\n    Return an unsuccessful status (1). Arguments are ignored.\n",
    place: Place::Anywhere,
    group: Group::Shell,
    help_option: false,
    run: fail,
};

fn succeed(_args: &[OsString], _ctx: &mut dyn Context) -> Status {
    0
}

fn fail(_args: &[OsString], _ctx: &mut dyn Context) -> Status {
    1
}
