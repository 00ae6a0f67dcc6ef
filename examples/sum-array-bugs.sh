# Lab "Safety", "Wait for It" and "Memory Corruption": the sum-array
# programs with a bug in one worker, run with threads and with processes.
# The lab sums 100,000,000 ints; here 1,000,000, so it runs quickly (drop
# --len for the lab's size).
#
#   minishell examples/sum-array-bugs.sh

echo "1. Safety, threads: the last worker reads past the end of the array."
echo "   SIGSEGV kills the whole process; the shell reports it:"
sum-array-bugs segfault --threads -n 4 --len 1000000
echo "   exit status $? = 128 + 11 (SIGSEGV)"
echo
echo "2. Safety and Wait for It, processes: only the buggy child dies. The"
echo "   parent decodes each child's status with WIFSIGNALED and WTERMSIG"
echo "   and adds up the sums of the survivors, less than the full sum:"
sum-array-bugs segfault --processes -n 4 --len 1000000
echo
echo "3. Memory Corruption, threads: worker 0 negates the others' parts"
echo "   first. Without --corrupt, then with it:"
sum-array-bugs corruption --threads -n 4 --len 1000000 --quiet
sum-array-bugs corruption --threads -n 4 --len 1000000 --corrupt
echo
echo "4. Memory Corruption, processes: the same writes land in worker 0's"
echo "   copy-on-write copy of the array, and the sum stays right:"
sum-array-bugs corruption --processes -n 4 --len 1000000 --corrupt
