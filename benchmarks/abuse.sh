#!/usr/bin/env bash
# Abuse: 2,000 idle connections and a slowloris client held open while a normal client runs
# GET /recommend at -c 16 (p99 must stay under 10 ms); then a 1 GB upload is refused from its
# head alone, and 100,000 levels of nested JSON are refused without a stack overflow.
#
# Usage: benchmarks/abuse.sh [--duration 10s] [--idle 2000]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=10s; IDLE=2000
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION=$2; shift 2 ;;
    --idle) IDLE=$2; shift 2 ;;
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if [ -z "${BENCH_BINARY:-}" ]; then swift build -c release --product cartwise >/dev/null; fi
BIN=${BENCH_BINARY:-.build/release/cartwise}; PORT=18268; URL=http://127.0.0.1:$PORT
WORK=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
if curl -s -o /dev/null $URL/healthz; then echo "port $PORT is already in use" >&2; exit 1; fi
$BIN serve --demo --port $PORT --threads 1 --data-dir "$WORK/data" --log-level warning 2> "$WORK/server.log" &
for _ in $(seq 600); do curl -sf -o /dev/null $URL/readyz && break; sleep 0.2; done
row() {
  python3 - "$1" "$2" <<'PY'
import sys
kv = dict(p.split("=", 1) for p in sys.argv[2].split()[1:])
print(f"| {sys.argv[1]} | {float(kv['rps']):,.0f} | {int(kv['p50_us'])/1000:.3f} | {int(kv['p99_us'])/1000:.3f} | "
      f"{int(kv['errors'])+int(kv['non2xx'])} |")
PY
}
echo "| run (one server loop, wrk -t1 -c16, GET /recommend?user=user-00042) | req/s | p50 ms | p99 ms | errors + non-2xx |"
echo "|---|---:|---:|---:|---:|"
QUIET=$(wrk -t1 -c16 -d"$DURATION" -s benchmarks/lua/report.lua "$URL/recommend?user=user-00042&k=10" | grep '^RESULT')
row "alone" "$QUIET"
# The attackers: idle connections that never send, and a slowloris that sends a header byte a second.
python3 - "$PORT" "$IDLE" "$WORK/attack.ready" <<'PY' &
import socket, sys, time
port, count, ready = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
idle = []
for _ in range(count):
    s = socket.create_connection(("127.0.0.1", port)); idle.append(s)
loris = socket.create_connection(("127.0.0.1", port))
loris.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
open(ready, "w").write("ready")
end = time.time() + 120
while time.time() < end:
    try:
        loris.sendall(b"X-Slow: a\r\n")
    except OSError:
        loris = socket.create_connection(("127.0.0.1", port))
        loris.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    time.sleep(1)
PY
for _ in $(seq 300); do [ -f "$WORK/attack.ready" ] && break; sleep 0.1; done
OPEN=$(curl -s $URL/metrics | awk '/^cartwise_http_open_connections/ {print $2}')
LOADED=$(wrk -t1 -c16 -d"$DURATION" -s benchmarks/lua/report.lua "$URL/recommend?user=user-00042&k=10" | grep '^RESULT')
row "with $IDLE idle connections and a slowloris (open connections: $OPEN)" "$LOADED"
echo
python3 - "$PORT" <<'PY'
import socket, time
port = 18268
# A 1 GB upload: the answer must come from the head alone.
s = socket.create_connection(("127.0.0.1", port)); s.settimeout(10)
start = time.time()
s.sendall(b"POST /events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n")
s.sendall(b"{" * 65536)
answer = s.recv(4096).decode(errors="replace").split("\r\n")[0]
print(f"1 GB upload: '{answer}' after {time.time() - start:.3f} s and 64 KiB sent")
# 100,000 levels of nesting.
body = b'{"events":' + b"[" * 100000 + b"]" * 100000 + b"}"
s = socket.create_connection(("127.0.0.1", port)); s.settimeout(10)
s.sendall(b"POST /events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
reply = s.recv(65536).decode(errors="replace")
print(f"100,000 nested arrays: '{reply.splitlines()[0]}', detail: {reply[reply.find('detail'):][:90]}")
s = socket.create_connection(("127.0.0.1", port)); s.settimeout(5)
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
print("still serving:", s.recv(4096).decode().split("\r\n")[0])
PY
