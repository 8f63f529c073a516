#!/usr/bin/env python3
"""Reference forecasts on a kit forecast set, the kit's statsforecast anchors plus the
intermittent-demand models (statsforecast 2.1.1 CrostonOptimized, CrostonSBA, TSB, ADIDA,
IMAPA), scored with the kit's scorer, scripts/forecast_measures.py (RMSSE, WAPE, pinball) and
the kit's inventory simulation.

The intermittent models give point forecasts only; their intervals here are statsforecast's
ConformalIntervals (2 windows of h), so that their coverage and pinball loss can be read
next to the others. TSB has no optimiser in statsforecast: alpha_d = alpha_p = 0.1, the middle
of the range the literature recommends. Every model is asked for the 60/80/90/95 % intervals:
the upper bounds of the 60 and 90 % ones are the 0.8 and 0.95 quantiles (q80, q95).

Usage: scripts/reference-forecast.py --data ../shared/eval/data/forecast --set synth_sku_daily
         [--models snaive,autoets,crostonoptimized,sba,tsb,adida,imapa] [--sample 100]
         [--out DIR] [--lead-times 2,7] [--csls 0.9,0.95]
Run it with the kit's .venv-ops python. Prints a table, then the JSON of every model last.
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
KIT = HERE.parent.parent / "shared" / "eval"
sys.path.insert(0, str(KIT / "anchors"))
sys.path.insert(0, str(HERE))
import inventory  # noqa: E402
import score_forecast  # noqa: E402
from forecast_measures import measures  # noqa: E402


def model(name, m, h):
    from statsforecast.models import (ADIDA, IMAPA, TSB, AutoARIMA, AutoETS, CrostonOptimized, CrostonSBA,
                                      SeasonalNaive)
    from statsforecast.utils import ConformalIntervals
    conformal = ConformalIntervals(h=h, n_windows=2)
    return {
        "snaive": lambda: SeasonalNaive(season_length=m),
        "autoets": lambda: AutoETS(season_length=m),
        "autoarima": lambda: AutoARIMA(season_length=m, approximation=None),
        "crostonoptimized": lambda: CrostonOptimized(prediction_intervals=conformal),
        "sba": lambda: CrostonSBA(prediction_intervals=conformal),
        "tsb": lambda: TSB(alpha_d=0.1, alpha_p=0.1, prediction_intervals=conformal),
        "adida": lambda: ADIDA(prediction_intervals=conformal),
        "imapa": lambda: IMAPA(prediction_intervals=conformal),
    }[name]()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=KIT / "data" / "forecast")
    ap.add_argument("--set", default="synth_sku_daily")
    ap.add_argument("--models", default="snaive,autoets,crostonoptimized,sba,tsb,adida,imapa")
    ap.add_argument("--sample", type=int, default=0, help="the kit's seeded sample of N series (0: all)")
    ap.add_argument("--out", type=Path, default=Path("/tmp/cartwise-reference"))
    ap.add_argument("--lead-times", default="2,7")
    ap.add_argument("--csls", default="0.9,0.95")
    a = ap.parse_args()
    from threadpoolctl import threadpool_limits
    threadpool_limits(1)
    from statsforecast import StatsForecast
    train, test, meta = score_forecast.load_dataset(a.set, a.data)
    ids = sorted(meta["series_id"])
    if a.sample:
        ids = sorted(np.random.default_rng(0).choice(ids, size=a.sample, replace=False).tolist())
    train, test, meta = (d[d["series_id"].isin(ids)] for d in (train, test, meta))
    m, h = int(meta["season_length"].iloc[0]), int(meta["h"].iloc[0])
    a.out.mkdir(parents=True, exist_ok=True)
    df = train.rename(columns={"series_id": "unique_id", "timestamp": "ds", "value": "y"})
    results = []
    for name in a.models.split(","):
        instance = model(name, m, h)
        started, cpu = time.perf_counter(), time.process_time()
        fc = StatsForecast(models=[instance], freq=1, n_jobs=1).forecast(df=df, h=h, level=[60, 80, 90, 95])
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        alias = str(instance)
        out = pd.DataFrame({"series_id": fc["unique_id"].astype(str).to_numpy(), "timestamp": fc["ds"].astype(int).to_numpy(),
                            "yhat": fc[alias].to_numpy()})
        for level in (80, 95):
            out[f"lo{level}"] = fc[f"{alias}-lo-{level}"].to_numpy()
            out[f"hi{level}"] = fc[f"{alias}-hi-{level}"].to_numpy()
        out["q80"] = fc[f"{alias}-hi-60"].to_numpy()
        out["q95"] = fc[f"{alias}-hi-90"].to_numpy()
        path = a.out / f"{a.set}_{name}.csv"
        out.to_csv(path, index=False)
        summary, _ = score_forecast.score(out, train, test, meta)
        row = {"model": name, "series": len(ids), **summary, **measures(out, train, test, meta),
               "wall_s": wall, "cpu_s": cpu}
        for lead in map(int, a.lead_times.split(",")):
            for csl in map(float, a.csls.split(",")):
                inv, _ = inventory.run(a.set, out, lead, csl, data_dir=a.data)
                row[f"inventory_L{lead}_{csl}"] = {k: inv[k] for k in ("cycle_sl", "fill_rate", "avg_on_hand_periods")}
        results.append(row)
        print(f"{name}: MASE {row['mase']:.3f} RMSSE {row['rmsse']:.3f} cov80 {row['coverage80']:.3f} "
              f"cov95 {row['coverage95']:.3f} ({wall:.1f} s)", file=sys.stderr, flush=True)
    (a.out / f"{a.set}_reference.json").write_text(json.dumps(results, indent=2))
    print("| model | MASE | RMSSE | WAPE | cov80 | cov95 | pinball80 | pinball95 | pinball q0.8 | pinball q0.95 | CPU s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(f"| {r['model']} | {r['mase']:.3f} | {r['rmsse']:.3f} | {r['wape']:.3f} | {r['coverage80']:.3f} | "
              f"{r['coverage95']:.3f} | {r.get('pinball80', float('nan')):.3f} | {r.get('pinball95', float('nan')):.3f} | "
              f"{r.get('pinball_q80', float('nan')):.3f} | {r.get('pinball_q95', float('nan')):.3f} | {r['cpu_s']:.1f} |")
    print("\n| model | L | target | achieved CSL | fill | on hand (days) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        for key, inv in r.items():
            if key.startswith("inventory_"):
                _, lead, csl = key.split("_")
                print(f"| {r['model']} | {lead[1:]} | {csl} | {inv['cycle_sl']:.3f} | {inv['fill_rate']:.3f} | "
                      f"{inv['avg_on_hand_periods']:.2f} |")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
