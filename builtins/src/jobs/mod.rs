//! The job builtins (`jobs`, `fg`, `bg`, `kill`, `wait`) and what they
//! share with the shell: how a job is shown, and how `%N` names one.

pub mod fg;
pub mod kill;
pub mod list;
pub mod wait;

use nix::sys::signal::Signal;

use crate::context::{Context, JobState, JobSummary};

/// One job as bash shows it, in `jobs` and in the shell's notices:
/// `[1]+  Running                 sleep 100 &`. With `with_pids` (`jobs
/// -l`) each process gets its own line with its PID.
pub fn job_line(job: &JobSummary, with_pids: bool) -> String {
    let and = if job.state == JobState::Running {
        " &"
    } else {
        ""
    };
    if !with_pids || job.pids.is_empty() {
        let state = &job.state_text;
        return format!(
            "[{}]{}  {state:<24}{}{and}",
            job.id,
            job.mark,
            job.command()
        );
    }
    let mut text = String::new();
    for (i, (pid, command)) in job.pids.iter().zip(&job.commands).enumerate() {
        let last = i + 1 == job.pids.len();
        let and = if last { and } else { "" };
        if i == 0 {
            let state = &job.state_text;
            text.push_str(&format!(
                "[{}]{} {pid:>5} {state:<24}{command}{and}",
                job.id, job.mark
            ));
        } else {
            text.push_str(&format!("\n     {pid:>5}{:<23}| {command}{and}", ""));
        }
    }
    text
}

/// Sends `signal` (`None`: only check it could be sent) to a job: to its
/// process group when it has one (job control), else to each process.
/// A PID that is not positive is never signalled: `kill(0)` and `kill(-1)`
/// would reach the shell's own group, or every process.
/// `kill` is the call that sends it (the shell's system-call layer, so
/// explain mode sees it).
pub fn signal_job(
    pgid: Option<i32>,
    pids: &[i32],
    signal: impl Into<Option<Signal>> + Copy,
    kill: &mut dyn FnMut(i32, Option<Signal>) -> nix::Result<()>,
) -> nix::Result<()> {
    match pgid {
        Some(pgid) if pgid > 0 => kill(-pgid, signal.into()),
        _ => pids
            .iter()
            .filter(|&&pid| pid > 0)
            .try_for_each(|&pid| kill(pid, signal.into())),
    }
}

/// The job a `%` spec names, as bash reads them: `%N` (number), `%%`,
/// `%+` or `%` (current), `%-` (previous), `%text` (the command starts
/// with text), `%?text` (the command contains text). Errors in bash's
/// words.
pub fn find_job(spec: &str, jobs: &[JobSummary]) -> Result<usize, String> {
    let Some(body) = spec.strip_prefix('%') else {
        return Err(format!("{spec}: no such job"));
    };
    let by_mark = |mark: char, what: &str| {
        jobs.iter()
            .find(|j| j.mark == mark)
            .map(|j| j.id)
            .ok_or_else(|| format!("{what}: no such job"))
    };
    match body {
        "" | "%" | "+" => by_mark('+', "current"),
        "-" => by_mark('-', "previous"),
        _ if body.bytes().all(|b| b.is_ascii_digit()) => {
            let id: usize = body.parse().map_err(|_| format!("{spec}: no such job"))?;
            jobs.iter()
                .find(|j| j.id == id)
                .map(|j| j.id)
                .ok_or_else(|| format!("{spec}: no such job"))
        }
        _ => {
            let matches: Vec<usize> = match body.strip_prefix('?') {
                Some(text) => jobs
                    .iter()
                    .filter(|j| j.command().contains(text))
                    .map(|j| j.id)
                    .collect(),
                None => jobs
                    .iter()
                    .filter(|j| j.command().starts_with(body))
                    .map(|j| j.id)
                    .collect(),
            };
            match matches.as_slice() {
                [id] => Ok(*id),
                [] => Err(format!("{spec}: no such job")),
                _ => Err(format!("{spec}: ambiguous job spec")),
            }
        }
    }
}

/// The job an argument names, or the current job when there is none:
/// what `fg` and `bg` take.
pub(crate) fn job_or_current(ctx: &mut dyn Context, spec: Option<&str>) -> Result<usize, String> {
    let jobs = ctx.jobs();
    find_job(spec.unwrap_or("%+"), &jobs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(id: usize, mark: char, commands: &[&str], state: JobState) -> JobSummary {
        JobSummary {
            id,
            mark,
            pids: (0..commands.len() as i32)
                .map(|p| 100 * id as i32 + p)
                .collect(),
            pgid: None,
            state,
            state_text: match state {
                JobState::Running => "Running".into(),
                JobState::Stopped => "Stopped".into(),
                JobState::Done => "Done".into(),
            },
            commands: commands.iter().map(|c| c.to_string()).collect(),
        }
    }

    #[test]
    fn lines_look_like_bashs() {
        let running = job(1, ' ', &["sleep 100"], JobState::Running);
        assert_eq!(
            job_line(&running, false),
            "[1]   Running                 sleep 100 &"
        );
        let stopped = job(3, '+', &["sleep 300"], JobState::Stopped);
        assert_eq!(
            job_line(&stopped, false),
            "[3]+  Stopped                 sleep 300"
        );
        let pipe = job(2, '-', &["sleep 101", "cat"], JobState::Running);
        assert_eq!(
            job_line(&pipe, true),
            "[2]-   200 Running                 sleep 101\n       201                       | cat &"
        );
    }

    #[test]
    fn specs_name_jobs_as_in_bash() {
        let jobs = [
            job(1, ' ', &["sleep 100"], JobState::Running),
            job(2, '-', &["sleep 101", "cat"], JobState::Running),
            job(3, '+', &["vim notes"], JobState::Stopped),
        ];
        assert_eq!(find_job("%1", &jobs), Ok(1));
        assert_eq!(find_job("%%", &jobs), Ok(3));
        assert_eq!(find_job("%+", &jobs), Ok(3));
        assert_eq!(find_job("%-", &jobs), Ok(2));
        assert_eq!(find_job("%vim", &jobs), Ok(3));
        assert_eq!(find_job("%?cat", &jobs), Ok(2));
        assert_eq!(
            find_job("%sleep", &jobs),
            Err("%sleep: ambiguous job spec".into())
        );
        assert_eq!(find_job("%9", &jobs), Err("%9: no such job".into()));
        assert_eq!(
            find_job("%-", &jobs[..1]),
            Err("previous: no such job".into())
        );
    }
}
