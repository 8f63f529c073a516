#!/usr/bin/env bash
# ALS training time, Cartwise against the `implicit` library, in the same run on the same data:
# factors 64, regularization 0.05, confidence 1 + 40 x weight, 15 iterations, conjugate gradient,
# 2 threads. Prints seconds per iteration for both (median of --repeats fits).
#
# Usage: benchmarks/als.sh [--data ../shared/eval/data/recsys/synthetic] [--repeats 3] [--threads 2]
# Needs ../shared/eval/.venv (bash ../shared/eval/setup.sh) for implicit.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=../shared/eval/data/recsys/synthetic; REPEATS=3; THREADS=2
while [ $# -gt 0 ]; do
  case "$1" in
    --data) DATA=$2; shift 2 ;;
    --repeats) REPEATS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
swift build -c release --product cartwise >/dev/null
# Alternate the two libraries, one fit each per round, so that drift in the machine's load hits
# both alike; report medians.
OURS=(); THEIRS=()
for round in $(seq "$REPEATS"); do
  OURS+=("$(.build/release/cartwise bench als "$DATA/train.csv" --threads "$THREADS" --repeats 1 | grep -o '[0-9.]* s/iteration' | cut -d' ' -f1)")
  THEIRS+=("$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \
    ../shared/eval/.venv/bin/python - "$DATA/train.csv" "$THREADS" 2>/dev/null <<'PY'
import sys, time, numpy as np, pandas as pd, scipy.sparse as sp
import implicit
path, threads = sys.argv[1], int(sys.argv[2])
tr = pd.read_csv(path, dtype={"user_id": str, "item_id": str})
u = {x: i for i, x in enumerate(tr.user_id.unique())}; it = {x: i for i, x in enumerate(tr.item_id.unique())}
C = sp.csr_matrix((1 + 40 * tr.weight.to_numpy(np.float32), (tr.user_id.map(u), tr.item_id.map(it))), shape=(len(u), len(it)))
m = implicit.cpu.als.AlternatingLeastSquares(factors=64, regularization=0.05, alpha=1.0, iterations=15,
                                             use_cg=True, num_threads=threads, random_state=42)
s = time.perf_counter(); m.fit(C, show_progress=False); print(f"{(time.perf_counter() - s) / 15:.3f}")
PY
)")
  echo "round $round: cartwise ${OURS[-1]} s/iteration, implicit ${THEIRS[-1]} s/iteration" >&2
done
python3 - "${OURS[*]}" "${THEIRS[*]}" "$THREADS" <<'PY'
import statistics, sys
ours = [float(x) for x in sys.argv[1].split()]; theirs = [float(x) for x in sys.argv[2].split()]
mo, mt = statistics.median(ours), statistics.median(theirs)
print("| library | s/iteration, median | runs | ratio |")
print("|---|---:|---|---:|")
print(f"| Cartwise ImplicitALS ({sys.argv[3]} threads) | {mo:.3f} | {', '.join(f'{x:.3f}' for x in ours)} | {mo/mt:.2f}x |")
print(f"| implicit 0.7.3 ({sys.argv[3]} threads) | {mt:.3f} | {', '.join(f'{x:.3f}' for x in theirs)} | 1.00x |")
PY
