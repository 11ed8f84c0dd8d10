"""Head-mask fixtures for the Swift encoder: what PyTorch computes for the tiny parity models when some attention
heads are switched off, so a Swift head mask (and the head-gate gradient, the importance signal) can be checked.

Run from the repository root (the venv has torch and transformers 5), after gen_parity.py and gen_training.py:
    /work/venv/bin/python Tests/FixtureGenerator/gen_head_mask.py

The mask. m[layer][head] in {0, 1} multiplies head h's context vector softmax(Q_h K_h^T / sqrt(d) + mask) V_h
before the attention output projection (attention.output.dense). That is what HF's `head_mask` argument did in
transformers 4 (it multiplied the attention probabilities, which is the same thing), but transformers 5 removed
it: BertForMaskedLM / XLMRobertaForMaskedLM still accept head_mask=... through **kwargs and silently ignore it
(an all-zero head_mask leaves the logits unchanged, eager attention included; the script prints this check). So
the mask is applied here by a forward hook on every layer's attention.self module that multiplies each head's
slice [h*d, (h+1)*d) of the returned context by m[layer, h] (as gen_parity.py's HeadGates does with m = 1). With m a
float tensor that requires grad, dL/dm[layer, h] = sum over positions of <context_h, dL/d(gated context_h)> is the
head-gate gradient; it is defined for switched-off heads too (at m = 0 the context is still computed, only its
contribution is zeroed).

Inputs (read, never rewritten): Tests/Fixtures/parity/<name>/ (config.json with every dropout 0, model.safetensors,
decoder tied to the word embeddings), loaded with from_pretrained(..., attn_implementation="eager"), train mode
(dropout 0, so it changes nothing); and the masked-LM batches of Tests/Fixtures/training/<name>/batches.json
(5 batches of 3 unpadded sequences of 3 different lengths each, cls .. sep, labels -100 where nothing is
predicted; copied into cases.json). PyTorch right-pads a batch with the pad id and an attention mask (token_type_ids
all 0); the script asserts that this changes nothing against each sequence computed alone (the Swift engine packs
sequences without padding). Loss = HF's masked-LM loss, the mean cross-entropy over the batch's predicted tokens.

For each model it writes Tests/Fixtures/heads/<name>/:
  cases.json   (indent 1) {"model", "model_type", "layers", "heads", "head_dim",
               "head_mask": [[0/1 per head] per layer] (3 of the 9 heads off, one per layer, a different head
                            index in each layer, so a layer/head transposition or a reversed head order shows),
               "batches": [[{"input_ids", "labels"} x3] x5],
               "cases": [{"batch" (index into batches), "predicted" (tokens with a label),
                          "loss_masked", "loss_unmasked" (m = all ones: the plain model, bit for bit),
                          "gate_gradient_masked": dL/dm at m = head_mask, [layers][heads],
                          "gate_gradient_unmasked": dL/dm at m = all ones,
                          and the same four from the float64 rerun with suffix "_float64"}],
               "gradient_batch": 0, "gradients": "gradients.safetensors",
               "gradients_float64": "gradients.float64.safetensors"}
  gradients.safetensors          batch 0 with the mask applied: dL/dp for every parameter whose name contains
                                 "encoder.layer." (the state dict's names, e.g.
                                 roberta.encoder.layer.0.attention.self.query.weight), F32, metadata {"format": "pt"}
  gradients.float64.safetensors  the same names from the same computation in float64 (weights widened exactly,
                                 model.double()), stored as F64 (not rounded)

Asserted: the loss with the mask differs from the one without; a switched-off head's rows of the query, key and
value weights and its slices of their biases get exactly zero gradient (its output is multiplied by 0, so nothing
upstream of it inside the head reaches the loss), and so do its input columns of attention.output.dense.weight
(their gradient is dL/d(out) times the gated context, which is 0); switched-on heads' query/value weights get
non-zero gradients; zeroing a switched-off head's value weights and bias instead of gating gives the same masked
loss (float64, to 1e-12); m = all ones reproduces the unhooked model's loss bit for bit. Every key bias has an
analytically zero gradient (a per-query constant added to every score does not change the softmax), so for
switched-on heads what is stored is rounding noise (~1e-8 in float32).
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
TRAINING = os.path.join(FIXTURES, "training")
HEADS = os.path.join(FIXTURES, "heads")

THETA_MARKER = "encoder.layer."
GRADIENT_BATCH = 0
HEAD_MASK = [[1, 0, 1], [1, 1, 0], [0, 1, 1]]  # [layer][head]

MODELS = [
    dict(name="xlmr-tiny", cls=XLMRobertaForMaskedLM, pad=1),
    dict(name="bert-tiny", cls=BertForMaskedLM, pad=0),
]


class GatedModel:
    """The masked-LM model with a forward hook on each attention.self multiplying head h's context by m[layer, h]."""

    def __init__(self, spec, dtype):
        self.model = spec["cls"].from_pretrained(os.path.join(PARITY, spec["name"]), attn_implementation="eager",
                                                 dtype=torch.float32)
        self.model.to(dtype)  # widening float32 to float64 is exact
        self.model.train()  # every dropout is 0 (asserted): train mode is the reference, not a source of noise
        config = self.model.config
        assert config.hidden_dropout_prob == 0 and config.attention_probs_dropout_prob == 0
        self.dtype, self.pad = dtype, spec["pad"]
        self.layers, self.heads = config.num_hidden_layers, config.num_attention_heads
        self.head_dim = config.hidden_size // self.heads
        self.m = None  # None: hooks pass the context through untouched (the plain model)
        for index, layer in enumerate(self.model.base_model.encoder.layer):
            layer.attention.self.register_forward_hook(self.hook(index))
        state_names = set(self.model.state_dict())
        self.theta = [(n, p) for n, p in self.model.named_parameters() if THETA_MARKER in n]
        assert all(n in state_names for n, _ in self.theta)

    def hook(self, index):
        def gate(module, inputs, output):
            if self.m is None:
                return None
            context = output[0]
            shape = context.shape
            gated = context.view(*shape[:-1], self.heads, self.head_dim) * self.m[index].view(self.heads, 1)
            return (gated.view(shape),) + tuple(output[1:])
        return gate

    def token_losses(self, batch):
        """Per-token cross-entropy of the right-padded batch, flattened [rows * width] (0 where no label)."""
        width = max(len(s["input_ids"]) for s in batch)
        ids = torch.full((len(batch), width), self.pad, dtype=torch.long)
        labels = torch.full((len(batch), width), -100, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, s in enumerate(batch):
            n = len(s["input_ids"])
            ids[row, :n] = torch.tensor(s["input_ids"])
            labels[row, :n] = torch.tensor(s["labels"])
            mask[row, :n] = 1
        logits = self.model(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids)).logits
        losses = torch.nn.functional.cross_entropy(logits.view(-1, logits.shape[-1]), labels.view(-1),
                                                   ignore_index=-100, reduction="none")
        return losses, width, int((labels != -100).sum())

    def hf_loss(self, batch):
        """HF's own masked-LM loss (the reference definition of the mean)."""
        width = max(len(s["input_ids"]) for s in batch)
        ids = torch.full((len(batch), width), self.pad, dtype=torch.long)
        labels = torch.full((len(batch), width), -100, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, s in enumerate(batch):
            n = len(s["input_ids"])
            ids[row, :n], labels[row, :n], mask[row, :n] = torch.tensor(s["input_ids"]), torch.tensor(s["labels"]), 1
        return self.model(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids),
                          labels=labels).loss

    def run(self, batch, mask, with_theta=False):
        """Loss, dL/dm (and dL/dθ) at m = mask for the padded batch."""
        self.m = torch.tensor(mask, dtype=self.dtype).requires_grad_(True)
        loss = self.hf_loss(batch)
        targets = [self.m] + ([p for _, p in self.theta] if with_theta else [])
        grads = torch.autograd.grad(loss, targets)
        self.m = None
        return loss.detach(), grads[0], ({n: g for (n, _), g in zip(self.theta, grads[1:])} if with_theta else None)

    def check_padding(self, batch, mask):
        """Summed per-token loss: gradients of the padded batch against each sequence alone (m and θ)."""
        self.m = torch.tensor(mask, dtype=self.dtype).requires_grad_(True)
        targets = [self.m] + [p for _, p in self.theta]
        losses, width, _ = self.token_losses(batch)
        padded = torch.autograd.grad(losses.sum(), targets)
        alone, loss_diff = None, 0.0
        for row, s in enumerate(batch):
            single, _, _ = self.token_losses([s])
            n = len(s["input_ids"])
            padded_row = losses.detach()[row * width:row * width + n]
            loss_diff = max(loss_diff, float((padded_row - single.detach()).abs().max()))
            g = torch.autograd.grad(single.sum(), targets)
            alone = g if alone is None else [a + b for a, b in zip(alone, g)]
        self.m = None
        scale = max(float(b.abs().max()) for b in padded)
        names = ["m"] + [n for n, _ in self.theta]
        # Key biases are rounding noise (zero in exact arithmetic): relative to the largest entry overall.
        grad_diff = max(float((a - b).abs().max()) / (scale if n.endswith("key.bias") or float(b.abs().max()) == 0
                                                       else float(b.abs().max()))
                        for n, a, b in zip(names, alone, padded))
        tight = self.dtype == torch.float64
        assert loss_diff <= (1e-12 if tight else 1e-5), f"padding changes a loss by {loss_diff}"
        assert grad_diff <= (1e-10 if tight else 1e-4), f"padding changes a gradient by {grad_diff} (relative)"
        return loss_diff, grad_diff


def check_zero_gradients(gated, grads, mask):
    """A switched-off head's Q/K/V rows and bias slices and its columns of the output projection: exactly 0."""
    d = gated.head_dim
    prefix = gated.model.base_model_prefix + ".encoder.layer."
    for layer in range(gated.layers):
        for head in range(gated.heads):
            rows = slice(head * d, (head + 1) * d)
            parts = [grads[f"{prefix}{layer}.attention.self.{w}.{t}"][rows] for w in ("query", "key", "value")
                     for t in ("weight", "bias")]
            parts.append(grads[f"{prefix}{layer}.attention.output.dense.weight"][:, rows])
            if mask[layer][head] == 0:
                assert all(torch.all(p == 0) for p in parts), f"off head {layer}.{head} has a non-zero gradient"
            else:
                q, v = grads[f"{prefix}{layer}.attention.self.query.weight"][rows], parts[4]
                assert float(q.abs().max()) > 1e-6 and float(v.abs().max()) > 1e-6, f"on head {layer}.{head}"


def zeroed_value_loss(spec, batch, mask):
    """The masked loss computed the other way round: off heads' value weights and bias set to 0, no gate (float64)."""
    gated = GatedModel(spec, torch.float64)
    d = gated.head_dim
    with torch.no_grad():
        for layer, module in enumerate(gated.model.base_model.encoder.layer):
            for head in range(gated.heads):
                if mask[layer][head] == 0:
                    module.attention.self.value.weight[head * d:(head + 1) * d] = 0
                    module.attention.self.value.bias[head * d:(head + 1) * d] = 0
        return float(gated.hf_loss(batch))


def hf_head_mask_is_ignored(spec):
    gated = GatedModel(spec, torch.float32)
    ids = torch.tensor([[5, 6, 7, 8, 9, 10]])
    with torch.no_grad():
        plain = gated.model(input_ids=ids).logits
        zero = gated.model(input_ids=ids, head_mask=torch.zeros(gated.layers, gated.heads)).logits
    return torch.equal(plain, zero)


def generate(spec):
    folder = os.path.join(HEADS, spec["name"])
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(TRAINING, spec["name"], "batches.json")) as handle:
        batches = json.load(handle)["steps"]
    ignored = hf_head_mask_is_ignored(spec)
    print(spec["name"], "HF head_mask ignored by transformers", transformers.__version__, ":", ignored)

    runs = {}
    for dtype in (torch.float32, torch.float64):
        gated = GatedModel(spec, dtype)
        assert [len(r) for r in HEAD_MASK] == [gated.heads] * gated.layers
        ones = [[1] * gated.heads for _ in range(gated.layers)]
        results, theta_grads = [], None
        for index, batch in enumerate(batches):
            assert len({len(s["input_ids"]) for s in batch}) == len(batch), "lengths within a batch must differ"
            loss_m, gate_m, grads = gated.run(batch, HEAD_MASK, with_theta=index == GRADIENT_BATCH)
            loss_u, gate_u, _ = gated.run(batch, ones)
            plain = gated.hf_loss(batch).detach()  # no hook at all
            assert torch.equal(plain, loss_u), "m = 1 must be the plain model bit for bit"
            assert abs(float(loss_m) - float(loss_u)) > 1e-3, "the mask must change the loss"
            if grads is not None:
                theta_grads = grads
                check_zero_gradients(gated, grads, HEAD_MASK)
                loss_diff, grad_diff = gated.check_padding(batch, HEAD_MASK)
                print(f"  {dtype}: padding vs alone: loss {loss_diff:.1e}, gradient {grad_diff:.1e} (relative)")
            results.append(dict(loss_masked=float(loss_m), loss_unmasked=float(loss_u),
                                gate_gradient_masked=gate_m.tolist(), gate_gradient_unmasked=gate_u.tolist()))
        runs[dtype] = (results, theta_grads)
        if dtype == torch.float64:
            other = zeroed_value_loss(spec, batches[GRADIENT_BATCH], HEAD_MASK)
            assert abs(other - results[GRADIENT_BATCH]["loss_masked"]) <= 1e-12, "zeroed values vs gate"

    r32, g32 = runs[torch.float32]
    r64, g64 = runs[torch.float64]
    cases = []
    for index, (a, b) in enumerate(zip(r32, r64)):
        predicted = sum(label != -100 for s in batches[index] for label in s["labels"])
        for key in ("loss_masked", "loss_unmasked"):
            assert abs(a[key] - b[key]) <= 1e-5, f"float32 {key} {a[key]} vs float64 {b[key]}"
        cases.append(dict(batch=index, predicted=predicted, **a, **{k + "_float64": v for k, v in b.items()}))
        gate_err = max(abs(x - y) for k in ("gate_gradient_masked", "gate_gradient_unmasked")
                       for rx, ry in zip(a[k], b[k]) for x, y in zip(rx, ry))
        print(f"  batch {index}: predicted {predicted}, loss masked {a['loss_masked']:.6f} "
              f"unmasked {a['loss_unmasked']:.6f}, max|gate32 - gate64| {gate_err:.1e}")
    scale = max(float(g.abs().max()) for g in g64.values())
    worst = max((float((g32[n].double() - g64[n]).abs().max())
                 / (scale if n.endswith("key.bias") or float(g64[n].abs().max()) == 0 else float(g64[n].abs().max())),
                 n) for n in g64)
    print(f"  gradients: {len(g32)} tensors, worst max|g32 - g64| / max|g64| {worst[0]:.1e} ({worst[1]})")

    save_file({n: g.contiguous() for n, g in g32.items()}, os.path.join(folder, "gradients.safetensors"),
              metadata={"format": "pt"})
    save_file({n: g.contiguous() for n, g in g64.items()}, os.path.join(folder, "gradients.float64.safetensors"),
              metadata={"format": "pt"})
    gated = GatedModel(spec, torch.float32)
    document = dict(model=spec["name"], model_type=gated.model.config.model_type, layers=gated.layers,
                    heads=gated.heads, head_dim=gated.head_dim, head_mask=HEAD_MASK, batches=batches, cases=cases,
                    gradient_batch=GRADIENT_BATCH, gradients="gradients.safetensors",
                    gradients_float64="gradients.float64.safetensors")
    with open(os.path.join(folder, "cases.json"), "w") as handle:
        json.dump(document, handle, indent=1)
        handle.write("\n")


if __name__ == "__main__":
    for spec in MODELS:
        generate(spec)
    total = sum(os.path.getsize(os.path.join(root, f)) for root, _, files in os.walk(HEADS) for f in files)
    print(f"total {total / 1e6:.2f} MB in {HEADS}")
