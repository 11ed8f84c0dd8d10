"""PyTorch reference timing for `xsns bench` (not a fixture generator, not a test): the `exact` estimator's
work per sequence with transformers on the same machine — forward and backward of XLMRobertaForMaskedLM
with xlm-roberta-base shapes and random weights, then the squared θ gradients added to a Fisher sum.

Run from the repository root:
    /work/venv/bin/python Tests/FixtureGenerator/bench_pytorch.py [--seq-len 128] [--sequences 4] [--threads 2] [--careful]
Without --careful it is the naive loop (logits at every position, gradients of every parameter). With
--careful it is what a careful PyTorch user writes: logits only at the masked positions, and gradients
only for θ (embeddings and MLM head frozen), as the workbench computes them.
It prints one JSON line with seconds_per_sequence; compare it with
    xsns bench --shape xlmr-base --seq-len 128 --sequences 4 --estimator exact --threads 2
run right before or after (the machine may be shared: compare the two, not absolute figures).
"""
import argparse
import json
import time

import torch
from transformers import XLMRobertaForMaskedLM

from bench_common import xlmr_base_config

parser = argparse.ArgumentParser()
parser.add_argument("--seq-len", type=int, default=128)
parser.add_argument("--sequences", type=int, default=4)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--careful", action="store_true")
args = parser.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(0)

config = xlmr_base_config()
model = XLMRobertaForMaskedLM(config)
model.eval()  # the exact estimator runs without dropout
theta = [p for name, p in model.named_parameters() if ".encoder.layer." in name]
fisher = [torch.zeros_like(p) for p in theta]
if args.careful:
    for name, p in model.named_parameters():
        p.requires_grad_(".encoder.layer." in name)


def sequence():
    ids = torch.randint(5, config.vocab_size - 1, (1, args.seq_len))
    ids[0, 0], ids[0, -1] = 0, 2
    labels = torch.full_like(ids, -100)
    chosen = torch.rand(ids.shape) < 0.15
    chosen[0, 0] = chosen[0, -1] = False
    chosen[0, 1] = True
    labels[chosen] = ids[chosen]
    ids = ids.masked_fill(chosen, config.vocab_size - 1)
    return ids, labels


def step(ids, labels):
    model.zero_grad(set_to_none=True)
    if args.careful:
        hidden = model.roberta(input_ids=ids).last_hidden_state
        chosen = labels != -100
        logits = model.lm_head(hidden[chosen])
        torch.nn.functional.cross_entropy(logits, labels[chosen]).backward()
    else:
        model(input_ids=ids, labels=labels).loss.backward()
    with torch.no_grad():
        for total, p in zip(fisher, theta):
            total += p.grad ** 2


inputs = [sequence() for _ in range(args.sequences)]
step(*inputs[0])  # warm-up
start = time.perf_counter()
for ids, labels in inputs:
    step(ids, labels)
elapsed = time.perf_counter() - start
print(json.dumps({"framework": "pytorch", "torch": torch.__version__, "cpu_capability": torch.backends.cpu.get_cpu_capability(), "careful": args.careful, "seq_len": args.seq_len,
                  "sequences": args.sequences, "threads": args.threads,
                  "seconds_per_sequence": elapsed / args.sequences}))
