#!/usr/bin/env bash
# HTTP benchmark: Cartwise's own server against Hummingbird 2 (the fastest Swift server) in the
# same run, with wrk on loopback. Prints a table of req/s, p50, p99 and the servers' RSS.
#
# Usage: benchmarks/http.sh [--conns 1,16,64] [--duration 10s] [--reps 3] [--threads N]
#                           [--no-anchor] [--pinned]
#   --no-anchor   measure only Cartwise (no Hummingbird build needed)
#   --pinned      servers on CPU 0, wrk on CPU 1 (default: everything floats over both cores)
# Needs: wrk (apt-get install -y wrk), python3, curl. The Hummingbird anchor is built from
# ../shared/anchors/http/server-hummingbird into .build-anchors/ (first build takes minutes).
# Routes: GET /healthz (Hummingbird: GET /health, the same static JSON) and POST /echo with
# benchmarks/echo-1k.json (1 KiB JSON decoded into a struct, answered with JSON) on both.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
CONNS=1,16,64; DURATION=10s; REPS=3; THREADS=0; ANCHOR=1; PINNED=0
while [ $# -gt 0 ]; do
  case "$1" in
    --conns) CONNS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --reps) REPS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --no-anchor) ANCHOR=0; shift ;;
    --pinned) PINNED=1; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }

OUT=benchmarks/results/http-$(date +%Y%m%d-%H%M%S); mkdir -p "$OUT"
RUNS=$OUT/runs.tsv; printf 'server\troute\tconns\trep\trps\tp50_us\tp99_us\terrors\n' > "$RUNS"
SERVER_CPU=(); WRK_CPU=()
[ "$PINNED" = 1 ] && { SERVER_CPU=(taskset -c 0); WRK_CPU=(taskset -c 1); }

echo "building cartwise (release) ..." >&2
swift build -c release --product cartwise >/dev/null
declare -A URL HEALTH PID
URL[cartwise]=http://127.0.0.1:18180; HEALTH[cartwise]=/healthz
DATA=$(mktemp -d)
"${SERVER_CPU[@]}" .build/release/cartwise serve --port 18180 --threads "$THREADS" --data-dir "$DATA" \
  --set server.benchmark_routes=true --log-level warning > "$OUT/cartwise.log" 2>&1 &
PID[cartwise]=$!
SERVERS=(cartwise)

if [ "$ANCHOR" = 1 ]; then
  SRC=../shared/anchors/http/server-hummingbird
  if [ -d "$SRC" ]; then
    mkdir -p .build-anchors && rm -rf .build-anchors/hb-src && cp -r "$SRC" .build-anchors/hb-src && chmod -R u+w .build-anchors/hb-src
    echo "building Hummingbird anchor (release; minutes the first time) ..." >&2
    swift build -c release --package-path .build-anchors/hb-src --scratch-path .build-anchors/hb-build \
      --product HBServer > "$OUT/hb-build.log" 2>&1
    PORT=18181 HOST=127.0.0.1 "${SERVER_CPU[@]}" .build-anchors/hb-build/release/HBServer > "$OUT/hb.log" 2>&1 &
    PID[hummingbird]=$!; URL[hummingbird]=http://127.0.0.1:18181; HEALTH[hummingbird]=/health
    SERVERS+=(hummingbird)
  else
    echo "no $SRC: measuring Cartwise only" >&2
  fi
fi
cleanup() { for s in "${SERVERS[@]}"; do kill "${PID[$s]}" 2>/dev/null || true; done; rm -rf "$DATA"; }
trap cleanup EXIT

rss() { ps -o rss= -p "$1" | tr -d ' '; }
declare -A RSS_IDLE
for s in "${SERVERS[@]}"; do
  for _ in $(seq 100); do curl -sf -o /dev/null "${URL[$s]}${HEALTH[$s]}" && break; sleep 0.1; done
  curl -sf -o /dev/null "${URL[$s]}${HEALTH[$s]}" || { echo "$s did not start" >&2; exit 1; }
  RSS_IDLE[$s]=$(rss "${PID[$s]}")
  ANSWER=$(curl -s -X POST -H 'Content-Type: application/json' --data-binary @benchmarks/echo-1k.json "${URL[$s]}/echo")
  [ "$ANSWER" != "${ANSWER/35245/}" ] || { echo "$s /echo answered '$ANSWER'" >&2; exit 1; }
done

run() {  # server route conns rep duration
  local s=$1 route=$2 c=$3 rep=$4 dur=$5 path body=""
  if [ "$route" = get ]; then path=${HEALTH[$s]}; else path=/echo; body=$ROOT/benchmarks/echo-1k.json; fi
  local line
  line=$(WRK_BODY_FILE=$body "${WRK_CPU[@]}" wrk -t1 -c"$c" -d"$dur" -s benchmarks/lua/report.lua "${URL[$s]}$path" | grep '^RESULT' || true)
  [ "$rep" = 0 ] && return 0
  python3 - "$line" "$s" "$route" "$c" "$rep" >> "$RUNS" <<'PY'
import sys
kv = dict(p.split("=") for p in sys.argv[1].split()[1:]) if sys.argv[1] else {}
print("\t".join(sys.argv[2:6] + [kv.get(k, "") for k in ("rps", "p50_us", "p99_us")]
      + [str(int(kv.get("errors", 0)) + int(kv.get("non2xx", 0))) if kv else "no result"]))
PY
}
echo "warming up ..." >&2
for s in "${SERVERS[@]}"; do run "$s" get 16 0 2s; run "$s" post 16 0 2s; done
IFS=, read -r -a CONN_LIST <<< "$CONNS"
for rep in $(seq "$REPS"); do
  for route in get post; do
    for c in "${CONN_LIST[@]}"; do
      for s in "${SERVERS[@]}"; do   # interleaved, so background load hits both alike
        echo "rep $rep: $s $route c=$c" >&2; run "$s" "$route" "$c" "$rep" "$DURATION"
      done
    done
  done
done
RSS_FILE=$OUT/rss.tsv; printf 'server\tidle_kb\tafter_kb\n' > "$RSS_FILE"
for s in "${SERVERS[@]}"; do printf '%s\t%s\t%s\n' "$s" "${RSS_IDLE[$s]}" "$(rss "${PID[$s]}")" >> "$RSS_FILE"; done

python3 - "$RUNS" "$RSS_FILE" "$DURATION" "$REPS" "$PINNED" <<'PY' | tee "$OUT/summary.md"
import csv, statistics, sys
runs = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
rss = {r["server"]: r for r in csv.DictReader(open(sys.argv[2]), delimiter="\t")}
print(f"wrk -t1 -d{sys.argv[3]}, median of {sys.argv[4]} interleaved runs, {'pinned' if sys.argv[5]=='1' else 'shared'} CPUs")
print()
print("| route | conns | server | req/s | vs Hummingbird | p50 ms | p99 ms | errors |")
print("|---|---:|---|---:|---:|---:|---:|---:|")
groups = {}
for r in runs:
    groups.setdefault((r["route"], int(r["conns"]), r["server"]), []).append(r)
def med(rows, key): return statistics.median(float(r[key]) for r in rows if r[key])
for (route, c, s), rows in sorted(groups.items(), key=lambda kv: (kv[0][0] != "get", kv[0][1], kv[0][2])):
    label = "GET /healthz" if route == "get" else "POST /echo 1 KiB"
    base = groups.get((route, c, "hummingbird"))
    ratio = f"{med(rows,'rps')/med(base,'rps'):.2f}x" if base and s != "hummingbird" else ""
    errors = sum(int(r["errors"]) if r["errors"].isdigit() else 1 for r in rows)
    print(f"| {label} | {c} | {s} | {med(rows,'rps'):,.0f} | {ratio} | {med(rows,'p50_us')/1000:.3f} | "
          f"{med(rows,'p99_us')/1000:.3f} | {errors} |")
print()
print("| server | RSS idle MiB | RSS after MiB |")
print("|---|---:|---:|")
for s, r in rss.items():
    print(f"| {s} | {int(r['idle_kb'])/1024:.1f} | {int(r['after_kb'])/1024:.1f} |")
PY
echo "raw results: $OUT" >&2
