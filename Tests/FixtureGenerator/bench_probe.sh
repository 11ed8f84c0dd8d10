#!/usr/bin/env bash
# `xsns bench --probe` and the same work in PyTorch, alternated in one run so that both see the same
# machine load: masked-LM steps on 8 blocks of 512 tokens (the probe's default packing) and tagging
# 1,000 sentences of 32 tokens, XLM-R-base shapes. Prints each measurement (JSON) and the ratios of
# the projected 100-step run (100 × step + tagging). From the repository root:
#   Tests/FixtureGenerator/bench_probe.sh /path/to/venv/bin/python [rounds=1] [threads=2] [steps=3]
set -euo pipefail
python=${1:?usage: bench_probe.sh PYTHON [rounds] [threads] [steps]}
rounds=${2:-1}
threads=${3:-2}
steps=${4:-3}
swift build -c release --product xsns >/dev/null
common=(--seq-len 512 --batch-size 8 --steps "$steps" --threads "$threads")
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for _ in $(seq "$rounds"); do
    .build/release/xsns bench --probe --shape xlmr-base "${common[@]}" --probe-sentences 1000 --sentence-length 32 \
        --format json | tee -a "$results"
    "$python" Tests/FixtureGenerator/bench_pytorch_probe.py "${common[@]}" --sentences 1000 --sentence-length 32 \
        | tee -a "$results"
done
"$python" - "$results" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
ours = [r for r in rows if "framework" not in r]
torch = [r for r in rows if r.get("framework") == "pytorch"]
for key in ("seconds_per_step", "evaluation_seconds", "run_seconds_100_steps"):
    a, b = min(r[key] for r in ours), min(r[key] for r in torch)
    print(f"{key}: xsns {a:.2f}, PyTorch {b:.2f}: {b / a:.2f}x")
PY
