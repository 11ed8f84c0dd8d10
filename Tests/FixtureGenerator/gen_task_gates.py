"""Task head-gate fixtures: what PyTorch computes for the tagging loss of the tiny parity models (task adapter on,
tagging head) when attention heads are gated, so a Swift task-driven head importance (the head-gate gradient of
the tagging cross-entropy, summed in absolute value over batches) and the tagging accuracy under a head mask can be
checked.

Run from the repository root (the venv has torch and transformers 5), after gen_parity.py, gen_adapters.py and
gen_probe_parity.py (whose test.json this reads):
    /work/venv/bin/python Tests/FixtureGenerator/gen_task_gates.py

Inputs (read, never rewritten): the base model Tests/Fixtures/parity/<name>/ and the task adapter + classifier of
Tests/Fixtures/adapters/<name>/adapter.safetensors, loaded exactly as gen_probe_parity.py does (its ProbeModel:
masked-LM model from_pretrained(..., attn_implementation="eager"), the seq_bn Bottleneck of gen_adapters.py in every
layer's output module, the classifier Linear(48, 18)); the adapter is switched ON throughout and nothing is trained.
The model and classifier are put in eval mode (every dropout is 0 in these configs, asserted, so train mode would
give the same numbers). The sentences are the 5 of Tests/Fixtures/probe/parity/<name>/test.json
({"input_ids", "positions", "labels"}: position positions[i] has gold label labels[i] in 0..17; every other
position, specials included, is unlabelled).

Head gating: as gen_head_mask.py, a forward hook on each layer's attention.self multiplies head h's slice
[h*d, (h+1)*d) of the returned context by m[layer, h] before attention.output.dense; m is a [layers, heads] float
tensor (of the run's dtype) requiring grad, so dL/dm[layer, h] is the head-gate gradient, defined for switched-off
heads too (at m = 0 the head's context is still computed, only its contribution is zeroed).

Procedure, per model, in float32 and again in float64 (the checkpoint's float32 weights widened exactly), single
thread, deterministic algorithms:
  batches  [[0, 1], [2, 3], [4]] (indices into test.json's sequences), right-padded with the config's pad id,
           attention mask 1/0, token_type_ids all 0;
  masks    M_ones = all ones (3 layers x 3 heads) and M_off = [[1, 0, 1], [1, 1, 0], [0, 1, 1]] (layer-major
           [layer][head]: one head off per layer, a different head index in each layer);
  for each mask M and batch b: m = M (requires grad); logits = classifier(last hidden state of the base model,
           adapter on, heads gated by m) [rows, width, 18]; loss_b = torch.nn.functional.cross_entropy(logits at
           the labelled positions only, their gold labels) (mean over the batch's labelled positions);
           g_b = torch.autograd.grad(loss_b, m); predictions = argmax of the logits at the labelled positions;
           correct_b = count(prediction == gold), labelled_b = count of labelled positions;
  over the batches (per mask): importance = sum_b |g_b| (elementwise, [layers][heads]),
           accuracy = sum_b correct_b / sum_b labelled_b, loss_mean = sum_b loss_b * labelled_b / sum_b labelled_b
           (= the mean cross-entropy over all labelled positions of the 5 sentences).
Checked (asserted): padding changes nothing (each sentence computed alone, unpadded as the Swift engine packs
sequences: its per-position logits equal the padded batch's, and loss_b * labelled_b and its m-gradient equal the
sum over the batch's sentences of their summed labelled cross-entropies and its m-gradient, to rounding in float32
and ~1e-12 in float64); m = all ones gives bit for bit the logits of the unhooked model; with M_ones the float32
predictions at every test position are gen_probe_parity.py's predictions_before (same model, adapter on, nothing
fine-tuned), so accuracy equals its accuracy_before; the mask changes every batch's loss; the float64 run predicts
the same labels as the float32 one; the smallest top-1 / top-2 logit margin over labelled positions is above 1e-4
in both runs and both masks (it is printed).

Output, per model, Tests/Fixtures/probe/gates/<name>/cases.json (indent 1, trailing newline):
  {"model": name,
   "head_masks": [M_ones, M_off]          ([layer][head], 0/1 integers),
   "batches": [[0, 1], [2, 3], [4]]       (indices into ../../parity/<name>/test.json's "sequences"),
   "results": [{"head_mask": index into head_masks,
                "batches": [{"loss" (float32 run), "gate_gradient" [[layers][heads]] (float32 run),
                             "correct", "labelled",
                             "loss_float64", "gate_gradient_float64"} per batch],
                "importance" [[layers][heads]] (float32 run), "importance_float64",
                "accuracy" (float32 run; the float64 run has the same predictions), "loss_mean" (float32 run)}
               per mask]}
Floats are Python floats of the float32 / float64 tensors (a float32 value widened exactly). It prints, per model,
max|float32 - float64| / max|float64| over the gate gradients (per mask) and the smallest labelled margin.
What it gives: gate gradients agree float32 vs float64 to ~5e-7 relative (of the largest entry); the smallest
labelled margin is ~3.8e-3 (xlmr-tiny) / ~5.2e-3 (bert-tiny), both with M_ones; M_ones reproduces
accuracy_before (12/25, 14/30), and M_off collapses the tagger to nearly one label (xlmr-tiny mostly 10, bert-tiny
13 everywhere), so its accuracy is 1/25 and 1/30: one head off per layer moves these tiny random models' last
hidden states a long way (the mean direction the classifier was decorrelated from, see gen_adapters.py).
The output is bit-for-bit reproducible (single thread, deterministic algorithms, no randomness, fixed order).
"""
import json
import os
import sys

import torch
import transformers

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_adapters  # noqa: E402,F401  (sets single-thread, deterministic torch)
from gen_adapters import NUM_LABELS  # noqa: E402
from gen_probe_parity import MODELS, ProbeModel, adapter_weights  # noqa: E402

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)
transformers.utils.logging.set_verbosity_error()
transformers.utils.logging.disable_progress_bar()
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures")
PROBE_PARITY = os.path.join(FIXTURES, "probe", "parity")
OUTPUT = os.path.join(FIXTURES, "probe", "gates")

BATCHES = [[0, 1], [2, 3], [4]]
HEAD_MASK_OFF = [[1, 0, 1], [1, 1, 0], [0, 1, 1]]  # [layer][head]
MIN_MARGIN = 1e-4


class GatedTagger:
    """gen_probe_parity's ProbeModel (adapter on, eval mode) with a gating hook on every layer's attention.self."""

    def __init__(self, spec, weights, dtype):
        self.probe = ProbeModel(spec, weights, dtype)
        self.probe.model.eval()
        self.probe.classifier.eval()
        config = self.probe.config
        assert config.hidden_dropout_prob == 0 and config.attention_probs_dropout_prob == 0
        assert all(not m.training for m in self.probe.model.modules())
        self.probe.switch["on"] = True
        self.dtype, self.pad = dtype, self.probe.pad
        self.layers, self.heads = config.num_hidden_layers, config.num_attention_heads
        self.hidden = config.hidden_size
        self.head_dim = self.hidden // self.heads
        assert self.head_dim * self.heads == self.hidden
        self.m = None  # None: hooks pass the context through untouched
        for index, layer in enumerate(self.probe.base.encoder.layer):
            layer.attention.self.register_forward_hook(self.hook(index))

    def hook(self, index):
        def gate(module, inputs, output):
            if self.m is None:
                return None
            context = output[0]
            shape = context.shape
            assert shape[-1] == self.hidden, shape
            gated = context.view(*shape[:-1], self.heads, self.head_dim) * self.m[index].view(self.heads, 1)
            return (gated.view(shape),) + tuple(output[1:])
        return gate

    def logits(self, sentences):
        """[rows, width, 18] logits of the right-padded batch, labels [rows, width] (-100 where unlabelled)."""
        width = max(len(s["input_ids"]) for s in sentences)
        ids = torch.full((len(sentences), width), self.pad, dtype=torch.long)
        labels = torch.full((len(sentences), width), -100, dtype=torch.long)
        mask = torch.zeros((len(sentences), width), dtype=torch.long)
        for row, s in enumerate(sentences):
            n = len(s["input_ids"])
            assert self.pad not in s["input_ids"]
            ids[row, :n] = torch.tensor(s["input_ids"])
            mask[row, :n] = 1
            for t, gold in zip(s["positions"], s["labels"]):
                assert 0 < t < n - 1 and 0 <= gold < NUM_LABELS
                labels[row, t] = gold
        hidden = self.probe.base(input_ids=ids, attention_mask=mask,
                                 token_type_ids=torch.zeros_like(ids)).last_hidden_state
        return self.probe.classifier(hidden), labels

    def gate(self, head_mask):
        self.m = torch.tensor(head_mask, dtype=self.dtype).requires_grad_(True)
        assert tuple(self.m.shape) == (self.layers, self.heads), self.m.shape
        return self.m

    def run(self, sentences, head_mask):
        """Loss (mean CE over labelled positions), dloss/dm, correct, labelled, min margin, labelled predictions."""
        m = self.gate(head_mask)
        logits, labels = self.logits(sentences)
        selected = labels != -100
        rows, gold = logits[selected], labels[selected]
        loss = torch.nn.functional.cross_entropy(rows, gold)
        (grad,) = torch.autograd.grad(loss, m)
        self.m = None
        rows = rows.detach()
        predicted = rows.argmax(dim=-1)
        top = rows.topk(2, dim=-1).values
        margin = float((top[:, 0] - top[:, 1]).min())
        return (loss.detach(), grad.detach(), int((predicted == gold).sum()), int(selected.sum()), margin,
                predicted.tolist())

    def check_padding(self, sentences, head_mask):
        """The padded batch against each sentence alone: logits, summed labelled loss and its m-gradient."""
        m = self.gate(head_mask)
        logits, labels = self.logits(sentences)
        total = torch.nn.functional.cross_entropy(logits[labels != -100], labels[labels != -100], reduction="sum")
        (padded_grad,) = torch.autograd.grad(total, m)
        logit_diff, alone_total, alone_grad = 0.0, 0.0, torch.zeros_like(padded_grad)
        for row, s in enumerate(sentences):
            m = self.gate(head_mask)
            single, single_labels = self.logits([s])
            n = len(s["input_ids"])
            logit_diff = max(logit_diff, float((single[0].detach() - logits[row, :n].detach()).abs().max()))
            selected = single_labels != -100
            part = torch.nn.functional.cross_entropy(single[selected], single_labels[selected], reduction="sum")
            (g,) = torch.autograd.grad(part, m)
            alone_total += float(part.detach())
            alone_grad += g
        self.m = None
        loss_diff = abs(alone_total - float(total.detach())) / abs(float(total.detach()))
        grad_diff = float((alone_grad - padded_grad).abs().max()) / float(padded_grad.abs().max())
        tight = self.dtype == torch.float64
        assert logit_diff <= (1e-12 if tight else 1e-5), f"padding changes a logit by {logit_diff}"
        assert loss_diff <= (1e-12 if tight else 1e-5), f"padding changes a loss by {loss_diff} (relative)"
        assert grad_diff <= (1e-10 if tight else 1e-4), f"padding changes a gate gradient by {grad_diff} (relative)"
        return logit_diff, loss_diff, grad_diff

    def check_ones_is_plain(self, sentences):
        with torch.no_grad():
            plain, _ = self.logits(sentences)
            self.gate([[1] * self.heads for _ in range(self.layers)])
            ones, _ = self.logits(sentences)
            self.m = None
        assert torch.equal(plain, ones), "m = 1 must be the unhooked model bit for bit"


def generate(spec):
    name = spec["name"]
    with open(os.path.join(PROBE_PARITY, name, "test.json")) as handle:
        sequences = json.load(handle)["sequences"]
    with open(os.path.join(PROBE_PARITY, name, "cases.json")) as handle:
        parity = json.load(handle)
    assert len(sequences) == 5 and sorted(i for b in BATCHES for i in b) == list(range(len(sequences)))
    weights = adapter_weights(spec)

    runs = {}
    for dtype in (torch.float32, torch.float64):
        tagger = GatedTagger(spec, weights, dtype)
        ones = [[1] * tagger.heads for _ in range(tagger.layers)]
        assert [len(r) for r in HEAD_MASK_OFF] == [tagger.heads] * tagger.layers
        masks = [ones, HEAD_MASK_OFF]
        per_mask, margin = [], float("inf")
        for mask_index, head_mask in enumerate(masks):
            batches = []
            for indices in BATCHES:
                sentences = [sequences[i] for i in indices]
                if mask_index == 0:
                    tagger.check_ones_is_plain(sentences)
                checked = tagger.check_padding(sentences, head_mask)
                loss, grad, correct, labelled, low, predicted = tagger.run(sentences, head_mask)
                assert labelled == sum(len(s["positions"]) for s in sentences)
                margin = min(margin, low)
                batches.append(dict(loss=loss, grad=grad, correct=correct, labelled=labelled, predicted=predicted,
                                    padding=checked))
            per_mask.append(batches)
        runs[dtype] = (masks, per_mask, margin)
        worst = [max(max(b["padding"][k] for b in batches) for batches in per_mask) for k in range(3)]
        print(f"{name} {dtype}: padding vs alone: logits {worst[0]:.1e}, loss {worst[1]:.1e} (relative), "
              f"gate gradient {worst[2]:.1e} (relative); min labelled top1-top2 margin {margin:.4g}")
        assert margin > MIN_MARGIN, f"a labelled argmax is within {margin} of a tie"

    masks, r32, _ = runs[torch.float32]
    _, r64, _ = runs[torch.float64]
    # With all heads on nothing differs from gen_probe_parity's original model: the same predictions.
    expected = [parity["predictions_before"][i][t] for indices in BATCHES for i in indices
                for t in sequences[i]["positions"]]
    assert [p for b in r32[0] for p in b["predicted"]] == expected, "M_ones predictions are not predictions_before"
    results = []
    for mask_index in range(len(masks)):
        batches32, batches64 = r32[mask_index], r64[mask_index]
        out_batches = []
        importance32 = torch.zeros_like(batches32[0]["grad"])
        importance64 = torch.zeros_like(batches64[0]["grad"])
        for b32, b64 in zip(batches32, batches64):
            assert b32["predicted"] == b64["predicted"], "float64 predicts differently"
            assert abs(float(b32["loss"]) - float(b64["loss"])) <= 1e-5
            if mask_index == 1:
                index = batches32.index(b32)
                assert abs(float(b64["loss"]) - float(r64[0][index]["loss"])) > 1e-3, "the mask must change the loss"
            importance32 += b32["grad"].abs()
            importance64 += b64["grad"].abs()
            out_batches.append(dict(loss=float(b32["loss"]), gate_gradient=b32["grad"].tolist(),
                                    correct=b32["correct"], labelled=b32["labelled"],
                                    loss_float64=float(b64["loss"]), gate_gradient_float64=b64["grad"].tolist()))
        correct = sum(b["correct"] for b in batches32)
        labelled = sum(b["labelled"] for b in batches32)
        loss_mean = sum(float(b["loss"]) * b["labelled"] for b in batches32) / labelled
        if mask_index == 0:
            assert correct / labelled == parity["accuracy_before"], "M_ones accuracy is not accuracy_before"
        scale = max(float(b["grad"].abs().max()) for b in batches64)
        error = max(float((b32["grad"].double() - b64["grad"]).abs().max())
                    for b32, b64 in zip(batches32, batches64)) / scale
        print(f"  mask {mask_index} {masks[mask_index]}: accuracy {correct}/{labelled} = {correct / labelled:.4f}, "
              f"loss_mean {loss_mean:.6f}, losses {[round(float(b['loss']), 6) for b in batches32]}, "
              f"max|g32 - g64| / max|g64| {error:.1e}")
        print(f"    importance {[[round(x, 6) for x in row] for row in importance32.tolist()]}")
        results.append(dict(head_mask=mask_index, batches=out_batches, importance=importance32.tolist(),
                            importance_float64=importance64.tolist(), accuracy=correct / labelled,
                            loss_mean=loss_mean))

    folder = os.path.join(OUTPUT, name)
    os.makedirs(folder, exist_ok=True)
    document = dict(model=name, head_masks=masks, batches=BATCHES, results=results)
    with open(os.path.join(folder, "cases.json"), "w") as handle:
        json.dump(document, handle, indent=1)
        handle.write("\n")


if __name__ == "__main__":
    for spec in MODELS:
        generate(spec)
    for spec in MODELS:
        path = os.path.join(OUTPUT, spec["name"], "cases.json")
        print(path, os.path.getsize(path), "bytes")
