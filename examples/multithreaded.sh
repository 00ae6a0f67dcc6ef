# Lab "Multithreaded": the main thread creates 5 threads, each sleeps,
# then the main thread waits for them all (pthread_join). The lab's
# program sleeps 5 seconds; here 1 second, so the script runs quickly
# (`multithreaded` alone is the lab's 5 threads of 5 seconds).
#
#   minishell examples/multithreaded.sh

echo "1. the support code: 5 threads sleep at the same time. The total"
echo "   is about one sleep, counted from when the last thread started."
echo "   Each thread prints its index and its OS thread id (TID) when done:"
multithreaded -n 5 --seconds 1
echo
echo "2. each thread sleeps a different time, handed to it as its own"
echo "   argument (in C: a pointer to an int of its own, not &i). The"
echo "   first thread started sleeps longest and finishes last:"
multithreaded -n 5 --seconds 1 --vary --quiet
