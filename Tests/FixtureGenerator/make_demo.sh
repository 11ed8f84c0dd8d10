#!/usr/bin/env bash
# Rebuilds the built-in demo checkpoint (Sources/xsns/DemoModel) from Corpora/*.txt, in two steps:
#  1. gen_demo.py trains the SentencePiece tokenizer and writes a randomly initialised XLM-R
#     (hidden 96, 3 layers, 4 heads; seeded), as transformers builds it;
#  2. `xsns train-mlm` trains that model on every demo corpus (4000 steps of 32 sentences, lr 1e-3,
#     200 warm-up steps, seed 1, one thread so that the result is bit-reproducible).
# From the repository root:  Tests/FixtureGenerator/make_demo.sh /path/to/venv/bin/python
set -euo pipefail
python=${1:?usage: make_demo.sh PYTHON (with torch, transformers, tokenizers, sentencepiece, protobuf)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" Tests/FixtureGenerator/gen_demo.py --out "$work/init" --hidden 96 --layers 3
swift build -c release --product xsns >/dev/null
langs=$(cd Corpora && ls *.txt | sed 's/\.txt$//' | paste -sd, -)
.build/release/xsns train-mlm --model "$work/init" --corpora Corpora --langs "$langs" --steps 4000 --batch-size 32 \
    --lr 1e-3 --warmup-steps 200 --max-length 128 --seed 1 --threads 1 --out "$work/trained"
for file in config.json model.safetensors tokenizer.json train_log.jsonl; do
    install -m 0644 "$work/trained/$file" Sources/xsns/DemoModel/$file
done
echo "demo model written to Sources/xsns/DemoModel"
