# Sourced by the benchmark scripts.
#
# cpu_snapshot PID THREAD-PREFIX...: one line with the CPU time (clock ticks, user + system) of
# the process's threads whose names start with each prefix, then the whole process's, then the
# machine's busy and idle ticks (from /proc/stat; idle includes iowait).
# cpu_per_request BEFORE AFTER RPS SECONDS: the round's req/s, then the difference of two
# snapshots as microseconds of CPU per request (RPS x SECONDS requests) for each column, and the
# machine's idle share, as the cells of a Markdown row.
#
# A closed-loop benchmark on a small machine is bound by where the CPU goes: printing, per round,
# how much each server thread and the machine as a whole spend per request tells a slower stage
# from a busier host.
cpu_snapshot() {
  local pid=$1; shift
  local line="" prefix task name ticks
  for prefix in "$@"; do
    ticks=0
    for task in /proc/"$pid"/task/*; do
      read -r name < "$task/comm" 2>/dev/null || continue
      if [[ $name == "$prefix"* ]]; then
        ticks=$(( ticks + $(awk '{print $14 + $15}' "$task/stat" 2>/dev/null || echo 0) ))
      fi
    done
    line="$line $ticks"
  done
  line="$line $(awk '{print $14 + $15}' /proc/"$pid"/stat)"
  echo "$line $(awk '/^cpu /{print $2 + $3 + $4 + $7 + $8, $5 + $6}' /proc/stat)"
}

cpu_per_request() {
  python3 - "$1" "$2" "$3" "$4" "$(getconf CLK_TCK)" <<'PY'
import sys
before, after = ([int(x) for x in s.split()] for s in sys.argv[1:3])
rps, tick = float(sys.argv[3]), 1e6 / int(sys.argv[5])
requests = rps * float(sys.argv[4])
d = [b - a for a, b in zip(before, after)]
threads, process, busy, idle = d[:-3], d[-3], d[-2], d[-1]
cells = [f"{rps:,.0f}"] + [f"{t * tick / requests:.1f}" for t in threads]
cells += [f"{max(0, process - sum(threads)) * tick / requests:.1f}", f"{busy * tick / requests:.1f}",
          f"{100 * idle / max(1, busy + idle):.0f}"]
print(" | ".join(cells))
PY
}
