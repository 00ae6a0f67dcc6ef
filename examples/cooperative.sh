# Lecture "Cooperative Scheduler - Demo" (Unikraft's ukschedcoop): two
# threads of three steps each on a scheduler that never preempts. Here the
# scheduler is a user-level run queue in one process; no OS thread is made.
#
#   minishell examples/cooperative.sh

echo "1. ./do.sh run_nocoop: no thread calls uk_sched_yield, so Thread 1"
echo "   runs until finished before Thread 2 even starts."
cooperative
echo
echo "2. ./do.sh run_coop: each thread yields after every step; the"
echo "   scheduler puts it at the back of the run queue and resumes the other."
cooperative --yield
echo
echo "3. The run queue takes any number of tasks: three, yielding, take turns"
echo "   in queue order."
cooperative --yield --tasks 3 --steps 2 --quiet
