#!/usr/bin/env python3
"""Write a train-only backtest of the evaluation kit's forecast sets, to choose model options
without looking at the kit's holdout.

For each set, every series' last h training points (h as in the kit's meta file) become the test
points and the rest the training points; the files keep the kit's names and layout
(<set>_train.csv, <set>_test.csv, <set>_meta.csv), so `anchors/score_forecast.py --data-dir OUT`
scores forecasts of them exactly as the kit scores its own. Series with fewer than h + 4
training points are left out.

Usage: scripts/backtest-split.py OUT [--sets m3_monthly,m3_quarterly,m3_yearly,m3_other]
"""
import argparse
import csv
import os
from collections import OrderedDict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "..", "shared", "eval", "data", "forecast")


def split(name, out):
    meta = list(csv.DictReader(open(os.path.join(DATA, f"{name}_meta.csv"))))
    series = OrderedDict()
    for row in csv.DictReader(open(os.path.join(DATA, f"{name}_train.csv"))):
        series.setdefault(row["series_id"], []).append((row["timestamp"], row["value"]))
    kept = 0
    with open(os.path.join(out, f"{name}_train.csv"), "w", newline="") as train, \
            open(os.path.join(out, f"{name}_test.csv"), "w", newline="") as test, \
            open(os.path.join(out, f"{name}_meta.csv"), "w", newline="") as meta_out:
        train_writer, test_writer = csv.writer(train), csv.writer(test)
        meta_writer = csv.DictWriter(meta_out, fieldnames=list(meta[0].keys()))
        for writer in (train_writer, test_writer):
            writer.writerow(["series_id", "timestamp", "value"])
        meta_writer.writeheader()
        for row in meta:
            points, h = series[row["series_id"]], int(row["h"])
            if len(points) < h + 4:
                continue
            for timestamp, value in points[:-h]:
                train_writer.writerow([row["series_id"], timestamp, value])
            for timestamp, value in points[-h:]:
                test_writer.writerow([row["series_id"], timestamp, value])
            meta_writer.writerow({**row, "n_train": len(points) - h})
            kept += 1
    print(f"{name}: {kept} of {len(meta)} series, the last {meta[0]['h']} training points held out")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--sets", default="m3_monthly,m3_quarterly,m3_yearly,m3_other")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name in args.sets.split(","):
        split(name, args.out)


if __name__ == "__main__":
    main()
