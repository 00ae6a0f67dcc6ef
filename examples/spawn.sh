# Lab "Guide: system Dissected" and the lecture's "system vs posix_spawn
# vs fork+exec": one command run each way. For one call of each method,
# spawn traces (with ptrace, as strace -f does) the processes the call
# creates: their PIDs, who called execve with what, how each ended. Then
# it times more calls, each from the call to the child reaped.
#
#   minishell examples/spawn.sh

echo "== system(): the child execs /bin/sh -c, and sh runs the command"
spawn --method system --runs 5 --quiet sleep 0.01
echo
echo "== fork, then execvp of a bare name: it tries each PATH entry in turn"
PATH=/no/such/dir:/usr/bin:/bin spawn --method fork-exec --runs 5 --quiet true
echo
echo "== posix_spawn: glibc clones with CLONE_VM|CLONE_VFORK, the child execs"
spawn --method posix-spawn --runs 5 --quiet /bin/true
echo
echo "== all four, timed with the demo small, then holding 128 MiB more"
spawn --method all --runs 10 --large-ballast 128 /bin/true
