#!/usr/bin/env python3
"""kpi_compare.py: do two runs of one scenario agree within sampling error?

    python3 bench/kpi_compare.py BEFORE/summary.json AFTER/summary.json

For every KPI of summary.json (means and sds over the replications) prints
the difference of the means in units of the before-run's standard error
(sd / sqrt(n), n the replications where it is defined) and of the difference's (sqrt(se_a^2 + se_b^2),
as if independent: two runs with one seed share their arrival and exit
streams, so this errs high). The headline KPIs (the report's key figures)
must lie within 2 SEs of the before-run: exit status 1 when one does not.
Used to check that a change of draw order (speed work) left the model's
distributions alone."""
import json
import math
import sys

HEADLINE = [
    "cost_per_year", "cost_total", "cost_per_progression", "end_size", "arrivals",
    "progressions_per_100_citizen_years", "regressions_per_100_citizen_years",
    "referral_to_decision_days", "referral_to_placement_days", "caseworker_utilisation",
]


def leaves(node, path=""):
    """Yields (path, kpi) for every {mean, sd} object under node."""
    if isinstance(node, dict):
        if "mean" in node and "sd" in node:
            yield path, node
            return
        for key, sub in node.items():
            yield from leaves(sub, f"{path}/{key}" if path else key)


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    runs = [json.load(open(p, encoding="utf-8")) for p in argv[1:]]
    n = [r["replications"] for r in runs]
    before = dict(leaves(runs[0]["kpis"]))
    after = dict(leaves(runs[1]["kpis"]))
    headline = set(HEADLINE) | {p for p in before if p.endswith("/outward_share")
                                and p.count("/") == 2}
    worst, bad = [], 0
    for path, a in before.items():
        b = after.get(path)
        if b is None or a["mean"] is None or b["mean"] is None:
            continue
        # "n": the replications where the KPI is defined, when not all
        se_a = (a["sd"] or 0.0) / math.sqrt(a.get("n", n[0]))
        se_b = (b["sd"] or 0.0) / math.sqrt(b.get("n", n[1]))
        diff = b["mean"] - a["mean"]
        if se_a == 0.0 and se_b == 0.0:
            z_a = z_d = 0.0 if diff == 0.0 else math.inf
        else:
            z_a = diff / se_a if se_a > 0 else math.inf
            z_d = diff / math.hypot(se_a, se_b)
        head = path in headline
        worst.append((abs(z_d), path, a["mean"], b["mean"], z_a, z_d, head))
        if head and abs(z_a) > 2.0:
            bad += 1
    worst.sort(reverse=True)
    print(f"{len(worst)} KPIs; replications {n[0]} and {n[1]}")
    print(f"{'KPI':58} {'before':>14} {'after':>14} {'z(before)':>9} {'z(diff)':>8}")
    for row in [w for w in worst if w[6]] + [w for w in worst if not w[6]][:10]:
        _, path, ma, mb, z_a, z_d, head = row
        print(f"{('* ' if head else '  ') + path:58} {ma:14.6g} {mb:14.6g} {z_a:9.2f} {z_d:8.2f}")
    over = sum(1 for w in worst if w[0] > 2.0)
    print(f"headline (*) beyond 2 SE of before: {bad}; all KPIs beyond 2 SE of the "
          f"difference: {over} of {len(worst)} (about 5 % expected by chance)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
