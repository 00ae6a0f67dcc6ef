# A grader library in the shape of the course's: functions, globals,
# `command -v`, `&>`, `$( )`, printf padding. Sourced by run_all.sh.

POINTS_FILE=points.txt

print_header() {
	local title="$1"
	local width=60
	printf '%*s\n' "$width" '' | tr ' ' '='
	printf '%s\n' "$title"
	printf '%*s\n' "$width" '' | tr ' ' '='
}

# Pads "NN) description" with dots to a fixed column, as the course does.
print_name() {
	local index=$1 name=$2
	local line
	line=$(printf '%02d) %s' "$index" "$name")
	printf '%s' "$line"
	local n=${#line}
	while [ "$n" -lt 56 ]; do
		printf '.'
		n=$((n + 1))
	done
}

record() {
	local verdict=$1 points=$2 max=$3
	printf '%s  [%02d/%02d]\n' "$verdict" "$points" "$max"
	echo "$points" >> "$POINTS_FILE"
}

# Runs one input through the reference and the shell under test, each in a
# directory of its own, and compares what they print and the files left.
run_case() {
	local index=$1 name=$2 points=$3 input=$4
	print_name "$index" "$name"
	rm -rf ref out
	mkdir ref out
	(cd ref && bash < "../$input" > ../ref.txt 2>&1)
	(cd out && "$SHELL_UNDER_TEST" < "../$input" > ../out.txt 2>&1)
	# The course shell prints "> " before each line: drop the prompts.
	sed -e 's/^\(> \)*//' out.txt > out.clean
	if diff -q ref.txt out.clean &> /dev/null && diff -r ref out &> /dev/null; then
		record passed "$points" 10
	else
		record failed 0 10
	fi
}

have() {
	command -v "$1" &> /dev/null
}
