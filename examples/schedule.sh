# Lecture "Scheduling Algorithms": the round-robin example (P1:4 P2:3 P3:5,
# time slice 2), the time slice's trade-off, and how priorities, nice values
# and CFS's vruntime change who runs when. Every process arrives at time 0.
#
#   minishell examples/schedule.sh

echo "1. Round-Robin - Example: a time slice of 2. Each step shows the queue"
echo "   (front first) and who runs: P1 P2 P3 P1 P2 P3 P3."
schedule --algo rr --quantum 2 --steps P1:4 P2:3 P3:5
echo
echo "2. Round-Robin - Analysis: a large slice makes fewer context switches,"
echo "   a small one lets the process at the back of the queue start sooner"
echo "   (response). A slice of 5 covers every burst: that is FCFS."
schedule --quantum 1 --quiet P1:4 P2:3 P3:5
schedule --quantum 5 --quiet P1:4 P2:3 P3:5
schedule --algo fcfs --quiet P1:4 P2:3 P3:5
echo
echo "3. CFS: the leftmost process in the tree (smallest vruntime) runs next."
echo "   With equal nice values vruntime is the time run, so CFS takes turns"
echo "   like round-robin; nice -5 (weight 3121) makes P3's vruntime grow"
echo "   at 1024/3121 of its runtime, and P3 runs three slices in a row."
schedule --algo cfs --quiet P1:4 P2:3 P3:5
schedule --algo cfs --steps P1:4 P2:3 P3:5:-5
echo
echo "4. Fixed priority: lower nice-ness = higher priority. Non-preemptive,"
echo "   then the lecture's Priority-Based Round-Robin (a queue per priority)."
schedule --algo priority --quiet P1:4:0 P2:3:-5 P3:5:-5
schedule --algo priority-rr P1:4:0 P2:3:-5 P3:5:-5
