# Lab "Threads vs Processes" and the lecture's table: a process is slower
# to create (a new page table) and slower to switch to (the TLB is
# flushed) than a thread. The demo measures both, side by side, as medians.
#
#   minishell examples/create-cost.sh

echo "1. creating, and switching between, threads and processes"
create-cost
echo
echo "2. a parent ten times as large: fork copies more page tables, the"
echo "   others do not"
create-cost --ballast 640 --runs 50 --quiet
