#!/usr/bin/env bash
# POST /score-order speed at -c 16, with every decision's audit entry written and fsynced
# (group-committed), next to GET /healthz in the same run, and where the CPU went per request.
#
# The risk model is trained on the creditcard train split (`cartwise import orders`), so every
# request is scored by 100 trees with reasons. Each request is a new order id (a new audit entry)
# with the full checkout: user, email, IP, card, countries, two basket lines and 29 signals.
#
# Usage: benchmarks/score-order.sh [--duration 10s] [--rounds 3] [--server-threads N]
#                                  [--durability fsync|interval|none]
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib/steal.sh
source benchmarks/lib/cpu.sh
DURATION=10s; ROUNDS=3; SERVER_THREADS=; DURABILITY=fsync
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --server-threads) SERVER_THREADS=$2; shift 2 ;;
    --durability) DURABILITY=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
# As in recommend.sh: on a 2-core machine the server gets the core wrk leaves.
SERVER_THREADS=${SERVER_THREADS:-$(( $(nproc) > 1 ? $(nproc) - 1 : 1 ))}
FRAUD=../shared/eval/data/fraud
[ -f "$FRAUD/creditcard.csv" ] || { echo "prepare the fraud set first (../shared/eval/README.md)" >&2; exit 1; }
if [ -z "${BENCH_BINARY:-}" ]; then swift build -c release --product cartwise >/dev/null; fi
BIN=${BENCH_BINARY:-.build/release/cartwise}; PORT=18264; URL=http://127.0.0.1:$PORT
WORK=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
if curl -s -o /dev/null $URL/healthz; then echo "port $PORT is already in use" >&2; exit 1; fi
python3 - "$FRAUD" "$WORK" <<'PY'
import csv, json, sys
fraud, work = sys.argv[1], sys.argv[2]
split = {r["id"]: r["split"] for r in csv.DictReader(open(fraud + "/creditcard_split.csv"))}
rows = csv.DictReader(open(fraud + "/creditcard.csv"))
with open(work + "/train.csv", "w", newline="") as out:
    writer = csv.DictWriter(out, fieldnames=rows.fieldnames)
    writer.writeheader()
    test = None
    for row in rows:
        if split[row["id"]] == "train":
            writer.writerow(row)
        elif test is None:
            test = row
signals = {k: float(v) for k, v in test.items() if k not in ("id", "label", "Amount")}
order = {"order_id": "ORDER_ID", "user": "u-1842", "amount": float(test["Amount"]), "currency": "EUR",
         "email": "shopper@example.com", "ip": "203.0.113.7", "shipping_country": "FR", "billing_country": "FR",
         "payment": {"card_bin": "411111", "card_fingerprint": "fp-77", "method": "card"},
         "items": [{"item": "i1", "quantity": 1, "price": 19.9}, {"item": "i2", "quantity": 2, "price": 5}],
         "account_created_at": "2025-06-01T00:00:00Z", "signals": signals}
json.dump(order, open(work + "/order.json", "w"))
PY
$BIN import orders "$WORK/train.csv" --data-dir "$WORK/data" 2>/dev/null
# The import leaves hundreds of MB of dirty pages; written back during a round, they slowed its
# fsyncs for seconds (p99 of 40-200 ms in some rounds). Write them out before measuring.
sync
$BIN serve --port $PORT --threads "$SERVER_THREADS" --data-dir "$WORK/data" --log-level warning \
  --set storage.durability="$DURABILITY" 2> "$WORK/server.log" &
SERVER_PID=$!
for _ in $(seq 600); do curl -sf $URL/models/risk 2>/dev/null | grep -q '"model":"gbdt"' && break; sleep 0.2; done
curl -sf $URL/models/risk | grep -q '"model":"gbdt"' || { echo "the risk model was not trained" >&2; cat "$WORK/server.log" >&2; exit 1; }
sed 's/ORDER_ID/check-1/' "$WORK/order.json" | curl -sf -X POST -H 'Content-Type: application/json' --data-binary @- \
  $URL/score-order > /dev/null || { echo "POST /score-order failed" >&2; cat "$WORK/server.log" >&2; exit 1; }
echo "| run (server threads $SERVER_THREADS, wrk -t1 -c16, durability $DURABILITY) | req/s | p50 ms | p99 ms | errors + non-2xx | host steal % |"
echo "|---|---:|---:|---:|---:|---:|"
WRK_BODY_FILE=$WORK/order.json wrk -t1 -c16 -d3s -s benchmarks/lua/score-order.lua $URL >/dev/null
P99S=""; RATIOS=""; CPU_ROWS=""
for round in $(seq "$ROUNDS"); do
  BEFORE=$(cpu_snapshot $SERVER_PID http-loop audit-log)
  SCORE=$(WRK_BODY_FILE=$WORK/order.json with_steal wrk -t1 -c16 -d"$DURATION" -s benchmarks/lua/score-order.lua $URL | grep -E '^(RESULT|STEAL)')
  AFTER=$(cpu_snapshot $SERVER_PID http-loop audit-log)
  SCORE_RPS=$(echo "$SCORE" | grep -o 'rps=[0-9.]*' | cut -d= -f2)
  CPU_ROWS="$CPU_ROWS| round $round | $(cpu_per_request "$BEFORE" "$AFTER" "$SCORE_RPS" "${DURATION%s}") |
"
  HEALTH=$(with_steal wrk -t1 -c16 -d"$DURATION" -s benchmarks/lua/report.lua $URL/healthz | grep -E '^(RESULT|STEAL)')
  row "round $round: POST /score-order" "$SCORE"
  row "round $round: GET /healthz" "$HEALTH"
  P99S="$P99S $(echo "$SCORE" | grep -o 'p99_us=[0-9]*' | cut -d= -f2)"
  RATIOS="$RATIOS $(python3 -c "import sys; print(float(sys.argv[1]) / float(sys.argv[2].split('rps=')[1].split()[0]))" "$SCORE_RPS" "$HEALTH")"
done
echo
echo "Where the CPU went during the /score-order rounds, µs per request (user + system time):"
echo
echo "| round | req/s | loop thread | audit writer | rest of the server | whole machine (wrk too) | machine idle % |"
echo "|---|---:|---:|---:|---:|---:|---:|"
printf '%s' "$CPU_ROWS"
DECISIONS=$(curl -sf "$URL/score-order/thresholds" | python3 -c "import json,sys; print(json.load(sys.stdin)['orders'])")
python3 -c "import statistics, sys; v=[int(x)/1000 for x in sys.argv[1].split()]; r=[float(x) for x in sys.argv[2].split()]; print(f'\nPOST /score-order p99 over {len(v)} rounds: median {statistics.median(v):.3f} ms, best {min(v):.3f}, worst {max(v):.3f}; req/s as a share of /healthz: {min(r):.2f}-{max(r):.2f}; {sys.argv[3]} decisions kept for the dry run')" "$P99S" "$RATIOS" "$DECISIONS"
ls "$WORK/data/audit" | head -3 >&2
