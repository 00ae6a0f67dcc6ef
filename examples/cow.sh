# Lecture "Copy-on-write" (demo copy_on_write_overhead.c): after fork, the
# child's page table points at the parent's frames, marked read-only.
# Reading them costs nothing; the first write to each page faults, and the
# kernel copies that page for the writer: one minor fault per page written.
#
#   minishell examples/cow.sh

echo "1. the lecture's size: 131072 pages of 4 KiB (512 MiB)"
cow
echo
echo "2. the write faults follow the pages written: 1000 pages, then 10000"
cow --pages 1000 --quiet
cow --pages 10000 --quiet
