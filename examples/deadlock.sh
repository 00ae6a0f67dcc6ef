# Lecture "Compute", Synchronization, "Deadlock": deadlock.py. Thread 1
# locks resource 1 and waits for resource 2; thread 2 locks resource 2
# and waits for resource 1: a circular dependency, and neither thread can
# ever go on: both sleep in the kernel, in futex(). The lecture's program
# hangs; here the main thread watches the two in /proc, names the cycle
# and where each is stuck, leaves them stuck 2 seconds (Ctrl-C shows them
# again) and exits with status 1. `deadlock --hold 30` keeps them longer,
# to look with ps -L from another terminal.
#
#   minishell examples/deadlock.sh

echo "1. deadlock.py: the two threads take the locks in opposite order:"
deadlock
echo "   exit status $?: the demo called it a deadlock instead of hanging"
echo
echo "2. The fix: one global lock order. Both threads take resource 1"
echo "   before resource 2, so whoever holds 1 can always get 2:"
deadlock --fix
echo "   exit status $?"
