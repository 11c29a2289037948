#!/bin/sh
# calib_coverage.sh: how often `flowsim calibrate --simulate` covers the
# truth, measured on panels simulated from a scenario (docs/calibration.md,
# "Calibration by simulation").
#
#   sh bench/calib_coverage.sh [-o DIR] [-c SCENARIO] [-m REPS] [--plain] [--refit]
#                              [--covariates LIST] SEED...
#
# For each SEED: the panel of `flowsim run SCENARIO -r 1 -s SEED`, fitted
# with `calibrate --simulate` (timed by /usr/bin/time: wall and CPU); each
# fitted rate's 95% CI (those flagged not identified too, and counted) is
# checked against the scenario's per_year (the
# calibration.json's `base`: the panel came from that scenario). --plain
# fits without --simulate. --refit also runs the scenario with the fitted
# transitions (its `transitions` list replaced by `@include "fitted.cfg"`)
# and the original, both `-r 20 -s 777`, and compares the whole-run mean
# occupancy (within 5 %) and waiting list (within 25 % or 2 citizens) of
# every ring. One line per seed, then the totals; per-rate misses are
# listed in DIR/misses.txt. With --covariates LIST (calibrate's option)
# the effects' CIs are checked against the scenario's effects too (an
# extra column "effects covered/fitted"). Defaults: DIR /tmp/calib_coverage,
# SCENARIO scenarios/esbjerg.cfg, REPS the calibrate default.
# Run from the top folder after `make`.
set -eu
dir=/tmp/calib_coverage
cfg=scenarios/esbjerg.cfg
reps=
plain=
refit=
covs=
while [ $# -gt 0 ]; do
    case "$1" in
    -o) dir=$2; shift 2 ;;
    -c) cfg=$2; shift 2 ;;
    -m) reps="--simulate-reps $2"; shift 2 ;;
    --plain) plain=1; shift ;;
    --refit) refit=1; shift ;;
    --covariates) covs="--covariates $2"; shift 2 ;;
    -*) echo "calib_coverage.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
    esac
done
[ $# -gt 0 ] || { echo "usage: calib_coverage.sh [-o DIR] [-c CFG] [-m REPS] [--plain] [--refit] SEED..." >&2; exit 2; }
flowsim=${FLOWSIM:-build/flowsim}
mkdir -p "$dir"
: >"$dir/misses.txt"
: >"$dir/results.txt"
sim=--simulate
[ -n "$plain" ] && sim= && reps=
for seed in "$@"; do
    d="$dir/$seed"
    rm -rf "$d"
    mkdir -p "$d"
    "$flowsim" run "$cfg" -r 1 -s "$seed" -q -o "$d/panel" --set output.plots=false >/dev/null
    # shellcheck disable=SC2086
    /usr/bin/time -f "%e %U %S" -o "$d/time" "$flowsim" calibrate "$d/panel/rbs_panel.csv" \
        --scenario "$cfg" $sim $reps $covs -o "$d/cal" >"$d/calibrate.out" 2>"$d/calibrate.err"
    line=$(python3 - "$d" "$seed" <<'EOF'
import json, sys
d, seed = sys.argv[1], sys.argv[2]
cal = json.load(open(d + "/cal/calibration.json"))
wall, user, syst = (float(x) for x in open(d + "/time").read().split()[-3:])
held = n = unid = eheld = en = 0
with open(d + "/../misses.txt", "a") as miss:
    for f in cal["flows"]:
        for p in f.get("parameters", []):
            if p["held"]:
                continue
            lo, hi = p["ci95"]
            if p["parameter"] != "per_year":
                en += 1
                eheld += lo <= p["base"] <= hi
                if not lo <= p["base"] <= hi:
                    miss.write("%s %s %s -> %s %s: true %.4g, %.4g [%.4g, %.4g]\n" % (seed,
                               f["id"], p["from"], p["to"], p["parameter"], p["base"],
                               p["estimate"], lo, hi))
                continue
            n += 1
            unid += not p["identified"]
            if lo <= p["base"] <= hi:
                held += 1
            else:
                miss.write("%s %s %s -> %s: true %.4g, %.4g [%.4g, %.4g]\n" % (
                    seed, f["id"], p["from"], p["to"], p["base"], p["estimate"], lo, hi))
s = cal.get("simulation", {})
print("%s %d %d %d %.1f %.1f %s %s %s%s" % (seed, held, n, unid, wall, user + syst,
      s.get("iterations", "-"), s.get("evaluations", "-"),
      "%.2f/%.2f" % (s["rms_gap_se"], s["max_gap_se"]) if "max_gap_se" in s else "-",
      " effects %d/%d" % (eheld, en) if en else ""))
EOF
)
    if [ -n "$refit" ]; then
        # The scenario with fitted.cfg in place of its transitions list.
        python3 - "$cfg" "$d/cal/fitted.cfg" "$d/refit.cfg" <<'EOF'
import os, re, sys
src, frag, out = sys.argv[1:]
text = open(src).read()
m = re.search(r"^transitions\s*=\s*\(.*?^\);", text, re.S | re.M)
text = text[:m.start()] + '@include "%s"' % os.path.abspath(frag) + text[m.end():]
open(out, "w").write(text)
EOF
        [ -d "$dir/orig" ] || "$flowsim" run "$cfg" -r 20 -s 777 -q -o "$dir/orig" --set output.plots=false >/dev/null
        "$flowsim" run "$d/refit.cfg" -r 20 -s 777 -q -o "$d/refit" --set output.plots=false >/dev/null
        line="$line $(python3 bench/refit_rule.py "$dir/orig/summary.csv" "$d/refit/summary.csv")"
    fi
    echo "$line" | tee -a "$dir/results.txt"
done
awk '{ h += $2; n += $3; u += $4; w += $5; c += $6; k++ }
     END { printf "covered %d / %d = %.1f %% (%d not identified); wall %.1f s, CPU %.1f s per fit (mean of %d)\n",
           h, n, 100 * h / n, u, w / k, c / k, k }' "$dir/results.txt"
echo "columns: seed covered rates not_identified wall_s cpu_s iterations evaluations rms/max_gap_se [refit]; misses in $dir/misses.txt"
