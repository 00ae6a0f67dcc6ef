# Lecture "Compute", Thread-safety and Reentrancy: a thread-safe function
# may run in several threads at once; a reentrant one may be interrupted
# and called again on the same thread (by a signal handler, say). The
# lecture's four add2 functions, each run by 4 threads at once and by one
# thread that a signal handler interrupts to call add2 itself:
#
#   minishell examples/reentrancy.sh

echo "1. wrong results, out of all calls, in each setting:"
reentrancy
echo
echo "2. the same with the /* Preempt here */ window closed (--window 0):"
echo "   the bugs are still there, only harder to hit in a short run"
reentrancy --window 0 --quiet
