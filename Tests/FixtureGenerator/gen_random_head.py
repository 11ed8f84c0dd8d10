"""Random-head fixtures: what PyTorch + transformers compute for the X-SNS "random head" objective (a frozen,
randomly initialised linear classification layer on the encoder's last hidden states) on the parity models.

Run from the repository root, after gen_parity.py (it reads that script's output; the venv has torch and
transformers 5):
    /work/venv/bin/python Tests/FixtureGenerator/gen_random_head.py

Models: Tests/Fixtures/parity/<name>/ for xlmr-tiny and bert-tiny, loaded as the base encoder
(AutoModel.from_pretrained(..., attn_implementation="eager", add_pooling_layer=False): last hidden states only,
the masked-LM head of the checkpoint is ignored). Every dropout probability is 0 (asserted); eval mode.
Inputs: the 7 sentences of parity/<name>/cases.json, field "ids" (the unmasked original ids, cls .. sep).

Exact procedure, per model:
  head      rs = numpy.random.RandomState(99); W = rs.normal(0, 0.02, (K, hidden)).astype(float32), then
            b = rs.normal(0, 0.02, K).astype(float32); K = 5. Frozen: no gradient of W or b is taken.
            logits = h @ W.T + b, h = the encoder's last hidden state.
  levels    "token":    rs = RandomState(7); for each sentence in order, for each position 1 .. n-2 in order
                        (every position but the first (cls) and the last (sep)), label = int(rs.randint(0, K));
                        cls and sep get -100.
            "sequence": rs = RandomState(8); one draw int(rs.randint(0, K)) per sentence in order, the label of
                        position 0 (cls / <s>); every other position gets -100.
            The loss of a unit (a sentence or a batch) = mean cross-entropy over all the unit's labelled positions
            (for a batch: pooled over the batch's positions, not a mean of sentence means).
  θ         the encoder parameters whose checkpoint names contain ".encoder.layer."; named as the masked-LM
            checkpoint names them ("roberta." / "bert." prefix), as in parity/<name>/fisher_exact.safetensors.
  exact     each sentence alone (no padding, attention mask of ones, token_type_ids zeros): gradient of its loss
            w.r.t. every θ tensor, squared, averaged over the 7 sentences.
  xsns      batches of 3 in order ([0,1,2], [3,4,5], [6]), right-padded with the pad id, attention mask 1 on real
            tokens, token_type_ids zeros: gradient of the batch loss; each θ tensor clipped separately with
            torch.nn.utils.clip_grad_norm_(tensor, 1.0); squared; summed over batches; divided by 3 (every batch
            has labelled positions at both levels).
  Both estimators are computed in float32 and in float64 (model.double(), W and b widened from their float32
  values). Padding is checked: each sentence's last hidden states inside a padded batch match it alone.

Output, Tests/Fixtures/random-head/<name>/:
  head.safetensors                          "weight" [5, hidden], "bias" [5], float32
  cases.json                                {"model", "num_labels", "batch_size", "levels": {"token" | "sequence":
                                            {"sentences": [{"input_ids", "labels"}], "losses_float64": [...]}}}
                                            labels -100 where unlabelled; losses are each sentence's own loss
  fisher_{token,sequence}_{exact,xsns}.safetensors           computed in float32, stored F32
  fisher_{token,sequence}_{exact,xsns}.float64.safetensors   computed in float64, stored F64

Notes for tests that read these:
  * attention.self.key.bias has a gradient that is exactly 0 in exact arithmetic (softmax ignores a shift common
    to all scores of a query), so its Fisher entries are rounding noise (up to ~2e-17 in float32, ~1e-35 in
    float64) and float32 vs float64 disagree completely there: compare them with an absolute tolerance.
  * With a 0.02-std head the per-tensor batch gradient norms stay below 1 (largest ~0.93), so clip_grad_norm_
    never clips at this objective: xsns here is the unclipped mean of squared batch gradients.
"""
import json
import os

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from transformers import AutoModel

torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))
PARITY = os.path.join(HERE, "..", "Fixtures", "parity")
ROOT = os.path.join(HERE, "..", "Fixtures", "random-head")
MODELS = ["xlmr-tiny", "bert-tiny"]
BATCH_SIZE = 3
K = 5
HEAD_SEED, TOKEN_SEED, SEQUENCE_SEED = 99, 7, 8
THETA_PREFIX = ".encoder.layer."
LEVELS = ["token", "sequence"]


def make_head(hidden):
    rs = np.random.RandomState(HEAD_SEED)
    weight = rs.normal(0.0, 0.02, size=(K, hidden)).astype(np.float32)
    bias = rs.normal(0.0, 0.02, size=K).astype(np.float32)
    return torch.from_numpy(weight), torch.from_numpy(bias)


def make_labels(sentences):
    rs = np.random.RandomState(TOKEN_SEED)
    token = []
    for ids in sentences:
        labels = [-100] * len(ids)
        for t in range(1, len(ids) - 1):
            labels[t] = int(rs.randint(0, K))
        token.append(labels)
    rs = np.random.RandomState(SEQUENCE_SEED)
    sequence = []
    for ids in sentences:
        labels = [-100] * len(ids)
        labels[0] = int(rs.randint(0, K))
        sequence.append(labels)
    return dict(token=token, sequence=sequence)


def load_model(folder):
    model, info = AutoModel.from_pretrained(folder, attn_implementation="eager", add_pooling_layer=False,
                                            output_loading_info=True)
    assert not info["missing_keys"] and not info["mismatched_keys"], info
    assert model.config._attn_implementation == "eager"
    assert model.config.hidden_dropout_prob == 0 and model.config.attention_probs_dropout_prob == 0
    assert all(m.p == 0 for m in model.modules() if isinstance(m, torch.nn.Dropout))
    prefix = "roberta." if model.config.model_type == "xlm-roberta" else "bert."
    # The loaded weights are the checkpoint's, bit for bit.
    checkpoint = load_file(os.path.join(folder, "model.safetensors"))
    for name, p in model.named_parameters():
        assert torch.equal(p.detach(), checkpoint[prefix + name]), name
    model.eval()
    return model, prefix


def theta(model, prefix):
    """θ under the checkpoint's names (the base model's own names lack the "roberta."/"bert." prefix)."""
    return {prefix + name: p for name, p in model.named_parameters() if THETA_PREFIX in prefix + name}


def batch_tensors(sentences, labels, pad):
    width = max(len(s) for s in sentences)
    ids = torch.full((len(sentences), width), pad, dtype=torch.long)
    lab = torch.full((len(sentences), width), -100, dtype=torch.long)
    mask = torch.zeros((len(sentences), width), dtype=torch.long)
    for row, (s, l) in enumerate(zip(sentences, labels)):
        ids[row, :len(s)] = torch.tensor(s)
        lab[row, :len(s)] = torch.tensor(l)
        mask[row, :len(s)] = 1
    return ids, lab, mask


def hidden_states(model, ids, mask):
    return model(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids)).last_hidden_state


def loss_and_gradients(model, prefix, head, sentences, labels, pad):
    weight, bias = head
    model.zero_grad(set_to_none=True)
    ids, lab, mask = batch_tensors(sentences, labels, pad)
    logits = hidden_states(model, ids, mask) @ weight.T + bias
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, K), lab.reshape(-1), ignore_index=-100)
    loss.backward()
    return loss.detach(), theta(model, prefix)


def check_padding(model, sentences, pad, tolerance):
    with torch.no_grad():
        for start in range(0, len(sentences), BATCH_SIZE):
            batch = sentences[start:start + BATCH_SIZE]
            ids, _, mask = batch_tensors(batch, [[-100] * len(s) for s in batch], pad)
            batched = hidden_states(model, ids, mask)
            for row, s in enumerate(batch):
                alone = hidden_states(model, torch.tensor([s]), torch.ones((1, len(s)), dtype=torch.long))[0]
                difference = float((batched[row, :len(s)] - alone).abs().max())
                assert difference < tolerance, (start, row, difference)


def estimators(model, prefix, head, sentences, labels, pad):
    """(exact, xsns, sentence losses, clipped, unclipped, largest norm) for one level in the current dtype."""
    exact = {name: torch.zeros_like(p) for name, p in theta(model, prefix).items()}
    losses = []
    for s, l in zip(sentences, labels):
        loss, params = loss_and_gradients(model, prefix, head, [s], [l], pad)
        losses.append(float(loss))
        for name, p in params.items():
            exact[name] += p.grad.detach() ** 2
    exact = {name: f / len(sentences) for name, f in exact.items()}

    xsns = {name: torch.zeros_like(p) for name, p in theta(model, prefix).items()}
    counted, clipped, unclipped, largest = 0, 0, 0, 0.0
    for start in range(0, len(sentences), BATCH_SIZE):
        batch, batch_labels = sentences[start:start + BATCH_SIZE], labels[start:start + BATCH_SIZE]
        assert any(x != -100 for l in batch_labels for x in l)
        _, params = loss_and_gradients(model, prefix, head, batch, batch_labels, pad)
        for name, p in params.items():
            norm = float(p.grad.norm())
            clipped, unclipped, largest = clipped + (norm > 1), unclipped + (norm <= 1), max(largest, norm)
            torch.nn.utils.clip_grad_norm_(p, 1.0)
            xsns[name] += p.grad.detach() ** 2
        counted += 1
    assert counted == 3
    xsns = {name: f / counted for name, f in xsns.items()}
    return exact, xsns, losses, clipped, unclipped, largest


def contiguous(tensors):
    return {name: t.detach().contiguous() for name, t in sorted(tensors.items())}


def differences(single, double):
    """Max over tensors of max|f32 - f64| / max|f64| (per tensor), leaving out the attention key biases, whose
    gradient is exactly 0 in exact arithmetic (softmax ignores a shift shared by all scores): their stored values
    are rounding noise (~1e-18 in float32, ~1e-35 in float64), reported as the largest float32 value instead."""
    worst, noise = 0.0, 0.0
    for name in double:
        a, b = single[name].double(), double[name]
        if name.endswith("attention.self.key.bias"):
            noise = max(noise, float(a.abs().max()))
            continue
        worst = max(worst, float((a - b).abs().max() / b.abs().max()))
    return worst, noise


def generate(name):
    source = os.path.join(PARITY, name)
    folder = os.path.join(ROOT, name)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(source, "cases.json")) as handle:
        parity = json.load(handle)
    sentences = [s["ids"] for s in parity["sentences"]]
    model, prefix = load_model(source)
    pad = model.config.pad_token_id
    assert all(pad not in s for s in sentences)
    reference = set(load_file(os.path.join(source, "fisher_exact.safetensors"))) - {"head_importance"}
    assert set(theta(model, prefix)) == reference, "θ names must match the parity fixture"

    head32 = make_head(model.config.hidden_size)
    save_file({"weight": head32[0], "bias": head32[1]}, os.path.join(folder, "head.safetensors"))
    labels = make_labels(sentences)

    results = {}
    check_padding(model, sentences, pad, 1e-5)
    for level in LEVELS:
        results[level, "float32"] = estimators(model, prefix, head32, sentences, labels[level], pad)
    model.double()
    head64 = tuple(t.double() for t in head32)
    check_padding(model, sentences, pad, 1e-12)
    for level in LEVELS:
        results[level, "float64"] = estimators(model, prefix, head64, sentences, labels[level], pad)

    cases = dict(model=name, num_labels=K, batch_size=BATCH_SIZE, levels={})
    for level in LEVELS:
        exact32, xsns32, losses32, clipped32, unclipped32, _ = results[level, "float32"]
        exact64, xsns64, losses64, clipped64, unclipped64, largest = results[level, "float64"]
        assert (clipped32, unclipped32) == (clipped64, unclipped64)
        for kind, single, double in (("exact", exact32, exact64), ("xsns", xsns32, xsns64)):
            base = f"fisher_{level}_{kind}"
            assert all(t.dtype == torch.float32 for t in single.values())
            assert all(t.dtype == torch.float64 for t in double.values())
            save_file(contiguous(single), os.path.join(folder, base + ".safetensors"))
            save_file(contiguous(double), os.path.join(folder, base + ".float64.safetensors"))
            worst, noise = differences(single, double)
            print(f"{name} {base}: float32 vs float64 max relative difference {worst:.3e} "
                  f"(per tensor, relative to its max |value|, key biases excluded); "
                  f"key-bias float32 noise up to {noise:.1e}")
        print(f"{name} {level}: xsns clipped tensor-batches {clipped64}, unclipped {unclipped64} "
              f"(largest per-tensor batch gradient norm {largest:.3e}); "
              f"loss float32 vs float64 max |diff| {max(abs(a - b) for a, b in zip(losses32, losses64)):.3e}")
        cases["levels"][level] = dict(
            sentences=[dict(input_ids=s, labels=l) for s, l in zip(sentences, labels[level])],
            losses_float64=losses64)
    with open(os.path.join(folder, "cases.json"), "w") as handle:
        json.dump(cases, handle, indent=1)
        handle.write("\n")


if __name__ == "__main__":
    for model_name in MODELS:
        generate(model_name)
