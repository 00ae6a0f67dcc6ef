# Lecture "Thread Implementations": user-level threads are cheap, but a
# blocking call stalls the whole process, since the kernel sees one thread;
# with kernel threads only the caller blocks. Thread A reads a pipe that
# fills in 300 ms while B and C step; the steps stop, or do not.
#
#   minishell examples/user-threads.sh

echo "1. user-level threads on one kernel thread, then kernel threads"
user-threads
