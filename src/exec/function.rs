//! Shell functions: defining one stores its body; calling one runs the body
//! in the shell with the arguments as `$1…`, a scope for `local`
//! variables, and the caller's positional parameters put back afterwards.
//! `return` arrives as [`Flow::Return`] and ends here.

use std::rc::Rc;

use super::Flow;
use crate::ast::FunctionDef;
use crate::shell::Shell;

/// How deeply functions may call each other before the shell refuses, as
/// bash's `FUNCNEST` would: a runaway recursion gets an error, not a crash
/// of the shell's stack.
const MAX_NESTING: usize = 1000;

impl Shell {
    /// `name() { …; }`: stores the definition (its body is shared, not
    /// copied).
    pub(super) fn define_function(&mut self, def: &FunctionDef) {
        if def.name.contains('$') {
            // `$x-y() { …; }`: bash reads it, and refuses it now.
            self.lineno = def.body.line;
            self.report_error(&format!("`{}': not a valid identifier", def.name));
            self.status = 1;
            return;
        }
        self.functions
            .insert(def.name.clone(), Rc::new(def.clone()));
        let source = match (self.frames.last(), &self.script_source) {
            (Some(frame), _) if frame.function.is_none() => frame.source.clone(),
            (_, Some(script)) => script.clone(),
            _ => "main".to_owned(),
        };
        self.function_sources.insert(def.name.clone(), source);
        self.status = 0;
    }

    /// Calls a function with `argv` (its name first).
    pub(super) fn call_function(&mut self, def: &Rc<FunctionDef>, mut argv: Vec<Vec<u8>>) -> Flow {
        if self.function_depth >= MAX_NESTING {
            self.report_error(&format!(
                "{}: maximum function nesting level exceeded ({MAX_NESTING})",
                def.name
            ));
            self.status = 1;
            return Flow::Abandon;
        }
        argv.remove(0);
        let saved_args = std::mem::replace(&mut self.params.args, argv);
        let saved_loops = std::mem::replace(&mut self.loop_depth, 0);
        self.vars.push_scope();
        self.function_depth += 1;
        let source = self
            .function_sources
            .get(&def.name)
            .cloned()
            .unwrap_or_else(|| "main".to_owned());
        self.frames.push(crate::shell::Frame {
            function: Some(def.name.clone()),
            source,
            line: self.lineno,
        });
        let line = self.lineno;
        // `set -T` lets the DEBUG and RETURN traps into functions, `set -E`
        // the ERR trap; without them a function runs free of the caller's.
        let traced = self.options.traces_functions();
        let suppressed = (self.debug_suppressed, self.err_suppressed);
        self.debug_suppressed = !traced;
        self.err_suppressed = !self.options.traces_errors();
        let return_trap = self.traps.action(minishell_builtins::TRAP_RETURN).cloned();
        // A traced function starts with the DEBUG trap once more, as bash's
        // debugger support does, still naming the call.
        let entry = match traced {
            true => {
                let call = self.bash_command();
                self.run_debug_trap(|| call)
            }
            false => Flow::Normal,
        };
        let mut flow = match entry.is_normal() {
            true => self.run_compound(&def.body),
            false => entry,
        };
        // A RETURN trap the function set for itself runs too.
        if traced || self.traps.action(minishell_builtins::TRAP_RETURN) != return_trap.as_ref() {
            let status = self.status;
            let trap_flow = self.run_return_trap();
            if let Flow::Exit(_) = trap_flow {
                flow = trap_flow;
            }
            self.status = status;
        }
        (self.debug_suppressed, self.err_suppressed) = suppressed;
        self.lineno = line;
        self.frames.pop();
        self.function_depth -= 1;
        self.vars.pop_scope();
        self.loop_depth = saved_loops;
        self.params.args = saved_args;
        match flow {
            Flow::Return(status) => {
                self.status = status;
                Flow::Normal
            }
            // A `break` cannot leave the function: its loops are its own.
            Flow::Break(_) | Flow::Continue(_) => Flow::Normal,
            other => other,
        }
    }
}
