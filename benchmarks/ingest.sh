#!/usr/bin/env bash
# Ingest benchmark: events/s through POST /events (NDJSON batches of 1,000 events, 4 concurrent
# clients, one fdatasync per commit group) for each durability mode, and the offline import of the
# MovieLens 100K file (`cartwise import events`). Prints a table.
#
# Usage: benchmarks/ingest.sh [--duration 10s] [--file PATH] [--reps 3]
#   --file  the 100K CSV (default ../shared/eval/data/recsys/ml100k/interactions.csv; see
#           ../shared/eval/README.md to prepare it). Without it the import row is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=10s; FILE=../shared/eval/data/recsys/ml100k/interactions.csv; REPS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION=$2; shift 2 ;;
    --file) FILE=$2; shift 2 ;;
    --reps) REPS=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
swift build -c release --product cartwise >/dev/null
BIN=.build/release/cartwise
WORK=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

python3 - "$WORK/batch.ndjson" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for k in range(1000):
        f.write(json.dumps({"user": f"user-{k % 97}", "item": f"sku-{k % 1009}", "type": ["view", "click", "purchase"][k % 3],
                            "value": 1, "price": 9.5, "timestamp": 1767225600 + k,
                            "context": {"device": "mobile", "position": k % 10}}, separators=(",", ":")) + "\n")
PY
echo "batch: 1,000 events, $(wc -c < "$WORK/batch.ndjson") bytes" >&2

echo "| what | durability | events/s | batches/s | p50 ms | p99 ms | errors |"
echo "|---|---|---:|---:|---:|---:|---:|"
for mode in fsync interval none; do
  rm -rf "$WORK/data"; mkdir -p "$WORK/data"
  $BIN serve --port 18240 --data-dir "$WORK/data" --log-level warning --set storage.durability=$mode &
  PID=$!
  for _ in $(seq 100); do curl -sf -o /dev/null http://127.0.0.1:18240/readyz && break; sleep 0.1; done
  WRK_BODY_FILE=$WORK/batch.ndjson WRK_CONTENT_TYPE=application/x-ndjson \
    wrk -t2 -c4 -d2s -s benchmarks/lua/report.lua http://127.0.0.1:18240/events >/dev/null
  LINE=$(WRK_BODY_FILE=$WORK/batch.ndjson WRK_CONTENT_TYPE=application/x-ndjson \
    wrk -t2 -c4 -d"$DURATION" -s benchmarks/lua/report.lua http://127.0.0.1:18240/events | grep '^RESULT')
  kill -TERM $PID; wait $PID || true
  python3 - "$LINE" "$mode" <<'PY'
import sys
kv = dict(p.split("=") for p in sys.argv[1].split()[1:])
rps = float(kv["rps"])
print(f"| POST /events, NDJSON x1000, 4 clients | {sys.argv[2]} | {rps*1000:,.0f} | {rps:,.0f} | "
      f"{int(kv['p50_us'])/1000:.2f} | {int(kv['p99_us'])/1000:.2f} | {int(kv['errors'])+int(kv['non2xx'])} |")
PY
done

if [ -f "$FILE" ]; then
  ROWS=$(($(wc -l < "$FILE") - 1))
  TIMES=()
  for _ in $(seq "$REPS"); do
    rm -rf "$WORK/import"
    START=$(date +%s%N)
    $BIN import events "$FILE" --data-dir "$WORK/import" 2>/dev/null
    END=$(date +%s%N)
    TIMES+=($(( (END - START) / 1000000 )))
  done
  MEDIAN=$(printf '%s\n' "${TIMES[@]}" | sort -n | sed -n "$(( (REPS + 1) / 2 ))p")
  python3 -c "import sys; r=int(sys.argv[1]); m=int(sys.argv[2]); print(f'| cartwise import events ({r:,} rows, validate + write + fsync) | fsync | {r/(m/1000):,.0f} | | {m} ms total (median of $REPS: ${TIMES[*]}) | | 0 |')" "$ROWS" "$MEDIAN"
else
  echo "(no $FILE: import row skipped; prepare it as ../shared/eval/README.md says)" >&2
fi
