# Lecture "IO-bound vs CPU-bound" (demos cpu_bound.c, io_bound.c): a thread
# that waits for I/O gives the CPU away, a voluntary context switch; one
# that only computes keeps it until the scheduler takes it away when its
# time slice ends and another thread is ready, a nonvoluntary switch.
#
#   minishell examples/ctx-switch.sh

echo "1. CPU-bound for 1 s, sharing one CPU with a rival process"
ctx-switch cpu --seconds 1
echo
echo "2. I/O-bound for 1 s: blocking reads, a byte each millisecond"
ctx-switch io --seconds 1
echo
echo "3. CPU-bound without the rival: switched out only when other programs"
echo "   want its CPU (few times on an idle machine)"
ctx-switch cpu --alone --seconds 1 --quiet
echo
echo "4. as the lecture looks: /proc/PID/status of the running demo"
ctx-switch io --seconds 1 --quiet > /dev/null &
sleep 0.5
grep ctxt_switches /proc/$!/status
wait
