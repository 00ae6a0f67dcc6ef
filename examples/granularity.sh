# Lecture "Compute", Synchronization, "Critical Section - Granularity":
# what if all the code in increase_var is one critical section? Two
# threads increment var a million times each under one mutex, locking
# once per increment (fine) or once around the whole loop (coarse).
# Both count exactly; compare the times and when each thread held the lock.
#
#   minishell examples/granularity.sh

echo "1. fine_granularity: lock and unlock around every var++. The threads"
echo "   interleave, and every increment pays for a lock and an unlock:"
granularity fine
echo
echo "2. coarse_granularity: one lock around each thread's whole loop. Few"
echo "   lock operations, but the second thread waits for the first one's"
echo "   whole loop: the code runs almost sequentially:"
granularity coarse
