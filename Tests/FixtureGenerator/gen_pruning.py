"""Pruning fixtures for the Swift head pruner: a PyTorch replay of Michel et al. (2019), "Are Sixteen Heads Really
Better than One?", iterative head pruning (importance = accumulated |dL/d head gate|, switch off the least
important heads step by step while the masked-LM accuracy stays above keep * the unpruned accuracy), exactly as
the Swift code implements it, so every step (mask, counts, accuracy, loss, importance) can be checked.

Run from the repository root (the venv has torch and transformers 5, tokenizers, numpy):
    /work/venv/bin/python Tests/FixtureGenerator/gen_pruning.py

Head gating. transformers 5 accepts head_mask=... and silently ignores it, so (as in gen_head_mask.py) a forward
hook on every layer's attention.self multiplies head h's slice [h*d, (h+1)*d) of the returned context by
m[layer, h], m = torch.tensor(M, requires_grad=True) for the current 0/1 mask M ([layers][heads]). dL/dm is the
head-gate gradient; it is defined for switched-off heads too (their context is still computed, only zeroed).

Cases (one folder each, Tests/Fixtures/pruning/<case>/):
  demo-de    Sources/xsns/DemoModel (XLMRobertaForMaskedLM, 3 layers x 4 heads, tokenizer.json beside it, loaded
             with tokenizers.Tokenizer.from_file, truncation max_length=64 enabled). Sentences: the first 32
             non-blank lines of Corpora/de.txt (line.strip()), encoded with add_special_tokens=True
             (<s> ... </s>, truncated to 64 ids keeping the final </s>). normalise=True, step S=0.1.
  demo-fi    the same with Corpora/fi.txt, normalise=False, S=0.1.
  bert-tiny  Tests/Fixtures/parity/bert-tiny (BertForMaskedLM, vocab 301, 3 layers x 3 heads; specials as in
             gen_training.py: pad 0, cls 2, sep 3, mask 4). 24 random sequences from numpy RandomState(7): per
             sequence, length = rs.randint(6, 21) (uniform in [6, 20], cls and sep included), then
             content = rs.randint(5, vocab, size=length-2); ids = [cls] + content + [sep]. normalise=True, S=0.25.
Masking (numpy RandomState(1234) per case, in sentence order then token order): every position except the first
and last draws u = rs.random_sample(); selected if u < 0.15; a selected position gets label = original id and
draws c = rs.random_sample(): c < 0.8 -> input id = the mask id (demo: the tokenizer's "<mask>", 3001;
bert-tiny: 4); 0.8 <= c < 0.9 -> input id = rs.randint(0, vocab) (demo: tokenizer vocab size 3002; bert-tiny:
301); else unchanged. Unselected positions (and first/last) have label -100. Sentences without a label are kept.
Batches: consecutive groups of 8 sentences (the last may be shorter); batches predicting no token are dropped.

Evaluation at head mask M: model in eval() mode (dropout off), attn_implementation="eager", float32, one thread,
deterministic algorithms. For each batch in order: right-pad with the config's pad id + attention_mask,
token_type_ids all 0, forward with the gating hook and labels=..., loss_b = HF's masked-LM loss (mean CE over the
batch's labelled tokens); g_b = autograd.grad(loss_b, m); importance_raw += |g_b| (accumulated in float64 from the
float32 gradients, starting at 0); predictions = torch.argmax of the logits at labelled positions;
correct += count(pred == label); predicted += labelled tokens; loss_sum += float(loss_b) * labelled tokens (float64).
accuracy = correct / predicted, loss = loss_sum / predicted (Python floats). Normalised importance (normalise=True):
for each layer l, I[l] / (sqrt(sum_h I[l,h]^2) + 1e-20) over all heads of the layer (switched-off ones included);
normalise=False: the raw I. The smallest top1 - top2 logit margin over every labelled token of every evaluation
of the run is recorded (so the argmax is robust; asserted > 1e-4).

Pruning loop (keep K, step S):
  mask = all ones; evaluate; step 0 = {heads: L*H, mask, ..., accepted: true}; acc0 = its accuracy.
  loop: remaining = number of ones in mask; k = max(1, floor(remaining * S + 1e-9));
        if remaining - k < 1: stop (never switch off every head);
        sort heads by (importance[l][h] if mask[l][h] == 1 else +inf, l*H + h) ascending (importance = the
        normalised one when normalise, else the raw one) and switch off the first k;
        evaluate the new mask; record it with accepted = (accuracy >= K * acc0); if not accepted: stop;
        mask = new mask.
  final_mask = the last accepted mask.
K per case: the first of [0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.6, 0.5] whose run has >= 2 accepted steps after
step 0 and ends on a rejected step (not by running out of heads); if none does, the K with the most accepted
steps (then "keep_note" says so). The run is repeated in float64 (model.double(), same inputs): the script asserts
the same mask and the same correct count at every step, and stores its loss and raw importance.
bert-tiny has random (untrained) weights: it predicts none of its labelled tokens unpruned (acc0 = 0), so every
step is accepted (0 >= K * 0, acceptance at equality) for every K and the run ends by running out of heads (one
head left); no K meets the criterion, keep 0.95 is taken and "keep_note" says so. It still checks the k > 1 steps
(S = 0.25 on 9 heads: k = 2, then 1), acceptance at equality and the never-switch-off-every-head stop.

Output, Tests/Fixtures/pruning/<case>/cases.json (json indent 1, trailing newline):
  {"model": repository-relative model folder, "model_type", "layers", "heads", "keep", "step", "normalise",
   "batches": [[{"input_ids": [...], "labels": [...]} x <=8] ...] (unpadded, after masking),
   "steps": [{"heads" (number of switched-on heads), "mask" [[0/1]], "correct", "predicted", "accuracy", "loss",
              "importance_raw" [[...]], "importance" [[...]] (normalised, or the raw one again), "accepted",
              "loss_float64", "importance_raw_float64" [[...]]}],
   "final_mask" [[0/1]], "min_margin" (float32 logits)}
The output is bit-for-bit reproducible (single thread, deterministic algorithms, fixed seeds and order).
"""
import json
import math
import os

import numpy as np
import torch
import transformers
from tokenizers import Tokenizer
from transformers import BertForMaskedLM, XLMRobertaForMaskedLM

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)
transformers.utils.logging.disable_progress_bar()
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "pruning")

KEEPS = [0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.6, 0.5]
BATCH = 8
MAX_IDS = 64
SENTENCES = 32

CASES = [
    dict(name="demo-de", model="Sources/xsns/DemoModel", cls=XLMRobertaForMaskedLM, corpus="Corpora/de.txt",
         normalise=True, step=0.1),
    dict(name="demo-fi", model="Sources/xsns/DemoModel", cls=XLMRobertaForMaskedLM, corpus="Corpora/fi.txt",
         normalise=False, step=0.1),
    dict(name="bert-tiny", model="Tests/Fixtures/parity/bert-tiny", cls=BertForMaskedLM, corpus=None,
         normalise=True, step=0.25, cls_id=2, sep_id=3, mask_id=4, sequences=24, seed=7),
]


def sentences_and_specials(spec, vocab):
    """Unmasked id sequences, the mask id and the vocabulary size random replacements draw from."""
    if spec["corpus"] is not None:
        tokenizer = Tokenizer.from_file(os.path.join(ROOT, spec["model"], "tokenizer.json"))
        tokenizer.enable_truncation(max_length=MAX_IDS)
        with open(os.path.join(ROOT, spec["corpus"]), encoding="utf-8") as handle:
            lines = [line.strip() for line in handle if line.strip()][:SENTENCES]
        assert len(lines) == SENTENCES
        sentences = [tokenizer.encode(line, add_special_tokens=True).ids for line in lines]
        bos, eos = tokenizer.token_to_id("<s>"), tokenizer.token_to_id("</s>")
        assert all(s[0] == bos and s[-1] == eos and len(s) <= MAX_IDS for s in sentences)
        return sentences, tokenizer.token_to_id("<mask>"), tokenizer.get_vocab_size()
    rs = np.random.RandomState(spec["seed"])
    sentences = []
    for _ in range(spec["sequences"]):
        length = int(rs.randint(6, 21))
        content = [int(x) for x in rs.randint(5, vocab, size=length - 2)]
        sentences.append([spec["cls_id"]] + content + [spec["sep_id"]])
    return sentences, spec["mask_id"], vocab


def mask_sentences(sentences, mask_id, vocab):
    rs = np.random.RandomState(1234)
    out = []
    for ids in sentences:
        inputs, labels = list(ids), [-100] * len(ids)
        for t in range(1, len(ids) - 1):
            if rs.random_sample() < 0.15:
                labels[t] = ids[t]
                c = rs.random_sample()
                if c < 0.8:
                    inputs[t] = mask_id
                elif c < 0.9:
                    inputs[t] = int(rs.randint(0, vocab))
        out.append(dict(input_ids=inputs, labels=labels))
    batches = [out[i:i + BATCH] for i in range(0, len(out), BATCH)]
    return [b for b in batches if any(x != -100 for s in b for x in s["labels"])]


class Gated:
    def __init__(self, spec, dtype):
        self.model = spec["cls"].from_pretrained(os.path.join(ROOT, spec["model"]), attn_implementation="eager",
                                                 dtype=torch.float32)
        self.model.to(dtype)  # widening is exact
        self.model.eval()
        config = self.model.config
        self.dtype, self.pad = dtype, config.pad_token_id
        self.layers, self.heads = config.num_hidden_layers, config.num_attention_heads
        self.head_dim = config.hidden_size // self.heads
        self.m = None
        for index, layer in enumerate(self.model.base_model.encoder.layer):
            layer.attention.self.register_forward_hook(self.hook(index))

    def hook(self, index):
        def gate(module, inputs, output):
            if self.m is None:
                return None
            context = output[0]
            shape = context.shape
            gated = context.view(*shape[:-1], self.heads, self.head_dim) * self.m[index].view(self.heads, 1)
            return (gated.view(shape),) + tuple(output[1:])
        return gate

    def evaluate(self, batches, mask):
        importance = torch.zeros(self.layers, self.heads, dtype=torch.float64)
        correct = predicted = 0
        loss_sum, margin = 0.0, math.inf
        for batch in batches:
            width = max(len(s["input_ids"]) for s in batch)
            ids = torch.full((len(batch), width), self.pad, dtype=torch.long)
            labels = torch.full((len(batch), width), -100, dtype=torch.long)
            attention = torch.zeros((len(batch), width), dtype=torch.long)
            for row, s in enumerate(batch):
                n = len(s["input_ids"])
                ids[row, :n], labels[row, :n], attention[row, :n] = (torch.tensor(s["input_ids"]),
                                                                    torch.tensor(s["labels"]), 1)
            self.m = torch.tensor(mask, dtype=self.dtype).requires_grad_(True)
            out = self.model(input_ids=ids, attention_mask=attention, token_type_ids=torch.zeros_like(ids),
                             labels=labels)
            (grad,) = torch.autograd.grad(out.loss, self.m)
            self.m = None
            importance += grad.abs().double()
            where = labels != -100
            logits = out.logits.detach()[where]
            gold = labels[where]
            n = int(gold.numel())
            correct += int((torch.argmax(logits, dim=-1) == gold).sum())
            predicted += n
            loss_sum += float(out.loss.detach()) * n
            top = torch.topk(logits, 2, dim=-1).values
            margin = min(margin, float((top[:, 0] - top[:, 1]).min()))
        return dict(correct=correct, predicted=predicted, accuracy=correct / predicted, loss=loss_sum / predicted,
                    importance_raw=importance, margin=margin)


def normalised(raw, normalise):
    if not normalise:
        return raw.clone()
    return raw / (raw.pow(2).sum(dim=1, keepdim=True).sqrt() + 1e-20)


def prune(evaluate, layers, heads, keep, step, normalise):
    """The pruning loop; evaluate(mask) -> dict. Returns (steps, final_mask, ended_by_rejection, min cut gap)."""
    mask = [[1] * heads for _ in range(layers)]
    first = evaluate(mask)
    acc0 = first["accuracy"]
    steps = [dict(heads=layers * heads, mask=mask, accepted=True, result=first, accept_gap=math.inf)]
    current = first
    cut_gap = math.inf
    while True:
        remaining = sum(map(sum, mask))
        k = max(1, math.floor(remaining * step + 1e-9))
        if remaining - k < 1:
            return steps, mask, False, cut_gap
        imp = normalised(current["importance_raw"], normalise)
        keys = sorted(((float(imp[l, h]) if mask[l][h] == 1 else math.inf, l * heads + h)
                       for l in range(layers) for h in range(heads)))
        off = [index for _, index in keys[:k]]
        if keys[k][0] != math.inf:  # how close the cut is to a tie (relative)
            cut_gap = min(cut_gap, (keys[k][0] - keys[k - 1][0]) / max(abs(keys[k][0]), 1e-30))
        new = [row[:] for row in mask]
        for index in off:
            assert new[index // heads][index % heads] == 1
            new[index // heads][index % heads] = 0
        result = evaluate(new)
        accepted = result["accuracy"] >= keep * acc0
        steps.append(dict(heads=remaining - k, mask=new, accepted=accepted, result=result,
                          accept_gap=abs(result["accuracy"] - keep * acc0)))
        if not accepted:
            return steps, mask, True, cut_gap
        mask, current = new, result


def cached(gated, batches):
    cache = {}

    def evaluate(mask):
        key = tuple(map(tuple, mask))
        if key not in cache:
            cache[key] = gated.evaluate(batches, mask)
        return cache[key]
    return evaluate


def generate(spec):
    g32 = Gated(spec, torch.float32)
    sentences, mask_id, vocab = sentences_and_specials(spec, g32.model.config.vocab_size)
    batches = mask_sentences(sentences, mask_id, vocab)
    predicted_total = sum(x != -100 for b in batches for s in b for x in s["labels"])
    print(f"{spec['name']}: {len(sentences)} sentences, {len(batches)} batches, {predicted_total} labelled tokens, "
          f"lengths {min(map(len, sentences))}..{max(map(len, sentences))}, mask id {mask_id}, vocab {vocab}, "
          f"{g32.layers} layers x {g32.heads} heads, pad {g32.pad}")
    layers, heads, step, normalise = g32.layers, g32.heads, spec["step"], spec["normalise"]
    eval32 = cached(g32, batches)

    chosen, best, note = None, None, None
    for keep in KEEPS:
        steps, final, rejected, _ = prune(eval32, layers, heads, keep, step, normalise)
        accepted = sum(s["accepted"] for s in steps) - 1
        print(f"  keep {keep}: {len(steps)} steps, {accepted} accepted after step 0, "
              f"{'ends on a rejection' if rejected else 'ran out of heads'}")
        if best is None or accepted > best[1]:
            best = (keep, accepted)
        if accepted >= 2 and rejected:
            chosen = keep
            break
    if chosen is None:
        chosen = best[0]
        note = f"no keep in {KEEPS} gives >= 2 accepted steps ending on a rejection; took the one with the most"
        print("  " + note)
    steps, final, rejected, cut_gap = prune(eval32, layers, heads, chosen, step, normalise)

    g64 = Gated(spec, torch.float64)
    steps64, final64, rejected64, _ = prune(cached(g64, batches), layers, heads, chosen, step, normalise)
    assert len(steps64) == len(steps) and final64 == final and rejected64 == rejected
    rel_loss = rel_imp = rel_imp_each = 0.0
    for a, b in zip(steps, steps64):
        assert a["mask"] == b["mask"] and a["result"]["correct"] == b["result"]["correct"], "float64 differs"
        assert a["accepted"] == b["accepted"]
        ra, rb = a["result"], b["result"]
        rel_loss = max(rel_loss, abs(ra["loss"] - rb["loss"]) / abs(rb["loss"]))
        rel_imp = max(rel_imp, float(((ra["importance_raw"] - rb["importance_raw"]).abs()).max()
                                     / rb["importance_raw"].abs().max()))
        rel_imp_each = max(rel_imp_each, float(((ra["importance_raw"] - rb["importance_raw"]).abs()
                                                / rb["importance_raw"].abs()).max()))

    min_margin = min(s["result"]["margin"] for s in steps)
    assert min_margin > 1e-4, f"argmax margin {min_margin}"
    records = []
    for s, s64 in zip(steps, steps64):
        r = s["result"]
        records.append(dict(heads=s["heads"], mask=s["mask"], correct=r["correct"], predicted=r["predicted"],
                            accuracy=r["accuracy"], loss=r["loss"], importance_raw=r["importance_raw"].tolist(),
                            importance=normalised(r["importance_raw"], normalise).tolist(), accepted=s["accepted"],
                            loss_float64=s64["result"]["loss"],
                            importance_raw_float64=s64["result"]["importance_raw"].tolist()))
        print(f"  step heads {s['heads']:2d}: correct {r['correct']}/{r['predicted']} accuracy {r['accuracy']:.4f} "
              f"loss {r['loss']:.4f} accepted {s['accepted']} margin {r['margin']:.2e} "
              f"|acc - keep*acc0| {s['accept_gap']:.2e}")
    tied = any(len(set(row)) < len(row)
               for row in ([x for r in normalised(s["result"]["importance_raw"], normalise).tolist() for x in r]
                           for s in steps))
    print(f"  keep {chosen}, step {step}, normalise {normalise}: {len(steps)} steps, "
          f"{sum(s['accepted'] for s in steps) - 1} accepted, heads left {sum(map(sum, final))}, "
          f"final mask {final}")
    print(f"  min margin {min_margin:.3e}, min relative gap at the pruning cut {cut_gap:.3e}, "
          f"exactly tied importances in a step: {tied}")
    print(f"  float32 vs float64: max relative loss diff {rel_loss:.2e}, max importance diff / max {rel_imp:.2e}, "
          f"max elementwise relative importance diff {rel_imp_each:.2e}")

    document = dict(model=spec["model"], model_type=g32.model.config.model_type, layers=layers, heads=heads,
                    keep=chosen, step=step, normalise=normalise, batches=batches, steps=records, final_mask=final,
                    min_margin=min_margin)
    if note:
        document["keep_note"] = note
    folder = os.path.join(OUT, spec["name"])
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "cases.json")
    with open(path, "w") as handle:
        json.dump(document, handle, indent=1)
        handle.write("\n")
    print(f"  wrote {os.path.relpath(path, ROOT)} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    for spec in CASES:
        generate(spec)
