# Lab "Synchronization", the apache2 simulator: a semaphore counts what is
# available (slots of a server here), acquire takes one or waits, release
# gives one back and wakes a waiter. The semaphore is built from a mutex
# and a condition variable, as std has none.
#
#   minishell examples/semaphore.sh

echo "1. a server with 2 slots, 6 requests arriving at once, 500 ms each:"
echo "   never more than 2 inside; the others wait in acquire"
semaphore
echo
echo "2. one slot: the semaphore is a lock, the requests go one at a time"
semaphore --permits 1 -n 3 --serve 100 --quiet
echo
echo "3. as many slots as requests: nobody waits at the door"
semaphore --permits 4 -n 4 --serve 100 --quiet
