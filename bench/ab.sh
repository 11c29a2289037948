#!/bin/sh
# ab.sh: paired A/B timing of two flowsim binaries on one scenario, for
# speed work: runs A and B alternately (A B A B ...), each `flowsim run` of
# REPS replications on one thread with plots and the RBS panel off, and
# prints the median CPU time (user + sys) of each and their ratio A / B.
# Alternating pairs keep a changing machine load from favouring either.
# Both binaries must accept the scenario (use one of the older release's).
#   sh bench/ab.sh BIN_A BIN_B [SCENARIO] [PAIRS] [REPS]
set -eu
a=$1 b=$2 scen=${3:-scenarios/esbjerg.cfg} pairs=${4:-7} reps=${5:-100}
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
# plots and panel off: a copy of the scenario with its output line changed
sed -e 's/rbs_panel *= *true/rbs_panel = false/' -e 's/plots *= *true/plots = false/' \
    "$scen" > "$tmp/scenario.cfg"
cpu() {   # user + sys seconds of one run (GNU time's %U %S)
    /usr/bin/time -f '%U %S' -o "$tmp/t" "$1" run "$tmp/scenario.cfg" -o "$tmp/out" \
        -r "$reps" -j 1 -q >/dev/null 2>"$tmp/err" ||
        { echo "ab.sh: $1 failed:" >&2; cat "$tmp/err" >&2; exit 1; }
    awk '{ printf "%.3f\n", $1 + $2 }' "$tmp/t"
}
i=0
while [ $i -lt "$pairs" ]; do
    cpu "$a" >> "$tmp/a"
    cpu "$b" >> "$tmp/b"
    i=$((i + 1))
done
med() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ma=$(med "$tmp/a") mb=$(med "$tmp/b")
echo "A $a: CPU s per run $(tr '\n' ' ' < "$tmp/a")-> median $ma"
echo "B $b: CPU s per run $(tr '\n' ' ' < "$tmp/b")-> median $mb"
awk -v a="$ma" -v b="$mb" -v r="$reps" 'BEGIN { printf "A / B = %.2f (%d replications a run, one thread; medians of CPU time)\n", a / b, r }'
