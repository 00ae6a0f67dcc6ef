# Lecture "exec" and the lab's mini-shell: execve replaces the program but
# keeps the process, and with it every open descriptor that is not marked
# close-on-exec. The demo opens files with and without O_CLOEXEC, execs
# itself, and lists /proc/self/fd from the new program.
#
#   minishell examples/exec-fds.sh

echo "1. before and after execve"
exec-fds
