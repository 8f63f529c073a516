#!/usr/bin/env python3
"""Evaluate the Cartwise customer model over HTTP on a transaction log in the kit's segment layout.

1. The calibration rows (order_date <= --calibration-end, default 1997-09-30) of
   DATA/SET_transactions.csv (customer_id,order_date,amount) are written as an orders CSV
   (id,label,amount,user,created_at) and imported with `cartwise import orders`;
2. `cartwise serve` builds the customer model as it starts; the script waits for it;
3. every customer is asked for over HTTP: GET /customers/{id}?horizon_days=N for the holdout
   (N = days from the calibration end to --holdout-end, 273 for CDNOW), and at the defaults
   (365 days, 1 % a month) for CLV, p_alive and the segment;
4. the same figures from the in-process model (`cartwise bench customers` on the same rows) must
   match every customer's: the largest differences are printed;
5. holdout repeat purchases (distinct purchase days after the calibration end) are compared
   with the predictions: per-customer MAE, RMSE, correlation and the totals;
6. the served segments (exported as CSV, one stream per segment) are scored by the kit's
   anchors/score_segment.py on the calibration rows; its JSON is printed last.

Usage: scripts/eval-segment.py --data ../shared/eval/data/segment --set cdnow_sample
       (sets: cdnow_sample, cdnow; any SET with a SET_transactions.csv in the same layout)
"""
import argparse
import csv
import datetime
import http.client
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EVAL = os.path.join(ROOT, "..", "shared", "eval")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.path.join(EVAL, "data", "segment"))
    parser.add_argument("--set", default="cdnow_sample")
    parser.add_argument("--calibration-end", default="1997-09-30")
    parser.add_argument("--holdout-end", default="1998-06-30")
    parser.add_argument("--port", type=int, default=18281)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/cartwise"))
    parser.add_argument("--python", default=os.path.join(EVAL, ".venv-ops/bin/python"))
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if not os.path.exists(args.binary):
        subprocess.run(["swift", "build", "-c", "release", "--product", "cartwise"], cwd=ROOT, check=True)
    source = os.path.join(args.data, f"{args.set}_transactions.csv")
    work = tempfile.mkdtemp(prefix="cartwise-segment-")
    cal_end = datetime.date.fromisoformat(args.calibration_end)
    hold_end = datetime.date.fromisoformat(args.holdout_end)
    horizon = (hold_end - cal_end).days

    calibration = os.path.join(work, "calibration.csv")
    orders = os.path.join(work, "orders.csv")
    holdout_days = {}
    customers = set()
    with open(source) as f, open(calibration, "w", newline="") as cal, open(orders, "w", newline="") as out:
        reader = csv.DictReader(f)
        cal_writer = csv.writer(cal)
        cal_writer.writerow(["customer_id", "order_date", "amount"])
        writer = csv.writer(out)
        writer.writerow(["id", "label", "amount", "user", "created_at"])
        for number, row in enumerate(reader):
            day = datetime.date.fromisoformat(row["order_date"][:10])
            if day <= cal_end:
                customers.add(row["customer_id"])
                cal_writer.writerow([row["customer_id"], row["order_date"], row["amount"]])
                writer.writerow([f"r{number}", "", row["amount"], row["customer_id"], row["order_date"]])
            elif day <= hold_end:
                holdout_days.setdefault(row["customer_id"], set()).add(day)

    data = os.path.join(work, "data")
    started = time.time()
    subprocess.run([args.binary, "import", "orders", orders, "--data-dir", data], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    imported = time.time() - started
    server = subprocess.Popen([args.binary, "serve", "--port", str(args.port), "--data-dir", data],
                              stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "server.log"), "w"))
    try:
        conn = None
        for _ in range(600):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=120)
                conn.request("GET", "/segments")
                response = conn.getresponse()
                body = response.read()
                if response.status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        segments = json.loads(body)
        model_ready = time.time() - started

        def get(path, headers=None):
            conn.request("GET", path, headers=headers or {})
            response = conn.getresponse()
            data = response.read()
            if response.status != 200:
                raise SystemExit(f"GET {path}: {response.status} {data[:300]!r}")
            return data

        served = {}
        t0 = time.time()
        for customer in sorted(customers):
            default = json.loads(get(f"/customers/{customer}"))
            holdout = json.loads(get(f"/customers/{customer}?horizon_days={horizon}"))
            served[customer] = (default, holdout)
        per_request_ms = (time.time() - t0) * 1000 / (2 * len(customers))

        labels = os.path.join(work, "labels.csv")
        exported = 0
        with open(labels, "w") as out:
            out.write("customer_id,cluster\n")
            for position, segment in enumerate(segments["segments"]):
                rows = get(f"/segments/{segment['id']}/customers", {"Accept": "text/csv"}).decode().splitlines()[1:]
                for row in rows:
                    out.write(f"{row.split(',')[0]},{position}\n")
                exported += len(rows)
    finally:
        server.terminate()
        server.wait()

    # The in-process model on the same rows.
    bench_out = os.path.join(work, "in-process.csv")
    bench = json.loads(subprocess.run(
        [args.binary, "bench", "customers", calibration, "--output", bench_out, "--repeats", "1"],
        check=True, capture_output=True, text=True).stdout)
    local = {}
    with open(bench_out) as f:
        for row in csv.DictReader(f):
            local[row["customer"]] = row
    worst = {"p_alive": 0.0, "expected_purchases": 0.0, "expected_spend": 0.0, "clv": 0.0}
    segment_mismatches = 0
    for customer, (default, _) in served.items():
        mine = local[customer]
        for field in worst:
            a, b = default[field], float(mine[field]) if mine[field] else None
            if a is None or b is None:
                if a != b:
                    worst[field] = math.inf
                continue
            worst[field] = max(worst[field], abs(a - b) / max(1.0, abs(b)))
        if (default["segment"] or {}).get("id", "") != mine["segment"]:
            segment_mismatches += 1

    predicted = []
    actual = []
    for customer, (_, holdout) in served.items():
        predicted.append(holdout["expected_purchases"] or 0.0)
        actual.append(len(holdout_days.get(customer, ())))
    n = len(predicted)
    mae = sum(abs(p - a) for p, a in zip(predicted, actual)) / n
    rmse = math.sqrt(sum((p - a) ** 2 for p, a in zip(predicted, actual)) / n)
    mp, ma = sum(predicted) / n, sum(actual) / n
    cov = sum((p - mp) * (a - ma) for p, a in zip(predicted, actual))
    corr = cov / math.sqrt(sum((p - mp) ** 2 for p in predicted) * sum((a - ma) ** 2 for a in actual))
    clv = [d["clv"] for d, _ in served.values() if d["clv"] is not None]
    print(f"set {args.set}: {n} customers; import {imported:.1f} s, model served {model_ready:.1f} s after the import began; "
          f"{per_request_ms:.3f} ms a request from one Python client")
    print(f"served model: {bench['served_model']} ({bench['selection']})")
    print(f"BG/NBD r, alpha, a, b = {bench['bgnbd']['r']:.4f}, {bench['bgnbd']['alpha']:.4f}, {bench['bgnbd']['a']:.4f}, "
          f"{bench['bgnbd']['b']:.4f}; MBG/NBD {bench['mbgnbd']['r']:.4f}, {bench['mbgnbd']['alpha']:.4f}, "
          f"{bench['mbgnbd']['a']:.4f}, {bench['mbgnbd']['b']:.4f}; Gamma-Gamma p, q, v = {bench['gamma_gamma']['p']:.4f}, "
          f"{bench['gamma_gamma']['q']:.4f}, {bench['gamma_gamma']['v']:.4f}")
    print(f"holdout ({horizon} days): repeat purchases actual {sum(actual)} predicted {sum(predicted):.1f} "
          f"({(sum(predicted) / sum(actual) - 1) * 100:+.1f} %); per customer MAE {mae:.4f} RMSE {rmse:.4f} corr {corr:.4f}")
    print(f"12-month CLV (1 % a month) mean {sum(clv) / len(clv):.2f} over {len(clv)} customers")
    print(f"HTTP against in-process, largest relative difference: " + ", ".join(f"{k} {v:.2e}" for k, v in worst.items())
          + f"; segment differs for {segment_mismatches} customers; {exported} exported in {len(segments['segments'])} segments")
    scored = subprocess.run([args.python, os.path.join(EVAL, "anchors", "score_segment.py"), "--transactions", calibration,
                             "--labels", labels, "--anchor-labels", "/nonexistent"],
                            check=True, capture_output=True, text=True).stdout
    result = json.loads(scored)
    result.update({"set": args.set, "holdout_mae": mae, "holdout_rmse": rmse, "holdout_corr": corr,
                   "holdout_actual": sum(actual), "holdout_predicted": sum(predicted),
                   "max_relative_difference_vs_in_process": worst, "segment_mismatches": segment_mismatches})
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
