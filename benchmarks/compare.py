#!/usr/bin/env python3
"""Two binaries of cartwise, alternated round by round on the demo store, on the hot routes; then
each route's p99 with and without slow calls (trainings and the thresholds dry run) running.

For each round and binary: a fresh server (one event loop, so wrk keeps the other core) on its
own copy of the demo store, then wrk -t1 -c16 for DURATION on each of GET /healthz,
GET /recommend, POST /rank, POST /score-order (a new order id per request) and GET /forecast.
The slow-call rows run GET /healthz and GET /recommend while another client loops
POST /models/train and GET /score-order/thresholds?rescore=true, next to the same routes quiet.

Usage: benchmarks/compare.py --old PATH --new PATH [--rounds 3] [--duration 5]
       [--routes recommend,healthz] [--no-slow-calls]
Prints Markdown tables: req/s, p50 and p99 per route, binary and round; CPU per request.
"""
import argparse, json, os, shutil, signal, subprocess, sys, tempfile, threading, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LUA = os.path.join(ROOT, "benchmarks", "lua")


def get(url, method="GET", body=None, timeout=120):
    request = urllib.request.Request(url, method=method, data=body,
                                     headers={"Content-Type": "application/json"} if body else {})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, response.read()


class Server:
    def __init__(self, binary, data, port):
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [binary, "serve", "--demo", "--port", str(port), "--threads", "1", "--data-dir", data,
             "--log-level", "error"], stderr=subprocess.DEVNULL)
        deadline = time.time() + 300
        while time.time() < deadline:
            try:
                if get(self.url + "/readyz")[0] == 200:
                    break
            except Exception:
                time.sleep(0.2)
        else:
            raise SystemExit(f"{binary} did not become ready")

    def cpu_seconds(self):
        with open(f"/proc/{self.process.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=120)


def wrk(url, path, duration, script="report.lua", env=None):
    environment = dict(os.environ, **(env or {}))
    out = subprocess.run(["wrk", "-t1", "-c16", f"-d{duration}s", "-s", os.path.join(LUA, script), url + path],
                         capture_output=True, text=True, env=environment).stdout
    line = next(l for l in out.splitlines() if l.startswith("RESULT"))
    values = dict(part.split("=") for part in line.split()[1:])
    return float(values["rps"]), int(values["p50_us"]) / 1000, int(values["p99_us"]) / 1000, \
        int(values["errors"]) + int(values["non2xx"])


def prepare(server, work):
    """Request bodies and id files from what the demo store holds."""
    _, body = get(server.url + "/recommend?user=user-00042&k=100")
    items = [entry["item"] for entry in json.loads(body)["items"]]
    with open(os.path.join(work, "rank.json"), "w") as f:
        json.dump({"user": "user-00042", "items": [{"item": item} for item in items[:100]],
                   "context": {"device": "mobile"}}, f)
    with open(os.path.join(work, "users.txt"), "w") as f:
        f.write("\n".join(f"user-{i:05d}" for i in range(1, 3001)))
    order = {"order_id": "ORDER_ID", "user": "user-00042", "amount": 129.5, "currency": "EUR",
             "email": "shopper@example.com", "ip": "203.0.113.7", "shipping_country": "FR",
             "billing_country": "FR", "payment": {"card_bin": "411111", "method": "card"},
             "items": [{"item": items[0], "quantity": 1, "price": 19.9}]}
    with open(os.path.join(work, "order.json"), "w") as f:
        json.dump(order, f)
    with open(os.path.join(work, "ids.txt"), "w") as f:
        f.write("\n".join(items[:200]))


def routes(work):
    return [
        ("GET /healthz", "/healthz", "report.lua", {}),
        ("GET /recommend", "/", "recommend.lua", {"WRK_USERS_FILE": os.path.join(work, "users.txt")}),
        ("POST /rank", "/rank", "report.lua", {"WRK_BODY_FILE": os.path.join(work, "rank.json")}),
        ("POST /score-order", "/", "score-order.lua", {"WRK_BODY_FILE": os.path.join(work, "order.json")}),
        ("GET /forecast", "/", "forecast.lua", {"WRK_IDS_FILE": os.path.join(work, "ids.txt")}),
    ]


def slow_calls(url, stop):
    """Trainings and dry runs back to back until stopped; returns how many ran."""
    count = 0
    while not stop.is_set():
        for path, method in (("/models/train?wait=59", "POST"), ("/score-order/thresholds?rescore=true", "GET")):
            try:
                get(url + path, method=method)
                count += 1
            except Exception:
                pass
    return count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--old", required=True)
    parser.add_argument("--new", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--routes", default="", help="comma-separated words matched against route names")
    parser.add_argument("--no-slow-calls", action="store_true")
    args = parser.parse_args()
    wanted = [word for word in args.routes.split(",") if word]

    def chosen(all_routes):
        return [r for r in all_routes if not wanted or any(word in r[0] for word in wanted)]
    binaries = [("old", args.old), ("new", args.new)]
    rows, slow_rows = [], []
    for round_number in range(1, args.rounds + 1):
        for label, binary in binaries:
            work = tempfile.mkdtemp(prefix="cartwise-compare-")
            server = Server(binary, os.path.join(work, "data"), 18390)
            try:
                prepare(server, work)
                # Wait for the first forecasts and the risk model: the routes then answer from them.
                for _ in range(600):
                    try:
                        if b'"current":true' in get(server.url + "/models/forecast")[1]:
                            break
                    except Exception:
                        pass
                    time.sleep(0.2)
                for name, path, script, env in chosen(routes(work)):
                    wrk(server.url, path, 1, script, env)  # warm-up
                    before = server.cpu_seconds()
                    rps, p50, p99, errors = wrk(server.url, path, args.duration, script, env)
                    cpu = (server.cpu_seconds() - before) / max(1, rps * args.duration) * 1e6
                    rows.append((name, label, round_number, rps, p50, p99, errors, cpu))
                for name, path, script, env in ([] if args.no_slow_calls else chosen(routes(work)[:2])):
                    quiet = wrk(server.url, path, args.duration, script, env)
                    stop = threading.Event()
                    thread = threading.Thread(target=lambda: slow_calls(server.url, stop))
                    thread.start()
                    time.sleep(0.5)
                    busy = wrk(server.url, path, args.duration, script, env)
                    stop.set()
                    thread.join()
                    slow_rows.append((name, label, round_number, quiet, busy))
            finally:
                server.stop()
                shutil.rmtree(work, ignore_errors=True)
    print("| route | binary | round | req/s | p50 ms | p99 ms | errors | server CPU µs/request |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for name, label, round_number, rps, p50, p99, errors, cpu in sorted(rows, key=lambda r: (r[0], r[2], r[1])):
        print(f"| {name} | {label} | {round_number} | {rps:,.0f} | {p50:.3f} | {p99:.3f} | {errors} | {cpu:.1f} |")
    print()
    print("| route | binary | round | quiet req/s | quiet p99 ms | with slow calls req/s | with slow calls p99 ms | non-2xx |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for name, label, round_number, quiet, busy in sorted(slow_rows, key=lambda r: (r[0], r[2], r[1])):
        print(f"| {name} | {label} | {round_number} | {quiet[0]:,.0f} | {quiet[2]:.3f} | {busy[0]:,.0f} | "
              f"{busy[2]:.3f} | {busy[3]} |")


if __name__ == "__main__":
    main()
