# Lecture "Compute", "Thread-safety and Reentrancy" (`thread_local int
# tmp`) and the lab's CLONE_SETTLS: a thread-local variable has one copy
# per thread. The race-condition counter made thread-local needs no
# synchronization, because nothing is shared any more.
#
#   minishell examples/tls.sh

echo "1. The counter shared by two threads, unsynchronized: updates are lost:"
race-condition --quiet
echo
echo "2. The same counter as a thread_local: each thread counts in a copy of"
echo "   its own, at its own address, and ends with exactly 1000000. The main"
echo "   thread's copy was never touched:"
tls
echo
echo "3. Four threads: four copies at four addresses, plus main's:"
tls -n 4 --iterations 500000 --quiet
