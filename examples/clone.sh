# Guide "Threads and Processes: clone": fork and pthread_create both end in
# the clone system call; the flags decide what the new task shares. Here a
# task made with clone writes a variable: without CLONE_VM it writes its
# own copy (a process), with CLONE_VM the parent's memory (as a thread).
#
#   minishell examples/clone.sh

echo "1. clone without CLONE_VM: a new process, as fork makes"
clone
echo
echo "2. clone with CLONE_VM: the child's write lands in the parent's memory"
clone --share-vm --quiet
echo
echo "3. what strace sees: the shell forking the demo, then the demo's clone"
strace -f -qq -e trace=clone,clone3 -e signal=none -o trace.txt /proc/$$/exe -c 'clone --share-vm --quiet' > /dev/null
grep -o 'clone.*' trace.txt
rm -f trace.txt
