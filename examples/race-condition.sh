# Lecture "Compute", Synchronization: race_condition.c and its three
# fixes. Two threads each increment one shared var ten million times.
# var++ is a load and a store, and without synchronization a thread can
# store between the other's load and store, erasing its increment. An
# atomic, a spinlock or a mutex makes the count exact, each at its cost.
#
#   minishell examples/race-condition.sh

echo "1. race_condition: var++ with no synchronization. Expected 20000000:"
race-condition --quiet
echo
echo "2. The same again: how many increments are lost depends on how the"
echo "   two threads happened to interleave this time:"
race-condition --quiet
echo
echo "3. The lecture's overhead slide: race_condition, race_condition_atomic,"
echo "   race_condition_spinlock and race_condition_mutex side by side, a"
echo "   million increments each:"
race-condition --sync all --iterations 1000000
echo
echo "4. Four threads, the same 2000000 increments in all: more threads"
echo "   contend for the one var (and there are only so many cores):"
race-condition --sync all -n 4 --iterations 500000 --quiet
