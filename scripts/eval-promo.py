#!/usr/bin/env python3
"""Forecast the evaluation kit's promotion set (Dominick's orange juice) through the service,
with and without its covariates, and score both with the kit's scorer.

1. Each series' training weeks go to `POST /series` (weekly, integer week indexes, season
   length 1 as every kit anchor uses) with `price`, `deal`, `feature` and `comp_price` next to
   `units`. A missing week is filled as the kit's anchors fill it: log(units) interpolated, the
   covariates carried forward (then backward).
2. The held-out weeks' known prices and promotions go to `POST /promotions` (the baseline
   plan), the way a planner enters next quarter's promotion calendar; a week missing from the
   test file carries the last covariates forward, as the anchors do.
3. `GET /forecast?item=ID&horizon=12&levels=80,95` per series once the forecaster is current;
   yhat is the answer's `median` (the log model's exp(mean of the log), as the kit's log
   anchors forecast; the median is also the point that minimises absolute error).
4. The same with `--no-covariates` semantics in a second data directory: the series alone.
5. ../shared/eval/anchors/score_promo.py scores each; a table compares them with the kit's
   reference rows (results/promo/oj_all_results.json when present); the scorer's JSON of the
   run with covariates is printed last.

Usage: scripts/eval-promo.py --data ../shared/eval/data/promo --set oj [--only covariates|plain]
"""
import argparse
import csv
import http.client
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EVAL = os.path.join(ROOT, "..", "shared", "eval")
COVARIATES = ["price", "deal", "feature", "comp_price"]


class Server:
    def __init__(self, binary, data, port, log, settings=()):
        self.port = port
        extra = [part for setting in settings for part in ("--set", setting)]
        self.process = subprocess.Popen([binary, "serve", "--port", str(port), "--data-dir", data] + extra,
                                        stdout=subprocess.DEVNULL, stderr=open(log, "w"))
        for _ in range(1200):
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.25)
        raise SystemExit("the server did not start")

    def request(self, method, path, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, data

    def call(self, method, path, body=None, expect=(200, 201, 202)):
        status, data = self.request(method, path, body)
        if status not in expect:
            raise SystemExit(f"{method} {path}: {status} {data[:500]!r}")
        return json.loads(data) if data else None

    def stop(self):
        self.process.terminate()
        self.process.wait()


def read(path):
    series = defaultdict(dict)
    with open(path) as f:
        for row in csv.DictReader(f):
            series[row["series_id"]][int(row["week"])] = {k: float(row[k]) for k in ["units"] + COVARIATES}
    return series


def filled_history(rows, origin):
    """The kit's grid: every week from the first to the forecast origin, log(units) interpolated
    over gaps (carried forward after the last shipped week) and covariates carried forward."""
    weeks = sorted(rows)
    out = []
    last = None
    for week in range(weeks[0], origin + 1):
        if week in rows:
            row = dict(rows[week])
        elif week > weeks[-1]:
            row = dict(last)
        else:
            after = min(w for w in weeks if w > week)
            before = max(w for w in weeks if w < week)
            share = (week - before) / (after - before)
            log_units = (1 - share) * math.log(rows[before]["units"]) + share * math.log(rows[after]["units"])
            row = dict(last)
            row["units"] = math.exp(log_units)
        out.append((week, row))
        last = row
    return out


def wait_current(server, expected, timeout=3600):
    start = time.time()
    while time.time() - start < timeout:
        card = server.call("GET", "/models/forecast")
        if card.get("current") and card.get("series", 0) >= expected:
            return card
        time.sleep(2)
    raise SystemExit("the forecaster did not finish in time")


def run(args, train, test, covariates, work, tag):
    data = os.path.join(work, tag)
    server = Server(args.binary, data, args.port, os.path.join(work, f"{tag}.log"), args.setting)
    try:
        started = time.time()
        ids = sorted(train)
        origin = max(max(rows) for rows in train.values())
        for chunk in range(0, len(ids), 200):
            batch = []
            for sid in ids[chunk:chunk + 200]:
                points = []
                for week, row in filled_history(train[sid], origin):
                    point = {"t": week, "value": round(row["units"], 6)}
                    if covariates:
                        point.update({k: row[k] for k in COVARIATES})
                    points.append(point)
                batch.append({"id": sid, "frequency": "week", "season_length": 1, "points": points})
            server.call("POST", "/series", {"series": batch})
        if covariates:
            plans = []
            for sid in ids:
                history = filled_history(train[sid], origin)
                last_week, last = history[-1]
                points = []
                current = last
                for week in range(last_week + 1, last_week + args.horizon + 1):
                    if week in test.get(sid, {}):
                        current = test[sid][week]
                    points.append({"t": week, **{k: current[k] for k in COVARIATES}})
                plans.append({"id": sid, "points": points})
            for chunk in range(0, len(plans), 500):
                server.call("POST", "/promotions", {"promotions": plans[chunk:chunk + 500]})
        card = wait_current(server, len(ids))
        fit_seconds = time.time() - started
        out = os.path.join(work, f"fc-{tag}.csv")
        models = defaultdict(int)
        with open(out, "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["series_id", "week", "yhat", "lo80", "hi80", "lo95", "hi95"])
            for sid in ids:
                answer = server.call("GET", f"/forecast?item={sid}&horizon={args.horizon}&levels=80,95")
                models[answer["model"].split(" with ")[0] if answer["model"].startswith("Regression") else "other"] += 1
                for point in answer["points"]:
                    writer.writerow([sid, point["t"], point["median"], point["lo80"], point["hi80"],
                                     point["lo95"], point["hi95"]])
        return out, fit_seconds, card, dict(models)
    finally:
        server.stop()


def score(args, forecast):
    result = subprocess.run([args.python, os.path.join(EVAL, "anchors", "score_promo.py"), "--forecast", forecast,
                             "--json"], capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.path.join(EVAL, "data", "promo"))
    parser.add_argument("--set", default="oj")
    parser.add_argument("--only", choices=["covariates", "plain"])
    parser.add_argument("--horizon", type=int, default=12)
    parser.add_argument("--port", type=int, default=18293)
    parser.add_argument("--setting", action="append", default=[], help="a service setting KEY=VALUE")
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/cartwise"))
    parser.add_argument("--python", default=os.path.join(EVAL, ".venv-wave2b/bin/python"))
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if not os.path.exists(args.binary):
        subprocess.run(["swift", "build", "-c", "release", "--product", "cartwise"], cwd=ROOT, check=True)
    train = read(os.path.join(args.data, f"{args.set}_train.csv"))
    test = read(os.path.join(args.data, f"{args.set}_test.csv"))
    work = tempfile.mkdtemp(prefix="cartwise-promo-")
    rows = []
    scores = {}
    try:
        for tag, covariates in [("covariates", True), ("plain", False)]:
            if args.only and args.only != tag:
                continue
            forecast, seconds, card, models = run(args, train, test, covariates, work, tag)
            scores[tag] = score(args, forecast)
            rows.append((f"Cartwise {'with' if covariates else 'without'} covariates", scores[tag], seconds, models))
        reference = os.path.join(EVAL, "results", "promo", f"{args.set}_all_results.json")
        print(f"{'model':<36} {'sMAPE':>7} {'MASE':>6} {'WAPE':>6} {'promo/reg WAPE':>15} {'cov80':>6} {'cov95':>6} {'wall s':>7}")
        for name, s, seconds, models in rows:
            print(f"{name:<36} {s['smape']:7.2f} {s['mase']:6.3f} {s['wape']:6.3f} "
                  f"{s['wape_promo']:7.3f}/{s['wape_regular']:.3f} {s['coverage80']:6.3f} {s['coverage95']:6.3f} "
                  f"{seconds:7.1f}  {models}")
        if os.path.exists(reference):
            for row in json.load(open(reference)):
                r = row.get("metrics", row)
                print(f"kit {row.get('model', '?'):<32} {r.get('smape', float('nan')):7.2f} {r.get('mase', float('nan')):6.3f} "
                      f"{r.get('wape', float('nan')):6.3f}")
        print(json.dumps(scores.get("covariates") or scores.get("plain"), indent=1))
    finally:
        if args.keep:
            print("kept", work, file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
