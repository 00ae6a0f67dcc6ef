# The lab looks at processes with ps: `ps -e -H -o pid,ppid,cmd` for the
# tree (who is whose parent), `ps -L` for the threads. ptree reads the
# same files in /proc, and starts at the shell unless given a PID.
#
#   minishell examples/ptree.sh

sleep 3 &
sleep 3 | cat &
# Give the new children a moment to exec `sleep`; a forked child is a copy
# of the shell until then, and ptree would list it under the shell's name.
sleep 0.5
echo "1. the shell (PID $$) and what it started: a sleep, a pipeline, and ptree"
ptree
echo
echo "2. with -T, one line per thread; a single-threaded process has one, LWP = PID"
ptree -T --quiet
echo
echo "3. an orphan: sleepy starts a sleep and exits; under PID 1 the sleep"
echo "   is listed with its adopter as PPID"
sleepy -n 1 --seconds 4 --quiet
ptree 1 --quiet | grep 'sleep 4$'
kill %1 %2
wait
