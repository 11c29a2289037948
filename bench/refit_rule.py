#!/usr/bin/env python3
"""refit_rule.py: issue 14's rule for a refitted scenario against the
original (docs/calibration.md, "Calibration by simulation"): every ring's
whole-run mean occupancy within 5 % and mean waiting list within 25 % or
2 citizens. One place for the rule, used by calib_coverage.sh --refit and
calib_oracle.py.

    python3 bench/refit_rule.py ORIG/summary.csv REFIT/summary.csv

prints "occ A/N lists B/N" and the rings off target.
"""
import csv
import sys


def ring_means(path):
    """(kpi, ring) -> whole-run mean of occupancy_mean and waiting_list_mean."""
    out = {}
    for row in csv.DictReader(open(path)):
        if row["kpi"] in ("occupancy_mean", "waiting_list_mean") and row["year"] == "":
            out[(row["kpi"], row["ring"])] = float(row["mean"])
    return out


def compare(orig, refit):
    """(occupancies on target, lists on target, rings, the misses as text)."""
    occ = wl = rings = 0
    off = []
    for (kpi, ring), x in sorted(orig.items()):
        y = refit[(kpi, ring)]
        if kpi == "occupancy_mean":
            rings += 1
            ok = abs(y - x) <= 0.05 * x
            occ += ok
        else:
            ok = abs(y - x) <= max(0.25 * x, 2.0)
            wl += ok
        if not ok:
            off.append("%s %s %.1f->%.1f" % (ring, "occ" if kpi == "occupancy_mean" else "list", x, y))
    return occ, wl, rings, off


def line(occ, wl, rings, off):
    return "occ %d/%d lists %d/%d %s" % (occ, rings, wl, rings, "; ".join(off))


if __name__ == "__main__":
    print(line(*compare(ring_means(sys.argv[1]), ring_means(sys.argv[2]))))
