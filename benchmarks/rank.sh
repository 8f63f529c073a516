#!/usr/bin/env bash
# POST /rank speed: 100 items per request at -c 16, next to GET /healthz in the same run.
#
# The click model is learned from ml100k_ctr's train split (`cartwise import ctr`), with the movie
# catalog loaded first (`cartwise import items`: each movie's genres as its categories), so that
# impressions learn the item's catalog categories as a storefront's would. Two request shapes,
# each ranking 100 movies for one user with the request's context (gender, age, occupation, zip3,
# hour, weekday):
#   catalog: items by id only; their categories come from the catalog (the storefront's case);
#   context: every item also carries its own context (release year, genres) in the request.
#
# Usage: benchmarks/rank.sh [--duration 10s] [--rounds 3] [--wrk-threads 1] [--server-threads N]
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib/steal.sh
DURATION=10s; ROUNDS=3; WRK_THREADS=1; SERVER_THREADS=
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --wrk-threads) WRK_THREADS=$2; shift 2 ;;
    --server-threads) SERVER_THREADS=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
# As in recommend.sh: on a 2-core machine the server gets the cores wrk leaves.
SERVER_THREADS=${SERVER_THREADS:-$(( $(nproc) - WRK_THREADS > 0 ? $(nproc) - WRK_THREADS : 1 ))}
DATA=../shared/eval/data/ctr/ml100k_ctr
[ -f "$DATA/train.csv" ] || { echo "prepare the CTR sets first (../shared/eval/README.md)" >&2; exit 1; }
if [ -z "${BENCH_BINARY:-}" ]; then swift build -c release --product cartwise >/dev/null; fi
BIN=${BENCH_BINARY:-.build/release/cartwise}; PORT=18262; URL=http://127.0.0.1:$PORT
WORK=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
if curl -s -o /dev/null $URL/healthz; then echo "port $PORT is already in use" >&2; exit 1; fi
python3 - "$DATA/train.csv" > "$WORK/items.ndjson" <<'PY'
import csv, json, sys
seen = {}
for r in csv.DictReader(open(sys.argv[1])):
    seen.setdefault(r["item_id"], r["genres"].split("|"))
for item, genres in seen.items():
    print(json.dumps({"id": item, "categories": genres}))
PY
$BIN import items "$WORK/items.ndjson" --data-dir "$WORK/data" 2>/dev/null
$BIN import ctr "$DATA/train.csv" --data-dir "$WORK/data" 2>/dev/null
# As in score-order.sh: the import's dirty pages are written out before measuring, not during
# a round.
sync
$BIN serve --port $PORT --threads "$SERVER_THREADS" --data-dir "$WORK/data" --log-level warning \
  --set ctr.alpha=0.2 \
  --set "ctr.crosses=user*category,user*genres,user*release_year,item*gender,item*age,item*occupation" \
  2> "$WORK/server.log" &
for _ in $(seq 600); do curl -sf -o /dev/null $URL/models/ctr && break; sleep 0.2; done
python3 - "$DATA/test.csv" "$WORK" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))[:100]
first = rows[0]
request = {"user": first["user_id"], "timestamp": int(first["timestamp"]),
           "context": {k: first[k] for k in ("gender", "age", "occupation", "zip3", "hour", "weekday")}, "k": 10}
catalog = dict(request, items=[{"item": r["item_id"]} for r in rows])
context = dict(request, items=[{"item": r["item_id"], "context": {"release_year": r["release_year"], "genres": r["genres"]}}
                               for r in rows])
json.dump(catalog, open(sys.argv[2] + "/catalog.json", "w"))
json.dump(context, open(sys.argv[2] + "/context.json", "w"))
PY
for shape in catalog context; do
  curl -sf -X POST -H 'Content-Type: application/json' --data-binary @"$WORK/$shape.json" $URL/rank > /dev/null \
    || { echo "POST /rank failed" >&2; cat "$WORK/server.log" >&2; exit 1; }
done
echo "| run (server threads $SERVER_THREADS, wrk -t$WRK_THREADS -c16) | req/s | p50 ms | p99 ms | errors + non-2xx | host steal % |"
echo "|---|---:|---:|---:|---:|---:|"
WRK_BODY_FILE=$WORK/catalog.json wrk -t"$WRK_THREADS" -c16 -d3s -s benchmarks/lua/report.lua $URL/rank >/dev/null
P99S=""
for round in $(seq "$ROUNDS"); do
  CATALOG=$(WRK_BODY_FILE=$WORK/catalog.json with_steal wrk -t"$WRK_THREADS" -c16 -d"$DURATION" -s benchmarks/lua/report.lua $URL/rank | grep -E '^(RESULT|STEAL)')
  CONTEXT=$(WRK_BODY_FILE=$WORK/context.json with_steal wrk -t"$WRK_THREADS" -c16 -d"$DURATION" -s benchmarks/lua/report.lua $URL/rank | grep -E '^(RESULT|STEAL)')
  HEALTH=$(with_steal wrk -t"$WRK_THREADS" -c16 -d"$DURATION" -s benchmarks/lua/report.lua $URL/healthz | grep -E '^(RESULT|STEAL)')
  row "round $round: POST /rank, 100 catalog items" "$CATALOG"
  row "round $round: POST /rank, 100 items with their own context" "$CONTEXT"
  row "round $round: GET /healthz" "$HEALTH"
  P99S="$P99S $(echo "$CATALOG" | grep -o 'p99_us=[0-9]*' | cut -d= -f2)"
done
python3 -c "import statistics, sys; v=[int(x)/1000 for x in sys.argv[1:]]; print(f'\nPOST /rank (100 catalog items) p99 over {len(v)} rounds: median {statistics.median(v):.3f} ms, best {min(v):.3f}, worst {max(v):.3f}')" $P99S
