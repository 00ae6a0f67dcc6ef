# Notes "Process and thread", on pipes: a read from an empty non-blocking
# pipe fails with EAGAIN instead of waiting, and select or poll waits for
# the data. Several writers may share a pipe: a write of at most PIPE_BUF
# bytes reaches the reader whole, a larger one may be cut and interleaved
# with the others' writes (man 7 pipe).
#
#   minishell examples/pipe.sh

echo "1. the notes' program: read at once, then wait with poll()"
pipe --nonblock
echo
echo "2. four writers, 64 records each, up to PIPE_BUF bytes: all whole"
pipe --atomic --size 512 --quiet
pipe --atomic --size 4096 --quiet
echo
echo "3. above PIPE_BUF the kernel promises nothing: 64 KiB records mix"
pipe --atomic --size 65536
echo
echo "4. the limit, as the system states it"
getconf PIPE_BUF /
