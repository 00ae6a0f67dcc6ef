# Lab "Array Sum in Python" and race_condition.py: under CPython's global
# interpreter lock two threads run `var += 1` and `var -= 1` and, says the
# lab, var always ends at 0. The demo runs the three bytecodes of each line
# (LOAD, ADD, STORE) on real threads: without a lock the updates collide;
# with the lock held for each whole line var is always 0; with the lock
# handed over between bytecodes, as CPython does every so often, a hand-over
# between a LOAD and its STORE still loses updates.
#
#   minishell examples/gil.sh

echo "1. the three side by side"
gil
echo
echo "2. handing the lock over every 3 bytecodes falls between lines only:"
gil --variant bytecode --switch-every 3 --quiet
