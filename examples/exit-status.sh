# Lab "Create Process" and the waitpid() status: a child's exit code
# travels to its parent through waitpid(), decoded with WIFEXITED and
# WEXITSTATUS; a child killed by a signal is WIFSIGNALED, and the shell
# reports it as 128 + the signal number.
#
#   minishell examples/exit-status.sh

echo "a child that exits with 22:"
sh -c 'echo "  [child] PID = $$"; exit 22'
echo "  [parent] child exited with code $?"

echo "a child killed by SIGSEGV (11):"
sh -c 'kill -SEGV $$'
echo "  [parent] status $? = 128 + 11"

echo "a child killed by SIGKILL (9):"
sh -c 'kill -KILL $$'
echo "  [parent] status $? = 128 + 9"

echo "a command that does not exist:"
no-such-program-here
echo "  [parent] status $? (127: not found)"

echo "and the shell itself is still here, status of true is:"
true
echo "  $?"
