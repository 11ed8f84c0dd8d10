"""PyTorch peer for `xsns bench --compute` (not a fixture generator, not a test): the Fisher computation of
a whole compute run, replayed from the exact inputs the workbench fed (`--record-inputs`), with a Hugging
Face checkpoint folder, timed in one process as two loops over the same gradient batches:
  reference  as the official X-SNS code computes Fisher (HYU-NLP X-SNS mask.py): model.train(), each batch
             padded to its longest sentence with an attention mask, model(input_ids, attention_mask, labels)
             (logits at every position, gradients of every parameter), loss.backward(), then for every
             parameter under `.encoder.layer.` (θ) clip_grad_norm_(p, 1) per tensor and add grad² to a
             running Fisher sum; zero_grad.
  careful    what a careful PyTorch user writes: the same batches, model.train(), requires_grad only for
             θ, the encoder alone (model.roberta / model.bert), logits only at the predicted positions
             (lm_head / cls), mean cross-entropy, backward, the same per-tensor clip to norm 1 (clip_grad_norm_'s
             coefficient min(1, 1/(‖g‖ + 1e-6)), for all θ tensors at once with torch._foreach_*) and grad².
  emb        the EMB baseline's extra pass done carefully (DESIGN.md: each sentence unmasked, dropout off,
             its last hidden states mean-pooled): the recorded sentences with their predicted tokens put
             back, in batches of 4 per file (the gradient batches' size; here faster than 1 or 16 per
             batch, which trade padding against GEMM size), padded with an attention mask, model.eval()
             under torch.no_grad(). `careful` + `emb` is the work `xsns compute` does.
In eval mode the two loops give the same Fisher up to float rounding (checked on DemoModel and a tiny BERT).
Sentences are grouped by their recorded "batch" (the xsns estimator: batches of 4, the loss the mean
cross-entropy over all predicted tokens of the batch); a batch that predicts no token is skipped, as it
adds nothing in the workbench. Lines without "batch" (--estimator exact) are replayed one sentence per
batch with the same two loops, not with the exact estimator's dropout-off, unclipped math. Loading
the model (from_pretrained) is timed on its own; each loop runs one untimed batch first. Dropout
randomness is torch's (seeded), not the workbench's.

Run from the repository root, after
    xsns bench --compute --model DIR --corpora CORPORA --keep-session SESSION --record-inputs --threads 2
on the same machine (the machine may be shared: compare the two, not absolute figures):
    /work/venv/bin/python Tests/FixtureGenerator/bench_pytorch_compute.py --session SESSION --model DIR
        [--threads 2] [--loops reference,careful,emb]
--session reads every SESSION/inputs/*.jsonl in sorted file order. Prints one JSON line with
load_seconds, <loop>_seconds and <loop>_ms_per_sentence.
"""
import argparse
import json
import pathlib
import time

import safetensors.torch
import torch
from transformers import AutoModelForMaskedLM
from transformers.utils import logging as transformers_logging

parser = argparse.ArgumentParser()
parser.add_argument("--session", required=True)
parser.add_argument("--model", required=True)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--loops", default="reference,careful")
args = parser.parse_args()
loops = [name.strip() for name in args.loops.split(",") if name.strip()]
for name in loops:
    if name not in ("reference", "careful", "emb"):
        parser.error(f"unknown loop {name!r} (reference, careful, emb)")
torch.set_num_threads(args.threads)
torch.manual_seed(0)

# Gradient batches, in the order the workbench fed them: a new batch starts at a new file or a new "batch".
files = sorted(pathlib.Path(args.session, "inputs").glob("*.jsonl"))
if not files:
    parser.error(f"no inputs/*.jsonl in {args.session} (run xsns bench --compute with --record-inputs)")
batches, sentences, tokens, predicted = [], 0, 0, 0
unmasked = []  # per file, each sentence with its predicted tokens put back (the labels hold them)
for path in files:
    previous = object()
    unmasked.append([])
    for number, line in enumerate(path.read_text().splitlines()):
        if not line.strip():
            continue
        row = json.loads(line)
        key = row.get("batch", ("line", number))
        if key != previous:
            batches.append([])
            previous = key
        batches[-1].append((row["input_ids"], row["labels"]))
        unmasked[-1].append([i if label == -100 else label for i, label in zip(row["input_ids"], row["labels"])])
        sentences += 1
        tokens += len(row["input_ids"])
        predicted += sum(label != -100 for label in row["labels"])

transformers_logging.disable_progress_bar()
start = time.perf_counter()
model = AutoModelForMaskedLM.from_pretrained(args.model, dtype=torch.float32)
load_seconds = time.perf_counter() - start
pad = model.config.pad_token_id if model.config.pad_token_id is not None else 0
encoder = getattr(model, model.base_model_prefix)  # roberta / bert
head = model.lm_head if hasattr(model, "lm_head") else model.cls
offset = pad + 1 if hasattr(encoder.embeddings, "padding_idx") else 0  # RoBERTa positions start after pad
longest = max(len(ids) for batch in batches for ids, _ in batch)
largest = max(max(ids + labels) for batch in batches for ids, labels in batch)
if longest + offset > model.config.max_position_embeddings or largest >= model.config.vocab_size:
    parser.error(f"the inputs do not fit {args.model} (longest sentence {longest} tokens, largest id {largest}): "
                 "replay them with the model the session was computed with")


def tensors(batch):
    length = max(len(ids) for ids, _ in batch)
    ids = torch.full((len(batch), length), pad, dtype=torch.long)
    labels = torch.full((len(batch), length), -100, dtype=torch.long)
    mask = torch.zeros((len(batch), length), dtype=torch.long)
    for row, (sentence, targets) in enumerate(batch):
        ids[row, :len(sentence)] = torch.tensor(sentence)
        labels[row, :len(targets)] = torch.tensor(targets)
        mask[row, :len(sentence)] = 1
    return ids, mask, labels


padded = [tensors(batch) for batch in batches if any(label != -100 for _, labels in batch for label in labels)]
if not padded:
    parser.error("no recorded sentence predicts a token")
theta = [(name, p) for name, p in model.named_parameters() if ".encoder.layer." in name]


def reference(ids, mask, labels, fisher):
    model(input_ids=ids, attention_mask=mask, labels=labels).loss.backward()
    with torch.no_grad():
        for (_, p), total in zip(theta, fisher):
            torch.nn.utils.clip_grad_norm_(p, 1)
            total += p.grad ** 2
    model.zero_grad()


def careful(ids, mask, labels, fisher):
    hidden = encoder(input_ids=ids, attention_mask=mask).last_hidden_state
    chosen = labels != -100
    logits = head(hidden[chosen])
    torch.nn.functional.cross_entropy(logits, labels[chosen]).backward()
    with torch.no_grad():
        grads = [p.grad for _, p in theta]
        norms = torch._foreach_norm(grads)
        coefficients = [torch.clamp(1.0 / (norm + 1e-6), max=1.0) for norm in norms]  # as clip_grad_norm_
        torch._foreach_mul_(grads, coefficients)
        torch._foreach_addcmul_(fisher, grads, grads)
    for _, p in theta:
        p.grad = None


EMB_BATCH = 4


def embedding_pass(files_of_sentences):
    """The mean over each file's sentences of their mean-pooled last hidden states."""
    model.eval()
    means = []
    with torch.no_grad():
        for sentences_of_file in files_of_sentences:
            total = torch.zeros(model.config.hidden_size, dtype=torch.float64)
            for first in range(0, len(sentences_of_file), EMB_BATCH):
                ids, mask, _ = tensors([(s, []) for s in sentences_of_file[first:first + EMB_BATCH]])
                hidden = encoder(input_ids=ids, attention_mask=mask).last_hidden_state
                pooled = (hidden * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True)
                total += pooled.sum(0).double()
            means.append(total / len(sentences_of_file))
    return means


results = {}
for name in loops:
    if name == "emb":
        embedding_pass([unmasked[0][:EMB_BATCH]])  # warm-up on one batch, untimed
        start = time.perf_counter()
        means = embedding_pass(unmasked)
        results["emb_seconds"] = time.perf_counter() - start
        # The same work as the workbench's: its EMB files must hold these means (up to float rounding).
        differences = []
        for path, mean in zip(files, means):
            stored = pathlib.Path(args.session, "baselines", "emb", path.name.replace(".jsonl", ".safetensors"))
            if stored.exists():
                workbench = safetensors.torch.load_file(str(stored))["embedding"].double()
                differences.append(float((workbench - mean).abs().max() / mean.abs().max()))
        results["emb_max_relative_difference_to_session"] = max(differences) if differences else None
        results["emb_ms_per_sentence"] = results["emb_seconds"] * 1000 / sentences
        continue
    step = reference if name == "reference" else careful
    for parameter_name, p in model.named_parameters():
        p.requires_grad_(name == "reference" or ".encoder.layer." in parameter_name)
    model.zero_grad(set_to_none=True)
    model.train()
    step(*padded[0], [torch.zeros_like(p) for _, p in theta])  # warm-up, untimed
    fisher = [torch.zeros_like(p) for _, p in theta]
    start = time.perf_counter()
    for batch in padded:
        step(*batch, fisher)
    elapsed = time.perf_counter() - start
    results[f"{name}_seconds"] = elapsed
    results[f"{name}_ms_per_sentence"] = elapsed * 1000 / sentences

print(json.dumps({"framework": "pytorch", "torch": torch.__version__, "cpu_capability": torch.backends.cpu.get_cpu_capability(), "model": args.model,
                  "architecture": model.config.model_type, "threads": args.threads, "files": len(files),
                  "batches": len(padded), "sentences": sentences, "tokens": tokens,
                  "predicted_tokens": predicted, "load_seconds": load_seconds, **results}))
