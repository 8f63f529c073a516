#!/usr/bin/env python3
"""Evaluate Cartwise forecasts and inventory policies exactly as the statsforecast anchors were.

For each M3 set (or the ones given):
1. `cartwise import series <set>_train.csv --frequency F --season-length m` into a fresh data
   directory (the timestamps are integer period indexes);
2. `cartwise serve` fits every series as it starts; the script waits until
   `GET /models/forecast` says the snapshot is current, and reports the trainer's fit time;
3. every series' holdout goes through `GET /forecast?item=ID&horizon=h&levels=80,95` over HTTP,
   written as series_id,timestamp,yhat,lo80,hi80,lo95,hi95;
4. ../shared/eval/anchors/score_forecast.py --require-all scores it (sMAPE, MASE, coverage);
5. for m3_monthly also the inventory policy: `GET /inventory/policy?item=ID&lead_time=1&
   review_period=1&service_level=0.95` gives the order-up-to level of every review over the
   holdout (`schedule`); anchors/inventory.py --policy simulates them on the actual holdout,
   and the reference policy (the same simulation from statsforecast AutoETS's intervals) is
   run next to it;
6. with --rolling, the policy is also used as a planner runs it: after each holdout period the
   period's actual demand is uploaded (`POST /series`, one point per series), the service refits,
   and the review's order-up-to level is asked again (`schedule[0]` of a fresh
   `GET /inventory/policy`). Only demand up to the review is known when its level is set; the
   kit's simulation then plays those levels on the holdout exactly as it plays the origin's.

7. every set also gets the measures the kit's scorer leaves out (scripts/forecast_measures.py:
   RMSSE, WAPE, the pinball loss of the 80/95 % bounds and of the 0.8/0.95 quantiles, which are
   the upper bounds of the 60/90 % intervals asked for too), and the inventory simulation at
   each --lead-times x --service-levels (default 1 for months/quarters/years, 2,7 for days).

Usage: scripts/eval-forecast.py --data ../shared/eval/data/forecast --set synth_sku_daily
           [--set m3_monthly ...] [--setting KEY=VALUE] [--lead-times 2,7] [--service-levels 0.9,0.95]
The reference figures come from ../shared/eval/results/forecast/<set>_all_results.json
(anchors/forecast.py --models snaive,autoets) and /tmp/cartwise-reference/<set>_reference.json
(scripts/reference-forecast.py), when present. The kit scorer's JSON (with the extra measures)
of every set is printed last.
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
DATA = os.path.join(EVAL, "data", "forecast")
sys.path.insert(0, os.path.join(ROOT, "scripts"))
FREQUENCY = {"m3_monthly": "month", "m3_quarterly": "quarter", "m3_yearly": "year", "m3_other": "year",
             "synth_sku_daily": "day"}


def get(connection, path):
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status} {body[:300]!r}")
    return json.loads(body)


def post(connection, path, body):
    connection.request("POST", path, body=json.dumps(body), headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    answer = response.read()
    if response.status not in (200, 201, 202):
        raise RuntimeError(f"POST {path}: {response.status} {answer[:300]!r}")
    return json.loads(answer)


def policy_url(sid, level, lead=1):
    return f"/inventory/policy?item={sid}&lead_time={lead}&review_period=1&service_level={level}"


def rolling_policies(args, name, season, meta, server, origin_paths, paths):
    """Re-asks every review's order-up-to level once the demand before it is uploaded; review 0
    is the origin's answer, taken from its schedule."""
    test = {}
    for row in csv.DictReader(open(os.path.join(args.data, f"{name}_test.csv"))):
        test.setdefault(row["series_id"], []).append((int(row["timestamp"]), float(row["value"])))
    for points in test.values():
        points.sort()
    outs = {level: open(path, "w") for level, path in paths.items()}
    for level, out in outs.items():
        out.write("series_id,review_t,order_up_to\n")
        out.writelines(row for row in open(origin_paths[level]) if row.split(",")[1] == "0")
    horizons = {row["series_id"]: int(row["h"]) for row in meta}
    started = time.time()
    for review in range(1, max(horizons.values()) - 1):
        due = [sid for sid, h in horizons.items() if review < h - 1]
        connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=120)
        for first in range(0, len(due), 10_000):
            uploads = []
            for sid in due[first:first + 10_000]:
                period, value = test[sid][review - 1]
                uploads.append({"id": sid, "frequency": FREQUENCY[name], "season_length": season,
                                "points": [{"t": period, "value": value}]})
            post(connection, "/series", {"series": uploads})
        connection.close()
        wait_current(args.port, server)
        connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=120)
        for sid in due:
            for level, out in outs.items():
                policy = get(connection, policy_url(sid, level))
                out.write(f"{sid},{review},{policy['schedule'][0]['order_up_to']}\n")
        connection.close()
        print(f"rolling {name}: review {review} asked again after its demand ({time.time() - started:.0f} s)",
              file=sys.stderr)
    for out in outs.values():
        out.close()


def wait_current(port, server, timeout=1800):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the server exited; see its log")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            info = get(connection, "/models/forecast")
            connection.close()
            if info["current"]:
                return info
        except (ConnectionError, OSError, RuntimeError):
            pass
        time.sleep(0.5)
    raise RuntimeError("the forecasts were not ready in time")


def lead_times(args, name):
    if args.lead_times:
        return args.lead_times
    return [2, 7] if FREQUENCY[name] == "day" else [1]


def run_set(args, name, work):
    meta = list(csv.DictReader(open(os.path.join(args.data, f"{name}_meta.csv"))))
    season = int(meta[0]["season_length"])
    data = os.path.join(work, name)
    subprocess.run([args.binary, "import", "series", os.path.join(args.data, f"{name}_train.csv"), "--frequency",
                    FREQUENCY[name], "--season-length", str(season), "--data-dir", data], check=True,
                   stderr=subprocess.DEVNULL)
    settings = []
    for item in ["trainer.min_new_events=1000000000"] + args.setting:
        settings += ["--set", item]
    log = open(os.path.join(work, f"{name}-server.log"), "w")
    started = time.time()
    server = subprocess.Popen([args.binary, "serve", "--port", str(args.port), "--data-dir", data] + settings,
                              stdout=subprocess.DEVNULL, stderr=log)
    leads = lead_times(args, name)
    try:
        info = wait_current(args.port, server)
        ready = time.time() - started
        connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
        forecast_path = os.path.join(work, f"{name}_forecast.csv")
        policy_paths = {(lead, level): os.path.join(work, f"{name}_policy_L{lead}_{level}.csv")
                        for lead in leads for level in args.service_levels}
        rolling_paths = {level: os.path.join(work, f"{name}_rolling_{level}.csv") for level in args.service_levels}
        policy_outs = {key: open(path, "w") for key, path in policy_paths.items()}
        for policy_out in policy_outs.values():
            policy_out.write("series_id,review_t,order_up_to\n")
        histories = {}
        with open(forecast_path, "w") as out:
            out.write("series_id,timestamp,yhat,lo80,hi80,lo95,hi95,q80,q95\n")
            for row in meta:
                sid, h = row["series_id"], int(row["h"])
                answer = get(connection, f"/forecast?item={sid}&horizon={h}&levels=80,95,60,90")
                histories[answer.get("history", "sufficient")] = histories.get(answer.get("history", "sufficient"), 0) + 1
                for point in answer["points"]:
                    out.write(f"{sid},{point['t']},{point['mean']},{point['lo80']},{point['hi80']},"
                              f"{point['lo95']},{point['hi95']},{point['hi60']},{point['hi90']}\n")
                for (lead, level), policy_out in policy_outs.items():
                    if h <= lead + 1:
                        continue
                    policy = get(connection, policy_url(sid, level, lead))
                    for review in policy["schedule"]:
                        if review["review"] < h - lead:
                            policy_out.write(f"{sid},{review['review']},{review.get('units', review['order_up_to'])}\n")
        connection.close()
        for policy_out in policy_outs.values():
            policy_out.close()
        if name == "m3_monthly" and args.rolling:
            rolling_policies(args, name, season, meta, server, {level: policy_paths[(1, level)]
                                                                 for level in args.service_levels}, rolling_paths)
    finally:
        server.terminate()
        server.wait()
    score = json.loads(subprocess.run([args.python, os.path.join(EVAL, "anchors", "score_forecast.py"), "--dataset",
                                       name, "--data-dir", args.data, "--forecast", forecast_path, "--require-all",
                                       "--json"], check=True, capture_output=True, text=True).stdout)
    extra = json.loads(subprocess.run([args.python, "-c", MEASURES, args.data, name, forecast_path], check=True,
                                      capture_output=True, text=True).stdout)
    score.update(extra)
    result = {"set": name, "series": len(meta), "score": score, "fit_seconds": info["last_fit_seconds"],
              "ready_seconds": ready, "models": info["models"], "history": histories}
    reference = os.path.join(EVAL, "results", "forecast", f"{name}_all_results.json")
    if os.path.exists(reference):
        result["reference"] = json.load(open(reference))
    ours = os.path.join(args.reference_dir, f"{name}_reference.json")
    if os.path.exists(ours):
        result["reference_models"] = json.load(open(ours))

    def simulate(forecast, lead, level, policy=None):
        """The kit's inventory simulation on the holdout (its own levels unless `policy`)."""
        command = [args.python, os.path.join(EVAL, "anchors", "inventory.py"), "--dataset", name, "--data-dir",
                   args.data, "--forecast", forecast, "--lead-time", str(lead), "--csl", str(level), "--json"]
        if policy:
            command += ["--policy", policy]
        return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)

    result["inventory"] = []
    for lead in leads:
        for level in args.service_levels:
            result["inventory"].append((f"Cartwise /inventory/policy, L {lead}, service_level {level}",
                                        simulate(forecast_path, lead, level, policy_paths[(lead, level)])))
            if name == "m3_monthly" and args.rolling and lead == 1:
                result["inventory"].append((f"Cartwise /inventory/policy asked each period, service_level {level}",
                                            simulate(forecast_path, lead, level, rolling_paths[level])))
    anchor = os.path.join(EVAL, "results", "forecast", f"{name}_all_autoets.csv")
    if name == "m3_monthly" and os.path.exists(anchor):
        for level in args.reference_levels:
            result["inventory"].append((f"reference policy on statsforecast AutoETS, CSL {level}",
                                        simulate(anchor, 1, level)))
    if args.keep:
        print(f"kept {work}", file=sys.stderr)
    return result


# The extra measures, run in the kit's Python (pandas) from scripts/forecast_measures.py.
MEASURES = """
import json, sys
sys.path.insert(0, %r)
import pandas as pd
from forecast_measures import measures
data, name, path = sys.argv[1:4]
read = lambda part: pd.read_csv(f"{data}/{name}_{part}.csv", dtype={"series_id": str})
print(json.dumps(measures(pd.read_csv(path, dtype={"series_id": str}), read("train"), read("test"), read("meta"))))
""" % os.path.join(ROOT, "scripts")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=DATA, help="the kit's forecast data directory")
    parser.add_argument("--set", action="append", default=[],
                        help="a set name (repeat or comma-separate; default the four M3 sets)")
    parser.add_argument("--sets", help="comma-separated set names (the old spelling of --set)")
    parser.add_argument("--setting", action="append", default=[], help="a Cartwise setting KEY=VALUE")
    parser.add_argument("--port", type=int, default=18272)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/cartwise"))
    parser.add_argument("--python", default=os.path.join(EVAL, ".venv-ops/bin/python"))
    parser.add_argument("--keep", action="store_true", help="keep the data directories and CSVs")
    parser.add_argument("--service-levels", default="0.9,0.95",
                        help="service levels of our policy to simulate (comma-separated)")
    parser.add_argument("--lead-times", default="", help="lead times to simulate (default by frequency)")
    parser.add_argument("--rolling", action="store_true",
                        help="also upload each holdout period's demand and ask the policy again (M3 monthly)")
    parser.add_argument("--reference-levels", default="0.95",
                        help="target CSLs of the reference policy to simulate next to it")
    parser.add_argument("--reference-dir", default="/tmp/cartwise-reference",
                        help="where scripts/reference-forecast.py wrote its results")
    args = parser.parse_args()
    args.data = os.path.abspath(args.data)
    names = [n for part in args.set + ([args.sets] if args.sets else []) for n in part.split(",") if n]
    names = names or ["m3_monthly", "m3_quarterly", "m3_yearly", "m3_other"]
    args.service_levels = [float(x) for x in args.service_levels.split(",")]
    args.reference_levels = [float(x) for x in args.reference_levels.split(",")]
    args.lead_times = [int(x) for x in args.lead_times.split(",") if x]
    if not os.path.exists(args.binary):
        subprocess.run(["swift", "build", "-c", "release", "--product", "cartwise"], cwd=ROOT, check=True)
    work = tempfile.mkdtemp(prefix="cartwise-forecast-")
    results = [run_set(args, name, work) for name in names]
    print("| set | series | model | sMAPE | MASE | RMSSE | WAPE | cov80 | cov95 | pinball80 | pinball95 | "
          "pinball q0.8 | pinball q0.95 | fit s |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    nan = float("nan")
    for result in results:
        s = result["score"]
        print(f"| {result['set']} | {result['series']} | Cartwise | {s['smape']:.3f} | {s['mase']:.3f} | "
              f"{s['rmsse']:.3f} | {s['wape']:.3f} | {s['coverage80']:.3f} | {s['coverage95']:.3f} | "
              f"{s.get('pinball80', nan):.3f} | {s.get('pinball95', nan):.3f} | {s.get('pinball_q80', nan):.3f} | "
              f"{s.get('pinball_q95', nan):.3f} | {result['fit_seconds']:.1f} |")
        for row in result.get("reference_models", []):
            print(f"| {result['set']} | {row['series']} | statsforecast {row['model']} | {row['smape']:.3f} | "
                  f"{row['mase']:.3f} | {row['rmsse']:.3f} | {row['wape']:.3f} | {row['coverage80']:.3f} | "
                  f"{row['coverage95']:.3f} | {row.get('pinball80', nan):.3f} | {row.get('pinball95', nan):.3f} | "
                  f"{row.get('pinball_q80', nan):.3f} | {row.get('pinball_q95', nan):.3f} | {row['cpu_s']:.1f} |")
        reference = result.get("reference")
        rows = reference if isinstance(reference, list) else (reference or {}).get("results", [])
        for row in rows if isinstance(rows, list) else []:
            if isinstance(row, dict) and row.get("model") in ("autoets", "snaive"):
                print(f"| {result['set']} | {result['series']} | statsforecast {row['model']} (kit run) | "
                      f"{row.get('smape', nan):.3f} | {row.get('mase', nan):.3f} | | | "
                      f"{row.get('coverage80', nan):.3f} | {row.get('coverage95', nan):.3f} | | | | | |")
    for result in results:
        print(f"\n| policy ({result['set']}, R = 1) | achieved CSL | fill rate | pooled fill | "
              "on hand (periods) | backlog (periods) |")
        print("|---|---:|---:|---:|---:|---:|")
        for label, r in result["inventory"]:
            print(f"| {label} | {r['cycle_sl']:.3f} | {r['fill_rate']:.3f} | {r['pooled_fill_rate']:.3f} | "
                  f"{r['avg_on_hand_periods']:.3f} | {r['avg_backlog_periods']:.3f} |")
        for row in result.get("reference_models", []):
            for key, inv in row.items():
                if key.startswith("inventory_"):
                    _, lead, csl = key.split("_")
                    print(f"| statsforecast {row['model']}, L {lead[1:]}, CSL {csl} | {inv['cycle_sl']:.3f} | "
                          f"{inv['fill_rate']:.3f} | | {inv['avg_on_hand_periods']:.3f} | |")
        print(f"history: {result['history']}; models: {result['models']}")
    print(json.dumps([{"set": r["set"], **r["score"]} for r in results]))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
