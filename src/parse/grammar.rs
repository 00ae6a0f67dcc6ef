//! The grammar of commands: one method per rule, lowest priority first,
//! each building its node of the tree (see the table in `mod.rs`).

use super::lexer::{self, AssignStart, Keyword, Operator};
use super::word::Mode;
use super::{PResult, Parser};
use crate::ast::*;

/// The builtins whose assignment-shaped arguments are assignments, as in
/// bash: `local x=$y` does not split `$y`.
const DECLARATIONS: &[&[u8]] = &[b"declare", b"typeset", b"local", b"export", b"readonly"];

impl Parser<'_> {
    /// A complete command: and-or lists up to the newline that ends them.
    pub(super) fn complete_command(&mut self) -> PResult<Option<List>> {
        self.blanks();
        match self.r.peek() {
            None => return Ok(None),
            Some(b'\n') => {
                self.newline()?;
                return Ok(Some(List::default()));
            }
            _ => {}
        }
        let mut items = Vec::new();
        loop {
            if self.at_list_end() {
                return Err(self.unexpected());
            }
            let and_or = self.and_or()?;
            let background = match self.peek_op() {
                Some(Operator::Semi) => {
                    self.r.advance(1);
                    false
                }
                Some(Operator::Amp) => {
                    self.r.advance(1);
                    true
                }
                Some(Operator::Newline) | None if self.at_line_end() => false,
                _ => return Err(self.unexpected()),
            };
            items.push(ListItem { and_or, background });
            self.blanks();
            match self.r.peek() {
                None => return Ok(Some(List { items })),
                Some(b'\n') => {
                    self.newline()?;
                    return Ok(Some(List { items }));
                }
                _ => {}
            }
        }
    }

    /// At a newline or the end of the input.
    fn at_line_end(&mut self) -> bool {
        self.blanks();
        matches!(self.r.peek(), None | Some(b'\n'))
    }

    /// Whether what follows ends a list: a word that closes a compound
    /// command, `)`, a `case` item's `;;`, or the end of the input.
    fn at_list_end(&mut self) -> bool {
        if let Some(k) = self.peek_keyword() {
            return matches!(
                k,
                Keyword::Then
                    | Keyword::Elif
                    | Keyword::Else
                    | Keyword::Fi
                    | Keyword::Do
                    | Keyword::Done
                    | Keyword::Esac
                    | Keyword::CloseBrace
            );
        }
        match self.peek_op() {
            Some(
                Operator::CloseParen
                | Operator::DoubleSemi
                | Operator::SemiAmp
                | Operator::DoubleSemiAmp,
            ) => true,
            _ => self.r.peek().is_none(),
        }
    }

    /// The list inside a compound command: and-or lists separated by `;`,
    /// `&` or newlines, up to the word that closes it (left for the caller).
    /// It may not be empty, as in bash (`if true; then fi` is an error).
    pub(super) fn compound_list(&mut self) -> PResult<List> {
        let list = self.maybe_empty_list()?;
        if list.items.is_empty() {
            return Err(self.unexpected());
        }
        Ok(list)
    }

    /// The same, possibly empty: a `case` item's list.
    fn maybe_empty_list(&mut self) -> PResult<List> {
        let mut items = Vec::new();
        loop {
            self.linebreak()?;
            if self.at_list_end() {
                return Ok(List { items });
            }
            let and_or = self.and_or()?;
            let background = match self.peek_op() {
                Some(Operator::Semi) => {
                    self.r.advance(1);
                    false
                }
                Some(Operator::Amp) => {
                    self.r.advance(1);
                    true
                }
                Some(Operator::Newline) => false,
                _ => {
                    items.push(ListItem {
                        and_or,
                        background: false,
                    });
                    return Ok(List { items });
                }
            };
            items.push(ListItem { and_or, background });
        }
    }

    /// Pipelines joined by `&&` and `||`.
    fn and_or(&mut self) -> PResult<AndOrList> {
        let first = self.pipeline()?;
        let mut rest = Vec::new();
        loop {
            let op = match self.peek_op() {
                Some(Operator::AndIf) => AndOr::And,
                Some(Operator::OrIf) => AndOr::Or,
                _ => return Ok(AndOrList { first, rest }),
            };
            self.r.advance(2);
            self.linebreak()?;
            rest.push((op, self.pipeline()?));
        }
    }

    /// `[!] [time [-p]] command | command …`; `a |& b` is `a 2>&1 | b`.
    fn pipeline(&mut self) -> PResult<Pipeline> {
        let mut negated = false;
        let mut timed = None;
        loop {
            match self.peek_keyword() {
                Some(Keyword::Bang) => {
                    self.r.advance(1);
                    negated = !negated;
                }
                Some(Keyword::Time) if timed.is_none() => {
                    self.r.advance(4);
                    self.blanks();
                    let rest = self.r.rest();
                    if rest.starts_with(b"-p") && rest.get(2).is_none_or(|&b| lexer::is_metachar(b))
                    {
                        self.r.advance(2);
                        timed = Some(Timed::Posix);
                    } else {
                        timed = Some(Timed::Bash);
                    }
                }
                _ => break,
            }
        }
        if timed.is_some() && self.at_command_end() {
            // `time` alone times nothing, as in bash.
            return Ok(Pipeline {
                negated,
                timed,
                commands: Vec::new(),
            });
        }
        let mut commands = vec![self.command()?];
        loop {
            let both = match self.peek_op() {
                Some(Operator::Pipe) => false,
                Some(Operator::PipeBoth) => true,
                _ => break,
            };
            self.r.advance(if both { 2 } else { 1 });
            if both {
                if let Some(last) = commands.last_mut() {
                    stderr_to_stdout(last);
                }
            }
            self.linebreak()?;
            commands.push(self.command()?);
        }
        Ok(Pipeline {
            negated,
            timed,
            commands,
        })
    }

    /// At something that cannot start a command: a separator, the end of
    /// the line or of the input.
    fn at_command_end(&mut self) -> bool {
        matches!(
            self.peek_op(),
            Some(Operator::Semi | Operator::Amp | Operator::Newline | Operator::CloseParen)
        ) || self.r.peek().is_none()
    }

    /// One stage of a pipeline.
    fn command(&mut self) -> PResult<Command> {
        self.enter()?;
        let command = self.command_inner();
        self.leave();
        command
    }

    fn command_inner(&mut self) -> PResult<Command> {
        self.blanks();
        self.alias_next = self.expand_aliases();
        let start = self.r.pos();
        if let Some(keyword) = self.peek_keyword() {
            return match keyword {
                Keyword::If
                | Keyword::While
                | Keyword::Until
                | Keyword::For
                | Keyword::Case
                | Keyword::Select
                | Keyword::OpenBrace
                | Keyword::OpenCond => Ok(Command::Compound(self.compound()?)),
                Keyword::Function => self.function_keyword(),
                Keyword::Coproc => Err(self.unsupported(start, "coprocesses (coproc) are")),
                _ => Err(self.unexpected()),
            };
        }
        match self.peek_op() {
            Some(Operator::OpenParen) => return Ok(Command::Compound(self.compound()?)),
            Some(_) => return Err(self.unexpected()),
            None if self.r.peek().is_none() => return Err(self.unexpected_end(None)),
            None => {}
        }
        if let Some(name) = self.function_name() {
            return self.function_body(name, false);
        }
        Ok(Command::Simple(self.simple_command()?))
    }

    /// A compound command and the redirections after it.
    fn compound(&mut self) -> PResult<Compound> {
        let line = self.r.line();
        self.open += 1;
        let kind = self.compound_kind()?;
        self.open -= 1;
        let end_line = self.r.line();
        let mut redirections = Vec::new();
        while let Some(redirection) = self.redirection()? {
            redirections.push(redirection);
        }
        Ok(Compound {
            kind,
            redirections,
            line,
            end_line,
        })
    }

    fn compound_kind(&mut self) -> PResult<CompoundKind> {
        if self.peek_op() == Some(Operator::OpenParen) {
            if self.r.peek_at(1) == Some(b'(') {
                if let Some(arith) = self.arith_command()? {
                    return Ok(CompoundKind::Arith(arith));
                }
            }
            self.r.advance(1);
            let list = self.compound_list()?;
            if !self.eat_close_paren() {
                return Err(self.unexpected());
            }
            return Ok(CompoundKind::Subshell(list));
        }
        let Some(keyword) = self.peek_keyword() else {
            return Err(self.unexpected());
        };
        self.r.advance(keyword.text().len());
        Ok(match keyword {
            Keyword::OpenBrace => {
                let list = self.compound_list()?;
                self.expect_keyword(Keyword::CloseBrace)?;
                CompoundKind::Group(list)
            }
            Keyword::If => CompoundKind::If(self.if_rest()?),
            Keyword::While | Keyword::Until => {
                let condition = self.compound_list()?;
                let body = self.do_group()?;
                CompoundKind::While(WhileLoop {
                    until: keyword == Keyword::Until,
                    condition,
                    body,
                })
            }
            Keyword::For => self.for_rest()?,
            Keyword::Select => CompoundKind::Select(self.for_in_rest()?),
            Keyword::Case => CompoundKind::Case(self.case_rest()?),
            Keyword::OpenCond => CompoundKind::Cond(self.cond_rest()?),
            _ => return Err(self.unexpected()),
        })
    }

    fn eat_close_paren(&mut self) -> bool {
        if self.peek_op() == Some(Operator::CloseParen) {
            self.r.advance(1);
            true
        } else {
            false
        }
    }

    /// After `if`: conditions and bodies up to `fi`.
    fn if_rest(&mut self) -> PResult<IfCommand> {
        let mut branches = Vec::new();
        let mut otherwise = None;
        loop {
            let condition = self.compound_list()?;
            self.expect_keyword(Keyword::Then)?;
            let body = self.compound_list()?;
            branches.push((condition, body));
            match self.peek_keyword() {
                Some(Keyword::Elif) => self.r.advance(4),
                Some(Keyword::Else) => {
                    self.r.advance(4);
                    otherwise = Some(self.compound_list()?);
                    self.expect_keyword(Keyword::Fi)?;
                    break;
                }
                Some(Keyword::Fi) => {
                    self.r.advance(2);
                    break;
                }
                _ => return Err(self.unexpected()),
            }
        }
        Ok(IfCommand {
            branches,
            otherwise,
        })
    }

    /// `do list done`, or bash's `{ list }` after a `for` or `select`.
    fn do_group(&mut self) -> PResult<List> {
        self.linebreak()?;
        if self.peek_keyword() == Some(Keyword::OpenBrace) {
            self.r.advance(1);
            let body = self.compound_list()?;
            self.expect_keyword(Keyword::CloseBrace)?;
            return Ok(body);
        }
        self.expect_keyword(Keyword::Do)?;
        let body = self.compound_list()?;
        self.expect_keyword(Keyword::Done)?;
        Ok(body)
    }

    /// After `for`: `NAME [in WORDS]; do …; done` or `(( …; …; … ))`.
    fn for_rest(&mut self) -> PResult<CompoundKind> {
        self.blanks();
        if self.r.rest().starts_with(b"((") {
            return Ok(CompoundKind::ArithFor(self.arith_for_rest()?));
        }
        Ok(CompoundKind::For(self.for_in_rest()?))
    }

    /// `NAME [in WORDS] (; | newline) do list done`.
    fn for_in_rest(&mut self) -> PResult<ForLoop> {
        self.blanks();
        // The name is a word; an invalid one (`for 1x in …`) is an error
        // when the loop runs, as in bash, not a syntax error.
        if self.r.peek().is_none_or(lexer::is_metachar) {
            return Err(self.unexpected());
        }
        let name_word = self.word(Mode::Plain)?;
        let name = name_word.to_string();
        // A newline may come before `in` or `do`; `;` only before `do`.
        self.linebreak()?;
        let mut words = None;
        if self.peek_keyword() == Some(Keyword::In) {
            self.r.advance(2);
            let mut list = Vec::new();
            loop {
                self.blanks();
                match self.r.peek() {
                    Some(b';') if self.peek_op() == Some(Operator::Semi) => {
                        self.r.advance(1);
                        break;
                    }
                    Some(b'\n') => break,
                    Some(b) if lexer::is_metachar(b) && !self.at_process_substitution() => {
                        return Err(self.unexpected());
                    }
                    None => return Err(self.unexpected_end(None)),
                    Some(_) => list.push(self.word(Mode::Normal)?),
                }
            }
            words = Some(list);
        } else if self.peek_op() == Some(Operator::Semi) {
            self.r.advance(1);
        }
        let body = self.do_group()?;
        Ok(ForLoop { name, words, body })
    }

    /// `(( init; condition; step )) [;] do list done`.
    fn arith_for_rest(&mut self) -> PResult<ArithForLoop> {
        self.r.advance(2);
        let init = self.arith_part(b';')?;
        let condition = self.arith_part(b';')?;
        let step = self.arith_part(b')')?;
        if self.r.peek() != Some(b')') {
            return Err(self.unexpected());
        }
        self.r.advance(1);
        if self.peek_op() == Some(Operator::Semi) {
            self.r.advance(1);
        }
        let body = self.do_group()?;
        Ok(ArithForLoop {
            init,
            condition,
            step,
            body,
        })
    }

    /// One of the three expressions of `for ((;;))`, up to `end`.
    fn arith_part(&mut self, end: u8) -> PResult<ArithSub> {
        let text = self.word_until(Mode::ArithFor(end))?;
        if self.r.peek() != Some(end) {
            return Err(self.unexpected());
        }
        self.r.advance(1);
        Ok(super::word::arith_sub(text, false))
    }

    /// `((` at a command's start: an arithmetic command, or (when no `))`
    /// closes it) two nested subshells, as bash decides. `None` for the
    /// latter, with the position unchanged.
    fn arith_command(&mut self) -> PResult<Option<ArithSub>> {
        if !self.closes_as_arithmetic(2) {
            return Ok(None);
        }
        let start = self.r.pos();
        self.r.advance(2);
        let text = match self.word_until(Mode::Arith) {
            Ok(text) => text,
            Err(_) => {
                self.r.rewind(start);
                return Ok(None);
            }
        };
        if self.r.peek() == Some(b')') && self.r.peek_at(1) == Some(b')') {
            self.r.advance(2);
            return Ok(Some(super::word::arith_sub(text, false)));
        }
        self.r.rewind(start);
        Ok(None)
    }

    /// After `case`: `WORD in [(]PATTERN[|PATTERN]) list ;; … esac`.
    fn case_rest(&mut self) -> PResult<CaseCommand> {
        self.blanks();
        if self.r.peek().is_none_or(lexer::is_metachar) {
            return Err(self.unexpected());
        }
        let word = self.word(Mode::Plain)?;
        self.linebreak()?;
        self.expect_keyword(Keyword::In)?;
        let mut items = Vec::new();
        loop {
            self.linebreak()?;
            if self.peek_keyword() == Some(Keyword::Esac) {
                self.r.advance(4);
                return Ok(CaseCommand { word, items });
            }
            if self.r.peek().is_none() {
                return Err(self.unexpected_end(None));
            }
            if self.peek_op() == Some(Operator::OpenParen) {
                self.r.advance(1);
            }
            let mut patterns = Vec::new();
            loop {
                self.blanks();
                if self.r.peek().is_none_or(lexer::is_metachar) {
                    return Err(self.unexpected());
                }
                patterns.push(self.word(Mode::Pattern)?);
                match self.peek_op() {
                    Some(Operator::Pipe) => self.r.advance(1),
                    Some(Operator::CloseParen) => {
                        self.r.advance(1);
                        break;
                    }
                    _ => return Err(self.unexpected()),
                }
            }
            let body = self.maybe_empty_list()?;
            let terminator = match self.peek_op() {
                Some(Operator::DoubleSemi) => CaseTerminator::Break,
                Some(Operator::SemiAmp) => CaseTerminator::FallThrough,
                Some(Operator::DoubleSemiAmp) => CaseTerminator::Continue,
                _ if self.peek_keyword() == Some(Keyword::Esac) => {
                    items.push(CaseItem {
                        patterns,
                        body,
                        terminator: CaseTerminator::Break,
                    });
                    continue;
                }
                _ => return Err(self.unexpected()),
            };
            self.r.advance(match terminator {
                CaseTerminator::Break | CaseTerminator::FallThrough => 2,
                CaseTerminator::Continue => 3,
            });
            items.push(CaseItem {
                patterns,
                body,
                terminator,
            });
        }
    }

    /// `NAME ()` at the position: a function definition's start. The name
    /// may hold more than a variable name's characters (`my-func`), as
    /// bash allows, but no quote or expansion.
    fn function_name(&mut self) -> Option<String> {
        let rest = self.r.rest();
        // bash takes nearly any unquoted word (`func-name=ext`, even
        // `$x-y`, refused when it runs); an assignment is an assignment.
        let len = rest
            .iter()
            .take_while(|&&b| !lexer::is_metachar(b) && !b"'\"\\`".contains(&b))
            .count();
        if len == 0 || lexer::keyword(rest).is_ok() || lexer::assignment_start(rest).is_ok() {
            return None;
        }
        let after = &rest[len..];
        let blanks = after.iter().take_while(|&&b| lexer::is_blank(b)).count();
        if blanks == 0 && rest[len - 1] == b'$' {
            // `$()` and `a$()`: a command substitution, not a name.
            return None;
        }
        let parens = lexer::empty_parens(&after[blanks..])?;
        let name = String::from_utf8_lossy(&rest[..len]).into_owned();
        self.r.advance(len + blanks + parens);
        Some(name)
    }

    /// `function NAME [()] compound-command`.
    fn function_keyword(&mut self) -> PResult<Command> {
        self.r.advance(8);
        self.blanks();
        let rest = self.r.rest();
        let len = rest
            .iter()
            .take_while(|&&b| !lexer::is_metachar(b) && !b"'\"\\$`".contains(&b))
            .count();
        if len == 0 {
            return Err(self.unexpected());
        }
        let name = String::from_utf8_lossy(&rest[..len]).into_owned();
        self.r.advance(len);
        self.blanks();
        if let Some(parens) = lexer::empty_parens(self.r.rest()) {
            self.r.advance(parens);
        }
        self.function_body(name, true)
    }

    /// The body of a function: a compound command, maybe on a later line.
    fn function_body(&mut self, name: String, keyword: bool) -> PResult<Command> {
        self.linebreak()?;
        let is_compound = matches!(
            self.peek_keyword(),
            Some(
                Keyword::If
                    | Keyword::While
                    | Keyword::Until
                    | Keyword::For
                    | Keyword::Case
                    | Keyword::Select
                    | Keyword::OpenBrace
                    | Keyword::OpenCond
            )
        ) || self.peek_op() == Some(Operator::OpenParen);
        if !is_compound {
            return Err(self.unexpected());
        }
        let body = self.compound()?;
        Ok(Command::Function(FunctionDef {
            name,
            body: std::rc::Rc::new(body),
            keyword,
        }))
    }

    /// Assignments, words and redirections, in any order after the first
    /// word (assignments only before it).
    fn simple_command(&mut self) -> PResult<SimpleCommand> {
        let mut command = SimpleCommand {
            line: self.r.line(),
            ..SimpleCommand::default()
        };
        let mut declaration = false;
        let command_start = self.r.pos();
        let mut alias_tried = None;
        loop {
            self.blanks();
            let Some(b) = self.r.peek() else { break };
            if let Some(redirection) = self.redirection()? {
                command.redirections.push(redirection);
                continue;
            }
            if lexer::is_metachar(b) && !self.at_process_substitution() {
                break;
            }
            if command.words.is_empty() || declaration {
                if let Some(assignment) = self.assignment()? {
                    match command.words.is_empty() {
                        true => command.assignments.push(assignment),
                        false => command.words.push(Argument::Assignment(assignment)),
                    }
                    continue;
                }
            }
            if self.alias_next.is_some_and(|end| self.r.pos() >= end) {
                // The alias before ended in a blank: this word may be one.
                self.alias_next = self.expand_aliases();
                continue;
            }
            let at = self.r.pos();
            if command.words.is_empty() && at != command_start && alias_tried != Some(at) {
                // The command's name after redirections or assignments
                // (`>log e_ 1`, `FOO=2 p_`) is still looked up as an alias.
                alias_tried = Some(at);
                self.alias_next = self.expand_aliases();
                continue;
            }
            // Only as the command's name: after `declare`, bash reads
            // `x[ 1]` as two words.
            let bracketed = match command.words.is_empty() {
                true => self.bracketed_name_word()?,
                false => None,
            };
            let word = match bracketed {
                Some(word) => word,
                None => self.word(Mode::Normal)?,
            };
            if command.words.is_empty() {
                declaration = word
                    .as_literal()
                    .is_some_and(|name| DECLARATIONS.contains(&name));
            }
            command.words.push(Argument::Word(word));
        }
        if command.assignments.is_empty()
            && command.words.is_empty()
            && command.redirections.is_empty()
        {
            return Err(self.unexpected());
        }
        Ok(command)
    }

    /// `[N]op word`, or `None` when no redirection operator starts here.
    pub(super) fn redirection(&mut self) -> PResult<Option<Redirection>> {
        self.blanks();
        let start = self.r.pos();
        if self.r.peek().is_none() {
            return Ok(None);
        }
        let fd_var = self.descriptor_variable();
        let Ok((after, (digits, op, strip_tabs))) = lexer::redirect_op(self.r.rest()) else {
            return Ok(None);
        };
        if fd_var.is_some() && digits.is_some() {
            self.r.rewind(start);
            return Ok(None);
        }
        // Digits too big for a descriptor are no descriptor: bash reads
        // them as a word of their own (`echo 2147483648>x` writes the
        // number to x), and the operator then starts the next word.
        let fd = match digits.map(lexer::descriptor) {
            Some(None) => {
                self.r.rewind(start);
                return Ok(None);
            }
            Some(Some(fd)) => Some(fd),
            None => None,
        };
        let consumed = self.r.rest().len() - after.len();
        if matches!(op, RedirOp::Read | RedirOp::Write) && after.first() == Some(&b'(') {
            // `<(list)`: a word (a process substitution), not `<` and `(`.
            self.r.rewind(start);
            return Ok(None);
        }
        self.r.advance(consumed);
        self.blanks();
        if self.r.peek().is_none() {
            // `cat >` at the end: bash names the missing word's place.
            let at = self.r.pos();
            return Err(self.error(
                at,
                super::SyntaxErrorKind::UnexpectedToken("newline".into()),
            ));
        }
        if self.r.peek().is_none_or(lexer::is_metachar) && !self.at_process_substitution() {
            return Err(self.unexpected());
        }
        if op == RedirOp::HereDoc {
            let delimiter = self.word(Mode::Plain)?;
            let doc = self.heredoc_operator(&delimiter, strip_tabs);
            return Ok(Some(Redirection {
                fd,
                fd_var,
                op,
                target: RedirTarget::HereDoc(doc),
            }));
        }
        let target = self.word(Mode::Normal)?;
        // `>&2` is `1>&2`: the descriptor written out, as it prints back.
        let fd = match op {
            RedirOp::DupOutput | RedirOp::DupInput if fd_var.is_none() => {
                Some(fd.unwrap_or(op.default_fd()))
            }
            _ => fd,
        };
        Ok(Some(Redirection {
            fd,
            fd_var,
            op,
            target: RedirTarget::Word(target),
        }))
    }

    /// `{name}` or `{name[i]}` right before a redirection operator (no
    /// blank between): bash then picks a descriptor of 10 or above and
    /// stores its number in the variable. Consumed only when an operator
    /// follows; otherwise `{…}` is an ordinary word.
    fn descriptor_variable(&mut self) -> Option<String> {
        let rest = self.r.rest();
        if rest.first() != Some(&b'{') {
            return None;
        }
        let (after, _) = lexer::name(&rest[1..]).ok()?;
        let mut end = rest.len() - after.len();
        if rest.get(end) == Some(&b'[') {
            let close = rest[end..].iter().position(|&b| b == b']')?;
            if rest[end..end + close].contains(&b'}') {
                return None;
            }
            end += close + 1;
        }
        if rest.get(end) != Some(&b'}') {
            return None;
        }
        let (_, (digits, _, _)) = lexer::redirect_op(&rest[end + 1..]).ok()?;
        if digits.is_some() {
            return None;
        }
        let name = String::from_utf8_lossy(&rest[1..end]).into_owned();
        self.r.advance(end + 1);
        Some(name)
    }

    /// `NAME=value`, `NAME+=value`, `NAME[i]=value`, `NAME=(…)`, or `None`
    /// (position unchanged) when the word here is not an assignment.
    fn assignment(&mut self) -> PResult<Option<Assignment>> {
        // bash joins continued lines before it reads a word, so
        // `a\<newline>b=1` is the assignment `ab=1`: line continuations
        // inside the name (and before its `=`) go first.
        let mut k = 0;
        loop {
            self.r.splice_continuations(k);
            match self.r.peek_at(k) {
                Some(b) if b.is_ascii_alphanumeric() || b == b'_' => k += 1,
                _ => break,
            }
        }
        let start = self.r.pos();
        let Ok((after, (name, kind))) = lexer::assignment_start(self.r.rest()) else {
            return Ok(None);
        };
        let name = String::from_utf8_lossy(name).into_owned();
        self.r.advance(self.r.rest().len() - after.len());
        let mut index = None;
        let mut append = kind == AssignStart::PlusEquals;
        if kind == AssignStart::Subscript {
            let subscript = self.word_until(Mode::Subscript)?;
            let rest = self.r.rest();
            if rest.starts_with(b"]=") {
                self.r.advance(2);
            } else if rest.starts_with(b"]+=") {
                self.r.advance(3);
                append = true;
            } else {
                self.r.rewind(start);
                return Ok(None);
            }
            index = Some(subscript);
        }
        let value = if self.r.peek() == Some(b'(') && index.is_none() {
            self.r.advance(1);
            AssignValue::Array(self.array_elements()?)
        } else {
            AssignValue::Scalar(self.word(Mode::Assignment)?)
        };
        Ok(Some(Assignment {
            name,
            index,
            append,
            value,
        }))
    }

    /// The elements of `a=( … )`, up to the `)`: words, or `[key]=word`.
    fn array_elements(&mut self) -> PResult<Vec<ArrayElement>> {
        let mut elements = Vec::new();
        loop {
            self.linebreak()?;
            match self.r.peek() {
                None => return Err(self.unexpected_end(Some(")"))),
                Some(b')') => {
                    self.r.advance(1);
                    return Ok(elements);
                }
                Some(b) if lexer::is_metachar(b) && !self.at_process_substitution() => {
                    return Err(self.unexpected());
                }
                Some(b'[') => {
                    let start = self.r.pos();
                    self.r.advance(1);
                    let key = self.word_until(Mode::Subscript)?;
                    if self.r.rest().starts_with(b"]=") {
                        self.r.advance(2);
                        let value = self.word(Mode::Assignment)?;
                        elements.push(ArrayElement {
                            key: Some(key),
                            value,
                        });
                    } else {
                        self.r.rewind(start);
                        let value = self.word(Mode::Normal)?;
                        elements.push(ArrayElement { key: None, value });
                    }
                }
                Some(_) => {
                    let value = self.word(Mode::Normal)?;
                    elements.push(ArrayElement { key: None, value });
                }
            }
        }
    }
}

/// `|&`: the command's standard error goes into the pipe too.
fn stderr_to_stdout(command: &mut Command) {
    let redirection = Redirection {
        fd: Some(2),
        fd_var: None,
        op: RedirOp::DupOutput,
        target: RedirTarget::Word(Word::literal("1")),
    };
    match command {
        Command::Simple(simple) => simple.redirections.push(redirection),
        Command::Compound(compound) => compound.redirections.push(redirection),
        Command::Function(_) => {}
    }
}
