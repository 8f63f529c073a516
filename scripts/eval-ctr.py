#!/usr/bin/env python3
"""Evaluate the Cartwise click model exactly as the reference hashed logistic regression was.

1. `cartwise import ctr DATA/train.csv` into a fresh data directory (every row a labelled
   impression; Criteo's I1..I13 are read as numbers, everything else as categories);
2. `cartwise serve` learns from the impressions as it replays the log (one online FTRL pass);
   the script waits until `GET /models/ctr` reports every example learned and published;
3. every row of DATA/test.csv goes through `POST /rank` over HTTP (its user, item, context and
   timestamp), and the returned `p_click` is written in test order;
4. ../shared/eval/anchors/ctr_metrics.py scores the predictions (log loss, AUC).

Usage: scripts/eval-ctr.py --data ../shared/eval/data/ctr/ml100k_ctr [--set ctr.crosses=...] [--label NAME]
Prints one Markdown row, and the calibration deciles of the progressive validation.
"""
import argparse
import csv
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EVAL = os.path.join(ROOT, "..", "shared", "eval")
NUMERIC = {"criteo_like": [f"I{i}" for i in range(1, 14)]}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True)
    parser.add_argument("--set", action="append", default=[], help="a Cartwise setting KEY=VALUE")
    parser.add_argument("--label", default="cartwise")
    parser.add_argument("--port", type=int, default=18270)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/cartwise"))
    parser.add_argument("--python", default=os.path.join(EVAL, ".venv/bin/python"))
    parser.add_argument("--keep", action="store_true", help="keep the data directory and preds.csv")
    args = parser.parse_args()
    if not os.path.exists(args.binary):
        subprocess.run(["swift", "build", "-c", "release", "--product", "cartwise"], cwd=ROOT, check=True)
    name = os.path.basename(os.path.normpath(args.data))
    numeric = NUMERIC.get(name, [])
    work = tempfile.mkdtemp(prefix="cartwise-ctr-")
    data = os.path.join(work, "data")
    started = time.time()
    subprocess.run([args.binary, "import", "ctr", os.path.join(args.data, "train.csv"), "--data-dir", data,
                    "--numeric", ",".join(numeric)], check=True, stderr=subprocess.DEVNULL)
    imported = time.time() - started
    with open(os.path.join(args.data, "train.csv")) as f:
        train_rows = sum(1 for _ in f) - 1
    settings = []
    for item in ["trainer.min_new_events=1000000000", "trainer.interval_s=604800"] + args.set:
        settings += ["--set", item]
    log = open(os.path.join(work, "server.log"), "w")
    server = subprocess.Popen([args.binary, "serve", "--port", str(args.port), "--data-dir", data,
                               "--log-level", "info"] + settings, stdout=subprocess.DEVNULL, stderr=log)
    try:
        served = time.time()
        info = wait_for_model(args.port, train_rows, server)
        learned = time.time() - served
        preds = os.path.join(work, "preds.csv")
        scored = score_test(args.port, os.path.join(args.data, "test.csv"), numeric, preds)
        result = subprocess.run([args.python, os.path.join(EVAL, "anchors/ctr_metrics.py"), "--test",
                                 os.path.join(args.data, "test.csv"), "--preds", preds],
                                check=True, capture_output=True, text=True)
        metrics = json.loads(result.stdout)
        print(f"| {name} | {args.label} | {metrics['logloss']:.4f} | {metrics['auc']:.4f} | "
              f"{info['progressive_log_loss']:.4f} | {train_rows:,} | {imported:.1f} | {learned:.1f} | "
              f"{scored['rows'] / scored['seconds']:,.0f} | {' '.join(args.set) or 'defaults'} |")
        print("\ncalibration (progressive validation, latest 100,000 examples): decile, mean predicted, observed")
        for index, decile in enumerate(info["calibration_deciles"], 1):
            print(f"  {index:2d}  {decile['mean_predicted']:.4f}  {decile['observed_rate']:.4f}")
        if args.keep:
            print(f"\nkept {work}", file=sys.stderr)
    finally:
        server.terminate()
        server.wait(timeout=60)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def wait_for_model(port, rows, server):
    """Polls GET /models/ctr until every imported example is learned and published."""
    deadline = time.time() + 1800
    while time.time() < deadline:
        if server.poll() is not None:
            sys.exit("the server exited; see its log")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/models/ctr")
            response = conn.getresponse()
            body = response.read()
            if response.status == 200:
                info = json.loads(body)
                if info["examples"] >= rows and info["backlog"] == 0:
                    return info
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit("the click model did not learn every example in time")


def score_test(port, path, numeric, out):
    """One POST /rank per test row, on one keep-alive connection; p_click in test order."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.time()
    rows = 0
    with open(path) as f, open(out, "w") as o:
        o.write("p\n")
        for row in csv.DictReader(f):
            row.pop("label")
            user = row.pop("user_id", "")
            item = row.pop("item_id", "") or "-"
            timestamp = row.pop("timestamp", None)
            context = {k: (float(v) if k in numeric and v != "" else v) for k, v in row.items()}
            body = {"items": [{"item": item}], "context": context}
            if user:
                body["user"] = user
            if timestamp:
                body["timestamp"] = int(timestamp)
            conn.request("POST", "/rank", body=json.dumps(body), headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            answer = json.loads(response.read())
            if response.status != 200:
                sys.exit(f"POST /rank answered {response.status}: {answer}")
            o.write(f"{answer['items'][0]['p_click']}\n")
            rows += 1
    return {"rows": rows, "seconds": time.time() - started}


if __name__ == "__main__":
    main()
