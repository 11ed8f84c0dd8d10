"""Adapter fixtures for the Swift trainer: a sequential bottleneck adapter (AdapterHub's "seq_bn", alias
"pfeiffer") in every layer of the tiny parity models, plus a token-classification head, and what PyTorch
computes for them (forward, loss, predictions, gradients, four AdamW steps).

Run from the repository root (the venv has torch and transformers 5), after gen_parity.py:
    /work/venv/bin/python Tests/FixtureGenerator/gen_adapters.py

The base weights are Tests/Fixtures/parity/<name>/ (dropout 0 in config.json), loaded with
from_pretrained(..., attn_implementation="eager"). The adapter is written here in plain PyTorch (no AdapterHub
import): each layer's output module (BertOutput / XLMRobertaOutput) gets a submodule adapters.task and a new
forward. With W_o, b_o that module's dense layer, LN its LayerNorm (gamma, beta, eps from the checkpoint),
u = GELU(intermediate dense(r)) the FFN's hidden activation, and r the attention block output (the FFN's input,
which HF passes to the output module as input_tensor):
    x = dropout(W_o u + b_o)                     the FFN output before the residual (dropout is 0 here)
    h = LN(x + r)                                what the layer outputs without an adapter
    a = W_up ReLU(W_down h + b_down) + b_up      the bottleneck, 48 -> 3 -> 48 (reduction factor 16)
    y = LN(x + a + r)                            the layer's output with the adapter
The same LayerNorm (same gamma and beta) is applied twice: once to give the adapter its input h, once to the
sum. The adapter's own residual is x, the FFN output before the block residual and before LN, not h. This is
AdapterHub's SeqBnConfig: original_ln_before=True, original_ln_after=True, residual_before_ln=True,
ln_before=ln_after=False, adapter_residual_before_ln=False, scaling 1.0, adapter dropout 0.0, no gating,
mh_adapter=False (nothing after the attention block), output_adapter=True. The attention block is unchanged.
The head: logits = W_c dropout(last hidden state) + b_c, 18 labels; the head's dropout (hidden_dropout_prob,
0.1 in real checkpoints) is 0 here like every other dropout, so these fixtures hold no randomness.
Loss = HF CrossEntropyLoss (mean over tokens whose label is not -100).
Checked against the real library (adapters 1.3.0 with transformers 4.57.6 and torch 2.13, in a separate venv, by a
one-off script outside this repository): HF's XLMRobertaForTokenClassification / BertForTokenClassification from
the parity folder + adapters.init + add_adapter("task", config="seq_bn") + train_adapter("task") has exactly
these 12 adapter tensor names, loads adapter.safetensors with nothing left over, trains exactly these 14 tensors,
and reproduces every number written here bit for bit (logits, predictions, losses with and without the adapter,
the masked-LM losses, both gradient files, the AdamW losses and final weights); grad_norm within 1 float32 ulp.

Adapter and head weights are random and seeded (normal, std 0.3 / 0.2, biases std 0.1), not the library's
near-identity init (adapter_down/adapter_up weights N(0, 0.02), biases 0), so every gradient is informative.
The head's weight rows have their component along the base model's mean last hidden state removed (see
decorrelate_head), so that the predictions vary from token to token.

For each model it writes Tests/Fixtures/adapters/<name>/:
  adapter.safetensors           the adapter and head weights, 14 tensors, under AdapterHub's own names:
                                  <p>.encoder.layer.<i>.output.adapters.task.adapter_down.0.weight  [3, 48]
                                  <p>.encoder.layer.<i>.output.adapters.task.adapter_down.0.bias    [3]
                                  <p>.encoder.layer.<i>.output.adapters.task.adapter_up.weight      [48, 3]
                                  <p>.encoder.layer.<i>.output.adapters.task.adapter_up.bias        [48]
                                  classifier.weight [18, 48], classifier.bias [18]
                                (<p> = roberta or bert, i = 0..2). For a HF token-classification model with
                                adapters.init (what AdapterHub's own token-classification example trains),
                                save_adapter(dir, "task", use_safetensors=True) writes exactly these 12 adapter
                                names to dir/adapter.safetensors (pytorch_adapter.bin without use_safetensors)
                                and the 2 head names to dir/model_head.safetensors; here they share one file.
                                AdapterHub's flex-head models (XLMRobertaAdapterModel + add_tagging_head) name
                                the head heads.<name>.1.weight/bias instead (heads.<name>.0 is its dropout).
  cases.json                    the sentences and what the model computes for them (schema below)
  gradients_frozen.safetensors  batch 0, base frozen: dL/dp of the 14 adapter and head tensors
  gradients_full.safetensors    batch 0, everything trainable: dL/dp of every parameter (embeddings, encoder,
                                adapters, head) under checkpoint names; no MLM head (unused by this loss)
  adamw.safetensors             the 14 adapter and head tensors after 4 AdamW steps (below)
cases.json:
  {"model_type", "checkpoint" (folder, relative to this one), "special_token_ids" {cls, pad, sep, unk, mask},
   "adapter" {name, config, hidden_size, bottleneck, reduction_factor, non_linearity, layers, prefix},
   "num_labels", "batch_size",
   "sentences": [{"input_ids", "word_ids" (null for cls/sep), "labels" (label of a word's first subword,
                  -100 on later subwords and specials), "mlm_input_ids", "mlm_labels" (-100 where not
                  predicted)}] (unpadded; batch b is sentences 3b..3b+2, right-padded with the pad id and
                  attention_mask 1/0 as HF batches them),
   "batches": [{"loss" (token classification, adapters on), "loss_without_adapters" (same base and head),
                "predictions" (argmax label at every non-padding token, one list per sentence),
                "mlm_loss" (masked LM with mlm_input_ids/mlm_labels, adapters on, the checkpoint's MLM head),
                "mlm_loss_without_adapters"}],
   "logits_batch0_sentence0": row-major [tokens, 18] logits of sentence 0 (in its padded batch),
   "training": {"optimizer", "lr", "betas", "eps", "weight_decay", "schedule", "warmup_steps",
                "total_steps", "clip_norm" (null: none), "trainable", "steps": [{"step", "batch", "loss", "lr",
                "grad_norm"}], "loss_batch0_after"}}
  "lr" is the rate the step used (read before scheduler.step()): 5e-3 * (4 - k) / 4 for k = 0..3; "grad_norm" the
  global L2 norm of the 14 trainable gradients as clip_grad_norm_ reduces them (per-tensor norms, then the norm of
  those, float32; nothing is clipped); "loss" the loss of the forward pass that step's gradient came from.
  AdamW is torch.optim.AdamW(foreach=False), one parameter group, weight decay 0.
The output is bit-for-bit reproducible (single thread, seeded generators, fixed order).
"""
import json
import os

import torch
import transformers
from safetensors import safe_open
from safetensors.torch import save_file
from torch import nn
from transformers import (BertForMaskedLM, BertForTokenClassification, XLMRobertaForMaskedLM,
                          XLMRobertaForTokenClassification, get_linear_schedule_with_warmup)

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)
transformers.utils.logging.set_verbosity_error()
transformers.utils.logging.disable_progress_bar()
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures")
PARITY = os.path.join(FIXTURES, "parity")
ADAPTERS = os.path.join(FIXTURES, "adapters")

ADAPTER_NAME = "task"
REDUCTION_FACTOR = 16
NUM_LABELS = 18
BATCH_SIZE = 3
LENGTHS = [9, 20, 5, 14, 7, 17, 11, 6, 19, 12, 8, 16]  # with cls and sep; 4 batches of 3
WORD_PIECES = [(1, 0.65), (2, 0.25), (3, 0.10)]  # subwords per word: about 70% of content tokens start a word
MLM_PROB = 0.25
LR, STEPS = 5e-3, 4
VOCAB = 301

MODELS = [
    dict(name="xlmr-tiny", prefix="roberta", tagger=XLMRobertaForTokenClassification, mlm=XLMRobertaForMaskedLM,
         seed=21, specials=dict(cls=0, pad=1, sep=2, unk=3, mask=300)),
    dict(name="bert-tiny", prefix="bert", tagger=BertForTokenClassification, mlm=BertForMaskedLM,
         seed=22, specials=dict(pad=0, unk=1, cls=2, sep=3, mask=4)),
]


class Bottleneck(nn.Module):
    """adapter_down = [Linear(hidden, hidden / 16), ReLU], adapter_up = Linear(hidden / 16, hidden)."""

    def __init__(self, hidden, bottleneck):
        super().__init__()
        self.adapter_down = nn.Sequential(nn.Linear(hidden, bottleneck), nn.ReLU())
        self.adapter_up = nn.Linear(bottleneck, hidden)

    def forward(self, h):
        return self.adapter_up(self.adapter_down(h))


def seq_bn_forward(output):
    """The new forward of a layer's output module; see the module docstring for the formula."""
    def forward(hidden_states, input_tensor):
        x = output.dropout(output.dense(hidden_states))
        h = output.LayerNorm(x + input_tensor)
        a = output.adapters[ADAPTER_NAME](h) + x
        return output.LayerNorm(a + input_tensor)
    return forward


def adapter_names(prefix, layers):
    names = []
    for i in range(layers):
        stem = f"{prefix}.encoder.layer.{i}.output.adapters.{ADAPTER_NAME}."
        names += [stem + "adapter_down.0.weight", stem + "adapter_down.0.bias",
                  stem + "adapter_up.weight", stem + "adapter_up.bias"]
    return names + ["classifier.weight", "classifier.bias"]


def make_weights(spec, config):
    """Seeded adapter and head weights, every tensor non-trivial."""
    generator = torch.Generator().manual_seed(spec["seed"] * 100 + 1)
    hidden, bottleneck = config.hidden_size, config.hidden_size // REDUCTION_FACTOR
    shapes = {"adapter_down.0.weight": ([bottleneck, hidden], 0.3), "adapter_down.0.bias": ([bottleneck], 0.1),
              "adapter_up.weight": ([hidden, bottleneck], 0.3), "adapter_up.bias": ([hidden], 0.1),
              "classifier.weight": ([NUM_LABELS, hidden], 0.2), "classifier.bias": ([NUM_LABELS], 0.1)}
    weights = {}
    for name in adapter_names(spec["prefix"], config.num_hidden_layers):
        shape, std = next(v for k, v in shapes.items() if name.endswith(k))
        weights[name] = torch.randn(shape, generator=generator) * std
    return weights


def decorrelate_head(spec, weights, sentences):
    """Removes from each classifier row its component along the mean last hidden state of the base model.

    The tiny random models' last hidden states share one dominant direction (cosine about 0.98 between tokens), so
    a plain random head predicts the same label at every token of a sentence; without that direction the
    predictions follow the token-specific part (what the adapters change) and so test more.
    """
    base = load(spec, "tagger", False, {})
    states = []
    with torch.no_grad():
        for s in sentences:
            out = base(input_ids=torch.tensor([s["input_ids"]]), output_hidden_states=True)
            states.append(out.hidden_states[-1][0])
    mean = torch.cat(states).mean(dim=0)
    mean = mean / mean.norm()
    weight = weights["classifier.weight"]
    weights["classifier.weight"] = weight - (weight @ mean)[:, None] * mean[None, :]


def load(spec, kind, with_adapters, weights):
    folder = os.path.join(PARITY, spec["name"])
    if kind == "tagger":
        model = spec["tagger"].from_pretrained(folder, num_labels=NUM_LABELS, attn_implementation="eager")
    else:
        model = spec["mlm"].from_pretrained(folder, attn_implementation="eager")
    config = model.config
    assert config.hidden_dropout_prob == 0 and config.attention_probs_dropout_prob == 0
    base = getattr(model, spec["prefix"])
    # from_pretrained must have loaded the checkpoint's base as it is
    with safe_open(os.path.join(folder, "model.safetensors"), "pt") as f:
        for name, p in model.named_parameters():
            if name.startswith(spec["prefix"] + "."):
                assert torch.equal(p.detach(), f.get_tensor(name)), name
    if with_adapters:
        for layer in base.encoder.layer:
            layer.output.adapters = nn.ModuleDict(
                {ADAPTER_NAME: Bottleneck(config.hidden_size, config.hidden_size // REDUCTION_FACTOR)})
            layer.output.forward = seq_bn_forward(layer.output)
    wanted = {n: t for n, t in weights.items() if (with_adapters or ".adapters." not in n)
              and (kind == "tagger" or not n.startswith("classifier."))}
    missing, unexpected = model.load_state_dict(wanted, strict=False)
    assert not unexpected, unexpected
    params = dict(model.named_parameters())
    assert all(n in params for n in wanted)
    model.train()  # every dropout probability is 0: train mode changes nothing but is the reference
    return model


def make_sentences(spec):
    generator = torch.Generator().manual_seed(spec["seed"])
    specials = spec["specials"]
    ordinary = [i for i in range(VOCAB) if i not in set(specials.values())]

    def rand_int(n):
        return int(torch.randint(n, (1,), generator=generator))

    def rand():
        return float(torch.rand((1,), generator=generator))

    sentences = []
    for length in LENGTHS:
        content = [ordinary[rand_int(len(ordinary))] for _ in range(length - 2)]
        word_ids, labels, word = [None], [-100], -1
        while len(word_ids) < length - 1:
            u, pieces = rand(), WORD_PIECES[-1][0]
            for n, p in WORD_PIECES:
                if u < p:
                    pieces = n
                    break
                u -= p
            word += 1
            for k in range(min(pieces, length - 1 - len(word_ids))):
                word_ids.append(word)
                labels.append(rand_int(NUM_LABELS) if k == 0 else -100)
        word_ids.append(None)
        labels.append(-100)
        ids = [specials["cls"]] + content + [specials["sep"]]
        mlm_inputs, mlm_labels = list(ids), [-100] * length
        for t in range(1, length - 1):
            if t == 1 or rand() < MLM_PROB:
                mlm_labels[t] = ids[t]
                choice = rand()
                if choice < 0.8:
                    mlm_inputs[t] = specials["mask"]
                elif choice < 0.9:
                    mlm_inputs[t] = rand_int(VOCAB)
        sentences.append(dict(input_ids=ids, word_ids=word_ids, labels=labels,
                              mlm_input_ids=mlm_inputs, mlm_labels=mlm_labels))
    return sentences


def batch_tensors(sentences, pad, ids_key, labels_key):
    width = max(len(s[ids_key]) for s in sentences)
    ids = torch.full((len(sentences), width), pad, dtype=torch.long)
    labels = torch.full((len(sentences), width), -100, dtype=torch.long)
    mask = torch.zeros((len(sentences), width), dtype=torch.long)
    for row, s in enumerate(sentences):
        n = len(s[ids_key])
        ids[row, :n] = torch.tensor(s[ids_key])
        labels[row, :n] = torch.tensor(s[labels_key])
        mask[row, :n] = 1
    return ids, labels, mask


def run(model, sentences, pad, mlm=False):
    ids, labels, mask = batch_tensors(sentences, pad, *(("mlm_input_ids", "mlm_labels") if mlm
                                                       else ("input_ids", "labels")))
    return model(input_ids=ids, attention_mask=mask, labels=labels)


def run_mask(sentences):
    width = max(len(s["input_ids"]) for s in sentences)
    return torch.tensor([[t < len(s["input_ids"]) for t in range(width)] for s in sentences])


def trainable_gradients(model, names):
    params = dict(model.named_parameters())
    return {n: params[n].grad.detach().clone().contiguous() for n in names}


def generate(spec):
    folder = os.path.join(ADAPTERS, spec["name"])
    os.makedirs(folder, exist_ok=True)
    pad = spec["specials"]["pad"]
    config = transformers.AutoConfig.from_pretrained(os.path.join(PARITY, spec["name"]))
    weights = make_weights(spec, config)
    sentences = make_sentences(spec)
    decorrelate_head(spec, weights, sentences)
    names = adapter_names(spec["prefix"], config.num_hidden_layers)
    save_file({n: weights[n].contiguous() for n in names}, os.path.join(folder, "adapter.safetensors"))
    batches = [sentences[i:i + BATCH_SIZE] for i in range(0, len(sentences), BATCH_SIZE)]

    tagger = load(spec, "tagger", True, weights)
    plain_tagger = load(spec, "tagger", False, weights)
    mlm = load(spec, "mlm", True, weights)
    plain_mlm = load(spec, "mlm", False, weights)
    results, logits0 = [], None
    with torch.no_grad():
        for index, batch in enumerate(batches):
            out = run(tagger, batch, pad)
            predictions = out.logits.argmax(dim=-1)
            top = out.logits.topk(2, dim=-1).values
            margin = (top[..., 0] - top[..., 1])[run_mask(batch)]
            assert float(margin.min()) > 1e-4, "an argmax too close to a tie for float32 parity"
            if index == 0:
                logits0 = out.logits[0, :len(batch[0]["input_ids"])].reshape(-1).tolist()
            results.append(dict(
                loss=float(out.loss),
                loss_without_adapters=float(run(plain_tagger, batch, pad).loss),
                predictions=[predictions[row, :len(s["input_ids"])].tolist() for row, s in enumerate(batch)],
                mlm_loss=float(run(mlm, batch, pad, mlm=True).loss),
                mlm_loss_without_adapters=float(run(plain_mlm, batch, pad, mlm=True).loss)))
            assert abs(results[-1]["loss"] - results[-1]["loss_without_adapters"]) > 1e-3
            assert abs(results[-1]["mlm_loss"] - results[-1]["mlm_loss_without_adapters"]) > 1e-3

    # Every parameter trainable: gradients under checkpoint names (HF names the base <prefix>.*).
    tagger.zero_grad(set_to_none=True)
    run(tagger, batches[0], pad).loss.backward()
    full = {n: p.grad.detach().clone().contiguous() for n, p in tagger.named_parameters()}
    assert all(g is not None for g in full.values())
    save_file(full, os.path.join(folder, "gradients_full.safetensors"))

    # Base frozen: only the adapter and head tensors get gradients.
    frozen = load(spec, "tagger", True, weights)
    for n, p in frozen.named_parameters():
        p.requires_grad_(n in names)
    run(frozen, batches[0], pad).loss.backward()
    assert all(p.grad is None for n, p in frozen.named_parameters() if n not in names)
    save_file(trainable_gradients(frozen, names), os.path.join(folder, "gradients_frozen.safetensors"))

    # AdamW on the adapter and head only, the 4 batches in order.
    model = load(spec, "tagger", True, weights)
    params = dict(model.named_parameters())
    for n, p in params.items():
        p.requires_grad_(n in names)
    optimizer = torch.optim.AdamW([params[n] for n in names], lr=LR, betas=(0.9, 0.999), eps=1e-8,
                                  weight_decay=0.0, foreach=False)
    scheduler = get_linear_schedule_with_warmup(optimizer, 0, STEPS)
    log = []
    for step, batch in enumerate(batches[:STEPS]):
        optimizer.zero_grad(set_to_none=True)
        loss = run(model, batch, pad).loss
        loss.backward()
        norm = torch.nn.utils.get_total_norm([params[n].grad for n in names])
        lr = scheduler.get_last_lr()[0]
        optimizer.step()
        scheduler.step()
        log.append(dict(step=step + 1, batch=step, loss=float(loss.detach()), lr=lr, grad_norm=float(norm)))
    save_file({n: params[n].detach().clone().contiguous() for n in names}, os.path.join(folder, "adamw.safetensors"))
    with torch.no_grad():
        after = float(run(model, batches[0], pad).loss)
    assert after < log[0]["loss"]

    cases = dict(
        model_type=config.model_type, checkpoint=f"../../parity/{spec['name']}", special_token_ids=spec["specials"],
        adapter=dict(name=ADAPTER_NAME, config="seq_bn", hidden_size=config.hidden_size,
                     bottleneck=config.hidden_size // REDUCTION_FACTOR, reduction_factor=REDUCTION_FACTOR,
                     non_linearity="relu", layers=config.num_hidden_layers, prefix=spec["prefix"]),
        num_labels=NUM_LABELS, batch_size=BATCH_SIZE, sentences=sentences, batches=results,
        logits_batch0_sentence0=logits0,
        training=dict(optimizer="AdamW", lr=LR, betas=[0.9, 0.999], eps=1e-8, weight_decay=0.0,
                      schedule="linear", warmup_steps=0, total_steps=STEPS, clip_norm=None,
                      trainable="adapters+head", steps=log, loss_batch0_after=after))
    with open(os.path.join(folder, "cases.json"), "w") as handle:
        json.dump(cases, handle, indent=1)
    print(spec["name"], "losses", [round(r["loss"], 4) for r in results],
          "mlm", round(results[0]["mlm_loss"], 4), "train", [round(s["loss"], 4) for s in log], "->", round(after, 4))


if __name__ == "__main__":
    for spec in MODELS:
        generate(spec)
