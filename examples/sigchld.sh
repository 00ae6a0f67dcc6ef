# Notes "Process and thread", on SIGCHLD: a parent learns of its children's
# ends from the SIGCHLD signal, and a handler that loops on
# waitpid(-1, WNOHANG) reaps them without blocking the parent's work. Two
# exits close together raise one signal (signals of a kind do not queue),
# which the loop covers. Against it: a parent that never waits leaves
# zombies, and one that blocks in waitpid does nothing else meanwhile.
#
#   minishell examples/sigchld.sh

echo "1. five children exit together; the handler reaps while the parent works"
sigchld --parent handler
echo
echo "2. the same children, a parent that never waits: zombies"
sigchld --parent never --quiet
echo
echo "3. and a parent that blocks in waitpid: no work done meanwhile"
sigchld --parent block --quiet
