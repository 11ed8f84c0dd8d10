"""Token-type fixtures for the Swift encoder: what PyTorch computes for the tiny BERT parity model on sentence-pair
inputs, where segment A has token type 0 and segment B token type 1, so the Swift encoder's token_type_ids path
(the token_type_embeddings lookup, its sum into the embeddings, and its gradient) can be checked.

Run from the repository root (the venv has torch and transformers 5), after gen_parity.py:
    /work/venv/bin/python Tests/FixtureGenerator/gen_token_types.py

Model (read, never rewritten): Tests/Fixtures/parity/bert-tiny/ (config.json with type_vocab_size = 2 and every
dropout 0, both asserted; model.safetensors), loaded with BertForMaskedLM.from_pretrained(...,
attn_implementation="eager", dtype=torch.float32), train mode (dropout 0, so it changes nothing). Asserted: rows 0
and 1 of bert.embeddings.token_type_embeddings.weight differ, max|row1 - row0| > 1e-3 (otherwise the fixture
could not tell type 0 from type 1).

Inputs, built here from numpy RandomState streams (Swift reads them from cases.json, it does not reproduce them):
  Pairs. rs = RandomState(5); for each of 5 sequences, in order: a = rs.randint(3, 8) (A length, 3..7),
  A = rs.randint(5, vocab_size, size=a), b = rs.randint(3, 8), B = rs.randint(5, vocab_size, size=b) (ids
  uniform in [5, vocab), so never a special id: pad 0, unk 1, cls 2, sep 3, mask 4). The sequence is
  [CLS]=2, A, [SEP]=3, B, [SEP]=3 and token_type_ids are 0 for [CLS] A [SEP] and 1 for B [SEP].
  Masking. rm = RandomState(6); for each sequence in order, for each content position (every position except
  [CLS] and the two [SEP]s) left to right: labelled if rm.rand() < 0.3 (exactly one draw per content position).
  If a sequence has no labelled position, its first content position (index 1) is labelled. A labelled
  position's input id becomes 4 ([MASK]) and its label is the original id; every other label is -100.
  Batches. [s0, s1, s2] and [s3, s4]. PyTorch right-pads a batch (input_ids with pad 0, token_type_ids with 0,
  labels with -100) with an attention mask (1 on real tokens); cases.json stores the unpadded sequences. The
  script asserts (float64, 1e-12) that padding changes no per-token loss against each sequence computed alone.
Loss = HF's masked-LM loss (model(..., labels=...).loss), the mean cross-entropy over the batch's labelled tokens.
"Without types" = the same batch, same attention mask, with token_type_ids all 0; asserted to differ from the
loss with types by more than 1e-4 (float32 and float64), so the types matter.

Everything is computed twice: in float32, and in float64 (model.double() after loading: widening float32 to
float64 is exact, so both runs have the same weights).

It writes Tests/Fixtures/token-types/bert-tiny/:
  cases.json   (indent 1, trailing newline)
               {"model": "bert-tiny",
                "batches": [[{"input_ids", "token_type_ids", "labels"} per sequence] per batch] (unpadded),
                "losses": [float32 loss per batch],
                "losses_float64": [float64 loss per batch],
                "losses_without_types_float64": [float64 loss per batch with token_type_ids all 0],
                "gradient_batch": 0}
  gradients.safetensors          dL/dp of batch 0's loss (with types) for EVERY parameter of model.named_parameters()
                                 (58 tensors; names as in the checkpoint's state dict, e.g.
                                 bert.embeddings.token_type_embeddings.weight, bert.encoder.layer.0...,
                                 cls.predictions...), F32, metadata {"format": "pt"}. Tied parameters appear once,
                                 under named_parameters()'s name: the decoder weight is
                                 bert.embeddings.word_embeddings.weight (its gradient is the sum of the embedding
                                 lookup's and the decoder's), the decoder bias is cls.predictions.bias. There is no
                                 pooler in BertForMaskedLM.
  gradients.float64.safetensors  the same names from the float64 run, stored as F64 (not rounded)
Asserted besides: every named parameter is a key of the checkpoint state dict; the float32 and float64 losses agree
to 1e-5; both rows of the token_type_embeddings gradient are non-zero (both types are used in batch 0).
Printed: the losses with and without types, and float32-vs-float64 max relative differences (max|g32 - g64| /
max|g64| per tensor) per tensor group (embeddings, each encoder layer, the MLM head). Every key bias has an
analytically zero gradient (a per-query constant added to every score does not change the softmax): what is stored
for it is rounding noise (up to ~6e-8 in float32, ~1e-16 in float64), so its difference is taken relative to the
largest gradient entry of all tensors instead.
The output is bit-for-bit reproducible (single thread, deterministic algorithms, fixed order).
"""
import json
import os

import numpy as np
import torch
import transformers
from safetensors import safe_open
from safetensors.torch import save_file
from transformers import BertForMaskedLM

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)
transformers.utils.logging.disable_progress_bar()
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures")
MODEL = os.path.join(FIXTURES, "parity", "bert-tiny")
OUT = os.path.join(FIXTURES, "token-types", "bert-tiny")

PAD, CLS, SEP, MASK = 0, 2, 3, 4
FIRST_ORDINARY = 5
SEQUENCES = 5
BATCHES = [[0, 1, 2], [3, 4]]
MASK_PROBABILITY = 0.3
GRADIENT_BATCH = 0


def load(dtype):
    model = BertForMaskedLM.from_pretrained(MODEL, attn_implementation="eager", dtype=torch.float32)
    model.to(dtype)  # widening float32 to float64 is exact
    model.train()  # every dropout is 0 (asserted): train mode is the reference, not a source of noise
    config = model.config
    assert config.type_vocab_size == 2, config.type_vocab_size
    dropouts = {k: v for k, v in config.to_dict().items() if "dropout" in k and v is not None}
    assert dropouts and all(v == 0 for v in dropouts.values()), dropouts
    assert all(m.p == 0 for m in model.modules() if isinstance(m, torch.nn.Dropout))
    return model


def make_sequences(vocab):
    rs = np.random.RandomState(5)
    pairs = []
    for _ in range(SEQUENCES):
        a = int(rs.randint(3, 8))
        seg_a = [int(x) for x in rs.randint(FIRST_ORDINARY, vocab, size=a)]
        b = int(rs.randint(3, 8))
        seg_b = [int(x) for x in rs.randint(FIRST_ORDINARY, vocab, size=b)]
        pairs.append((seg_a, seg_b))
    rm = np.random.RandomState(6)
    sequences = []
    for seg_a, seg_b in pairs:
        ids = [CLS] + seg_a + [SEP] + seg_b + [SEP]
        types = [0] * (len(seg_a) + 2) + [1] * (len(seg_b) + 1)
        content = list(range(1, 1 + len(seg_a))) + list(range(len(seg_a) + 2, len(seg_a) + 2 + len(seg_b)))
        chosen = [t for t in content if rm.rand() < MASK_PROBABILITY]
        if not chosen:
            chosen = [content[0]]
        inputs, labels = list(ids), [-100] * len(ids)
        for t in chosen:
            labels[t], inputs[t] = ids[t], MASK
        sequences.append(dict(input_ids=inputs, token_type_ids=types, labels=labels))
    return sequences


def pad(batch):
    width = max(len(s["input_ids"]) for s in batch)
    shape = (len(batch), width)
    ids = torch.full(shape, PAD, dtype=torch.long)
    types = torch.zeros(shape, dtype=torch.long)
    labels = torch.full(shape, -100, dtype=torch.long)
    mask = torch.zeros(shape, dtype=torch.long)
    for row, s in enumerate(batch):
        n = len(s["input_ids"])
        ids[row, :n] = torch.tensor(s["input_ids"])
        types[row, :n] = torch.tensor(s["token_type_ids"])
        labels[row, :n] = torch.tensor(s["labels"])
        mask[row, :n] = 1
    return ids, types, labels, mask


def hf_loss(model, batch, with_types=True):
    ids, types, labels, mask = pad(batch)
    if not with_types:
        types = torch.zeros_like(types)
    return model(input_ids=ids, attention_mask=mask, token_type_ids=types, labels=labels).loss


def token_losses(model, batch):
    ids, types, labels, mask = pad(batch)
    logits = model(input_ids=ids, attention_mask=mask, token_type_ids=types).logits
    return torch.nn.functional.cross_entropy(logits.transpose(1, 2), labels, ignore_index=-100, reduction="none")


def check_padding(model, batch):
    with torch.no_grad():
        padded = token_losses(model, batch)
        worst = 0.0
        for row, s in enumerate(batch):
            alone = token_losses(model, [s])[0]
            worst = max(worst, float((padded[row, :len(s["input_ids"])] - alone).abs().max()))
    return worst


def group(name):
    if name.startswith("bert.embeddings."):
        return "embeddings"
    if name.startswith("bert.encoder.layer."):
        return "layer " + name.split(".")[3]
    if name.startswith("cls."):
        return "mlm head"
    return "other"


def main():
    os.makedirs(OUT, exist_ok=True)
    with safe_open(os.path.join(MODEL, "model.safetensors"), "pt") as handle:
        checkpoint_names = set(handle.keys())

    runs = {}
    batches = None
    for dtype in (torch.float32, torch.float64):
        model = load(dtype)
        rows = model.bert.embeddings.token_type_embeddings.weight.detach()
        assert rows.shape[0] == 2
        row_diff = float((rows[1] - rows[0]).abs().max())
        assert row_diff > 1e-3, f"token type rows 0 and 1 nearly equal ({row_diff})"
        sequences = make_sequences(model.config.vocab_size)
        assert all(len(s["input_ids"]) <= model.config.max_position_embeddings for s in sequences)
        current = [[sequences[i] for i in b] for b in BATCHES]
        assert batches is None or batches == current
        batches = current

        params = list(model.named_parameters())
        assert all(n in checkpoint_names for n, _ in params), "a parameter name is not in the checkpoint"
        losses, losses_plain, grads = [], [], None
        for index, batch in enumerate(batches):
            loss = hf_loss(model, batch)
            if index == GRADIENT_BATCH:
                g = torch.autograd.grad(loss, [p for _, p in params])
                grads = {n: x.detach() for (n, _), x in zip(params, g)}
            loss = loss.detach()
            with torch.no_grad():
                plain = hf_loss(model, batch, with_types=False)
            diff = abs(float(loss) - float(plain))
            assert diff > 1e-4, f"{dtype} batch {index}: token types change the loss only by {diff}"
            losses.append(float(loss))
            losses_plain.append(float(plain))
        tt = grads["bert.embeddings.token_type_embeddings.weight"]
        assert float(tt[0].abs().max()) > 0 and float(tt[1].abs().max()) > 0, "a token type row has zero gradient"
        if dtype == torch.float64:
            worst = max(check_padding(model, b) for b in batches)
            assert worst <= 1e-12, f"padding changes a per-token loss by {worst}"
            print(f"padding vs alone (float64): max per-token loss difference {worst:.1e}")
        runs[dtype] = (losses, losses_plain, grads)
        print(f"{dtype}: token type rows max|row1 - row0| = {row_diff:.4f}")

    l32, p32, g32 = runs[torch.float32]
    l64, p64, g64 = runs[torch.float64]
    for index, batch in enumerate(batches):
        predicted = sum(x != -100 for s in batch for x in s["labels"])
        assert abs(l32[index] - l64[index]) <= 1e-5 and abs(p32[index] - p64[index]) <= 1e-5
        print(f"batch {index}: {len(batch)} pairs, {predicted} predicted; loss with types f32 {l32[index]:.7f} "
              f"f64 {l64[index]:.12f}; without types f32 {p32[index]:.7f} f64 {p64[index]:.12f}; "
              f"rel f32 vs f64 {abs(l32[index] - l64[index]) / abs(l64[index]):.1e}")

    groups = {}
    largest = max(float(g.abs().max()) for g in g64.values())
    for name in g64:
        scale = float(g64[name].abs().max())
        # Key biases are rounding noise (zero in exact arithmetic): relative to the largest entry overall.
        scale = largest if name.endswith("key.bias") or scale == 0 else scale
        rel = float((g32[name].double() - g64[name]).abs().max()) / scale
        worst = groups.get(group(name), (0.0, ""))
        groups[group(name)] = max(worst, (rel, name))
    print(f"gradients: {len(g64)} tensors; float32 vs float64 max|g32 - g64| / max|g64| per group:")
    for key, (rel, name) in groups.items():
        print(f"  {key:10s} {rel:.1e}  ({name})")

    save_file({n: g.contiguous() for n, g in g32.items()}, os.path.join(OUT, "gradients.safetensors"),
              metadata={"format": "pt"})
    save_file({n: g.contiguous() for n, g in g64.items()}, os.path.join(OUT, "gradients.float64.safetensors"),
              metadata={"format": "pt"})
    document = dict(model="bert-tiny", batches=batches, losses=l32, losses_float64=l64,
                    losses_without_types_float64=p64, gradient_batch=GRADIENT_BATCH)
    with open(os.path.join(OUT, "cases.json"), "w") as handle:
        json.dump(document, handle, indent=1)
        handle.write("\n")
    for f in sorted(os.listdir(OUT)):
        print(f"{f}: {os.path.getsize(os.path.join(OUT, f))} bytes")


if __name__ == "__main__":
    main()
