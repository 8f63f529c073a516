#!/usr/bin/env python3
"""Recommendations on the demo store, as a merchandiser would look at them.

1. `cartwise demo` generates the store into a fresh data directory and `cartwise export events`
   reads its events back (each shopper's top two categories, by their clicks, views, carts and
   purchases);
2. `cartwise serve` starts on the directory and trains;
3. for --items items with interactions, `GET /similar-items?k=10`: how many of the 10 share a
   category with the item (random picks share one about 1 time in 12);
4. for --users shoppers with at least 5 interactions, `GET /recommend?k=10`: how many of the 10
   fall in the shopper's top two categories, against 10 random catalog items, and how many
   categories and brands one list spans (diversity within a list);
5. `GET /recommend` for an unknown user (popular items) and its scores.

Usage: scripts/eval-demo-recs.py [--items 300] [--users 500]
Prints a JSON summary last.
"""
import argparse
import collections
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WEIGHT = {"click": 1, "view": 1, "add_to_cart": 2, "purchase": 3, "rating": 1}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--port", type=int, default=18273)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--set", action="append", default=[], help="a Cartwise setting KEY=VALUE")
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/cartwise"))
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if not os.path.exists(args.binary):
        subprocess.run(["swift", "build", "-c", "release", "--product", "cartwise"], cwd=ROOT, check=True)
    work = tempfile.mkdtemp(prefix="cartwise-demo-recs-")
    data = os.path.join(work, "data")
    subprocess.run([args.binary, "demo", "--data-dir", data], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    exported = subprocess.run([args.binary, "export", "events", "--data-dir", data], check=True,
                              capture_output=True, text=True).stdout
    histories = collections.defaultdict(collections.Counter)
    interactions = collections.Counter()
    rows = []
    for line in exported.splitlines():
        event = json.loads(line)
        if event["type"] in WEIGHT:
            rows.append(event)
            interactions[event["user"]] += 1
    settings = []
    for item in args.set:
        settings += ["--set", item]
    log = open(os.path.join(work, "server.log"), "w")
    server = subprocess.Popen([args.binary, "serve", "--port", str(args.port), "--data-dir", data,
                               "--log-level", "info"] + settings, stdout=subprocess.DEVNULL, stderr=log)
    try:
        conn = wait_ready(args.port, server)
        catalog = load_catalog(conn)
        for event in rows:
            for category in catalog.get(event["item"], {}).get("categories", [])[:1]:
                histories[event["user"]][category] += WEIGHT[event["type"]]
        rng = random.Random(args.seed)
        summary = {}
        summary["similar"] = similar_items(conn, catalog, rows, rng, args.items)
        summary["recommend"] = recommendations(conn, catalog, histories, interactions, rng, args.users)
        summary["popular"] = popular(conn)
        print(json.dumps(summary))
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
    finally:
        server.terminate()
        server.wait(timeout=60)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def get(conn, path, **query):
    conn.request("GET", path + ("?" + urllib.parse.urlencode(query) if query else ""))
    response = conn.getresponse()
    body = response.read()
    return response.status, (json.loads(body) if body else None)


def wait_ready(port, server):
    deadline = time.time() + 900
    while time.time() < deadline:
        if server.poll() is not None:
            sys.exit("the server exited; see its log")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            status, body = get(conn, "/recommend", user="user-00001", k=1)
            if status == 200:
                return conn
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit("the recommender was not ready in time")


def load_catalog(conn):
    catalog, after = {}, None
    while True:
        query = {"limit": 1000}
        if after:
            query["after"] = after
        status, page = get(conn, "/items", **query)
        if status != 200:
            sys.exit(f"GET /items answered {status}: {page}")
        for item in page["items"]:
            brand = next((value for name, value in item.get("attributes", {}).items() if name == "brand"), None)
            catalog[item["id"]] = {"categories": item.get("categories", []), "brand": brand}
        after = page.get("next_after")
        if not after:
            return catalog


def similar_items(conn, catalog, rows, rng, count):
    seen = sorted({event["item"] for event in rows if event["item"] in catalog})
    picked = rng.sample(seen, min(count, len(seen)))
    shares, random_shares = [], []
    ids = sorted(catalog)
    for item in picked:
        status, answer = get(conn, "/similar-items", item=item, k=10)
        if status != 200 or not answer["items"]:
            continue
        mine = set(catalog[item]["categories"])
        similar = [entry["item"] for entry in answer["items"]]
        shares.append(sum(1 for other in similar if mine & set(catalog.get(other, {}).get("categories", []))))
        randoms = rng.sample(ids, 10)
        random_shares.append(sum(1 for other in randoms if mine & set(catalog[other]["categories"])))
    result = {"items": len(shares), "same_category_of_10": round(sum(shares) / len(shares), 2),
              "random_same_category_of_10": round(sum(random_shares) / len(random_shares), 2)}
    print(f"similar items: {result['same_category_of_10']} of 10 share the item's category "
          f"(random picks: {result['random_same_category_of_10']}), over {len(shares)} items")
    return result


def recommendations(conn, catalog, histories, interactions, rng, count):
    shoppers = sorted(user for user, n in interactions.items() if n >= 5 and user.startswith("user-"))
    picked = rng.sample(shoppers, min(count, len(shoppers)))
    ids = sorted(catalog)
    hits, random_hits, categories, brands, lists = 0, 0, 0, 0, 0
    for user in picked:
        top = {category for category, _ in histories[user].most_common(2)}
        status, answer = get(conn, "/recommend", user=user, k=10)
        if status != 200 or not answer["items"]:
            continue
        items = [entry["item"] for entry in answer["items"]]
        hits += sum(1 for item in items if top & set(catalog.get(item, {}).get("categories", [])[:1]))
        random_hits += sum(1 for item in rng.sample(ids, 10) if top & set(catalog[item]["categories"][:1]))
        categories += len({catalog.get(item, {}).get("categories", [""])[0] for item in items})
        brands += len({catalog.get(item, {}).get("brand") for item in items})
        lists += 1
    result = {"users": lists, "in_top_two_categories_of_10": round(hits / lists, 2),
              "random_in_top_two_categories_of_10": round(random_hits / lists, 2),
              "ratio_to_random": round(hits / max(random_hits, 1), 2),
              "categories_per_list": round(categories / lists, 2), "brands_per_list": round(brands / lists, 2)}
    print(f"recommendations: {result['in_top_two_categories_of_10']} of 10 in the shopper's top two categories "
          f"(random picks: {result['random_in_top_two_categories_of_10']}, ratio {result['ratio_to_random']}x); "
          f"{result['categories_per_list']} categories and {result['brands_per_list']} brands per list, "
          f"over {lists} shoppers")
    return result


def popular(conn):
    status, answer = get(conn, "/recommend", user="nobody-new", k=5)
    scores = [round(entry["score"], 3) for entry in answer["items"]] if status == 200 else []
    print(f"a new user: source {answer.get('source') if answer else None}, scores {scores}")
    return {"source": answer.get("source") if answer else None, "scores": scores}


if __name__ == "__main__":
    main()
