"""PyTorch reference timing for `xsns bench --train` (not a fixture generator, not a test): one masked-LM
training step of XLMRobertaForMaskedLM with xlm-roberta-base shapes and random weights, as a careful
PyTorch user writes it — dropout on, logits only at the masked positions, every parameter trained
(tied decoder included), torch.optim.AdamW (lr 5e-5, no weight decay) with a linear schedule,
zero_grad(set_to_none=True).

Run from the repository root (bench_train.sh runs it next to xsns in one go):
    /work/venv/bin/python Tests/FixtureGenerator/bench_pytorch_train.py [--seq-len 128] [--batch-size 8]
        [--steps 3] [--threads 2] [--fused]
--fused uses AdamW's fused CPU kernel instead of the default per-tensor loop. One untimed step first,
as xsns does. Prints one JSON line with seconds_per_step and peak_rss_bytes.
"""
import argparse
import json
import resource
import time

import torch
from transformers import XLMRobertaForMaskedLM, get_linear_schedule_with_warmup

from bench_common import xlmr_base_config

parser = argparse.ArgumentParser()
parser.add_argument("--seq-len", type=int, default=128)
parser.add_argument("--batch-size", type=int, default=8)
parser.add_argument("--steps", type=int, default=3)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--fused", action="store_true")
args = parser.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(0)

config = xlmr_base_config()
model = XLMRobertaForMaskedLM(config)
model.train()
optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5, weight_decay=0.0, fused=args.fused or None)
schedule = get_linear_schedule_with_warmup(optimizer, 0, args.steps + 1)


def batch():
    ids = torch.randint(5, config.vocab_size - 1, (args.batch_size, args.seq_len))
    ids[:, 0], ids[:, -1] = 0, 2
    labels = torch.full_like(ids, -100)
    chosen = torch.rand(ids.shape) < 0.15
    chosen[:, 0] = chosen[:, -1] = False
    chosen[:, 1] = True
    labels[chosen] = ids[chosen]
    return ids.masked_fill(chosen, config.vocab_size - 1), labels


def step(ids, labels):
    hidden = model.roberta(input_ids=ids).last_hidden_state
    chosen = labels != -100
    logits = model.lm_head(hidden[chosen])
    torch.nn.functional.cross_entropy(logits, labels[chosen]).backward()
    torch.nn.utils.get_total_norm([p.grad for p in model.parameters() if p.grad is not None])  # logged, as xsns
    optimizer.step()
    schedule.step()
    optimizer.zero_grad(set_to_none=True)


batches = [batch() for _ in range(args.steps + 1)]
step(*batches[0])  # warm-up: allocates gradients and the optimizer's moments
start = time.perf_counter()
for ids, labels in batches[1:]:
    step(ids, labels)
elapsed = time.perf_counter() - start
print(json.dumps({"framework": "pytorch", "torch": torch.__version__, "fused": args.fused, "seq_len": args.seq_len,
                  "batch_size": args.batch_size, "steps": args.steps, "threads": args.threads,
                  "trained_parameters": sum(p.numel() for p in model.parameters()),
                  "seconds_per_step": elapsed / args.steps,
                  "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
