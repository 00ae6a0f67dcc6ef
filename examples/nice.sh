# Lecture "Scheduling - nice": a lower nice value is a higher priority.
# Under CFS a process's share of a busy CPU follows its weight (1024 at
# nice 0, about 1.25 times less per step). Two processes that only compute
# share one CPU; /proc says what each got. The demo's name is a program's
# too (/usr/bin/nice), and a program on PATH wins: hence `lab nice`.
#
#   minishell examples/nice.sh

echo "1. nice 0 against nice 5"
lab nice
echo
echo "2. nice 0 against nice 19: the weights 1024 and 15"
lab nice --nice 19 --quiet
echo
echo "3. the program of that name is still there:"
type nice
