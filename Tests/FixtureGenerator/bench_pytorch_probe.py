"""PyTorch reference timing for `xsns bench --probe` (not a fixture generator, not a test): the work of one
transfer-probe run of 2403.20088 with xlm-roberta-base shapes and random weights, written carefully:
  1. masked-LM fine-tuning steps of the whole base model, the task adapter off (plain XLMRobertaForMaskedLM),
     dropout on, logits only at the masked positions, torch.optim.AdamW (lr 5e-5, no weight decay, fused
     with --fused) with a linear schedule, clip_grad_norm_(1.0), on --batch-size blocks of --seq-len tokens;
  2. tagging --sentences sentences of --sentence-length tokens with a seq_bn adapter in every layer and a
     linear head (eval mode, torch.no_grad, batches of 32), argmax at every other token.
The adapter is the plain-PyTorch seq_bn of gen_adapters.py (there checked against AdapterHub).
One untimed step first, as xsns does. Prints one JSON line.

Run from the repository root (bench_probe.sh runs it next to xsns in one go):
    /work/venv/bin/python Tests/FixtureGenerator/bench_pytorch_probe.py [--seq-len 512] [--batch-size 8]
        [--steps 3] [--sentences 1000] [--sentence-length 32] [--threads 2] [--fused]
"""
import argparse
import json
import resource
import time

import torch
from torch import nn
from transformers import XLMRobertaForMaskedLM, get_linear_schedule_with_warmup

from bench_common import xlmr_base_config

parser = argparse.ArgumentParser()
parser.add_argument("--seq-len", type=int, default=512)
parser.add_argument("--batch-size", type=int, default=8)
parser.add_argument("--steps", type=int, default=3)
parser.add_argument("--sentences", type=int, default=1000)
parser.add_argument("--sentence-length", type=int, default=32)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--fused", action="store_true")
args = parser.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(0)

config = xlmr_base_config()
model = XLMRobertaForMaskedLM(config)


def random_ids(count, length):
    ids = torch.randint(5, config.vocab_size - 1, (count, length))
    ids[:, 0], ids[:, -1] = 0, 2
    return ids


# 1. Fine-tuning steps, adapter off.
model.train()
optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5, weight_decay=0.0, fused=args.fused or None)
schedule = get_linear_schedule_with_warmup(optimizer, 0, args.steps + 1)


def step(ids):
    chosen = torch.rand(ids.shape) < 0.15
    chosen[:, 0] = chosen[:, -1] = False
    chosen[:, 1] = True
    labels = ids[chosen]
    hidden = model.roberta(input_ids=ids.masked_fill(chosen, config.vocab_size - 1)).last_hidden_state
    torch.nn.functional.cross_entropy(model.lm_head(hidden[chosen]), labels).backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    schedule.step()
    optimizer.zero_grad(set_to_none=True)


batches = [random_ids(args.batch_size, args.seq_len) for _ in range(args.steps + 1)]
step(batches[0])  # warm-up: allocates gradients and the optimizer's moments
start = time.perf_counter()
for ids in batches[1:]:
    step(ids)
seconds_per_step = (time.perf_counter() - start) / args.steps


# 2. Tagging with a seq_bn adapter in every layer (switched on only now) and a linear head.
class Bottleneck(nn.Module):
    def __init__(self, hidden, bottleneck):
        super().__init__()
        self.adapter_down = nn.Sequential(nn.Linear(hidden, bottleneck), nn.ReLU())
        self.adapter_up = nn.Linear(bottleneck, hidden)

    def forward(self, h):
        return self.adapter_up(self.adapter_down(h))


def seq_bn_forward(output, adapter):
    def forward(hidden_states, input_tensor):
        x = output.dropout(output.dense(hidden_states))
        h = output.LayerNorm(x + input_tensor)
        return output.LayerNorm(adapter(h) + x + input_tensor)
    return forward


for layer in model.roberta.encoder.layer:
    layer.output.adapter = Bottleneck(config.hidden_size, config.hidden_size // 16)
    layer.output.forward = seq_bn_forward(layer.output, layer.output.adapter)
head = nn.Linear(config.hidden_size, 18)
model.eval()
sentences = random_ids(args.sentences, args.sentence_length)
positions = torch.arange(1, args.sentence_length - 1, 2)
start = time.perf_counter()
with torch.no_grad():
    for first in range(0, args.sentences, 32):
        hidden = model.roberta(input_ids=sentences[first:first + 32]).last_hidden_state
        head(hidden[:, positions]).argmax(-1)
evaluation_seconds = time.perf_counter() - start

print(json.dumps({"framework": "pytorch", "torch": torch.__version__, "fused": args.fused, "seq_len": args.seq_len,
                  "batch_size": args.batch_size, "steps": args.steps, "sentences": args.sentences,
                  "sentence_length": args.sentence_length, "threads": args.threads,
                  "seconds_per_step": seconds_per_step, "evaluation_seconds": evaluation_seconds,
                  "run_seconds_100_steps": 100 * seconds_per_step + evaluation_seconds,
                  "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
