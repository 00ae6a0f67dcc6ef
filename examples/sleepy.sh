# Lab "Sleepy Creator": a parent starts several `sleep` processes. While it
# waits for them they are its children (their PPID is its PID); the
# listing below comes from /proc, where ps reads it too. (The children
# file ends without a newline, hence the bare `echo` after each cat.)
#
#   minishell examples/sleepy.sh

sleep 2 & sleep 2 & sleep 2 &
echo "the shell (PID $$) started three sleeps; the last is PID $!"
echo "its children, from /proc/$$/task/$$/children (the last is cat, reading it):"
cat /proc/$$/task/$$/children
echo
echo "each sleep's PPID, from /proc/PID/stat (field 4):"
cut -d ' ' -f 1,2,4 /proc/$!/stat
wait
echo "after wait, no children are left:"
cat /proc/$$/task/$$/children
echo
echo "(the only child listed is cat itself)"
