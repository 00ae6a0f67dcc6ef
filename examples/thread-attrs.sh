# Lesson 8, "pthreads": the attributes the threads of a process share
# (PID, PPID, current directory, open files, signal dispositions...) and
# those each keeps (TID, stack, signal mask, errno). Three threads report
# them; one changes directory and opens a file, another blocks SIGUSR1.
#
#   minishell examples/thread-attrs.sh

echo "the directory the script runs in:"
pwd
echo
thread-attrs
echo
echo "the demo ran in a process of its own: the shell's directory is unchanged:"
pwd
