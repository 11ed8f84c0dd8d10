"""Parity fixtures for the transfer probe (2403.20088): what PyTorch computes for one probe run on the tiny parity
models that carry the task adapter of gen_adapters.py. A run switches the adapter off, fine-tunes the whole base
model with masked-LM for N steps, switches the adapter back on and tags test sentences with the unchanged adapter
and classifier; these files pin down every number of that run, so a Swift probe that trains the wrong tensors,
forgets to fine-tune, leaves the adapter on while training, or mis-tags can be caught.

Run from the repository root (the venv has torch and transformers 5), after gen_parity.py and gen_adapters.py:
    /work/venv/bin/python Tests/FixtureGenerator/gen_probe_parity.py

Inputs (read, never rewritten): the base model Tests/Fixtures/parity/<name>/ (config.json with every dropout 0,
model.safetensors with the decoder tied to the word embeddings), loaded with from_pretrained(...,
attn_implementation="eager") as the masked-LM model; and Tests/Fixtures/adapters/<name>/adapter.safetensors, whose
12 adapter tensors (<p>.encoder.layer.<i>.output.adapters.task.adapter_down.0.weight/bias, adapter_up.weight/bias)
and classifier.weight [18, 48] / classifier.bias [18] are the task adapter and the tagging head. The adapter is the
seq_bn bottleneck of gen_adapters.py (its docstring gives the arithmetic; Bottleneck is imported from there), with
a switch: off, a layer's output module computes LN(W_o u + b_o + r), exactly HF's own forward; on,
LN(x + W_up ReLU(W_down LN(x + r) + b_down) + b_up + r) with x = W_o u + b_o. Tagging = argmax over the 18 labels of
classifier(last hidden state of the base model with the adapter on), each test sentence alone (no padding).

The run (as Sources/XSNSProbe/Transfer/ProbeJob.swift does it):
  1. adapter off;
  2. N = 4 masked-LM steps on the 4 batches of batches.json in order, training every tensor of model.safetensors
     (embeddings including the word embedding, which is also the tied decoder weight, the encoder layers, the MLM
     head including its output bias) and nothing else: torch.optim.AdamW(lr 1e-3, betas (0.9, 0.999), eps 1e-8,
     weight_decay 0, foreach=False, one parameter group), transformers.get_linear_schedule_with_warmup(opt, 0, N)
     (the step k = 0..3 uses lr 1e-3 * (4 - k) / 4), torch.nn.utils.clip_grad_norm_(those tensors, 1.0) before
     every step (every step is clipped: the norms are ~6 to ~12; clip_grad_norm_ multiplies by
     1.0 / (norm + 1e-6)); loss = HF's masked-LM loss, the mean cross-entropy over the positions whose label is
     not -100. The adapter tensors keep requires_grad but sit in no optimizer; the script asserts that no
     gradient reaches them (so the adapter really is off) and that they and the classifier are bit-for-bit
     unchanged afterwards, and that with the adapter off the loss is bit for bit that of the checkpoint loaded
     as a plain HF masked-LM model;
  3. adapter on, tag the 5 sentences of test.json.
Sequences of a batch have different lengths; PyTorch right-pads them with the config's pad id and an attention mask
(token_type_ids all 0), which the script checks changes nothing: every sequence's per-token losses and its summed
loss's gradient computed alone (unpadded, as the Swift engine packs sequences) equal the padded batch's, to rounding
in float32 and to ~1e-13 in float64 (asserted at the start of each step of both runs). XLM-R's position ids count
from the first token whatever the padding, and no input id inside a sequence is the pad id (random replacements
are drawn from ordinary ids), so right padding leaves the positions alone.

The same run is repeated in float64 (the checkpoint's float32 weights widened exactly, same batches, optimizer,
schedule and clipping); "float32_precision" measures how far PyTorch's own float32 result is from it, so a Swift
test can hold its float32 result to the float64 one with a tolerance derived from PyTorch's, as
Tests/XSNSTrainingTests/AdamWParityTests.swift does for gen_training.py. The attention key biases have an
analytically zero gradient (adding q.b to every score of a query does not change its softmax), so in float32 they
move by rounding noise that Adam scales up to about the learning rate (here after clipping the noise is of the
order of eps, so somewhat less), while in float64 they barely move; their float32_precision is that noise, not a
tolerance, and they do not influence any output (see gen_training.py's docstring).
What it gives: the float32 and float64 loss curves agree to ~1e-6 (asserted to 1e-5); every tensor moves by about
the sum of the learning rates (max|change| ~2.5e-3); float32_precision is ~6e-8 for the median tensor, a few 1e-6
for the worst ones, but 4.3e-5 for one element of xlmr-tiny's layer-2 query weight (an element whose gradient is
nearly cancelled, so Adam's normalisation amplifies float32 noise; 1.7e-2 of that tensor's change), and 2e-4 to
5e-4 for the key biases; so a Swift test should bound each tensor by its own figure (e.g. a small multiple of it
plus a few ulps), not by one global one. The fine-tune changes 26 (xlmr) / 13 (bert) of the 47 test predictions,
and the accuracy drops.

For each model it writes Tests/Fixtures/probe/parity/<name>/:
  batches.json              {"mask_token_id", "batches": [[{"input_ids", "labels"} x3] x4]}: unpadded, cls .. sep;
                            3 sequences of 3 different lengths in 7..12 per batch; each content position is
                            predicted with probability 0.3 (at least 2 per sequence): label = original id, input
                            replaced by the mask id (80%), by a random other ordinary id (10%) or left as it is
                            (10%), each kind occurring at least once; labels -100 at every other position,
                            specials included
  test.json                 {"sequences": [{"input_ids", "positions", "labels"} x5]}: unpadded, cls .. sep, 5
                            different lengths; "positions" the labelled positions (indices into input_ids, never a
                            special, increasing) and "labels" their gold label ids (0..17), the i-th label for the
                            i-th position; about half the gold labels are what the original model predicts there,
                            the others a different label (seeded), so accuracy_before is neither 0 nor 1 (the gold
                            labels therefore follow the original model's predictions)
  cases.json                (indent 1) {"model", "model_type", "checkpoint" and "adapter" (paths relative to this
                            folder), "special_token_ids" {cls, pad, sep, unk, mask}, "num_labels",
                            "settings" {"steps", "lr", "betas", "eps", "weight_decay", "schedule": "linear",
                                        "warmup_steps", "clip_norm", "dropout", "batch_size", "trained"
                                        (description), "adapter_while_training": false,
                                        "adapter_while_tagging": true},
                            "steps": [{"step" (1-based), "lr" (the rate that step used, read before
                                       scheduler.step()), "loss", "grad_norm" (the global L2 norm of all trained
                                       gradients before clipping, as clip_grad_norm_ returns it), "loss_float64",
                                       "grad_norm_float64"}],
                            "predictions_before" / "predictions_after": per test sequence, the argmax label at
                                       every position (specials included), adapter on, original / fine-tuned
                                       weights (float32 run; the float64 run predicts the same, asserted),
                            "accuracy_before" / "accuracy_after": correct / labelled over all labelled positions
                                       of the 5 sequences, "labelled" (that count), "correct_before",
                                       "correct_after", "changed_predictions" (positions where after != before,
                                       all positions), "changed_labelled" (the same, labelled positions only),
                            "min_margin_before" / "min_margin_after": the smallest gap between the largest and
                                       the second largest logit over all positions (float32), so a test knows how
                                       far its logits may drift before an argmax can flip (test sequences with
                                       a gap under 1e-3 in either run or precision are drawn again),
                            "max_logit_error_before" / "max_logit_error_after": max|logit32 - logit64| over all
                                       test positions, PyTorch's float32 run against its float64 run,
                            "float32_precision": {tensor name: max|w32_after - w64_after|} for every trained
                                       tensor (absolute, in weight units),
                            "max_change": {tensor name: max|w64_after - w_before|} (the float64 run), for
                                       relative bounds,
                            "after": "after.safetensors", "after_float64": "after.float64.safetensors"}
  after.safetensors         every base-model tensor after the 4 steps (float32 run), F32, under the checkpoint's
                            own names and in its order (the same 58 names as
                            Tests/Fixtures/parity/<name>/model.safetensors; the tied decoder is not stored
                            separately; metadata {"format": "pt"})
  after.float64.safetensors the same names after the float64 run, stored as F64 (not rounded; a reader that
                            converts to Float rounds each value by up to half a float32 ulp)
The output is bit-for-bit reproducible (single thread, seeded generators, fixed order).
"""
import json
import os
import sys

import torch
import transformers
from safetensors import safe_open
from safetensors.torch import save_file
from torch import nn
from transformers import get_linear_schedule_with_warmup

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_adapters  # noqa: E402  (sets single-thread, deterministic torch; the adapter module and loaders)
from gen_adapters import ADAPTER_NAME, NUM_LABELS, REDUCTION_FACTOR, Bottleneck  # noqa: E402

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)
transformers.utils.logging.set_verbosity_error()
transformers.utils.logging.disable_progress_bar()
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures")
PARITY = os.path.join(FIXTURES, "parity")
ADAPTERS = os.path.join(FIXTURES, "adapters")
OUTPUT = os.path.join(FIXTURES, "probe", "parity")

STEPS = 4
BATCH_SIZE = 3
MIN_LENGTH, MAX_LENGTH = 7, 12  # including cls and sep
PREDICT_PROB = 0.3
MIN_PREDICTED = 2  # per sequence
LR = 1e-3
BETAS = (0.9, 0.999)
EPS = 1e-8
CLIP_NORM = 1.0
TEST_LENGTHS = [9, 13, 6, 11, 8]  # with cls and sep
LABEL_PROB = 0.7  # a content position of a test sequence is labelled with this probability (at least 2)
KEEP_PREDICTION_PROB = 0.5  # a gold label is the original model's prediction with this probability
MIN_MARGIN = 1e-3  # smallest allowed top-1 minus top-2 logit gap at any test position, before and after
VOCAB = 301
KEY_BIAS_SUFFIX = ".attention.self.key.bias"

# Prefix, model classes and special ids as gen_adapters.py has them; seeds of their own.
MODELS = [dict(spec, seed=seed) for spec, seed in zip(gen_adapters.MODELS, [31, 32])]


def adapter_weights(spec):
    with safe_open(os.path.join(ADAPTERS, spec["name"], "adapter.safetensors"), "pt") as handle:
        return {name: handle.get_tensor(name) for name in handle.keys()}


def switchable_seq_bn_forward(output, switch):
    """gen_adapters.seq_bn_forward with an on/off switch; off is HF's own BertOutput/XLMRobertaOutput forward."""
    def forward(hidden_states, input_tensor):
        x = output.dropout(output.dense(hidden_states))
        if not switch["on"]:
            return output.LayerNorm(x + input_tensor)
        h = output.LayerNorm(x + input_tensor)
        a = output.adapters[ADAPTER_NAME](h) + x
        return output.LayerNorm(a + input_tensor)
    return forward


class ProbeModel:
    """The masked-LM model with the switchable adapter in every layer, plus the classifier."""

    def __init__(self, spec, weights, dtype):
        folder = os.path.join(PARITY, spec["name"])
        model = spec["mlm"].from_pretrained(folder, attn_implementation="eager", dtype=torch.float32)
        config = model.config
        assert config.hidden_dropout_prob == 0 and config.attention_probs_dropout_prob == 0
        self.switch = {"on": True}
        self.base = getattr(model, spec["prefix"])
        for layer in self.base.encoder.layer:
            layer.output.adapters = nn.ModuleDict(
                {ADAPTER_NAME: Bottleneck(config.hidden_size, config.hidden_size // REDUCTION_FACTOR)})
            layer.output.forward = switchable_seq_bn_forward(layer.output, self.switch)
        adapter = {n: t for n, t in weights.items() if not n.startswith("classifier.")}
        missing, unexpected = model.load_state_dict(adapter, strict=False)
        assert not unexpected, unexpected
        assert not [n for n in missing if ".adapters." in n], missing
        self.classifier = nn.Linear(config.hidden_size, NUM_LABELS)
        with torch.no_grad():
            self.classifier.weight.copy_(weights["classifier.weight"])
            self.classifier.bias.copy_(weights["classifier.bias"])
        # Widening float32 to float64 is exact; .to keeps each Parameter object (and so the ties).
        model.to(dtype)
        self.classifier.to(dtype)
        self.model, self.config, self.pad = model, config, spec["specials"]["pad"]

        with safe_open(os.path.join(folder, "model.safetensors"), "pt") as handle:
            names = list(handle.keys())
            # from_pretrained must have loaded the checkpoint as it is
            for name, p in model.named_parameters(remove_duplicate=False):
                if name in names:
                    assert torch.equal(p.detach(), handle.get_tensor(name).to(dtype)), name
        # Name each trained Parameter by the one alias the checkpoint uses (the tied decoder weight and bias are
        # the word embedding and the MLM head's bias, one Parameter under two names).
        by_id = {}
        for name, p in model.named_parameters(remove_duplicate=False):
            if name in names:
                assert id(p) not in by_id, f"two checkpoint names for one tensor: {by_id[id(p)][0]}, {name}"
                by_id[id(p)] = (name, p)
        self.trained = sorted(by_id.values(), key=lambda item: names.index(item[0]))
        assert [n for n, _ in self.trained] == names, "every checkpoint tensor must be one model parameter"
        self.adapter = [(n, p) for n, p in model.named_parameters() if ".adapters." in n]
        assert sorted(n for n, _ in self.adapter) == sorted(adapter), "adapter names"
        assert len(self.trained) + len(self.adapter) == len(list(model.parameters())), "an unexpected parameter"
        assert not any(".pooler." in n for n in names)
        model.train()  # every dropout probability is 0: train mode changes nothing but is the reference

    def fixed(self):
        """The tensors the fine-tune must not touch: adapter and classifier."""
        return dict([(n, p.detach().clone()) for n, p in self.adapter]
                    + [("classifier.weight", self.classifier.weight.detach().clone()),
                       ("classifier.bias", self.classifier.bias.detach().clone())])

    def token_losses(self, sentences):
        """Per-token cross-entropy of the padded batch, flattened row by row (0 where the label is -100)."""
        ids, labels, mask = batch_tensors(sentences, self.pad)
        logits = self.model(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids)).logits
        losses = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1),
                                             reduction="none")
        return losses, labels.shape[1]

    def mlm_loss(self, sentences):
        ids, labels, mask = batch_tensors(sentences, self.pad)
        return self.model(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids),
                          labels=labels).loss

    def tag_logits(self, input_ids):
        """Adapter on, one sentence alone: [tokens, 18] logits."""
        assert self.switch["on"]
        ids = torch.tensor([input_ids])
        hidden = self.base(input_ids=ids, attention_mask=torch.ones_like(ids),
                           token_type_ids=torch.zeros_like(ids)).last_hidden_state
        return self.classifier(hidden)[0]


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


def make_generator_tools(seed):
    generator = torch.Generator().manual_seed(seed)

    def randint(n):
        return int(torch.randint(n, (1,), generator=generator))

    def rand():
        return float(torch.rand((1,), generator=generator))

    return randint, rand


def make_batches(specials, seed):
    """Masked sequences with recorded choices (Swift does not replay torch's random stream). The whole set is drawn
    again (the generator running on) until each kind of predicted position occurs: masked, replaced, kept."""
    randint, rand = make_generator_tools(seed)
    ordinary = [i for i in range(VOCAB) if i not in set(specials.values())]

    def draw():
        batches = []
        for _ in range(STEPS):
            lengths = list(range(MIN_LENGTH, MAX_LENGTH + 1))
            chosen = [lengths.pop(randint(len(lengths))) for _ in range(BATCH_SIZE)]
            batch = []
            for length in chosen:
                ids = ([specials["cls"]] + [ordinary[randint(len(ordinary))] for _ in range(length - 2)]
                       + [specials["sep"]])
                while True:  # drawn again until enough positions are predicted
                    predicted = [t for t in range(1, length - 1) if rand() < PREDICT_PROB]
                    if len(predicted) >= MIN_PREDICTED:
                        break
                inputs, labels = list(ids), [-100] * length
                for t in predicted:
                    labels[t] = ids[t]
                    choice = rand()
                    if choice < 0.8:
                        inputs[t] = specials["mask"]
                    elif choice < 0.9:
                        others = [i for i in ordinary if i != ids[t]]
                        inputs[t] = others[randint(len(others))]
                    # else: unchanged, still predicted
                batch.append(dict(input_ids=inputs, labels=labels))
            batches.append(batch)
        return batches

    while True:
        batches = draw()
        kinds = mask_kinds(batches, specials["mask"])
        if all(kinds.values()):
            return batches, kinds


def mask_kinds(batches, mask_id):
    kinds = dict(masked=0, replaced=0, kept=0)
    for batch in batches:
        for s in batch:
            for i, label in zip(s["input_ids"], s["labels"]):
                if label != -100:
                    kinds["masked" if i == mask_id else "kept" if i == label else "replaced"] += 1
    return kinds


def check_padding(probe, batch, dtype):
    """Per-token losses and the gradient of the summed loss: the padded batch against each sequence alone.
    Returns the largest differences (loss, gradient relative to its largest entry). Leaves no gradients."""
    params = [p for _, p in probe.trained]

    def gradient(total):
        grads = torch.autograd.grad(total, params, allow_unused=False)
        return [g.detach().clone() for g in grads]

    losses, width = probe.token_losses(batch)
    padded_grad = gradient(losses.sum())
    loss_diff, alone_grad = 0.0, None
    for row, s in enumerate(batch):
        alone, _ = probe.token_losses([s])
        n = len(s["input_ids"])
        padded_row = losses.detach()[row * width:row * width + n]
        assert torch.all(losses.detach()[row * width + n:(row + 1) * width] == 0), "padding must carry no loss"
        loss_diff = max(loss_diff, float((padded_row - alone.detach()).abs().max()))
        g = gradient(alone.sum())
        alone_grad = g if alone_grad is None else [a + b for a, b in zip(alone_grad, g)]
    # Relative to each tensor's largest gradient entry; the key biases' gradients are rounding noise (zero in exact
    # arithmetic), so theirs is measured against the largest gradient entry of the whole model.
    scale = max(float(b.abs().max()) for b in padded_grad)
    grad_diff = max(float((a - b).abs().max()) / (scale if name.endswith(KEY_BIAS_SUFFIX) else float(b.abs().max()))
                    for (name, _), a, b in zip(probe.trained, alone_grad, padded_grad))
    bound = 1e-12 if dtype == torch.float64 else 1e-4
    assert loss_diff <= (1e-12 if dtype == torch.float64 else 1e-5), f"padding changes a loss by {loss_diff}"
    assert grad_diff <= bound, f"padding changes a gradient by {grad_diff} (relative)"
    return loss_diff, grad_diff


def fine_tune(spec, weights, batches, dtype):
    """Adapter off, N masked-LM steps on the base model, adapter on. Returns the probe model, the log, the weights
    before and after (by checkpoint name) and the padding check's worst differences."""
    probe = ProbeModel(spec, weights, dtype)
    initial = {n: p.detach().clone() for n, p in probe.trained}
    fixed = probe.fixed()
    trained = [p for _, p in probe.trained]
    optimizer = torch.optim.AdamW(trained, lr=LR, betas=BETAS, eps=EPS, weight_decay=0.0, foreach=False)
    scheduler = get_linear_schedule_with_warmup(optimizer, 0, STEPS)
    probe.switch["on"] = False
    # Off must be the plain HF model: the same loss, bit for bit, as the checkpoint loaded without adapters.
    plain = spec["mlm"].from_pretrained(os.path.join(PARITY, spec["name"]), attn_implementation="eager",
                                        dtype=torch.float32).to(dtype)
    with torch.no_grad():
        ids, labels, mask = batch_tensors(batches[0], probe.pad)
        reference = plain(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids),
                          labels=labels).loss
        assert torch.equal(probe.mlm_loss(batches[0]), reference), "adapter off is not the plain model"
    log, padding = [], (0.0, 0.0)
    for step, batch in enumerate(batches, start=1):
        checked = check_padding(probe, batch, dtype)
        padding = tuple(max(a, b) for a, b in zip(padding, checked))
        optimizer.zero_grad(set_to_none=True)
        loss = probe.mlm_loss(batch)
        loss.backward()
        assert all(p.grad is None for _, p in probe.adapter), "a gradient reached the adapter: it is not off"
        assert all(p.grad is not None for p in trained)
        norm = torch.nn.utils.clip_grad_norm_(trained, CLIP_NORM)
        lr = optimizer.param_groups[0]["lr"]
        optimizer.step()
        scheduler.step()
        log.append(dict(step=step, lr=lr, loss=float(loss.detach()), grad_norm=float(norm)))
    optimizer.zero_grad(set_to_none=True)
    probe.switch["on"] = True
    for name, value in probe.fixed().items():
        assert torch.equal(value, fixed[name]), f"{name} changed during the fine-tune"
    final = {n: p.detach().clone().contiguous() for n, p in probe.trained}
    return probe, log, initial, final, padding


def tag(probe, sequences):
    """Predictions at every position and the smallest top-1 / top-2 logit gap, each sequence alone."""
    predictions, margin = [], float("inf")
    with torch.no_grad():
        for s in sequences:
            logits = probe.tag_logits(s["input_ids"])
            predictions.append(logits.argmax(dim=-1).tolist())
            top = logits.topk(2, dim=-1).values
            margin = min(margin, float((top[:, 0] - top[:, 1]).min()))
    return predictions, margin


def cross_check_tagger(spec, weights, probe, sequences):
    """The probe's tagging (adapter on) against gen_adapters' HF token-classification model with the same base
    weights, and against a padded batch: the same logits."""
    tagger = gen_adapters.load(spec, "tagger", True, weights)
    state = {n: p.detach() for n, p in probe.trained if n.startswith(spec["prefix"] + ".")}
    missing, unexpected = tagger.load_state_dict(state, strict=False)
    assert not unexpected and set(missing) == set(weights), (missing, unexpected)  # the adapter and head stay
    with torch.no_grad():
        alone = [probe.tag_logits(s["input_ids"]) for s in sequences]
        for s, mine in zip(sequences, alone):
            ids = torch.tensor([s["input_ids"]])
            theirs = tagger(input_ids=ids, attention_mask=torch.ones_like(ids)).logits[0]
            assert float((mine - theirs).abs().max()) <= 1e-5, "the probe's tagger is not HF's"
        batch = [dict(input_ids=s["input_ids"], labels=[-100] * len(s["input_ids"])) for s in sequences]
        ids, _, mask = batch_tensors(batch, probe.pad)
        padded = tagger(input_ids=ids, attention_mask=mask).logits
        for row, mine in enumerate(alone):
            assert float((padded[row, :mine.shape[0]] - mine).abs().max()) <= 1e-5, "padding changes tagging"


def make_test(spec, seed, models):
    """Test sequences and labelled positions (gold labels are filled in later from the original predictions). A
    sequence is drawn again (the generator running on) while any of its positions has a top-1 / top-2 logit gap
    under MIN_MARGIN for one of `models` (original and fine-tuned, float32 and float64): an argmax that close to a
    tie could flip under another implementation's rounding."""
    randint, rand = make_generator_tools(seed * 100 + 7)
    specials = spec["specials"]
    ordinary = [i for i in range(VOCAB) if i not in set(specials.values())]
    sequences, redrawn = [], 0
    for length in TEST_LENGTHS:
        while True:
            ids = ([specials["cls"]] + [ordinary[randint(len(ordinary))] for _ in range(length - 2)]
                   + [specials["sep"]])
            if all(tag(model, [dict(input_ids=ids)])[1] >= MIN_MARGIN for model in models):
                break
            redrawn += 1
        while True:
            positions = [t for t in range(1, length - 1) if rand() < LABEL_PROB]
            if len(positions) >= 2:
                break
        sequences.append(dict(input_ids=ids, positions=positions))
    return sequences, (randint, rand), redrawn


def gold_labels(sequences, predictions, tools):
    randint, rand = tools
    for s, predicted in zip(sequences, predictions):
        labels = []
        for t in s["positions"]:
            if rand() < KEEP_PREDICTION_PROB:
                labels.append(predicted[t])
            else:
                labels.append((predicted[t] + 1 + randint(NUM_LABELS - 1)) % NUM_LABELS)
        s["labels"] = labels


def accuracy(sequences, predictions):
    correct = sum(predicted[t] == gold for s, predicted in zip(sequences, predictions)
                  for t, gold in zip(s["positions"], s["labels"]))
    return correct, sum(len(s["positions"]) for s in sequences)


def save(tensors, path):
    save_file(tensors, path, metadata={"format": "pt"})


def generate(spec):
    folder = os.path.join(OUTPUT, spec["name"])
    os.makedirs(folder, exist_ok=True)
    weights = adapter_weights(spec)
    batches, kinds = make_batches(spec["specials"], spec["seed"])
    print(spec["name"], "lengths", [[len(s["input_ids"]) for s in b] for b in batches],
          "predicted", [[sum(label != -100 for label in s["labels"]) for s in b] for b in batches], kinds)

    original = ProbeModel(spec, weights, torch.float32)
    original64 = ProbeModel(spec, weights, torch.float64)
    probe, log, initial, final, padding = fine_tune(spec, weights, batches, torch.float32)
    probe64, log64, initial64, final64, padding64 = fine_tune(spec, weights, batches, torch.float64)
    print(f"  padding vs alone: float32 loss {padding[0]:.2e} gradient {padding[1]:.2e} (relative); "
          f"float64 loss {padding64[0]:.2e} gradient {padding64[1]:.2e}")
    for a, b in zip(log, log64):
        assert abs(a["loss"] - b["loss"]) <= 1e-5, f"float32 loss {a['loss']} vs float64 {b['loss']}"
        assert a["lr"] == b["lr"]
        a["loss_float64"], a["grad_norm_float64"] = b["loss"], b["grad_norm"]
        print(f"    step {a['step']} lr {a['lr']:.6g} loss {a['loss']:.7f} (float64 {b['loss']:.7f}) "
              f"grad_norm {a['grad_norm']:.6f} (float64 {b['grad_norm']:.6f})")
    assert all(entry["grad_norm"] > CLIP_NORM for entry in log), "every step is expected to be clipped"

    sequences, tools, redrawn = make_test(spec, spec["seed"], [original, probe, original64, probe64])
    before, margin_before = tag(original, sequences)
    after, margin_after = tag(probe, sequences)
    assert tag(original64, sequences)[0] == before and tag(probe64, sequences)[0] == after, "float64 disagrees"
    assert margin_before >= MIN_MARGIN and margin_after >= MIN_MARGIN, (margin_before, margin_after)
    with torch.no_grad():
        logit_error = [max(float((a.tag_logits(s["input_ids"]).double() - b.tag_logits(s["input_ids"])).abs().max())
                           for s in sequences) for a, b in [(original, original64), (probe, probe64)]]
    print(f"  test sequences redrawn for a near tie: {redrawn}; max|logit32 - logit64| before "
          f"{logit_error[0]:.2e}, after {logit_error[1]:.2e}")
    cross_check_tagger(spec, weights, original, sequences)
    cross_check_tagger(spec, weights, probe, sequences)
    gold_labels(sequences, before, tools)
    correct_before, labelled = accuracy(sequences, before)
    correct_after, _ = accuracy(sequences, after)
    changed = sum(a != b for pa, pb in zip(after, before) for a, b in zip(pa, pb))
    changed_labelled = sum(pa[t] != pb[t] for s, pa, pb in zip(sequences, after, before) for t in s["positions"])
    assert changed >= 1, "the fine-tune changes no prediction: raise LR or STEPS"
    assert 0 < correct_before < labelled, "accuracy_before should be neither 0 nor 1"
    print(f"  tagging: {changed} of {sum(map(len, before))} predictions changed ({changed_labelled} of "
          f"{labelled} labelled); accuracy {correct_before}/{labelled} -> {correct_after}/{labelled}; "
          f"min margin {margin_before:.4f} -> {margin_after:.4f}")

    precision = {n: float((final[n].double() - final64[n]).abs().max()) for n in final}
    change = {n: float((final64[n] - initial64[n]).abs().max()) for n in final}
    others = [n for n in precision if not n.endswith(KEY_BIAS_SUFFIX)]
    worst = max(others, key=lambda n: precision[n])
    worst_relative = max(others, key=lambda n: precision[n] / change[n])
    keys = max(precision[n] for n in precision if n.endswith(KEY_BIAS_SUFFIX))
    print(f"  float32 vs float64: max {precision[worst]:.3e} ({worst}); worst relative to the change "
          f"{precision[worst_relative] / change[worst_relative]:.3e} ({worst_relative}); key biases {keys:.3e}; "
          f"largest change {max(change.values()):.3e}")
    for n in final:
        assert torch.equal(initial[n].double(), initial64[n]), n

    save(final, os.path.join(folder, "after.safetensors"))
    save(final64, os.path.join(folder, "after.float64.safetensors"))
    with safe_open(os.path.join(folder, "after.safetensors"), "pt") as handle:
        assert all(torch.equal(handle.get_tensor(n), final[n]) for n in final)
    with open(os.path.join(folder, "batches.json"), "w") as handle:
        json.dump(dict(mask_token_id=spec["specials"]["mask"], batches=batches), handle, separators=(",", ":"))
        handle.write("\n")
    with open(os.path.join(folder, "test.json"), "w") as handle:
        json.dump(dict(sequences=[dict(input_ids=s["input_ids"], positions=s["positions"], labels=s["labels"])
                                  for s in sequences]), handle, separators=(",", ":"))
        handle.write("\n")
    cases = dict(
        model=spec["name"], model_type=probe.config.model_type, checkpoint=f"../../../parity/{spec['name']}",
        adapter=f"../../../adapters/{spec['name']}/adapter.safetensors", special_token_ids=spec["specials"],
        num_labels=NUM_LABELS,
        settings=dict(steps=STEPS, lr=LR, betas=list(BETAS), eps=EPS, weight_decay=0.0, schedule="linear",
                      warmup_steps=0, clip_norm=CLIP_NORM, dropout=0.0, batch_size=BATCH_SIZE,
                      trained="every tensor of model.safetensors (embeddings incl. the tied word embedding, "
                              "encoder layers, MLM head); not the adapter, not the classifier",
                      adapter_while_training=False, adapter_while_tagging=True),
        steps=log,
        predictions_before=before, accuracy_before=correct_before / labelled,
        predictions_after=after, accuracy_after=correct_after / labelled,
        labelled=labelled, correct_before=correct_before, correct_after=correct_after,
        changed_predictions=changed, changed_labelled=changed_labelled,
        min_margin_before=margin_before, min_margin_after=margin_after,
        max_logit_error_before=logit_error[0], max_logit_error_after=logit_error[1],
        float32_precision=precision, max_change=change,
        after="after.safetensors", after_float64="after.float64.safetensors")
    with open(os.path.join(folder, "cases.json"), "w") as handle:
        json.dump(cases, handle, indent=1)
        handle.write("\n")


if __name__ == "__main__":
    for spec in MODELS:
        generate(spec)
    for spec in MODELS:
        folder = os.path.join(OUTPUT, spec["name"])
        sizes = {f: os.path.getsize(os.path.join(folder, f)) for f in sorted(os.listdir(folder))}
        print(spec["name"], f"{sum(sizes.values()) / 1e6:.3f} MB", sizes)
