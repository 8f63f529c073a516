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
