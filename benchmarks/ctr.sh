#!/usr/bin/env bash
# Click-model training throughput (examples/s, one thread) against Vowpal Wabbit in the same run.
#
# Both learn one online pass of hashed logistic regression on the same tokens (2^20 buckets, no
# crosses; Criteo's I1..I13 log-binned the same way). VW's time covers reading its own text
# format and learning (`anchors/ctr.py`, run by VW's C++ parser); ours covers hashing the parsed
# impressions and learning (`cartwise bench ctr`; reading the CSV is not timed). Rounds alternate.
#
# Usage: benchmarks/ctr.sh [--rounds 3]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
EVAL=../shared/eval
[ -x "$EVAL/.venv/bin/python" ] || { echo "run: bash $EVAL/setup.sh (the reference runners' venv)" >&2; exit 1; }
swift build -c release --product cartwise >/dev/null
BIN=.build/release/cartwise
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
NUMERIC=I1,I2,I3,I4,I5,I6,I7,I8,I9,I10,I11,I12,I13
echo "| set | round | Cartwise FTRL examples/s | VW 1 pass examples/s | ratio | Cartwise progressive log loss |"
echo "|---|---:|---:|---:|---:|---:|"
for set in ml100k_ctr criteo_like; do
  DATA=$EVAL/data/ctr/$set
  EXTRA=(); [ "$set" = criteo_like ] && EXTRA=(--numeric "$NUMERIC")
  for round in $(seq "$ROUNDS"); do
    OURS=$($BIN bench ctr "$DATA/train.csv" "${EXTRA[@]}" --bits 20 --alpha 0.1 --l1 0.1 --repeats 3)
    (cd "$EVAL" && .venv/bin/python anchors/ctr.py --data "data/ctr/$set" --models vw --repeats 3 \
      --out "$WORK/$set" > "$WORK/vw.json" 2>/dev/null)
    python3 - "$set" "$round" "$OURS" "$WORK/vw.json" <<'PY'
import json, re, sys
name, round_, ours, path = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
rate = int(re.search(r"(\d+) examples/s", ours).group(1))
loss = float(re.search(r"progressive log loss ([0-9.]+)", ours).group(1))
vw = json.loads(open(path).read().strip().splitlines()[-1])["vw"]["train_examples_per_s"]
print(f"| {name} | {round_} | {rate:,} | {vw:,.0f} | {rate / vw:.2f}x | {loss:.4f} |")
PY
  done
done
