#!/usr/bin/env python3
"""Order risk on the demo store, as a risk analyst would try it.

1. `cartwise demo` generates the store into a fresh data directory; its labelled orders
   (demo/orders.csv, in time order) are cut at --holdout: the earlier orders stay as the
   orders the server imports and learns from, the later ones are held back;
2. `cartwise serve` starts on the directory, imports the earlier orders and trains the trees;
3. every held-back order goes through `POST /score-order` in time order with every field a
   checkout sends (so the velocity windows see them as they would live), asking for every
   feature's contribution (risk.reasons=30, more than the derived features);
4. it prints PR-AUC (average precision) and ROC-AUC on the held-back orders, recall and
   precision at the review and decline thresholds, a reliability table (score bins against the
   fraud rate seen in them), each fraud pattern's recall at the review threshold, and the
   features by total |contribution| over the held-back orders;
5. it scores the card-testing burst of issue 24 (six orders on one card within six minutes
   from an account five minutes old, billed in the US and shipped abroad, $1,600-2,100 each).

Usage: scripts/eval-demo-risk.py [--holdout 0.2] [--set KEY=VALUE ...]
Prints a JSON summary last.
"""
import argparse
import csv
import datetime
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--holdout", type=float, default=0.2)
    parser.add_argument("--set", action="append", default=[], help="a Cartwise setting KEY=VALUE")
    parser.add_argument("--port", type=int, default=18272)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/cartwise"))
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if not os.path.exists(args.binary):
        subprocess.run(["swift", "build", "-c", "release", "--product", "cartwise"], cwd=ROOT, check=True)
    work = tempfile.mkdtemp(prefix="cartwise-demo-risk-")
    data = os.path.join(work, "data")
    subprocess.run([args.binary, "demo", "--data-dir", data], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    orders_path = os.path.join(data, "demo", "orders.csv")
    with open(orders_path) as f:
        reader = csv.DictReader(f)
        fields = reader.fieldnames
        rows = list(reader)
    cut = int(len(rows) * (1 - args.holdout))
    train, held = rows[:cut], rows[cut:]
    with open(orders_path, "w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=fields)
        writer.writeheader()
        writer.writerows(train)
    settings = []
    for item in ["risk.reasons=30"] + args.set:
        settings += ["--set", item]
    log = open(os.path.join(work, "server.log"), "w")
    server = subprocess.Popen([args.binary, "serve", "--port", str(args.port), "--data-dir", data,
                               "--log-level", "info"] + settings, stdout=subprocess.DEVNULL, stderr=log)
    try:
        wait_for_model(args.port, server)
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
        thresholds = get(conn, "/score-order/thresholds")
        review, decline = thresholds["review"], thresholds["decline"]
        scored = []
        totals = {}
        pushes = {}
        caught = {}
        for row in held:
            answer = post(conn, "/score-order", body(row))
            scored.append((answer["score"], row["label"] == "1", answer["decision"]))
            for reason in answer["reasons"]:
                totals[reason["feature"]] = totals.get(reason["feature"], 0) + abs(reason["contribution"])
                if reason["contribution"] > 0:
                    pushes[reason["feature"]] = pushes.get(reason["feature"], 0) + reason["contribution"]
                    if row["label"] == "1":
                        caught[reason["feature"]] = caught.get(reason["feature"], 0) + reason["contribution"]
        burst = card_testing_burst(conn, held[-1]["created_at"])
        summary = report(scored, totals, pushes, caught, review, decline, burst, len(train))
        print(json.dumps(summary))
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
    finally:
        server.terminate()
        server.wait(timeout=60)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def body(row):
    order = {"order_id": "eval-" + row["order_id"], "amount": float(row["amount"]),
             "created_at": row["created_at"], "currency": row["currency"], "email": row["email"], "ip": row["ip"],
             "device_id": row["device_id"], "shipping_address": row["shipping_address"],
             "shipping_country": row["shipping_country"], "billing_country": row["billing_country"],
             "payment": {"card_fingerprint": row["card_fingerprint"], "card_bin": row["card_bin"],
                         "method": row["payment_method"]},
             "items": []}
    if row["user"]:  # a guest checkout names no account
        order["user"] = row["user"]
        order["account_created_at"] = row["account_created_at"]
    for line in row["items"].split(" "):
        item, quantity, price = line.rsplit(":", 2)
        order["items"].append({"item": item, "quantity": float(quantity), "price": float(price)})
    return order


def card_testing_burst(conn, after):
    """Six orders on one new card within six minutes, as issue 24 describes them."""
    start = datetime.datetime.fromisoformat(after.replace("Z", "+00:00")) + datetime.timedelta(hours=1)
    created = start - datetime.timedelta(minutes=5)
    answers = []
    for n in range(6):
        at = start + datetime.timedelta(minutes=n)
        amount = 1600 + 100 * n
        order = {"order_id": f"burst-{n}", "user": "burst-account", "amount": amount,
                 "created_at": at.isoformat().replace("+00:00", "Z"),
                 "account_created_at": created.isoformat().replace("+00:00", "Z"),
                 "email": "burst@tempmail.example", "ip": "185.1.2.3", "device_id": "burst-device",
                 "shipping_address": "9 Harbour Rd Lagos", "shipping_country": "NG", "billing_country": "US",
                 "payment": {"card_fingerprint": "burst-card", "card_bin": "411111", "method": "card"},
                 "items": [{"item": "sku-00001", "quantity": 1, "price": amount}]}
        answer = post(conn, "/score-order", order)
        answers.append({"order": n + 1, "amount": amount, "score": round(answer["score"], 4),
                        "decision": answer["decision"], "rules": answer["rules"],
                        "top_reasons": [r["description"] for r in answer["reasons"][:3]]})
    return answers


def average_precision(scored):
    ranked = sorted(scored, key=lambda s: -s[0])
    positives = sum(1 for s in ranked if s[1])
    hits, total = 0, 0.0
    for rank, (_, fraud, _) in enumerate(ranked, 1):
        if fraud:
            hits += 1
            total += hits / rank
    return total / positives if positives else float("nan")


def roc_auc(scored):
    ranked = sorted(scored, key=lambda s: s[0])
    positives = sum(1 for s in ranked if s[1])
    negatives = len(ranked) - positives
    rank_sum, index = 0.0, 0
    while index < len(ranked):
        end = index
        while end + 1 < len(ranked) and ranked[end + 1][0] == ranked[index][0]:
            end += 1
        average = (index + end) / 2 + 1
        rank_sum += sum(average for s in ranked[index:end + 1] if s[1])
        index = end + 1
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def report(scored, totals, pushes, caught, review, decline, burst, trained):
    frauds = sum(1 for s in scored if s[1])
    summary = {"held_back_orders": len(scored), "held_back_frauds": frauds, "trained_on": trained,
               "pr_auc": round(average_precision(scored), 4), "roc_auc": round(roc_auc(scored), 4)}
    print(f"held back: {len(scored):,} orders, {frauds} frauds; trained on {trained:,} earlier orders")
    print(f"PR-AUC {summary['pr_auc']:.4f}, ROC-AUC {summary['roc_auc']:.4f}\n")
    print("| cut | threshold | flagged | precision | recall |")
    print("|---|---:|---:|---:|---:|")
    for name, threshold in [("review", review), ("decline", decline)]:
        flagged = [s for s in scored if s[0] >= threshold]
        hits = sum(1 for s in flagged if s[1])
        precision = hits / len(flagged) if flagged else float("nan")
        recall = hits / frauds if frauds else float("nan")
        summary[name] = {"threshold": threshold, "flagged": len(flagged), "precision": round(precision, 4),
                         "recall": round(recall, 4)}
        print(f"| {name} | {threshold} | {len(flagged)} | {precision:.3f} | {recall:.3f} |")
    print("\nreliability: orders by score, and the fraud rate among them")
    print("| score | orders | mean score | fraud rate |")
    print("|---|---:|---:|---:|")
    bins = [0, 0.01, 0.05, 0.1, 0.3, 0.5, 0.8, 0.9, 1.0001]
    summary["reliability"] = []
    for low, high in zip(bins, bins[1:]):
        inside = [s for s in scored if low <= s[0] < high]
        if not inside:
            continue
        mean = sum(s[0] for s in inside) / len(inside)
        rate = sum(1 for s in inside if s[1]) / len(inside)
        summary["reliability"].append({"from": low, "to": min(high, 1), "orders": len(inside),
                                       "mean_score": round(mean, 4), "fraud_rate": round(rate, 4)})
        print(f"| {low:g}-{min(high, 1):g} | {len(inside)} | {mean:.3f} | {rate:.3f} |")
    print("\nfeatures by total |contribution| (log-odds) over the held-back orders")
    print("| rank | feature | total | share |")
    print("|---:|---|---:|---:|")
    grand = sum(totals.values()) or 1
    ranked = sorted(totals.items(), key=lambda kv: -kv[1])
    summary["top_features"] = [name for name, _ in ranked[:5]]
    for rank, (name, total) in enumerate(ranked[:12], 1):
        print(f"| {rank} | {name} | {total:.1f} | {total / grand:.1%} |")
    print("\nthe same by family (the velocity windows are ten correlated columns that share the credit)")
    print("| rank | family | total | share |")
    print("|---:|---|---:|---:|")
    families = {}
    for name, total in totals.items():
        families[family(name)] = families.get(family(name), 0) + total
    ranked = sorted(families.items(), key=lambda kv: -kv[1])
    summary["top_families"] = [name for name, _ in ranked]
    for rank, (name, total) in enumerate(ranked, 1):
        print(f"| {rank} | {name} | {total:.1f} | {total / grand:.1%} |")
    print("\nfeatures by total contribution toward fraud (positive log-odds) over the held-back orders")
    print("| rank | feature | total | share |")
    print("|---:|---|---:|---:|")
    grand = sum(pushes.values()) or 1
    ranked = sorted(pushes.items(), key=lambda kv: -kv[1])
    summary["top_features_toward_fraud"] = [name for name, _ in ranked[:5]]
    for rank, (name, total) in enumerate(ranked[:12], 1):
        print(f"| {rank} | {name} | {total:.1f} | {total / grand:.1%} |")
    print("\nwhat raised the held-back frauds' scores: total contribution toward fraud over the frauds")
    print("| rank | feature | total | share |")
    print("|---:|---|---:|---:|")
    grand = sum(caught.values()) or 1
    ranked = sorted(caught.items(), key=lambda kv: -kv[1])
    summary["top_features_in_frauds"] = [name for name, _ in ranked[:5]]
    for rank, (name, total) in enumerate(ranked[:12], 1):
        print(f"| {rank} | {name} | {total:.1f} | {total / grand:.1%} |")
    print("\nthe card-testing burst of issue 24:")
    for answer in burst:
        print(f"  order {answer['order']}: ${answer['amount']:,} score {answer['score']} {answer['decision']} "
              f"{answer['rules']} {answer['top_reasons']}")
    summary["burst"] = [{"score": a["score"], "decision": a["decision"]} for a in burst]
    return summary


def family(name):
    if name.endswith("_1h") or name.endswith("_24h"):
        return "velocity (orders and accounts per user, email, IP, card, address)"
    if name == "country_mismatch":
        return "country mismatch"
    if name in ("user_previous_orders", "amount_to_user_mean", "account_age_days"):
        return "account history"
    if name in ("amount", "item_count", "high_risk_share"):
        return "amount and basket"
    if name.endswith("_first_use"):
        return "first use of a card, device or address"
    if name == "hour_of_day":
        return "time of day"
    return "signals"


def get(conn, path):
    conn.request("GET", path)
    response = conn.getresponse()
    return json.loads(response.read())


def post(conn, path, payload):
    conn.request("POST", path, body=json.dumps(payload), headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    answer = json.loads(response.read())
    if response.status != 200:
        sys.exit(f"POST {path} answered {response.status}: {answer}")
    return answer


def wait_for_model(port, server):
    deadline = time.time() + 600
    while time.time() < deadline:
        if server.poll() is not None:
            sys.exit("the server exited; see its log")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/models/risk")
            response = conn.getresponse()
            info = json.loads(response.read())
            if response.status == 200 and info.get("model") == "gbdt":
                return info
        except OSError:
            pass
        time.sleep(0.3)
    sys.exit("the risk model was not trained in time")


if __name__ == "__main__":
    main()
