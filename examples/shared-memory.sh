# Course notes, lesson 8, shared memory pages: a page is shared when the
# page tables of two processes point at the same frame. mmap with
# MAP_SHARED makes such a page; after fork, parent and child both see it.
# A POSIX semaphore placed in the page (sem_init with pshared = 1) lets the
# parent wait until the child has written.
#
#   minishell examples/shared-memory.sh

echo "1. MAP_SHARED: the child writes 42 and posts; the parent waits on the"
echo "   semaphore, then reads the child's value"
shared-memory
echo
echo "2. MAP_PRIVATE: after fork the page is copy-on-write. The child's write"
echo "   and its sem_post go to its own copy; the parent's wait times out and"
echo "   it still reads 0"
shared-memory --private --timeout 500
