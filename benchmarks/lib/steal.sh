# Sourced by the benchmark scripts.
#
# with_steal CMD...: runs CMD and prints, after its output, "STEAL percent=N": the share of the
# machine's CPU time that the hypervisor gave to other guests (steal, in /proc/stat) while CMD
# ran. On a shared VM the slow rounds are often the ones where this is high; printing it next to
# each round tells a regression from a busy host.
with_steal() {
  local before after
  before=$(head -1 /proc/stat)
  "$@"
  after=$(head -1 /proc/stat)
  python3 -c '
import sys
a, b = ([int(x) for x in s.split()[1:]] for s in sys.argv[1:3])
d = [y - x for x, y in zip(a, b)]
steal = d[7] if len(d) > 7 else 0
print(f"STEAL percent={100 * steal / max(1, sum(d)):.0f}")' "$before" "$after"
}

# row LABEL OUTPUT: one Markdown row from wrk's RESULT line (req/s, p50, p99, errors + non-2xx)
# and with_steal's STEAL line, as rank.sh, score-order.sh and customers.sh print their rounds.
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
