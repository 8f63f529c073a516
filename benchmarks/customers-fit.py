#!/usr/bin/env python3
"""Fit times and fits of the customer models against the evaluation kit's references, in one run.

For each k in 4..8: scikit-learn KMeans(k-means++, n_init=10, random_state=0) and
`cartwise bench kmeans` (the same settings), both on --threads threads, on the CDNOW RFM features, scored by the kit's
score_segment.py (inertia and silhouette over all customers). Then BG/NBD and Gamma-Gamma on
the CDNOW sample and full cohort (calibration to 1997-09-30): lifetimes 0.11.3 against
`cartwise bench customers`, parameters and fit seconds (median of --runs); Pareto/NBD too.

Usage: benchmarks/customers-fit.py [--eval ../shared/eval] [--cartwise .build/release/cartwise] [--runs 3] [--threads 1]
Needs the kit's .venv-ops (bash ../shared/eval/setup.sh) and data/segment (prepare_segment.py).
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eval", type=Path, default=Path(__file__).resolve().parents[1] / ".." / "shared" / "eval")
    ap.add_argument("--cartwise", default=str(Path(__file__).resolve().parents[1] / ".build" / "release" / "cartwise"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1, help="threads for both k-means fits (sklearn's OpenMP, our restarts)")
    a = ap.parse_args()
    warnings.filterwarnings("ignore")
    sys.path.insert(0, str(a.eval / "anchors"))
    import numpy as np
    import pandas as pd
    import score_segment
    from threadpoolctl import threadpool_limits
    threadpool_limits(a.threads)
    from sklearn.cluster import KMeans

    data = a.eval / "data" / "segment"
    tx = pd.read_csv(data / "cdnow_transactions.csv")
    features = score_segment.rfm(tx)
    X = score_segment.features(features)
    work = Path(tempfile.mkdtemp(prefix="customers-fit-"))
    features.to_csv(work / "rfm.csv", float_format="%.17g")

    # Ours first for every k (one process: it prints a table), then scikit-learn's.
    out = subprocess.run([a.cartwise, "bench", "kmeans", str(work / "rfm.csv"), "--repeats", str(a.runs),
                          "--threads", str(a.threads), "--output", str(work / "labels.csv")], check=True, capture_output=True, text=True).stdout
    ours = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 4 and cells[0].isdigit():
            ours[int(cells[0])] = float(cells[3])
    labels = pd.read_csv(work / "labels.csv").set_index("customer_id")
    print("| k | sklearn inertia | ours | ratio | sklearn silhouette | ours | sklearn fit s | ours | time ratio |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    rows = []
    for k in range(4, 9):
        walls = []
        km = None
        for _ in range(a.runs):
            t0 = time.perf_counter()
            km = KMeans(n_clusters=k, init="k-means++", n_init=10, random_state=0).fit(X)
            walls.append(time.perf_counter() - t0)
        ref = score_segment.score_labels(features, pd.Series(km.labels_, index=features.index), None)
        mine = score_segment.score_labels(features, labels[f"k{k}"], None)
        sk_time = statistics.median(walls)
        rows.append({"k": k, "sklearn": ref, "ours": mine, "sklearn_s": sk_time, "ours_s": ours[k]})
        print(f"| {k} | {ref['inertia']:.1f} | {mine['inertia']:.1f} | {mine['inertia'] / ref['inertia']:.4f} | "
              f"{ref['silhouette']:.4f} | {mine['silhouette']:.4f} | {sk_time:.3f} | {ours[k]:.3f} | "
              f"{ours[k] / sk_time:.2f} |", flush=True)

    from lifetimes import BetaGeoFitter, GammaGammaFitter, ParetoNBDFitter
    from lifetimes.utils import calibration_and_holdout_data
    print()
    print("| cohort | model | lifetimes params | ours | lifetimes fit s | ours | time ratio |")
    print("| --- | --- | --- | --- | ---: | ---: | ---: |")
    clv = []
    for name, fname in (("sample", "cdnow_sample_transactions.csv"), ("full", "cdnow_transactions.csv")):
        t = pd.read_csv(data / fname)
        t["order_date"] = pd.to_datetime(t["order_date"])
        s = calibration_and_holdout_data(t, "customer_id", "order_date", calibration_period_end="1997-09-30",
                                         observation_period_end="1998-06-30", freq="D", freq_multiplier=7,
                                         monetary_value_col="amount")
        walls, bgf = [], None
        for _ in range(a.runs):
            t0 = time.perf_counter()
            bgf = BetaGeoFitter().fit(s["frequency_cal"], s["recency_cal"], s["T_cal"])
            walls.append(time.perf_counter() - t0)
        rep = s[(s["frequency_cal"] > 0) & (s["monetary_value_cal"] > 0)]
        gwalls, ggf = [], None
        for _ in range(a.runs):
            t0 = time.perf_counter()
            ggf = GammaGammaFitter().fit(rep["frequency_cal"], rep["monetary_value_cal"])
            gwalls.append(time.perf_counter() - t0)
        pwalls, pnbd = [], None
        for _ in range(a.runs):
            t0 = time.perf_counter()
            pnbd = ParetoNBDFitter().fit(s["frequency_cal"], s["recency_cal"], s["T_cal"])
            pwalls.append(time.perf_counter() - t0)
        mine = json.loads(subprocess.run(
            [a.cartwise, "bench", "customers", str(data / fname), "--calibration-end", "1997-09-30",
             "--repeats", str(a.runs)], check=True, capture_output=True, text=True).stdout)
        bg = mine["bgnbd"]
        gg = mine["gamma_gamma"]
        lt_bg = bgf.params_
        lt_gg = ggf.params_
        print(f"| {name} | BG/NBD r, α, a, b | {lt_bg['r']:.4f}, {lt_bg['alpha']:.4f}, {lt_bg['a']:.4f}, {lt_bg['b']:.4f} | "
              f"{bg['r']:.4f}, {bg['alpha']:.4f}, {bg['a']:.4f}, {bg['b']:.4f} | {statistics.median(walls):.3f} | "
              f"{bg['fit_seconds']:.3f} | {bg['fit_seconds'] / statistics.median(walls):.2f} |")
        print(f"| {name} | Gamma-Gamma p, q, v | {lt_gg['p']:.4f}, {lt_gg['q']:.4f}, {lt_gg['v']:.4f} | "
              f"{gg['p']:.4f}, {gg['q']:.4f}, {gg['v']:.4f} | {statistics.median(gwalls):.3f} | "
              f"{gg['fit_seconds']:.3f} | {gg['fit_seconds'] / statistics.median(gwalls):.2f} |", flush=True)
        pn = mine["pareto_nbd"]
        lt_pn = pnbd.params_
        print(f"| {name} | Pareto/NBD r, α, s, β | {lt_pn['r']:.4f}, {lt_pn['alpha']:.4f}, {lt_pn['s']:.4f}, {lt_pn['beta']:.4f} | "
              f"{pn['r']:.4f}, {pn['alpha']:.4f}, {pn['s']:.4f}, {pn['beta']:.4f} | {statistics.median(pwalls):.3f} | "
              f"{pn['fit_seconds']:.3f} | {pn['fit_seconds'] / statistics.median(pwalls):.2f} |", flush=True)
        clv.append({"cohort": name, "lifetimes_bgnbd_s": statistics.median(walls), "ours": mine})
    print(json.dumps({"kmeans": rows, "clv": clv}, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
