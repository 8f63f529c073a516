#!/usr/bin/env python3
"""POST /plans/replenishment against HiGHS on the same generated instances: objective and time.

For each size N, N weekly SKU series (two years of demand: level log-normal around 40 a week,
noise, some trend) go to a fresh server (`forecast.models=ets`, so 20,000 series fit in
seconds; the plan does not depend on which model forecast them). The instance: on hand and on
order, unit costs 2-60, lead times 0-3 weeks, case packs 1-24, a minimum order on a fifth of
the SKUs, three warehouses with a capacity, four suppliers (two with a minimum order value),
a purchasing budget per week of 70 % of what the unconstrained plan spends, a 95 % service
level and 8 weeks.

The server answers the plan (CBC, `relaxation: false`) and its LP relaxation (CLP), and
`?format=mps` gives the very program it solved, which highspy solves (LP to optimality; MIP
to mip_rel_gap 1e-7 within --highs-seconds). The table gives, per size: the objectives (the
MPS minimises the negated program, so HiGHS' value is compared with the plan's program value),
their relative difference, CBC's proven gap, the server's wall time (HTTP round trip) and HiGHS'.

Usage: (a Python with highspy, e.g. ../shared/eval/.venv-wave2/bin/python)
       benchmarks/plan-replenishment-highs.py [--sizes 100,1000,5000,20000] [--highs-seconds 600]
"""
import argparse
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scripts"))
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def server_module():
    import importlib.util
    spec = importlib.util.spec_from_file_location("promo", os.path.join(ROOT, "scripts", "eval-promo.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Server


def series(n, rng):
    out = []
    for i in range(n):
        level = math.exp(rng.gauss(math.log(40), 0.8))
        trend = rng.gauss(0, 0.002)
        points = []
        for t in range(1, 105):
            mean = level * (1 + trend * t)
            points.append({"t": t, "value": max(0.0, round(rng.gauss(mean, 0.25 * mean), 1))})
        out.append({"id": f"sku-{i}", "frequency": "week", "season_length": 1, "points": points})
    return out


def skus(n, rng):
    out = []
    for i in range(n):
        sku = {"item": f"sku-{i}", "on_hand": round(rng.uniform(0, 120)), "on_order": round(rng.uniform(0, 40)),
               "unit_cost": round(rng.uniform(2, 60), 2), "lead_time": rng.randint(0, 3),
               "case_pack": rng.choice([1, 6, 12, 24]), "warehouse": rng.choice(["north", "south", "east"]),
               "volume": round(rng.uniform(0.5, 3), 2), "supplier": rng.choice(["acme", "globex", "initech", "umbrella"])}
        if rng.random() < 0.2:
            sku["min_order"] = sku["case_pack"] * rng.randint(2, 5)
        out.append(sku)
    return out


def highs(mps_text, relaxation, seconds):
    import highspy
    import numpy as np
    path = tempfile.mktemp(suffix=".mps")
    with open(path, "w") as f:
        f.write(mps_text)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 1e-7)
    h.setOptionValue("time_limit", float(seconds))
    h.readModel(path)
    os.unlink(path)
    if relaxation:
        n = h.getLp().num_col_
        h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.zeros(n, dtype=np.uint8))
    started = time.time()
    h.run()
    elapsed = time.time() - started
    info = h.getInfo()
    return h.modelStatusToString(h.getModelStatus()), info.objective_function_value, elapsed, info.mip_gap


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000,5000,20000")
    parser.add_argument("--highs-seconds", type=float, default=600)
    parser.add_argument("--plan-seconds", type=float, default=120)
    parser.add_argument("--port", type=int, default=18294)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/cartwise"))
    parser.add_argument("--seed", type=int, default=27)
    args = parser.parse_args()
    Server = server_module()
    rows = []
    for n in [int(x) for x in args.sizes.split(",")]:
        rng = random.Random(args.seed + n)
        work = tempfile.mkdtemp(prefix="cartwise-plan-")
        server = Server(args.binary, work, args.port, os.path.join(work, "server.log"),
                        ["forecast.models=ets", f"forecast.plan_seconds={args.plan_seconds}",
                         "server.limits.body_bytes=268435456", "server.timeouts.response_s=1800"])
        try:
            data = series(n, rng)
            for chunk in range(0, n, 2000):
                server.call("POST", "/series", {"series": data[chunk:chunk + 2000]})
            while True:
                card = server.call("GET", "/models/forecast")
                if card.get("current") and card.get("series", 0) >= n:
                    break
                time.sleep(1)
            instance = {"skus": skus(n, rng), "horizon": 8, "service_level": 0.95}
            free = server.call("POST", "/plans/replenishment", instance)
            weekly = [p["cost"] for p in free["spend"]]
            instance["budget"] = [round(0.7 * c, 2) if c > 0 else 0 for c in weekly]
            # Capacity: what is on hand and on order plus two weeks of each SKU's demand.
            capacity = {}
            for sku, entry in zip(instance["skus"], free["skus"]):
                weekly_demand = entry["expected_demand"] / instance["horizon"]
                capacity[sku["warehouse"]] = capacity.get(sku["warehouse"], 0) + sku["volume"] * (
                    sku["on_hand"] + sku["on_order"] + 2 * weekly_demand)
            instance["capacity"] = {k: round(v, 2) for k, v in capacity.items()}
            instance["supplier_minimums"] = {"acme": 500, "globex": 800}
            for relaxation in (True, False):
                body = dict(instance, relaxation=relaxation)
                started = time.time()
                plan = server.call("POST", "/plans/replenishment", body)
                wall = time.time() - started
                status, data_mps = server.request("POST", "/plans/replenishment?format=mps", body)
                mps = data_mps.decode()
                h_status, h_objective, h_seconds, h_gap = highs(mps, relaxation, args.highs_seconds)
                # The program minimised in the MPS is −(objective); the answer's objective is the
                # expected cost, the program's value plus a constant: compare the programs'.
                program_value = plan["program_objective"]
                difference = abs(program_value - h_objective) / max(1.0, abs(h_objective))
                rows.append((n, "LP" if relaxation else "MIP", plan["status"], program_value, h_status, h_objective,
                             difference, plan.get("gap", 0), plan["solve_seconds"], wall, h_seconds,
                             plan["columns"], plan["rows"]))
                print(rows[-1], flush=True)
        finally:
            server.stop()
            shutil.rmtree(work, ignore_errors=True)
    print(f"{'SKUs':>6} {'kind':>4} {'status':>8} {'Cartwise':>16} {'HiGHS':>16} {'HiGHS status':>14} {'rel diff':>9} "
          f"{'CBC gap':>8} {'solve s':>8} {'HTTP s':>7} {'HiGHS s':>8} {'cols':>8} {'rows':>9}")
    for r in rows:
        print(f"{r[0]:>6} {r[1]:>4} {r[2]:>8} {r[3]:16.4f} {r[5]:16.4f} {r[4]:>14} {r[6]:9.2e} {r[7]:8.1e} {r[8]:8.2f} "
              f"{r[9]:7.2f} {r[10]:8.2f} {r[11]:>8} {r[12]:>9}")


if __name__ == "__main__":
    main()
