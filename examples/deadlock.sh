# Lecture "Compute", Synchronization, "Deadlock": deadlock.py. Thread 1
# locks resource 1 and waits for resource 2; thread 2 locks resource 2
# and waits for resource 1: a circular dependency, and neither thread can
# ever go on. The lecture's program hangs; the demo waits 2 seconds for
# each lock, then names the cycle and exits with status 1.
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
