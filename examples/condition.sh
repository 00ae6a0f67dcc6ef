# Lecture "Compute", Notifications: a condition variable. A thread locks a
# mutex and waits on the condition until the main thread sets the
# predicate and notifies it. In the lecture the main thread waits for you
# to type "notify": run `condition` alone at a terminal for that. Here a
# timer notifies instead.
#
#   minishell examples/condition.sh

echo "1. the lecture's demo: the main thread notifies after one second."
echo "   wait() gives the mutex up while the thread sleeps, so the main"
echo "   thread can take it to set the predicate:"
condition --after 1
echo
echo "2. a notify with nobody waiting has no effect. Notifying at once, the"
echo "   main thread may well beat the thread to the mutex; the thread then"
echo "   finds the predicate true at its first check and never sleeps:"
condition --after 0 --quiet
echo
echo "3. why wait() sits in a while loop: three wakeups without the event"
echo "   (notify with the predicate still false, as a spurious wakeup looks"
echo "   to the thread); each time it checks again and goes back to waiting:"
condition --after 0.5 --false-alarms 3 --quiet
