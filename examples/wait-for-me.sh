# Lab "Wait for Me": a child writes a message into a file and the parent
# reads it. Without waiting, the parent reads too early and the file is not
# there yet (the lab's FileNotFoundError); waiting for the child is the
# simplest synchronization. The child takes 100 ms before writing, standing
# in for the time a real process needs to start.
#
#   minishell examples/wait-for-me.sh [FILE]

file=${1}
test -n "$file" || file=wait-for-me.txt

echo "1. the lab's program: the parent reads without waiting"
wait-for-me --no-wait $file || echo "   -> wait-for-me failed with status $?"
echo
echo "2. the fix: the parent waits for its child (waitpid), then reads"
wait-for-me $file
rm -f $file
