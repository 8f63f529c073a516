#!/usr/bin/env python3
"""Evaluate Cartwise recommendations exactly as the reference `implicit` ALS was evaluated.

1. `cartwise import events DATA/train.csv` into a fresh data directory (rows become rating
   events; the ALS weight is the CSV weight, so the confidence is 1 + alpha * weight as in
   ../shared/eval/anchors/recsys.py);
2. `cartwise serve` trains on start-up with its defaults (which tune alpha on a held-back slice of
   each user's latest item, then train the served model on everything), or with --set values;
3. `GET /recommend?user=U&k=10` over HTTP for every test user (train items excluded);
4. ../shared/eval/anchors/metrics.py scores the recommendations.

Usage: scripts/eval-recsys.py --data ../shared/eval/data/recsys/ml100k [--set als.alpha=40 ...]
       [--label NAME] [--threads 2]
Prints one Markdown row with P@10, NDCG@10, MAP@10, training seconds and seconds per iteration.
"""
import argparse
import http.client
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EVAL = os.path.join(ROOT, "..", "shared", "eval")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True)
    parser.add_argument("--set", action="append", default=[], help="a Cartwise setting KEY=VALUE")
    parser.add_argument("--label", default="cartwise")
    parser.add_argument("--port", type=int, default=18250)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/cartwise"))
    parser.add_argument("--python", default=os.path.join(EVAL, ".venv/bin/python"))
    parser.add_argument("--keep", action="store_true", help="keep the data directory and recs.csv")
    args = parser.parse_args()
    if not os.path.exists(args.binary):
        subprocess.run(["swift", "build", "-c", "release", "--product", "cartwise"], cwd=ROOT, check=True)
    work = tempfile.mkdtemp(prefix="cartwise-eval-")
    data = os.path.join(work, "data")
    settings = []
    for item in ["trainer.min_new_events=1000000000", "trainer.interval_s=604800"] + args.set:
        settings += ["--set", item]
    subprocess.run([args.binary, "import", "events", os.path.join(args.data, "train.csv"), "--data-dir", data],
                   check=True, stderr=subprocess.DEVNULL)
    log = open(os.path.join(work, "server.log"), "w")
    server = subprocess.Popen([args.binary, "serve", "--port", str(args.port), "--data-dir", data,
                               "--log-level", "info"] + settings, stdout=subprocess.DEVNULL, stderr=log)
    try:
        deadline = time.time() + 1800
        while time.time() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2)
                conn.request("GET", "/readyz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=10)
        conn.request("GET", "/models")
        model = json.loads(conn.getresponse().read())

        users = []
        with open(os.path.join(args.data, "test.csv")) as f:
            next(f)
            seen = set()
            for line in f:
                user = line.split(",", 1)[0].strip()
                if user not in seen:
                    seen.add(user)
                    users.append(user)
        jobs = queue.Queue()
        for user in users:
            jobs.put(user)
        rows, lock, failures = [], threading.Lock(), []

        def worker():
            c = http.client.HTTPConnection("127.0.0.1", args.port, timeout=10)
            while True:
                try:
                    user = jobs.get_nowait()
                except queue.Empty:
                    return
                c.request("GET", f"/recommend?user={user}&k=10")
                response = c.getresponse()
                body = response.read()
                if response.status != 200:
                    failures.append((user, response.status))
                    continue
                items = json.loads(body)["items"]
                with lock:
                    rows.extend((user, item["item"], rank + 1) for rank, item in enumerate(items))

        started = time.time()
        threads = [threading.Thread(target=worker) for _ in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        query_seconds = time.time() - started
        recs = os.path.join(work, "recs.csv")
        with open(recs, "w") as f:
            f.write("user_id,item_id,rank\n")
            for user, item, rank in rows:
                f.write(f"{user},{item},{rank}\n")
        scored = subprocess.run([args.python, os.path.join(EVAL, "anchors", "metrics.py"), "--test",
                                 os.path.join(args.data, "test.csv"), "--recs", recs, "--train",
                                 os.path.join(args.data, "train.csv")], capture_output=True, text=True, check=True)
        metrics = json.loads(scored.stdout)
        params = model["parameters"]
        seconds = float(model["training_seconds"])
        print(f"| {os.path.basename(args.data.rstrip('/'))} | {args.label} | f={params['factors']} reg={params['regularization']:g} "
              f"alpha={params['alpha']:g} it={params['iterations']} | {metrics.get('precision@10', metrics.get('precision')):.4f} | "
              f"{metrics.get('ndcg@10', metrics.get('ndcg')):.4f} | {metrics.get('map@10', metrics.get('map')):.4f} | "
              f"{seconds:.2f} | {seconds / params['iterations']:.3f} | {len(users) / query_seconds:,.0f} | {len(failures)} |",
              flush=True)
        if failures:
            print(f"failed requests: {failures[:5]}", file=sys.stderr)
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
    finally:
        server.terminate()
        server.wait()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
