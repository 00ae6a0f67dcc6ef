# Lab "Memory Layout of Multithreaded Programs": every new thread gets a
# stack of its own, 8192 KB by default (`ulimit -s`), and the process's
# virtual size grows by that much. The lab creates threads one at a time
# and watches `pmap` in another console; thread-stacks reads the same
# list, /proc/self/maps, after each thread and shows what appeared.
#
#   minishell examples/thread-stacks.sh

echo "the default stack size, as the lab checks it:"
sh -c 'ulimit -s'
echo
thread-stacks -n 3
echo
echo "the same measurements for scripts, one JSON object; the stack sizes:"
thread-stacks -n 3 --json | grep -o '"stack_kib":[0-9]*'
