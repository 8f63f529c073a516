#!/usr/bin/env bash
# GET /customers/{id} speed against GET /healthz in the same run, the CPU per request, and the
# memory a whole-cohort export takes, on the CDNOW full cohort (23,570 customers, every
# transaction imported with `cartwise import orders`). Prints tables.
#
#   1. wrk -t1 -c16 on GET /customers/{id} (random customers, default horizon) and on
#      GET /healthz, alternating for --rounds rounds; CPU µs per request per thread;
#   2. every segment exported as CSV (the 23,570 customers) through a client reading at
#      --export-rate (curl --limit-rate), while the server's resident memory is sampled: the
#      export streams, so the peak stays near the resident size before it.
#
# Usage: benchmarks/customers.sh [--data ../shared/eval/data/segment/cdnow_transactions.csv] [--duration 10s]
#        [--rounds 3] [--export-rate 2M]
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib/steal.sh
source benchmarks/lib/cpu.sh
DATA=../shared/eval/data/segment/cdnow_transactions.csv; DURATION=10s; ROUNDS=3; RATE=2M
while [ $# -gt 0 ]; do
  case "$1" in
    --data) DATA=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --export-rate) RATE=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ -z "${BENCH_BINARY:-}" ]; then swift build -c release --product cartwise >/dev/null; fi
BIN=${BENCH_BINARY:-.build/release/cartwise}; PORT=18290; URL=http://127.0.0.1:$PORT
WORK=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
python3 - "$DATA" "$WORK" <<'PY'
import csv, sys
ids = set()
with open(sys.argv[1]) as f, open(sys.argv[2] + "/orders.csv", "w", newline="") as out:
    w = csv.writer(out)
    w.writerow(["id", "label", "amount", "user", "created_at"])
    for n, row in enumerate(csv.DictReader(f)):
        w.writerow([f"r{n}", "", row["amount"], row["customer_id"], row["order_date"]])
        ids.add(row["customer_id"])
open(sys.argv[2] + "/ids.txt", "w").write("\n".join(sorted(ids)) + "\n")
PY
$BIN import orders "$WORK/orders.csv" --data-dir "$WORK/data" >/dev/null 2>&1
if curl -s -o /dev/null $URL/healthz; then echo "port $PORT is already in use" >&2; exit 1; fi
$BIN serve --port $PORT --threads 1 --data-dir "$WORK/data" --log-level warning 2> "$WORK/server.log" &
SERVER_PID=$!
for _ in $(seq 600); do curl -sf -o /dev/null $URL/segments && break; sleep 0.2; done
curl -sf -o /dev/null $URL/segments || { echo "the customer model was not trained" >&2; cat "$WORK/server.log" >&2; exit 1; }
echo "| run (1 server loop, wrk -t1 -c16) | req/s | p50 ms | p99 ms | errors + non-2xx | host steal % |"
echo "|---|---:|---:|---:|---:|---:|"
WRK_IDS_FILE=$WORK/ids.txt wrk -t1 -c16 -d3s -s benchmarks/lua/customers.lua $URL >/dev/null
P99S=""; HP99S=""; RATIOS=""; CPU_ROWS=""
for round in $(seq "$ROUNDS"); do
  BEFORE=$(cpu_snapshot $SERVER_PID http-loop)
  CUST=$(WRK_IDS_FILE=$WORK/ids.txt with_steal wrk -t1 -c16 -d"$DURATION" -s benchmarks/lua/customers.lua $URL | grep -E '^(RESULT|STEAL)')
  AFTER=$(cpu_snapshot $SERVER_PID http-loop)
  RPS=$(echo "$CUST" | grep -o 'rps=[0-9.]*' | cut -d= -f2)
  CPU_ROWS="$CPU_ROWS| round $round | $(cpu_per_request "$BEFORE" "$AFTER" "$RPS" "${DURATION%s}") |
"
  HEALTH=$(with_steal wrk -t1 -c16 -d"$DURATION" -s benchmarks/lua/report.lua $URL/healthz | grep -E '^(RESULT|STEAL)')
  row "round $round: GET /customers/{id}" "$CUST"
  row "round $round: GET /healthz" "$HEALTH"
  P99S="$P99S $(echo "$CUST" | grep -o 'p99_us=[0-9]*' | cut -d= -f2)"
  HP99S="$HP99S $(echo "$HEALTH" | grep -o 'p99_us=[0-9]*' | cut -d= -f2)"
  RATIOS="$RATIOS $(python3 -c "import sys; print(float(sys.argv[1]) / float(sys.argv[2].split('rps=')[1].split()[0]))" "$RPS" "$HEALTH")"
done
echo
echo "CPU per GET /customers/{id}, µs (user + system):"
echo
echo "| round | req/s | loop thread | rest of the server | whole machine (wrk too) | machine idle % |"
echo "|---|---:|---:|---:|---:|---:|"
printf '%s' "$CPU_ROWS"
python3 -c "
import statistics, sys
v=[int(x)/1000 for x in sys.argv[1].split()]; h=[int(x)/1000 for x in sys.argv[2].split()]; r=[float(x) for x in sys.argv[3].split()]
print(f'\nGET /customers/{{id}} p99 over {len(v)} rounds: median {statistics.median(v):.3f} ms (GET /healthz {statistics.median(h):.3f} ms, ratio {statistics.median(v)/statistics.median(h):.2f}); req/s as a share of /healthz: {min(r):.2f}-{max(r):.2f}')" "$P99S" "$HP99S" "$RATIOS"

# The export: every segment as CSV through a slow reader, resident memory sampled every 50 ms.
rss() { awk '/^VmRSS/{print $2}' /proc/$SERVER_PID/status; }
BASE=$(rss); PEAK=$BASE; BYTES=0; ROWS=0
for id in $(curl -sf $URL/segments | python3 -c "import json,sys; print(' '.join(s['id'] for s in json.load(sys.stdin)['segments']))"); do
  curl -sf --limit-rate "$RATE" -H 'Accept: text/csv' "$URL/segments/$id/customers" -o "$WORK/$id.csv" &
  CURL=$!
  while kill -0 $CURL 2>/dev/null; do now=$(rss); [ "$now" -gt "$PEAK" ] && PEAK=$now; sleep 0.05; done
  wait $CURL
  BYTES=$(( BYTES + $(stat -c %s "$WORK/$id.csv") )); ROWS=$(( ROWS + $(wc -l < "$WORK/$id.csv") - 1 ))
done
echo
echo "| export | customers | CSV bytes | server RSS before | peak RSS during | growth |"
echo "|---|---:|---:|---:|---:|---:|"
echo "| every segment as CSV at $RATE/s | $ROWS | $BYTES | $((BASE / 1024)) MiB | $((PEAK / 1024)) MiB | $(( (PEAK - BASE) )) KiB |"
