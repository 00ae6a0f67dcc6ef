# Lecture "Compute", Barrier: the code before the barrier is run by all
# threads before any of them runs the code after it. Three threads say
# "Before barrier" and "After barrier"; each line takes a number from one
# shared counter when it is said, and the lines are printed in that order.
#
#   minishell examples/barrier.sh

echo "1. python3 barrier.py: no barrier, each thread says both lines at once"
barrier --quiet
echo
echo "2. python3 barrier.py --use-barrier: every Before comes first, and the"
echo "   threads leave the barrier in an order of the scheduler's choosing:"
barrier --use-barrier
echo
echo "3. twenty rounds each way (B1 is thread-1's Before, A1 its After):"
barrier --rounds 20 --quiet | tail -n 3
barrier --rounds 20 --use-barrier --quiet | tail -n 3
