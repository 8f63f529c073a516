#!/usr/bin/env python3
"""Evaluate the Cartwise order-risk model exactly as the reference scikit-learn models were.

1. The creditcard train split (by ../shared/eval/data/fraud/creditcard_split.csv) is written as
   CSV and imported with `cartwise import orders` into a fresh data directory (id = order id,
   label, Amount = amount, every other column a signal);
2. `cartwise serve` trains the boosted trees on the labelled orders as it starts; the script
   waits until `GET /models/risk` reports the trees;
3. every test row goes through `POST /score-order` over HTTP (`amount` plus its `signals`), from
   16 connections (the audit trail is group-committed, as in production), and the returned
   `score` is written as `id,score`;
4. ../shared/eval/anchors/score_fraud.py scores them (ROC-AUC, PR-AUC, recall at 1 % / 5 % FPR).

Usage: scripts/eval-fraud.py [--set risk.l2=1] [--reference] [--label NAME]
With --reference, also times scikit-learn's HistGradientBoostingClassifier (l2 1.0, no early
stopping: anchors/fraud.py --models hgb_l2) right after, for the training-time ratio.
"""
import argparse
import concurrent.futures
import csv
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EVAL = os.path.join(ROOT, "..", "shared", "eval")
FRAUD = os.path.join(EVAL, "data", "fraud")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", action="append", default=[], help="a Cartwise setting KEY=VALUE")
    parser.add_argument("--label", default="cartwise")
    parser.add_argument("--port", type=int, default=18271)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/cartwise"))
    parser.add_argument("--python", default=os.path.join(EVAL, ".venv-ops/bin/python"))
    parser.add_argument("--reference", action="store_true", help="also time sklearn hgb_l2 in the same run")
    parser.add_argument("--keep", action="store_true", help="keep the data directory and scores.csv")
    args = parser.parse_args()
    if not os.path.exists(args.binary):
        subprocess.run(["swift", "build", "-c", "release", "--product", "cartwise"], cwd=ROOT, check=True)
    work = tempfile.mkdtemp(prefix="cartwise-fraud-")
    data = os.path.join(work, "data")
    split = {}
    with open(os.path.join(FRAUD, "creditcard_split.csv")) as f:
        for row in csv.DictReader(f):
            split[row["id"]] = row["split"]
    train_path = os.path.join(work, "train.csv")
    test = []
    with open(os.path.join(FRAUD, "creditcard.csv")) as f, open(train_path, "w", newline="") as out:
        reader = csv.DictReader(f)
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames)
        writer.writeheader()
        for row in reader:
            if split[row["id"]] == "train":
                writer.writerow(row)
            else:
                test.append(row)
    started = time.time()
    subprocess.run([args.binary, "import", "orders", train_path, "--data-dir", data], check=True,
                   stderr=subprocess.DEVNULL)
    imported = time.time() - started
    settings = []
    for item in ["trainer.min_new_events=1000000000", "storage.durability=fsync"] + args.set:
        settings += ["--set", item]
    log = open(os.path.join(work, "server.log"), "w")
    server = subprocess.Popen([args.binary, "serve", "--port", str(args.port), "--data-dir", data,
                               "--log-level", "info"] + settings, stdout=subprocess.DEVNULL, stderr=log)
    try:
        info = wait_for_model(args.port, server)
        scores = os.path.join(work, "scores.csv")
        scored = score_test(args.port, test, scores, args.connections)
        result = subprocess.run([args.python, os.path.join(EVAL, "anchors/score_fraud.py"), "--dataset",
                                 "creditcard", "--scores", scores, "--json"],
                                check=True, capture_output=True, text=True)
        metrics = json.loads(result.stdout)
        print("| run | ROC-AUC | PR-AUC | recall@1%FPR | recall@5%FPR | train orders | trees | fit s (1 thread) "
              "| import s | scored/s | settings |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        print(f"| {args.label} | {metrics['roc_auc']:.4f} | {metrics['pr_auc']:.4f} | "
              f"{metrics['recall@fpr1']:.3f} | "
              f"{metrics['recall@fpr5']:.3f} | {info['trained_on_orders']:,} | "
              f"{info['trees']} | {info['training_seconds']:.2f} | {imported:.1f} | "
              f"{scored['rows'] / scored['seconds']:,.0f} | {' '.join(args.set) or 'defaults'} |")
        if args.reference:
            reference(args.python, info["training_seconds"])
        if args.keep:
            print(f"\nkept {work}", file=sys.stderr)
    finally:
        server.terminate()
        server.wait(timeout=60)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def wait_for_model(port, server):
    """Polls GET /models/risk until the trees replace the rule score."""
    deadline = time.time() + 1800
    while time.time() < deadline:
        if server.poll() is not None:
            sys.exit("the server exited; see its log")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/models/risk")
            response = conn.getresponse()
            body = response.read()
            if response.status == 200:
                info = json.loads(body)
                if info["model"] == "gbdt":
                    return info
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit("the risk model was not trained in time")


def score_test(port, rows, out, connections):
    """POST /score-order for every test row from `connections` keep-alive connections."""
    local = threading.local()
    started = time.time()

    def score(row):
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        signals = {k: float(v) for k, v in row.items() if k not in ("id", "label", "Amount") and v != ""}
        body = {"order_id": "test-" + row["id"], "amount": float(row["Amount"]), "signals": signals}
        local.conn.request("POST", "/score-order", body=json.dumps(body),
                           headers={"Content-Type": "application/json"})
        response = local.conn.getresponse()
        answer = json.loads(response.read())
        if response.status != 200:
            sys.exit(f"POST /score-order answered {response.status}: {answer}")
        return row["id"], answer["score"]

    with concurrent.futures.ThreadPoolExecutor(max_workers=connections) as pool:
        results = list(pool.map(score, rows, chunksize=64))
    with open(out, "w") as o:
        o.write("id,score\n")
        for identifier, value in results:
            o.write(f"{identifier},{value!r}\n")
    return {"rows": len(results), "seconds": time.time() - started}


def reference(python, ours):
    """scikit-learn's hgb_l2 fit time on this machine now (median of 3, one thread)."""
    result = subprocess.run([python, os.path.join(EVAL, "anchors/fraud.py"), "--dataset", "creditcard",
                             "--models", "hgb_l2", "--runs", "3", "--latency-rows", "10"],
                            cwd=EVAL, check=True, capture_output=True, text=True)
    print("\nscikit-learn hgb_l2, same run:")
    print(result.stdout.strip()[-2000:])
    match = re.search(r"^\| hgb_l2 \|(?:[^|]*\|){4}\s*([0-9.]+)", result.stdout, re.M)
    if match:
        theirs = float(match.group(1))
        print(f"\nfit time: Cartwise {ours:.2f} s, scikit-learn {theirs:.2f} s, ratio {ours / theirs:.2f}x")


if __name__ == "__main__":
    main()
