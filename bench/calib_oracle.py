#!/usr/bin/env python3
"""calib_oracle.py: how close an ideal estimator's refitted scenario comes
to the original, as a yardstick for issue 14's refit target (mean occupancy
per ring within 5 %, mean waiting list within 25 % or 2 citizens;
docs/calibration.md, "Calibration by simulation").

    python3 bench/calib_oracle.py CAL_DIR [DRAWS] [SEED]

CAL_DIR is `calibrate`'s output directory for a panel simulated from the
base scenario (bench/calib_coverage.sh leaves one per seed in DIR/SEED/cal).
The ideal estimator is unbiased and exactly as precise as the fit says:
its estimates are drawn from N(log of the TRUE rates, the fit's covariance)
(the fragment's `uncertainty.mvn` block gives the paths and covariance,
calibration.json the true values, its `base`). For each of DRAWS such
estimates the base scenario is run with those rates (`--set`, every other
setting as it is, rates the fit did not estimate at their true values) as
calib_coverage.sh --refit runs a refit (-r 20 -s 777), and its rings are
counted against the original's by the same rule. Run from the top folder
after `make`.
"""
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from refit_rule import compare, line, ring_means  # noqa: E402  the one rule

FLOWSIM = "build/flowsim"


def mvn_block(fragment):
    text = open(fragment).read()
    block = text[text.index("mvn = {"):]
    def array(name):
        body = re.search(name + r"\s*=\s*\[(.*?)\];", block, re.S).group(1)
        return body
    paths = re.findall(r'"([^"]+)"', array("paths"))
    mean = [float(x) for x in array("mean").replace("\n", " ").split(",")]
    cov = [float(x) for x in array("cov").replace("\n", " ").split(",")]
    return paths, mean, cov


def cholesky(a, k):
    low = [0.0] * (k * k)
    for i in range(k):
        for j in range(i + 1):
            s = a[i * k + j] - sum(low[i * k + m] * low[j * k + m] for m in range(j))
            low[i * k + j] = math.sqrt(s) if i == j else s / low[j * k + j]
    return low


def true_rates(calibration):
    doc = json.load(open(calibration))
    truth = {}
    for flow in doc["flows"]:
        for p in flow["parameters"]:
            if p.get("parameter") == "per_year":
                path = "transitions[%s:%s->%s].per_year" % (flow["id"], p["from"], p["to"])
                truth[path] = p["base"]
    return doc, truth


def run(scenario, sets, out):
    cmd = [FLOWSIM, "run", scenario, "-r", "20", "-s", "777", "-q", "-o", out,
           "--set", "output.plots=false"]
    for path, value in sets:
        cmd += ["--set", "%s=%.17g" % (path, value)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return ring_means(os.path.join(out, "summary.csv"))


def main():
    cal = sys.argv[1]
    draws = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    paths, _, cov = mvn_block(os.path.join(cal, "fitted.cfg"))
    doc, truth = true_rates(os.path.join(cal, "calibration.json"))
    scenario = doc["scenario"]["file"] if isinstance(doc["scenario"], dict) else doc["scenario"]
    k = len(paths)
    low = cholesky(cov, k)
    tmp = tempfile.mkdtemp(prefix="calib-oracle-")
    orig = run(scenario, [], os.path.join(tmp, "orig"))
    total_occ = total_wl = total_rings = 0
    for d in range(draws):
        z = [rng.gauss(0.0, 1.0) for _ in range(k)]
        sets = []
        for i, path in enumerate(paths):
            x = math.log(truth[path]) + sum(low[i * k + j] * z[j] for j in range(i + 1))
            sets.append((path, math.exp(x)))
        refit = run(scenario, sets, os.path.join(tmp, "draw%d" % d))
        occ, wl, rings, off = compare(orig, refit)
        total_occ += occ
        total_wl += wl
        total_rings += rings
        print("draw %d: %s" % (d, line(occ, wl, rings, off)))
    print("ideal estimator, %d draws: occupancy within 5 %% %d/%d, lists within 25 %% or 2 %d/%d"
          % (draws, total_occ, total_rings, total_wl, total_rings))
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
