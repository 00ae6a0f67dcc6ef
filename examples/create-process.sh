# Lab "Create Process": fork a child, let it exit with a code, and decode
# that code in the parent with WIFEXITED and WEXITSTATUS.
#
#   minishell examples/create-process.sh

echo "1. The support code: the child exits, the parent waits and decodes."
create-process --quiet
echo
echo "2. Practice: change the child's return value to 3."
create-process --exit-code 3 --quiet
echo
echo "3. Practice: the child creates a child of its own. Check the PPIDs:"
echo "   the grandchild's PPID is the child's PID, whose PPID is the parent's."
create-process --grandchild
