# A grader of our own in the shape of the course's run_all.sh: it sources
# its library, writes inputs, runs each through bash and the shell under
# test, and sums the points with awk.
source ./lib.sh

if ! have "$SHELL_UNDER_TEST"; then
	echo "no shell under test: $SHELL_UNDER_TEST"
	exit 1
fi

print_header "Testing - a mini-shell"
: > "$POINTS_FILE"

names=(
	"commands with arguments"
	"redirections"
	"conditional operators"
	"pipes"
	"variables"
)
inputs=(
	$'echo hello world\nls -1 /\n'
	$'echo one > a.txt\necho two >> a.txt\ncat < a.txt\n'
	$'true && echo yes\nfalse || echo no\nfalse && echo never\n'
	$'printf "b\\na\\nc\\n" | sort | head -n 2\necho x | tr x y\n'
	$'NAME=course\necho $NAME\nexport NAME\nenv | grep ^NAME=\n'
)

i=0
for name in "${names[@]}"; do
	i=$((i + 1))
	printf '%s' "${inputs[i - 1]}" > "input_$i.txt"
	run_case "$i" "$name" 10 "input_$i.txt"
done | tee results.txt

total=$(awk '{ sum += $1 } END { print sum }' "$POINTS_FILE")
printf "\n%56s  [%02d/%02d]\n" "Total:" "$total" "$((${#names[@]} * 10))"
exec 3>&1
echo "graded $(grep -c passed results.txt) of ${#names[@]}" >&3
exec 3>&-
