"""Training fixtures for the Swift trainer: what five steps of PyTorch masked-LM training (AdamW + HF linear
warmup/decay schedule + optional global-norm clipping) do to the tiny parity models.

Run from the repository root (the venv has torch and transformers 5), after gen_parity.py:
    /work/venv/bin/python Tests/FixtureGenerator/gen_training.py

The initial weights are Tests/Fixtures/parity/<name>/ (model.safetensors + config.json, dropout 0, decoder tied
to the word embeddings). For each model it writes Tests/Fixtures/training/<name>/:
  batches.json                  {"steps": [[{"input_ids": [...], "labels": [...]}, x3 sentences], x5 steps]}
                                unpadded; every batch predicts at least one token
  cases.json                    {"model", "steps", "cases": [{"name", "train", "lr", "weight_decay",
                                "warmup_steps", "clip_norm", "file", "log": [{"step", "loss", "lr",
                                "grad_norm"}, ...], "float32_precision": {"<tensor name>": value, ...},
                                "file_float64"}]};
                                "lr" is the rate the step used (read before scheduler.step()), "grad_norm"
                                the global L2 norm of the trainable gradients before clipping;
                                "float32_precision" is described below
  <case>.safetensors            every parameter after the 5 steps (frozen ones too, unchanged), under the
                                checkpoint's names; the tied decoder weight/bias aliases are not repeated
  <case>.float64.safetensors    the same tensors, names and order after the float64 rerun described below,
                                rounded to float32 for storage (round to nearest)
  gradients_step1.safetensors   case "plain", step 1: dL/dp for every parameter (the word embedding's
                                gradient includes the tied decoder's part), before any optimizer step
Each case starts again from the parity weights. Trainable sets: "all" every parameter; "encoder" the
embeddings and encoder layers (the MLM head's dense, LayerNorm and output bias frozen; the word embedding stays
trainable and still gets the tied decoder's gradient); "theta" only ".encoder.layer." tensors.
AdamW has one parameter group, so weight decay applies to every trainable tensor, biases and LayerNorm included.
The output is bit-for-bit reproducible (single thread, seeded generator, fixed order).

Comparing against these files: the gradient of every attention.self.key.bias is exactly zero in exact
arithmetic (adding q.b to every score of a query does not change its softmax), so what float32 computes for it
is rounding noise (~1e-8), and Adam, which divides by the gradient's own scale, turns that noise into steps of
about the learning rate. The final key biases are therefore not reproducible beyond "moved by at most the sum
of the step learning rates (plus decay)"; every other tensor matches a float64 rerun of this script to ~3e-6
while moving by ~3e-3.

"float32_precision" measures that float64 rerun per tensor (same weights widened exactly, batches, optimizer,
schedule and clipping, all in float64): max|delta32 - delta64| / max|delta32|, delta = final - initial weights,
0 for frozen tensors, and for the key biases relative to the largest max|delta32| of all other tensors. It is
how far the float32 reference itself is from exact arithmetic, so a float32 implementation cannot be expected to
match it much more closely (up to ~9e-4 here: the tiny models' hidden states are nearly collinear, so some
gradients are differences of large terms, and Adam normalises what is left); tolerances can be set from it
instead of guessed. The key biases' figure is of order 0.1 to 0.5, i.e. the noise described above.
The float64 rerun's final weights are saved too ("file_float64"), so an implementation's float32 result can be
compared with the near-exact one and required to be no farther from it than about PyTorch's own float32 result
is, rather than to reproduce PyTorch's float32 rounding. Two caveats: storing them as float32 rounds each weight
by up to half an ulp, and PyTorch's float32 weights are only 1 or 2 ulps from them in some tensors, so such a
bound needs a floor of a few ulps; and the float64 key biases barely move (float64 noise is far below Adam's
eps: ~1e-12, or only weight decay's ~5e-6), so any float32 run is ~1e-3 from them by noise and they are not
compared this way.
"""
import json
import os

import torch
import transformers
from safetensors import safe_open
from safetensors.torch import save_file
from transformers import BertForMaskedLM, XLMRobertaForMaskedLM, get_linear_schedule_with_warmup

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)
transformers.utils.logging.disable_progress_bar()
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures")
PARITY = os.path.join(FIXTURES, "parity")
TRAINING = os.path.join(FIXTURES, "training")

STEPS = 5
BATCH_SIZE = 3
MIN_LENGTH, MAX_LENGTH = 5, 24  # including cls and sep
PREDICT_PROB = 0.25
VOCAB = 301
THETA_MARKER = ".encoder.layer."
KEY_BIAS_SUFFIX = ".attention.self.key.bias"

MODELS = [
    dict(name="xlmr-tiny", cls=XLMRobertaForMaskedLM, seed=11, specials=dict(cls=0, pad=1, sep=2, unk=3, mask=300)),
    dict(name="bert-tiny", cls=BertForMaskedLM, seed=12, specials=dict(pad=0, unk=1, cls=2, sep=3, mask=4)),
]

# clip_norm 0 means no clipping. 10.0 in decay_warmup_clip sits inside the range of the step norms of both models
# (about 6 to 20: initializer_range 0.2 makes the logits large), so some steps are clipped and some are not
# (asserted below). Clipping every step by a similar factor would barely show through Adam's normalisation.
CASES = [
    dict(name="plain", train="all", lr=1e-3, weight_decay=0.0, warmup_steps=0, clip_norm=0.0),
    dict(name="decay_warmup_clip", train="all", lr=1e-3, weight_decay=0.01, warmup_steps=2, clip_norm=10.0),
    dict(name="encoder", train="encoder", lr=1e-3, weight_decay=0.01, warmup_steps=0, clip_norm=0.0),
    dict(name="theta", train="theta", lr=2e-3, weight_decay=0.0, warmup_steps=1, clip_norm=1.0),
]


def make_batches(specials, seed):
    """Masked sentences with recorded choices, as gen_parity.make_sentences (Swift does not replay torch's
    random stream, so the masking is data). Random replacements are drawn from ordinary tokens only: a pad id
    inside a sentence would shift XLM-R's position ids, which is not what these fixtures test."""
    generator = torch.Generator().manual_seed(seed)
    special_ids = set(specials.values())
    ordinary = [i for i in range(VOCAB) if i not in special_ids]

    def randint(n):
        return int(torch.randint(n, (1,), generator=generator))

    def rand():
        return float(torch.rand((1,), generator=generator))

    def sentence():
        length = MIN_LENGTH + randint(MAX_LENGTH - MIN_LENGTH + 1)
        ids = [specials["cls"]] + [ordinary[randint(len(ordinary))] for _ in range(length - 2)] + [specials["sep"]]
        inputs, labels = list(ids), [-100] * len(ids)
        for t in range(1, len(ids) - 1):
            if rand() < PREDICT_PROB:
                labels[t] = ids[t]
                choice = rand()
                if choice < 0.8:
                    inputs[t] = specials["mask"]
                elif choice < 0.9:
                    inputs[t] = ordinary[randint(len(ordinary))]
                # else: unchanged, still predicted
        return dict(input_ids=inputs, labels=labels)

    steps = []
    for _ in range(STEPS):
        # A batch with nothing to predict has no defined mean loss: draw it again.
        while True:
            batch = [sentence() for _ in range(BATCH_SIZE)]
            if any(label != -100 for s in batch for label in s["labels"]):
                break
        steps.append(batch)
    return steps


def batch_tensors(sentences, pad):
    """The HF batch: right padding with the pad id, attention mask 1/0, labels padded with -100."""
    width = max(len(s["input_ids"]) for s in sentences)
    ids = torch.full((len(sentences), width), pad, dtype=torch.long)
    labels = torch.full((len(sentences), width), -100, dtype=torch.long)
    mask = torch.zeros((len(sentences), width), dtype=torch.long)
    for row, s in enumerate(sentences):
        n = len(s["input_ids"])
        ids[row, :n] = torch.tensor(s["input_ids"])
        labels[row, :n] = torch.tensor(s["labels"])
        mask[row, :n] = 1
    return ids, labels, mask


def load(spec, dtype):
    folder = os.path.join(PARITY, spec["name"])
    model = spec["cls"].from_pretrained(folder, attn_implementation="eager", dtype=torch.float32)
    # Widening float32 to float64 is exact, so both runs start from the same weights. The conversion keeps each
    # Parameter object (and so the ties) and happens before the Parameters are collected below.
    model.to(dtype)
    with safe_open(os.path.join(folder, "model.safetensors"), "pt") as handle:
        checkpoint_names = list(handle.keys())
    # Tied tensors are one Parameter under several names (word embedding = decoder weight, lm bias = decoder
    # bias), and the deduplicated named_parameters() may report the decoder's name; name each Parameter by the
    # one alias the checkpoint uses.
    by_id = {}
    for name, p in model.named_parameters(remove_duplicate=False):
        if name in checkpoint_names:
            assert id(p) not in by_id, f"two checkpoint names for one tensor: {by_id.get(id(p))}, {name}"
            by_id[id(p)] = (name, p)
    params = sorted(by_id.values(), key=lambda item: checkpoint_names.index(item[0]))
    assert [n for n, _ in params] == checkpoint_names, "every checkpoint tensor must be one model parameter"
    assert len(params) == len(list(model.parameters())), "a parameter the checkpoint does not name"
    # A pooler would be trainable in no set and outside the MLM loss; BertForMaskedLM has none.
    assert not any(".pooler." in n for n in checkpoint_names)
    return model, params


def is_trainable(train, name, base_prefix):
    if train == "all":
        return True
    if train == "encoder":
        return name.startswith(base_prefix + ".")
    if train == "theta":
        return THETA_MARKER in name
    raise ValueError(train)


def snapshot(params):
    return {name: p.detach().clone().contiguous() for name, p in params}


def run_case(spec, case, batches, dtype=torch.float32):
    model, params = load(spec, dtype)
    initial = snapshot(params)
    trainable = []
    for name, p in params:
        flag = is_trainable(case["train"], name, model.base_model_prefix)
        p.requires_grad_(flag)
        if flag:
            trainable.append(p)
    optimizer = torch.optim.AdamW(trainable, lr=case["lr"], betas=(0.9, 0.999), eps=1e-8,
                                  weight_decay=case["weight_decay"])
    scheduler = get_linear_schedule_with_warmup(optimizer, num_warmup_steps=case["warmup_steps"],
                                                num_training_steps=STEPS)
    model.train()  # dropout is 0 in the configs: train mode is the reference, not a source of noise
    pad = spec["specials"]["pad"]
    log, first_gradients = [], None
    for step, batch in enumerate(batches, start=1):
        ids, labels, mask = batch_tensors(batch, pad)
        loss = model(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids), labels=labels).loss
        loss.backward()
        if step == 1:
            first_gradients = {name: p.grad.detach().clone().contiguous() for name, p in params if p.grad is not None}
        if case["clip_norm"] > 0:
            norm = torch.nn.utils.clip_grad_norm_(trainable, case["clip_norm"])
        else:
            # The same reduction clip_grad_norm_ performs (per-tensor norms, then the norm of those).
            norm = torch.nn.utils.get_total_norm([p.grad for p in trainable])
        lr = optimizer.param_groups[0]["lr"]
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        log.append(dict(step=step, loss=float(loss.detach()), lr=lr, grad_norm=float(norm)))
    final = snapshot(params)
    for name, p in params:
        if not p.requires_grad:
            assert torch.equal(final[name], initial[name]), f"frozen {name} moved"
    return log, initial, final, first_gradients


def is_key_bias(name):
    return name.endswith(KEY_BIAS_SUFFIX)


def float32_precision(initial32, final32, initial64, final64):
    """Per tensor, max|delta32 - delta64| / max|delta32| (delta = final - initial): how far the float32 reference
    itself is from exact arithmetic, relative to how far the tensor moved. 0 for tensors that did not move.
    Key biases move by float32 noise alone (see the docstring), so theirs is relative to the largest max|delta32|
    of the other tensors instead."""
    delta32 = {name: (final32[name] - initial32[name]).double() for name in final32}
    delta64 = {name: final64[name] - initial64[name] for name in final64}
    scale = {name: float(d.abs().max()) for name, d in delta32.items()}
    others = max(v for name, v in scale.items() if not is_key_bias(name))
    precision = {}
    for name, d in delta32.items():
        if scale[name] == 0:
            precision[name] = 0.0
        else:
            error = float((d - delta64[name]).abs().max())
            precision[name] = error / (others if is_key_bias(name) else scale[name])
    return precision


def save(tensors, path):
    save_file(tensors, path, metadata={"format": "pt"})


def generate(spec):
    folder = os.path.join(TRAINING, spec["name"])
    os.makedirs(folder, exist_ok=True)
    batches = make_batches(spec["specials"], spec["seed"])
    with open(os.path.join(folder, "batches.json"), "w") as handle:
        json.dump(dict(steps=batches), handle, separators=(",", ":"))
        handle.write("\n")
    predicted = [sum(label != -100 for s in b for label in s["labels"]) for b in batches]
    print(spec["name"], "lengths", [[len(s["input_ids"]) for s in b] for b in batches], "predicted", predicted)

    results = []
    for case in CASES:
        log, initial, final, first_gradients = run_case(spec, case, batches)
        file = case["name"] + ".safetensors"
        save(final, os.path.join(folder, file))
        if case["name"] == "plain":
            assert set(first_gradients) == set(final), "plain trains every parameter"
            save(first_gradients, os.path.join(folder, "gradients_step1.safetensors"))
        if case["clip_norm"] > 0:
            clipped = [entry["grad_norm"] > case["clip_norm"] for entry in log]
            print(f"  {case['name']}: clipped at steps {[i + 1 for i, c in enumerate(clipped) if c]}")
            if case["name"] == "decay_warmup_clip":
                assert any(clipped) and not all(clipped), "clipping should be exercised both ways"
        deltas = {name: float((final[name] - initial[name]).abs().max()) for name in final}
        moved = [d for d in deltas.values() if d > 0]
        print(f"  {case['name']}: max|delta| {max(deltas.values()):.3e} (smallest per-tensor max of moved "
              f"tensors {min(moved):.3e}, {len(moved)}/{len(deltas)} tensors moved)")
        for entry in log:
            print(f"    step {entry['step']} loss {entry['loss']:.6f} lr {entry['lr']:.6g} "
                  f"grad_norm {entry['grad_norm']:.6f}")
        log64, initial64, final64, _ = run_case(spec, case, batches, dtype=torch.float64)
        assert ([entry["grad_norm"] > case["clip_norm"] for entry in log64]
                == [entry["grad_norm"] > case["clip_norm"] for entry in log]), "the float64 run clips at other steps"
        precision = float32_precision(initial, final, initial64, final64)
        largest = sorted(precision.items(), key=lambda item: -item[1])[:5]
        print(f"  {case['name']}: 5 largest float32_precision:")
        for name, value in largest:
            print(f"    {value:.3e} {name}")
        file64 = case["name"] + ".float64.safetensors"
        save({name: final64[name].float().contiguous() for name in final}, os.path.join(folder, file64))
        results.append(dict(case, file=file, log=log, float32_precision=precision, file_float64=file64))

    with open(os.path.join(folder, "cases.json"), "w") as handle:
        json.dump(dict(model=spec["name"], steps=STEPS, cases=results), handle, indent=1)
        handle.write("\n")


if __name__ == "__main__":
    for spec in MODELS:
        generate(spec)
    total = sum(os.path.getsize(os.path.join(root, f)) for root, _, files in os.walk(TRAINING) for f in files)
    print(f"total {total / 1e6:.2f} MB in {TRAINING}")
