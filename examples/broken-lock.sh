# Lecture "Synchronization Mistake - TOCTOU": a lock written as
# `if (lock == 0) lock = 1` tests and sets in two steps, and two threads can
# both test before either sets: both enter the critical section. The demo
# catches every such entry, beside a test-and-set lock that never allows it.
#
#   minishell examples/broken-lock.sh

echo "1. the broken lock, then test-and-set"
broken-lock
