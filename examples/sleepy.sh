# Lab "Sleepy Creator". sleepy_creator starts 10 `sleep 1000` processes
# and exits at once: its children outlive it, and an init-like process
# adopts them. sleepy_creator_wait waits for them, so they remain its
# children. The `sleepy` demo is both programs (the second with --wait);
# here with 3 sleeps of a few seconds instead of 10 of 1000.
#
#   minishell examples/sleepy.sh

echo "1. sleepy_creator: start the sleeps and exit at once"
sleepy -n 3 --seconds 2
echo "   the demo has exited; the lab looks for the sleeps with"
echo "   ps -e -H -o pid,ppid,cmd | grep sleep. Here, the whole tree from PID 1:"
ptree 1 --quiet | grep 'sleep 2$'
echo "   (the PPID column: the sleeps' parent is now the adopter)"
echo
echo "2. sleepy_creator_wait: start the sleeps in the background and wait"
echo "   for them; meanwhile ptree shows them under the demo:"
sleepy -n 3 --seconds 3 --wait --quiet > waited.txt &
sleep 1
ptree --quiet
wait
echo "   the demo's own report, once they ended:"
cat waited.txt
