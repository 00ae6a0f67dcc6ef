# Lab "Wait for Me": a child writes a message into a file and the parent
# reads it. Without waiting, the parent reads too early and the file is not
# there yet; waiting for the child is the simplest synchronization.
#
#   minishell examples/wait-for-me.sh [FILE]

file=${1}
test -n "$file" || file=wait-for-me.txt
rm -f $file

echo "1. start the writer in the background and read at once:"
sh -c 'sleep 0.3; echo "written by child" > "$0"' $file &
writer=$!
cat $file || echo "   -> the read failed: the child (PID $writer) had not written yet"

echo "2. wait for the writer, then read:"
wait $writer
echo "   writer $writer finished with status $?"
cat $file
rm -f $file
