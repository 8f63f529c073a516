#!/usr/bin/env python3
"""A replenishment plan under a budget against the naive cut, simulated on M3 monthly's holdout.

1. Every M3 monthly training series goes to a fresh server as one SKU's monthly demand.
2. Each SKU gets on hand = its last month's demand, a seeded unit cost (1-100), lead time 1,
   case pack 1; the unconstrained plan (`POST /plans/replenishment`, 95 % service level,
   horizon 18) gives its spend per month.
3. The budget: 80 % of that spend, month by month. Two answers to it: the service's plan under
   that budget, and the naive one, every SKU's unconstrained order cut by 20 %.
4. Both are played on the 18 held-out months of actual demand: stock on hand plus arrivals
   serve the backlog first, then the month's demand; the fill rate is the share of demand
   served in the month it came (pooled over SKUs, and the mean per SKU). Spend is checked
   against the budget.

Usage: benchmarks/replenishment-sim.py [--data ../shared/eval/data/forecast] [--set m3_monthly]
       [--share 0.8] [--setting forecast.models=ets]
"""
import argparse
import csv
import importlib.util
import os
import random
import shutil
import sys
import tempfile
import time
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EVAL = os.path.join(ROOT, "..", "shared", "eval")


def server_class():
    spec = importlib.util.spec_from_file_location("promo", os.path.join(ROOT, "scripts", "eval-promo.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Server


def read(path):
    series = defaultdict(list)
    with open(path) as f:
        for row in csv.DictReader(f):
            series[row["series_id"]].append((int(row["timestamp"]), float(row["value"])))
    return {k: sorted(v) for k, v in series.items()}


def orders_by_step(plan, last_index):
    """SKU -> step (0 = first planned month) -> units ordered."""
    out = {}
    for sku in plan["skus"]:
        steps = defaultdict(float)
        for order in sku["orders"]:
            steps[int(order["t"]) - last_index[sku["item"]] - 1] += order["units"]
        out[sku["item"]] = steps
    return out


def simulate(orders, skus, actual, lead):
    served = demand = 0.0
    per_sku = []
    for sku in skus:
        sid = sku["item"]
        stock = sku["on_hand"] + sku["on_order"]
        backlog = 0.0
        on_time = total = 0.0
        for step, d in enumerate(actual[sid]):
            stock += orders[sid].get(step - lead, 0.0)
            pay = min(stock, backlog)
            stock -= pay
            backlog -= pay
            now = min(stock, d)
            stock -= now
            backlog += d - now
            on_time += now
            total += d
        served += on_time
        demand += total
        per_sku.append(on_time / total if total > 0 else 1.0)
    return served / demand, sum(per_sku) / len(per_sku)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.path.join(EVAL, "data", "forecast"))
    parser.add_argument("--set", default="m3_monthly")
    parser.add_argument("--share", type=float, default=0.8)
    parser.add_argument("--service-level", type=float, default=0.95)
    parser.add_argument("--setting", action="append", default=[])
    parser.add_argument("--port", type=int, default=18295)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/cartwise"))
    parser.add_argument("--seed", type=int, default=27)
    parser.add_argument("--plan-seconds", type=float, default=600)
    args = parser.parse_args()
    train = read(os.path.join(args.data, f"{args.set}_train.csv"))
    test = read(os.path.join(args.data, f"{args.set}_test.csv"))
    horizon = min(len(v) for v in test.values())
    actual = {sid: [v for _, v in test[sid][:horizon]] for sid in test}
    last_index = {sid: train[sid][-1][0] for sid in train}
    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="cartwise-sim-")
    Server = server_class()
    server = Server(args.binary, work, args.port, os.path.join(work, "server.log"),
                    args.setting + [f"forecast.plan_seconds={args.plan_seconds}", "server.limits.body_bytes=268435456",
                                    "server.timeouts.response_s=1800"])
    try:
        ids = sorted(train)
        batch = [{"id": sid, "frequency": "month", "season_length": 12,
                  "points": [{"t": t, "value": v} for t, v in train[sid]]} for sid in ids]
        for chunk in range(0, len(batch), 500):
            server.call("POST", "/series", {"series": batch[chunk:chunk + 500]})
        started = time.time()
        while True:
            card = server.call("GET", "/models/forecast")
            if card.get("current") and card.get("series", 0) >= len(ids):
                break
            time.sleep(2)
        fit_seconds = time.time() - started
        skus = [{"item": sid, "on_hand": train[sid][-1][1], "on_order": 0, "unit_cost": round(rng.uniform(1, 100), 2),
                 "lead_time": 1, "case_pack": 1} for sid in ids]
        base = {"skus": skus, "horizon": horizon, "service_level": args.service_level}
        t0 = time.time()
        free = server.call("POST", "/plans/replenishment", base)
        free_seconds = time.time() - t0
        budget = [round(args.share * p["cost"], 2) for p in free["spend"]]
        t0 = time.time()
        plan = server.call("POST", "/plans/replenishment", dict(base, budget=budget))
        plan_seconds = time.time() - t0
        free_orders = orders_by_step(free, last_index)
        planned = orders_by_step(plan, last_index)
        naive = {sid: {step: int(units * args.share) for step, units in steps.items()} for sid, steps in free_orders.items()}
        cost = {s["item"]: s["unit_cost"] for s in skus}

        def spend(orders):
            per = defaultdict(float)
            for sid, steps in orders.items():
                for step, units in steps.items():
                    per[step] += units * cost[sid]
            return per

        rows = []
        for name, orders in [("unconstrained plan", free_orders), (f"plan, budget {args.share:.0%}", planned),
                             (f"naive: every order x {args.share}", naive)]:
            pooled, mean = simulate(orders, skus, actual, 1)
            per = spend(orders)
            over = max((per[s] - budget[s] for s in range(len(budget))), default=0) if name != "unconstrained plan" else 0
            rows.append((name, pooled, mean, sum(per.values()), over))
        print(f"{args.set}: {len(ids)} SKUs, horizon {horizon}, fit {fit_seconds:.0f} s; "
              f"unconstrained plan {free_seconds:.1f} s ({free['status']}), budgeted plan {plan_seconds:.1f} s "
              f"({plan['status']}, gap {plan['gap']:.2e}, expected fill {plan['expected']['fill_rate']:.3f})")
        print(f"{'policy':<32} {'fill (pooled)':>14} {'fill (mean/SKU)':>16} {'spend':>14} {'most over budget':>17}")
        for name, pooled, mean, total, over in rows:
            print(f"{name:<32} {pooled:14.4f} {mean:16.4f} {total:14.0f} {over:17.2f}")
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
