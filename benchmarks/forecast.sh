#!/usr/bin/env bash
# Forecasting speed, in one run:
#  1. fit + forecast time of every M3 monthly series (1,428; 15 ETS models each, h = 18) with
#     `cartwise bench forecast` on 2 threads, next to statsforecast's AutoETS on the same series
#     (anchors/forecast.py --models autoets, one thread as the kit runs it);
#  2. GET /forecast (horizon 18, 80 % and 95 % intervals, a different series each request) and
#     GET /inventory/policy at wrk -t1 -c16, next to GET /healthz.
#
# Usage: benchmarks/forecast.sh [--duration 10s] [--rounds 3] [--server-threads N] [--skip-fit]
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib/steal.sh
DURATION=10s; ROUNDS=3; SERVER_THREADS=; SKIP_FIT=
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --server-threads) SERVER_THREADS=$2; shift 2 ;;
    --skip-fit) SKIP_FIT=1; shift ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
SERVER_THREADS=${SERVER_THREADS:-$(( $(nproc) > 1 ? $(nproc) - 1 : 1 ))}
EVAL=../shared/eval; DATA=$EVAL/data/forecast
[ -f "$DATA/m3_monthly_train.csv" ] || { echo "prepare the forecast sets first (../shared/eval/README.md)" >&2; exit 1; }
if [ -z "${BENCH_BINARY:-}" ]; then swift build -c release --product cartwise >/dev/null; fi
BIN=${BENCH_BINARY:-.build/release/cartwise}; PORT=18265; URL=http://127.0.0.1:$PORT
WORK=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
if curl -s -o /dev/null $URL/healthz; then echo "port $PORT is already in use" >&2; exit 1; fi

if [ -z "$SKIP_FIT" ]; then
  OURS=$($BIN bench forecast "$DATA/m3_monthly_train.csv" --season-length 12 --horizon 18 --threads 2 | head -1)
  OURS_S=$(echo "$OURS" | grep -o '[0-9.]* s$' | cut -d' ' -f1)
  (cd $EVAL && .venv-ops/bin/python anchors/forecast.py --dataset m3_monthly --models autoets --runs 1) > "$WORK/sf.log" 2>&1
  SF_S=$(grep -o 'autoets run 1: wall [0-9.]*' "$WORK/sf.log" | grep -o '[0-9.]*$')
  echo "| M3 monthly, 1,428 series, h = 18 | fit + forecast wall s |"
  echo "|---|---:|"
  echo "| Cartwise AutoETS (15 models, Akaike-weighted), 2 threads | $OURS_S |"
  echo "| statsforecast 2.1.1 AutoETS, 1 thread (as the kit times it) | $SF_S |"
  python3 -c "import sys; print(f'\nCartwise / statsforecast wall time: {float(sys.argv[1])/float(sys.argv[2]):.2f}x\n')" "$OURS_S" "$SF_S"
fi

$BIN import series "$DATA/m3_monthly_train.csv" --frequency month --season-length 12 --data-dir "$WORK/data" 2>/dev/null
$BIN serve --port $PORT --threads "$SERVER_THREADS" --data-dir "$WORK/data" --log-level warning 2> "$WORK/server.log" &
for _ in $(seq 1800); do curl -sf $URL/models/forecast 2>/dev/null | grep -q '"current":true' && break; sleep 0.2; done
curl -sf $URL/models/forecast | grep -q '"current":true' || { echo "the forecasts were not fitted" >&2; cat "$WORK/server.log" >&2; exit 1; }
cut -d, -f1 "$DATA/m3_monthly_meta.csv" | tail -n +2 > "$WORK/ids.txt"
row() {
  python3 - "$1" "$2" <<'PY'
import sys
lines = {line.split()[0]: line for line in sys.argv[2].splitlines() if line.strip()}
kv = dict(p.split("=", 1) for p in lines["RESULT"].split()[1:])
steal = lines.get("STEAL", "STEAL percent=?").split("=")[1]
print(f"| {sys.argv[1]} | {float(kv['rps']):,.0f} | {int(kv['p50_us'])/1000:.3f} | {int(kv['p99_us'])/1000:.3f} | "
      f"{int(kv['errors'])+int(kv['non2xx'])} | {steal} |")
PY
}
echo "| run (server threads $SERVER_THREADS, wrk -t1 -c16) | req/s | p50 ms | p99 ms | errors + non-2xx | host steal % |"
echo "|---|---:|---:|---:|---:|---:|"
export WRK_IDS_FILE=$WORK/ids.txt
WRK_QUERY="&horizon=18&levels=80,95" wrk -t1 -c16 -d3s -s benchmarks/lua/forecast.lua $URL >/dev/null
P99S=""
for round in $(seq "$ROUNDS"); do
  FORECAST=$(WRK_QUERY="&horizon=18&levels=80,95" with_steal wrk -t1 -c16 -d"$DURATION" -s benchmarks/lua/forecast.lua $URL | grep -E '^(RESULT|STEAL)')
  POLICY=$(WRK_PATH=/inventory/policy WRK_QUERY="&lead_time=2&review_period=1&on_hand=1000" \
    with_steal wrk -t1 -c16 -d"$DURATION" -s benchmarks/lua/forecast.lua $URL | grep -E '^(RESULT|STEAL)')
  HEALTH=$(with_steal wrk -t1 -c16 -d"$DURATION" -s benchmarks/lua/report.lua $URL/healthz | grep -E '^(RESULT|STEAL)')
  row "round $round: GET /forecast (h 18, 2 levels)" "$FORECAST"
  row "round $round: GET /inventory/policy (L 2, R 1)" "$POLICY"
  row "round $round: GET /healthz" "$HEALTH"
  P99S="$P99S $(echo "$FORECAST" | grep -o 'p99_us=[0-9]*' | cut -d= -f2)"
done
python3 -c "import statistics, sys; v=[int(x)/1000 for x in sys.argv[1].split()]; print(f'\nGET /forecast p99 over {len(v)} rounds: median {statistics.median(v):.3f} ms, best {min(v):.3f}, worst {max(v):.3f}')" "$P99S"
