#!/usr/bin/env python3
"""Evaluate Cartwise's uplift model and campaign readout over HTTP on a set in the kit's uplift layout.

A set is DATA/SET.csv, DATA/SET_split.csv (id,split) and DATA/SET_meta.json naming the id,
treatment, arm, outcome and feature columns. Nothing here is specific to one set.

Uplift (the graded part):
1. every customer becomes one `exposure` event (NDJSON, imported with `cartwise import events`):
   training customers to campaign SET-train at T0, test customers to campaign SET-test at
   T0 + 20 days; arm `control` where treatment is 0, else the customer's arm (or `treatment`);
   the feature columns ride in the exposure's `context` (numbers as numbers, categories as
   strings). Each training customer whose outcome is 1 gets a response event an hour after the
   exposure (a `view` for a visit-like outcome). Test outcomes are never sent;
2. `cartwise serve`; POST /campaigns defines both campaigns (outcome visit, 14-day window): by the
   newest event the training windows have closed and the test windows have not, so only the
   training customers are learned from; POST /models/uplift/train;
3. POST /campaigns/SET-test/audience scores every test customer over HTTP; the script writes
   customer_id,uplift and runs the kit's anchors/score_uplift.py, whose JSON is printed last.

Readout (--readout, on by default): a second data directory gets every customer's exposure
(all splits) in one campaign SET-all, with its outcomes; GET /campaigns/SET-all/report gives
the arm response rates, which are compared with the set's own rates (the meta's stats).

Usage: scripts/eval-uplift.py --data ../shared/eval/data/uplift --set hillstrom [--outcome visit]
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
DAY = 86_400
T0 = 1_204_329_600  # 2008-03-01 in Unix seconds, the Hillstrom campaign's month; any fixed time works


class Server:
    def __init__(self, binary, data, port, log, settings=()):
        self.port = port
        extra = [part for setting in settings for part in ("--set", setting)]
        self.process = subprocess.Popen([binary, "serve", "--port", str(port), "--data-dir", data] + extra,
                                        stdout=subprocess.DEVNULL, stderr=open(log, "w"))
        for _ in range(1200):
            try:
                status, _ = self.request("GET", "/healthz")
                if status == 200:
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

    def call(self, method, path, body=None, expect=(200, 201)):
        status, data = self.request(method, path, body)
        if status not in expect:
            raise SystemExit(f"{method} {path}: {status} {data[:500]!r}")
        return json.loads(data)

    def stop(self):
        self.process.terminate()
        self.process.wait()


def context(row, meta):
    fields = {}
    for name in meta["numeric_features"]:
        fields[name] = float(row[name])
    for name in meta["categorical_features"]:
        fields[name] = row[name]
    return fields


def arm(row, meta):
    if int(float(row[meta["treatment"]])) == 0:
        return "control"
    return row[meta["arms"]] if meta.get("arms") else "treatment"


def import_events(binary, path, data):
    subprocess.run([binary, "import", "events", path, "--data-dir", data], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.path.join(EVAL, "data", "uplift"))
    parser.add_argument("--set", default="hillstrom")
    parser.add_argument("--outcome", default=None, help="an outcome column (default: the meta's primary outcome)")
    parser.add_argument("--port", type=int, default=18291)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/cartwise"))
    parser.add_argument("--python", default=os.path.join(EVAL, ".venv-wave2/bin/python"))
    parser.add_argument("--no-readout", action="store_true")
    parser.add_argument("--set-option", action="append", default=[], metavar="KEY=VALUE",
                        help="a service setting for the uplift run (repeatable), e.g. campaigns.uplift_bags=5")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if not os.path.exists(args.binary):
        subprocess.run(["swift", "build", "-c", "release", "--product", "cartwise"], cwd=ROOT, check=True)
    meta = json.load(open(os.path.join(args.data, f"{args.set}_meta.json")))
    outcome = args.outcome or meta["primary_outcome"]
    split = {}
    with open(os.path.join(args.data, f"{args.set}_split.csv")) as f:
        for row in csv.DictReader(f):
            split[row[meta["id"]]] = row["split"]
    with open(os.path.join(args.data, f"{args.set}.csv")) as f:
        rows = list(csv.DictReader(f))
    work = tempfile.mkdtemp(prefix="cartwise-uplift-")
    train_id, test_id, all_id = f"{args.set}-train", f"{args.set}-test", f"{args.set}-all"
    response_type = "view"

    # 1. The uplift run: training exposures and outcomes, test exposures only.
    events = os.path.join(work, "events.ndjson")
    test_ids = []
    with open(events, "w") as out:
        for row in rows:
            customer = row[meta["id"]]
            test = split[customer] == "test"
            at = T0 + (20 * DAY if test else 0)
            out.write(json.dumps({"type": "exposure", "user": customer, "campaign": test_id if test else train_id,
                                  "arm": arm(row, meta), "timestamp": at, "context": context(row, meta)}) + "\n")
            if test:
                test_ids.append(customer)
            elif int(float(row[outcome])) == 1:
                out.write(json.dumps({"type": response_type, "user": customer, "item": f"{args.set}-site",
                                      "timestamp": at + 3_600}) + "\n")
    data = os.path.join(work, "data")
    started = time.time()
    import_events(args.binary, events, data)
    imported = time.time() - started
    server = Server(args.binary, data, args.port, os.path.join(work, "server.log"), args.set_option)
    try:
        server.call("POST", "/campaigns", {"id": train_id, "outcome": "visit", "attribution_days": 14,
                                           "start": T0, "end": T0 + DAY, "control_share": 0})
        server.call("POST", "/campaigns", {"id": test_id, "outcome": "visit", "attribution_days": 14,
                                           "start": T0 + 20 * DAY, "end": T0 + 21 * DAY, "control_share": 0,
                                           "audience": {"customers": test_ids}})
        t0 = time.time()
        status, body = server.request("POST", "/models/uplift/train?wait=59")
        while status == 202:  # still training after 59 s (a busy machine): poll until published
            time.sleep(2)
            progress = server.call("GET", "/models/uplift/training")
            status = 200 if progress.get("state") == "idle" and progress.get("model_version") else 202
            if status == 200:
                models = server.call("GET", "/models")
                body = json.dumps(next(f["model"] for f in models["families"] if f.get("family") == "uplift"))
        if status != 200:
            raise SystemExit(f"POST /models/uplift/train: {status} {body[:500]!r}")
        card = json.loads(body)
        train_seconds = time.time() - t0
        t0 = time.time()
        audience = server.call("POST", f"/campaigns/{test_id}/audience")
        score_seconds = time.time() - t0
    finally:
        server.stop()
    predictions = os.path.join(work, "predictions.csv")
    with open(predictions, "w") as out:
        out.write("customer_id,uplift\n")
        for contact in audience["contacts"]:
            out.write(f"{contact['customer']},{contact['uplift']!r}\n")
    print(f"set {args.set} ({outcome}): {len(rows)} customers, {len(test_ids)} scored; import {imported:.1f} s, "
          f"uplift training {train_seconds:.2f} s over HTTP, audience of {len(audience['contacts'])} in {score_seconds:.2f} s")
    data_card = {d["name"]: d["value"] for d in card.get("data", [])} if isinstance(card.get("data"), list) else card.get("data")
    print(f"model: {card.get('method')}; {json.dumps(data_card)}; quality {json.dumps(card.get('quality'))}")

    # 2. The readout: every customer in one campaign, with outcomes.
    readout = None
    if not args.no_readout:
        events_all = os.path.join(work, "events-all.ndjson")
        with open(events_all, "w") as out:
            for row in rows:
                customer = row[meta["id"]]
                out.write(json.dumps({"type": "exposure", "user": customer, "campaign": all_id, "arm": arm(row, meta),
                                      "timestamp": T0}) + "\n")
                if int(float(row[outcome])) == 1:
                    out.write(json.dumps({"type": response_type, "user": customer, "item": f"{args.set}-site",
                                          "timestamp": T0 + 3_600}) + "\n")
            # A last event past the window closes it, as time passing would.
            out.write(json.dumps({"type": "view", "user": "clock", "item": f"{args.set}-site",
                                  "timestamp": T0 + 15 * DAY}) + "\n")
        data_all = os.path.join(work, "data-all")
        import_events(args.binary, events_all, data_all)
        server = Server(args.binary, data_all, args.port, os.path.join(work, "server-all.log"))
        try:
            server.call("POST", "/campaigns", {"id": all_id, "outcome": "visit", "attribution_days": 14,
                                               "start": T0, "end": T0 + DAY, "control_share": 0})
            readout = server.call("GET", f"/campaigns/{all_id}/report")
        finally:
            server.stop()
        published = meta.get("stats", {}).get("all", {}).get(outcome, {}).get("rate_by_arm", {})
        print("readout arm response rates (served / the set's own):")
        worst = 0.0
        for entry in readout["arms"]:
            name = entry["arm"]
            key = name if name != "control" else next((k for k in published if k not in [a["arm"] for a in readout["arms"]]), None)
            expected = published.get(key) if key else None
            if expected is not None:
                worst = max(worst, abs(entry["response_rate"] - expected))
            print(f"  {name:16s} {entry['customers']:6d} customers  {entry['response_rate'] * 100:6.2f} %  "
                  f"[{entry['response_rate_interval'][0] * 100:.2f}, {entry['response_rate_interval'][1] * 100:.2f}]"
                  + (f"  / {expected * 100:.2f} %" if expected is not None else ""))
        for comparison in readout["comparisons"]:
            lift = comparison["lift"]
            print(f"  {comparison['arm']:16s} lift {lift['absolute'] * 100:+.2f} points "
                  f"[{lift['interval'][0] * 100:+.2f}, {lift['interval'][1] * 100:+.2f}], p {comparison['p_value']:.2e}, "
                  f"significant {comparison['significant']}")
        readout = {"max_abs_rate_difference": worst, "arms": {a["arm"]: a["response_rate"] for a in readout["arms"]}}

    scored = subprocess.run([args.python, os.path.join(EVAL, "anchors", "score_uplift.py"), "--set", args.set,
                             "--predictions", predictions, "--outcome", outcome, "--data-dir", args.data],
                            check=True, capture_output=True, text=True,
                            env=dict(os.environ, PYTHONPATH=os.path.join(EVAL, "anchors"))).stdout
    result = json.loads(scored)
    result.update({"train_seconds_http": train_seconds, "score_seconds_http": score_seconds})
    if readout:
        result["readout"] = readout
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"kept {work}", file=sys.stderr)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
