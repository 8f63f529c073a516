#!/usr/bin/env python3
"""The kit's reference inventory policy, re-planned every period as `eval-forecast.py --rolling`
re-plans ours: a fair yardstick for a policy that sees each period's demand before its next review.

For each review t = 0 .. h-L-1 of every M3 series, statsforecast's AutoETS (as in the kit's
anchors/forecast.py: AutoETS(season_length=m), levels 80 and 95) is refitted on the training data
plus the first t holdout values, and the order-up-to level is built by anchors/inventory.py's own
`policy_levels`: S_t = sum of the next L+1 means + z * sqrt(sum of their sigma^2), sigma_k =
(hi95_k - lo95_k) / (2 * 1.959964), as its `run` takes sigma. The levels go to `inventory.py --policy`, with the
kit's origin forecast for the simulation's starting pipeline.

Run it with the kit's venv (it needs statsforecast):
  ../shared/eval/.venv-ops/bin/python scripts/rolling-reference.py [--dataset m3_monthly]
      [--lead-time 1] [--csls 0.95,0.99] [--jobs 2]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from statistics import NormalDist

import numpy as np
import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EVAL = os.path.join(ROOT, "..", "shared", "eval")
DATA = os.path.join(EVAL, "data", "forecast")
sys.path.insert(0, os.path.join(EVAL, "anchors"))
from inventory import Z, policy_levels  # noqa: E402  (the kit's formula, not a copy)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="m3_monthly")
    parser.add_argument("--lead-time", type=int, default=1)
    parser.add_argument("--csls", default="0.95,0.99")
    parser.add_argument("--jobs", type=int, default=2, help="statsforecast n_jobs (fit time is not measured here)")
    parser.add_argument("--out", help="keep the order-up-to levels here (CSV per target CSL: OUT_<csl>.csv)")
    args = parser.parse_args()
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS

    meta = pd.read_csv(os.path.join(DATA, f"{args.dataset}_meta.csv"), dtype={"series_id": str})
    season = int(meta["season_length"].iloc[0])
    train = pd.read_csv(os.path.join(DATA, f"{args.dataset}_train.csv"), dtype={"series_id": str})
    test = pd.read_csv(os.path.join(DATA, f"{args.dataset}_test.csv"), dtype={"series_id": str})
    test = test.sort_values(["series_id", "timestamp"])
    test["step"] = test.groupby("series_id").cumcount()
    horizons = dict(zip(meta["series_id"], meta["h"].astype(int)))
    csls = [float(x) for x in args.csls.split(",")]
    window = args.lead_time + 1
    levels = {csl: [] for csl in csls}
    started = time.time()
    for review in range(0, max(horizons.values()) - args.lead_time):
        due = {sid for sid, h in horizons.items() if review < h - args.lead_time}
        history = pd.concat([train[train["series_id"].isin(due)],
                             test[test["series_id"].isin(due) & (test["step"] < review)].drop(columns="step")])
        frame = history.rename(columns={"series_id": "unique_id", "timestamp": "ds", "value": "y"})
        model = AutoETS(season_length=season)
        fc = StatsForecast(models=[model], freq=1, n_jobs=args.jobs).forecast(df=frame, h=window, level=[80, 95])
        alias = str(model)
        for sid, steps in fc.sort_values(["unique_id", "ds"]).groupby("unique_id", sort=True):
            yhat = steps[alias].to_numpy(float)
            sigma = np.maximum((steps[f"{alias}-hi-95"].to_numpy(float) - steps[f"{alias}-lo-95"].to_numpy(float))
                               / (2 * Z[95]), 0.0)
            for csl in csls:
                levels[csl].append((str(sid), review,
                                    float(policy_levels(yhat, sigma, args.lead_time, NormalDist().inv_cdf(csl))[0][0])))
        print(f"review {review}: {len(due)} series refitted ({time.time() - started:.0f} s)", file=sys.stderr)
    work = tempfile.TemporaryDirectory(prefix="rolling-reference-")
    origin = os.path.join(EVAL, "results", "forecast", f"{args.dataset}_all_autoets.csv")
    if not os.path.exists(origin):
        sys.exit(f"{origin} is missing: run anchors/forecast.py --dataset {args.dataset} --models snaive,autoets")
    print("| reference policy, re-planned every period | target CSL | achieved CSL | fill rate | "
          "on hand (periods) | backlog (periods) |")
    print("|---|---:|---:|---:|---:|---:|")
    for csl in csls:
        path = f"{args.out}_{csl}.csv" if args.out else os.path.join(work.name, f"levels_{csl}.csv")
        pd.DataFrame(levels[csl], columns=["series_id", "review_t", "order_up_to"]).to_csv(path, index=False)
        result = json.loads(subprocess.run(
            [sys.executable, os.path.join(EVAL, "anchors", "inventory.py"), "--dataset", args.dataset, "--forecast",
             origin, "--policy", path, "--lead-time", str(args.lead_time), "--csl", str(csl), "--json"],
            check=True, capture_output=True, text=True).stdout)
        print(f"| statsforecast AutoETS | {csl} | {result['cycle_sl']:.3f} | {result['fill_rate']:.3f} | "
              f"{result['avg_on_hand_periods']:.3f} | {result['avg_backlog_periods']:.3f} |")


if __name__ == "__main__":
    main()
