# Notes "Process and thread": "wait system call blocks a parent process
# until a child process terminates. If not called, the child process will
# be a zombie process." And the other way round: a parent that exits
# before its child leaves an orphan, which init or a subreaper adopts.
#
#   minishell examples/zombie-orphan.sh

echo "1. zombie: the child exits and the parent does not wait for it yet"
zombie
echo
echo "2. orphan: the parent exits first. The orphan prints its own report,"
echo "   after the demo has exited; reading it through cat makes the shell"
echo "   wait for it (cat ends when the orphan closes the pipe):"
orphan | cat
echo
echo "both stories end with a waitpid: the zombie's by its parent, the"
echo "orphan's by its adopter"
