#!/usr/bin/env python3
"""A/A campaigns on the demo store: do the readout's intervals hold what their level says?

Against a running `cartwise serve --demo`: takes the demo's purchasers (the segment exports),
and for each of N campaigns exposes a random sample of them at a fixed past date, half to a
"treatment" arm and half to control, drawn at random (seeded). Nothing is sent to anyone, so
the arms differ by chance only; the outcomes are the demo's own purchases in the 14-day window.
Each campaign's GET /campaigns/{id}/report is read at 95 % and 80 %, and the script counts how
often the lift's interval (Newcombe) and the incremental revenue's (Welch) hold 0.

Usage: benchmarks/campaign-aa.py [--url http://127.0.0.1:8080] [--campaigns 200] [--customers 3000]
"""
import argparse
import csv
import io
import json
import random
import urllib.request


def call(url, method="GET", body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request, timeout=300) as response:
        return response.read()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--campaigns", type=int, default=200)
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--days-ago", type=int, default=120, help="exposure date, days before the newest data")
    parser.add_argument("--prefix", default="aa")
    args = parser.parse_args()
    segments = json.loads(call(args.url + "/segments"))
    as_of = segments["as_of"]
    purchasers = []
    for segment in segments["segments"]:
        text = call(f"{args.url}/segments/{segment['id']}/customers", headers={"Accept": "text/csv"}).decode()
        purchasers += [row["customer"] for row in csv.DictReader(io.StringIO(text))]
    # The exposure time: midnight UTC, --days-ago days before the model's as-of date.
    import datetime
    day = datetime.date.fromisoformat(as_of) - datetime.timedelta(days=args.days_ago)
    start = int(datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.timezone.utc).timestamp())
    rng = random.Random(20261207)
    rows = []
    for k in range(args.campaigns):
        cid = f"{args.prefix}-{k}"
        call(args.url + "/campaigns", "POST", {"id": cid, "start": start, "end": start + 86_400, "attribution_days": 14,
                                               "outcome": "purchase", "control_share": 0.5, "seed": k})
        sample = rng.sample(purchasers, min(args.customers, len(purchasers)))
        events = [{"type": "exposure", "user": c, "campaign": cid, "arm": "treatment" if rng.random() < 0.5 else "control",
                   "timestamp": start} for c in sample]
        for i in range(0, len(events), 5000):
            call(args.url + "/events", "POST", {"events": events[i:i + 5000]})
    for k in range(args.campaigns):
        cid = f"{args.prefix}-{k}"
        wide = json.loads(call(f"{args.url}/campaigns/{cid}/report?level=0.95"))["comparisons"][0]
        narrow = json.loads(call(f"{args.url}/campaigns/{cid}/report?level=0.8"))["comparisons"][0]
        rows.append((wide["lift"]["interval"], narrow["lift"]["interval"], wide["incremental_revenue"]["interval"],
                     wide["p_value"]))
    def covered(interval):
        return interval[0] <= 0 <= interval[1]
    n = len(rows)
    lift95 = sum(covered(r[0]) for r in rows) / n
    lift80 = sum(covered(r[1]) for r in rows) / n
    revenue95 = sum(covered(r[2]) for r in rows) / n
    significant = sum(r[3] < 0.05 for r in rows) / n
    se95 = (0.95 * 0.05 / n) ** 0.5
    print(f"{n} A/A campaigns of {args.customers} purchasers each (exposed {day}, outcome: purchase in 14 days)")
    print(f"{'interval':28} {'level':>6} {'held 0':>7} {'expected':>9}")
    print(f"{'lift (Newcombe)':28} {'95 %':>6} {lift95:>7.3f} {0.95:>9.3f} ± {se95:.3f}")
    print(f"{'lift (Newcombe)':28} {'80 %':>6} {lift80:>7.3f} {0.80:>9.3f}")
    print(f"{'incremental revenue (Welch)':28} {'95 %':>6} {revenue95:>7.3f} {0.95:>9.3f}")
    print(f"called significant at 5 %: {significant:.3f} (expected 0.05)")
    print(json.dumps({"campaigns": n, "lift_95_coverage": lift95, "lift_80_coverage": lift80,
                      "revenue_95_coverage": revenue95, "false_positive_rate": significant}))


if __name__ == "__main__":
    main()
