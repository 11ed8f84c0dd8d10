"""Per-sentence gradient fixtures for the Swift gradient sketches: what PyTorch computes as the gradient of one
sentence's masked-LM loss with respect to the encoder layers' parameters (θ), for the tiny parity models, so the
per-sentence gradient that a Swift random-projection sketch compresses can be checked before it is projected.

Run from the repository root (the venv has torch and transformers 5), after gen_parity.py:
    /work/venv/bin/python Tests/FixtureGenerator/gen_sketch.py

Inputs (read, never rewritten): Tests/Fixtures/parity/<name>/ (config.json with every dropout 0, asserted;
model.safetensors, decoder tied to the word embeddings), loaded with from_pretrained(..., attn_implementation="eager"),
train mode (dropout 0, so it changes nothing); and the "sentences" of Tests/Fixtures/parity/<name>/cases.json
({"ids", "input_ids", "labels"}, cls .. sep, labels -100 where nothing is predicted). The first 4 sentences with at
least one label != -100 are used, in file order (a sentence that predicts nothing has no loss and is skipped).

Procedure, for each of those sentences i = 0..3 ALONE (a batch of 1, no padding, attention mask all 1,
token_type_ids all 0): loss_i = HF's masked-LM loss (labels=..., the mean cross-entropy over the sentence's labelled
tokens); its gradient with respect to every parameter whose name contains "encoder.layer." (the state dict's names,
e.g. roberta.encoder.layer.0.attention.self.query.weight) by torch.autograd.grad, in named_parameters() order. The
same is rerun in float64 (weights widened exactly, model.double()); the float64 losses are stored, the float64
gradients only compared against the float32 ones in the printout (max |g32 - g64| over all θ tensors divided by
max |g64| over all θ tensors, per sentence; every key bias has an analytically zero gradient, so its stored value
is float32 rounding noise).

For each model it writes Tests/Fixtures/sketch/<name>/:
  cases.json             (indent 1, trailing newline) {"model": name,
                         "sentences": [{"input_ids", "labels", "loss" (float32 run), "loss_float64"} x4],
                         "theta_names": [θ parameter names in named_parameters() order]}
  gradients.safetensors  "s{i}/{param_name}" = dloss_i/dparam for i = 0..3 and every θ name, F32 (float32 run),
                         metadata {"format": "pt"}

The output is bit-for-bit reproducible (single thread, deterministic algorithms, fixed order).
"""
import json
import os

import torch
import transformers
from safetensors.torch import save_file
from transformers import BertForMaskedLM, XLMRobertaForMaskedLM

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)
transformers.utils.logging.disable_progress_bar()
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures")
PARITY = os.path.join(FIXTURES, "parity")
SKETCH = os.path.join(FIXTURES, "sketch")

THETA_MARKER = "encoder.layer."
SENTENCES = 4

MODELS = [
    dict(name="xlmr-tiny", cls=XLMRobertaForMaskedLM),
    dict(name="bert-tiny", cls=BertForMaskedLM),
]


def load(spec, dtype):
    model = spec["cls"].from_pretrained(os.path.join(PARITY, spec["name"]), attn_implementation="eager",
                                        dtype=torch.float32)
    model.to(dtype)  # widening float32 to float64 is exact
    model.train()  # every dropout is 0 (asserted): train mode is the reference, not a source of noise
    config = model.config
    assert config.hidden_dropout_prob == 0 and config.attention_probs_dropout_prob == 0
    assert all(m.p == 0 for m in model.modules() if isinstance(m, torch.nn.Dropout))
    state_names = set(model.state_dict())
    theta = [(n, p) for n, p in model.named_parameters() if THETA_MARKER in n]
    assert theta and all(n in state_names for n, _ in theta)
    return model, theta


def sentence_gradient(model, theta, sentence):
    """HF masked-LM loss of one unpadded sentence and its gradient with respect to θ (name -> tensor)."""
    ids = torch.tensor([sentence["input_ids"]])
    labels = torch.tensor([sentence["labels"]])
    loss = model(input_ids=ids, attention_mask=torch.ones_like(ids), token_type_ids=torch.zeros_like(ids),
                 labels=labels).loss
    grads = torch.autograd.grad(loss, [p for _, p in theta])
    return float(loss.detach()), {n: g.detach() for (n, _), g in zip(theta, grads)}


def generate(spec):
    folder = os.path.join(SKETCH, spec["name"])
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(PARITY, spec["name"], "cases.json")) as handle:
        sentences = [s for s in json.load(handle)["sentences"] if any(label != -100 for label in s["labels"])]
    assert len(sentences) >= SENTENCES
    sentences = sentences[:SENTENCES]

    runs = {}
    for dtype in (torch.float32, torch.float64):
        model, theta = load(spec, dtype)
        runs[dtype] = ([n for n, _ in theta], [sentence_gradient(model, theta, s) for s in sentences])
    names, r32 = runs[torch.float32]
    names64, r64 = runs[torch.float64]
    assert names == names64

    tensors, documents = {}, []
    print(spec["name"], f"{len(names)} θ tensors, {sum(g.numel() for g in r32[0][1].values())} values")
    for i, (s, (loss32, g32), (loss64, g64)) in enumerate(zip(sentences, r32, r64)):
        assert abs(loss32 - loss64) <= 1e-5, f"float32 loss {loss32} vs float64 {loss64}"
        diff = max(float((g32[n].double() - g64[n]).abs().max()) for n in names)
        scale = max(float(g64[n].abs().max()) for n in names)
        predicted = sum(label != -100 for label in s["labels"])
        print(f"  s{i}: {len(s['input_ids'])} tokens, {predicted} predicted, loss {loss32:.6f} "
              f"(float64 {loss64:.12f}), max|g32 - g64| / max|g64| {diff / scale:.1e}")
        for n in names:
            tensors[f"s{i}/{n}"] = g32[n].contiguous()
        documents.append(dict(input_ids=s["input_ids"], labels=s["labels"], loss=loss32, loss_float64=loss64))

    save_file(tensors, os.path.join(folder, "gradients.safetensors"), metadata={"format": "pt"})
    with open(os.path.join(folder, "cases.json"), "w") as handle:
        json.dump(dict(model=spec["name"], sentences=documents, theta_names=names), handle, indent=1)
        handle.write("\n")


if __name__ == "__main__":
    for spec in MODELS:
        generate(spec)
    total = sum(os.path.getsize(os.path.join(root, f)) for root, _, files in os.walk(SKETCH) for f in files)
    print(f"total {total / 1e6:.2f} MB in {SKETCH}")
