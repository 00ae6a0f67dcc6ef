# Lab "sum-array": sum 100 million ints sequentially, with threads, with
# processes, with a library reduce, and with Python-like threads under a
# global lock, and compare the times. Pass a smaller length to go faster:
#
#   minishell examples/sum-array.sh [LENGTH]

len=${1}
test -n "$len" || len=100000000

echo "1. One loop, as sum_array_sequential does:"
sum-array --len $len --quiet
echo "2. Two threads, one half of the array each:"
sum-array --len $len --method threads -n 2 --quiet
echo "3. Two processes, each writing its part into a shared page:"
sum-array --len $len --method processes -n 2 --quiet
echo "4. Threads that must hold one lock while they add, like Python's GIL:"
sum-array --len $len --method gil -n 2 --quiet
echo
echo "5. Every method with 1, 2, 4 and 8 workers:"
sum-array --len $len --method all
