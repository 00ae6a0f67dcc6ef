# Lab questions answered by the shell itself: explain mode narrates every
# system call minishell makes (fork or clone, pipe2, dup2, execve, waitpid
# with its status bits decoded), with its real arguments and results, in
# the process that makes it. Here each question runs in a fresh minishell
# (this very binary, /proc/$$/exe) whose narration goes to a file.
#
#   minishell examples/explain.sh
#
# At a prompt, the same is `explain 'ls | wc -l'`, or `set -o explain`.

self=/proc/$$/exe
# The narration without the PIDs, which change from run to run.
plain() {
  sed -e 's/^\[explain [0-9]*\] //' -e 's/^\(clone(.*) = \)[0-9]*/\1PID/' \
    -e 's/^\(waitpid(.*) = \)[0-9]*,/\1PID,/' -e 's/(pid [0-9]*)/(pid PID)/'
}

echo "1. What does 'ls / | wc -l' cost?"
$self --explain-to cost.txt -c 'ls / | wc -l' > /dev/null
echo "  pipes made by the shell: $(grep -c '] pipe2(' cost.txt)"
echo "  processes started:       $(grep -c '] clone(\|] fork()' cost.txt)"
echo "  programs run (execve):   $(grep -c '] execve(' cost.txt)"
echo "  waits for a child:       $(grep -c '] waitpid(' cost.txt)"
echo "  the calls, in order (PIDs left out):"
grep '] pipe2(\|] clone(\|] fork()\|] dup2(\|] close(\|] execve(\|] waitpid(' cost.txt | plain | sed 's/^/    /'

echo
echo "2. Which descriptors does '> out 2>&1' move, and in which order?"
$self --explain-to order.txt -c 'ls /nonexistent > out 2>&1'
grep '] open(\|] fcntl(\|] dup2(' order.txt | plain | sed 's/^/    /'
echo "  the shell opens out (3) before forking; the child makes 1 and then 2"
echo "  what 3 is: both land in out. Now the other order, '2>&1 > out':"
$self --explain-to order2.txt -c 'ls /nonexistent 2>&1 > out'
grep '] open(\|] fcntl(\|] dup2(' order2.txt | plain | sed 's/^/    /'
echo "  2 is made what 1 was before 1 moved (a copy kept above them): the"
echo "  error still goes where stdout went, not into out."

echo
echo "3. Why is cd a builtin?"
$self --explain-to cd.txt -c 'cd /tmp'
# (`; :` again, or the shell would exec /bin/pwd in its own place.)
$self --explain-to pwd.txt -c '/bin/pwd > /dev/null; :'
grep '] cd: \|] chdir(' cd.txt | plain | sed 's/^/    /'
echo "  processes for cd: $(grep -c '] clone(\|] fork()' cd.txt); for /bin/pwd: $(grep -c '] clone(\|] fork()' pwd.txt)"

echo
echo "4. What does waitpid report?"
# (The `:` at the end keeps sh from being the line's last command, which
# the shell would exec in its own place, with nothing left to wait for.)
$self --explain-to wait.txt -c "/bin/false; sh -c 'kill -SEGV \$\$'; :" 2> /dev/null
grep '] waitpid(\|] Child process' wait.txt | plain | sed 's/^/    /'
echo "  the exit code is the status word's second byte (0x0100: 1); a signal"
echo "  is its low 7 bits (0x0b: 11, SIGSEGV), bit 7 set if a core was dumped."
