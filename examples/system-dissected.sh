# Guide "system Dissected": what a shell does to run one command. strace
# shows the shell cloning itself (fork), the child calling execve, and the
# parent waiting (wait4). Here the shell traced is minishell itself,
# /proc/$$/exe, running `sleep 0.1; true` (a last command alone would be
# exec'd in place of the shell, with no fork at all, as bash and dash do).
#
#   minishell examples/system-dissected.sh

# (`; :` keeps sleep from being the line's last command, which the shell
# would exec in its own place, without a child, as bash and dash do.)
echo "system calls of: minishell -c 'sleep 0.1; :'"
strace -f -qq -e trace=clone,clone3,fork,vfork,execve,wait4 -o trace.txt /proc/$$/exe -c 'sleep 0.1; :'
cut -d ' ' -f 2- trace.txt | cut -c 1-100
rm -f trace.txt
echo
echo "call order: parent fork (clone), child execve, parent wait4 -- like system()"
