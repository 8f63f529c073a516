#!/usr/bin/env bash
# TLS keep-alive throughput as a share of plaintext, same machine, same run: GET /healthz and
# POST /echo (1 KiB JSON) at -c 16 over one server loop, rounds alternating plain and TLS.
# A test CA and certificate are made with the openssl tool (RSA 2048; TLS 1.3 negotiated).
#
# Usage: benchmarks/tls.sh [--duration 10s] [--rounds 3]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=10s; ROUNDS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ -z "${BENCH_BINARY:-}" ]; then swift build -c release --product cartwise >/dev/null; fi
BIN=${BENCH_BINARY:-.build/release/cartwise}
WORK=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
(cd "$WORK" && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=Bench CA" 2>/dev/null \
  && openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=localhost" 2>/dev/null \
  && printf "subjectAltName=DNS:localhost,IP:127.0.0.1\n" > ext.cnf \
  && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile ext.cnf 2>/dev/null)
PLAIN=18266; TLS=18267
for port in $PLAIN $TLS; do
  if curl -sk -o /dev/null https://127.0.0.1:$port/healthz || curl -s -o /dev/null http://127.0.0.1:$port/healthz; then
    echo "port $port is already in use" >&2; exit 1
  fi
done
COMMON=(--threads 1 --log-level warning --set server.benchmark_routes=true)
$BIN serve --port $PLAIN --data-dir "$WORK/plain" "${COMMON[@]}" 2> "$WORK/plain.log" &
$BIN serve --port $TLS --data-dir "$WORK/tls" "${COMMON[@]}" --tls-cert "$WORK/server.pem" --tls-key "$WORK/server.key" \
  2> "$WORK/tls.log" &
for _ in $(seq 100); do
  curl -sf -o /dev/null http://127.0.0.1:$PLAIN/healthz && curl -sf --cacert "$WORK/ca.pem" -o /dev/null https://localhost:$TLS/healthz && break
  sleep 0.2
done
row() {
  python3 - "$1" "$2" <<'PY'
import sys
kv = dict(p.split("=", 1) for p in sys.argv[2].split()[1:])
print(f"| {sys.argv[1]} | {float(kv['rps']):,.0f} | {int(kv['p50_us'])/1000:.3f} | {int(kv['p99_us'])/1000:.3f} | "
      f"{int(kv['errors'])+int(kv['non2xx'])} |")
PY
}
echo "| run (one server loop, wrk -t1 -c16, keep-alive) | req/s | p50 ms | p99 ms | errors + non-2xx |"
echo "|---|---:|---:|---:|---:|"
RATIOS=""
for round in $(seq "$ROUNDS"); do
  for route in healthz echo; do
    if [ $route = echo ]; then export WRK_BODY_FILE=benchmarks/echo-1k.json; else unset WRK_BODY_FILE; fi
    P=$(wrk -t1 -c16 -d"$DURATION" -s benchmarks/lua/report.lua http://127.0.0.1:$PLAIN/$route | grep '^RESULT')
    T=$(wrk -t1 -c16 -d"$DURATION" -s benchmarks/lua/report.lua https://localhost:$TLS/$route | grep '^RESULT')
    row "round $round: $route, plaintext" "$P"
    row "round $round: $route, TLS 1.3" "$T"
    RATIOS="$RATIOS $route:$(python3 -c "import sys; f=lambda s: float(s.split('rps=')[1].split()[0]); print(round(f(sys.argv[2])/f(sys.argv[1]), 3))" "$P" "$T")"
  done
done
echo
echo "TLS req/s as a share of plaintext, per round and route:$RATIOS"
