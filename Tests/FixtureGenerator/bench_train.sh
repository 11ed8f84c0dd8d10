#!/usr/bin/env bash
# `xsns bench --train` and the same step in PyTorch, alternated in one run so that both see the same
# machine load; prints each measurement (JSON) and the ratios. From the repository root:
#   Tests/FixtureGenerator/bench_train.sh /path/to/venv/bin/python [rounds=2] [threads=2]
set -euo pipefail
python=${1:?usage: bench_train.sh PYTHON [rounds] [threads]}
rounds=${2:-2}
threads=${3:-2}
swift build -c release --product xsns >/dev/null
xsns=(.build/release/xsns bench --train --shape xlmr-base --seq-len 128 --batch-size 8 --steps 3 --threads "$threads" --format json)
torch=("$python" Tests/FixtureGenerator/bench_pytorch_train.py --seq-len 128 --batch-size 8 --steps 3 --threads "$threads")
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for _ in $(seq "$rounds"); do
    "${xsns[@]}" | tee -a "$results"
    "${torch[@]}" | tee -a "$results"
    "${torch[@]}" --fused | tee -a "$results"
done
"$python" - "$results" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
def best(select): return min(r["seconds_per_step"] for r in rows if select(r))
xsns = best(lambda r: "framework" not in r)
for name, fused in (("PyTorch AdamW (default)", False), ("PyTorch AdamW fused", True)):
    torch = best(lambda r: r.get("framework") == "pytorch" and r["fused"] == fused)
    print(f"{name}: {torch:.3f} s/step, xsns {xsns:.3f} s/step: {torch / xsns:.2f}x")
PY
