"""Parity fixtures for the Swift encoder: tiny random-weight masked-LM models with real configs and what
PyTorch + transformers compute for them.

Run from the repository root (the venv has torch and transformers 5):
    /work/venv/bin/python Tests/FixtureGenerator/gen_parity.py

For each model it writes Tests/Fixtures/parity/<name>/:
  config.json, model.safetensors   save_pretrained(safe_serialization=True) (the tied decoder is omitted)
  cases.json                       sentences (original ids, masked input ids, labels), batch size, losses,
                                   the mean-pooled last hidden state of sentence 0
  gradient_single.safetensors      dL/dθ for sentence 0 alone, plus "head_importance" = dL/dξ (signed)
  gradient_batch.safetensors       dL/dθ for batch 0 (right padding + attention mask, as HF batches)
  fisher_xsns.safetensors          xsns estimator: per-batch gradient, each θ tensor clipped with
                                   clip_grad_norm_(tensor, 1.0), squared, summed, / counted batches;
                                   "head_importance" = mean |dL/dξ| over counted batches
  fisher_exact.safetensors         exact estimator: per-sentence gradient squared, averaged; same head importance
The inputs are masked here with recorded choices: torch's random stream is not something Swift reproduces.
The last batch is one sentence with no predicted token: it must be skipped by both estimators.
"""
import json
import os

import torch
from safetensors.torch import save_file
from transformers import BertConfig, BertForMaskedLM, XLMRobertaConfig, XLMRobertaForMaskedLM

torch.set_num_threads(1)
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures", "parity")
BATCH_SIZE = 3
LENGTHS = [9, 14, 5, 17, 11, 8, 6]
THETA_PREFIX = ".encoder.layer."


def make_model(kind):
    torch.manual_seed(1234 if kind == "xlmr" else 4321)
    common = dict(vocab_size=301, hidden_size=48, num_hidden_layers=3, num_attention_heads=3,
                  intermediate_size=80, hidden_act="gelu", hidden_dropout_prob=0.0,
                  attention_probs_dropout_prob=0.0, initializer_range=0.2)
    if kind == "xlmr":
        config = XLMRobertaConfig(max_position_embeddings=42, type_vocab_size=1, layer_norm_eps=1e-5,
                                  pad_token_id=1, bos_token_id=0, eos_token_id=2, **common)
        model = XLMRobertaForMaskedLM._from_config(config, attn_implementation="eager")
        specials = dict(cls=0, pad=1, sep=2, unk=3, mask=300)
    else:
        config = BertConfig(max_position_embeddings=40, type_vocab_size=2, layer_norm_eps=1e-12,
                            pad_token_id=0, **common)
        model = BertForMaskedLM._from_config(config, attn_implementation="eager")
        specials = dict(pad=0, unk=1, cls=2, sep=3, mask=4)
    model.init_weights()
    # Give biases and LayerNorm parameters non-trivial values too (init sets them to 0 and 1).
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("bias") or "LayerNorm" in name or "layer_norm" in name:
                p.add_(torch.randn_like(p) * 0.1)
    return model, specials


def make_sentences(specials, seed):
    generator = torch.Generator().manual_seed(seed)
    special_ids = set(specials.values())
    ordinary = [i for i in range(301) if i not in special_ids]
    sentences = []
    for index, length in enumerate(LENGTHS):
        content = [ordinary[int(torch.randint(len(ordinary), (1,), generator=generator))] for _ in range(length - 2)]
        ids = [specials["cls"]] + content + [specials["sep"]]
        inputs, labels = list(ids), [-100] * len(ids)
        if index != len(LENGTHS) - 1:  # the last sentence predicts nothing
            for t in range(1, len(ids) - 1):
                if float(torch.rand((1,), generator=generator)) < 0.3 or t == 1:
                    labels[t] = ids[t]
                    choice = float(torch.rand((1,), generator=generator))
                    if choice < 0.8:
                        inputs[t] = specials["mask"]
                    elif choice < 0.9:
                        inputs[t] = int(torch.randint(301, (1,), generator=generator))
        sentences.append(dict(ids=ids, input_ids=inputs, labels=labels))
    return sentences


class HeadGates:
    """ξ_h = 1 on every head: a forward hook multiplies each head's slice of the self-attention context."""

    def __init__(self, model):
        config = model.config
        self.heads, self.head_dim = config.num_attention_heads, config.hidden_size // config.num_attention_heads
        self.xi = torch.ones(config.num_hidden_layers, self.heads, requires_grad=True)
        base = model.roberta if hasattr(model, "roberta") else model.bert
        for index, layer in enumerate(base.encoder.layer):
            layer.attention.self.register_forward_hook(self.hook(index))

    def hook(self, index):
        def gate(module, inputs, output):
            context = output[0]
            shape = context.shape
            gated = (context.view(*shape[:-1], self.heads, self.head_dim) * self.xi[index].view(self.heads, 1))
            return (gated.view(shape),) + tuple(output[1:])
        return gate

    def reset(self):
        self.xi.grad = None


def theta(model):
    return {name: p for name, p in model.named_parameters() if THETA_PREFIX in name}


def batch_tensors(sentences, pad):
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


def loss_and_gradients(model, gates, sentences, pad):
    model.zero_grad(set_to_none=True)
    gates.reset()
    ids, labels, mask = batch_tensors(sentences, pad)
    loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
    loss.backward()
    grads = {name: p.grad.detach().clone() for name, p in theta(model).items()}
    return float(loss.detach()), grads, gates.xi.grad.detach().clone()


def contiguous(tensors):
    return {name: t.contiguous() for name, t in tensors.items()}


def generate(kind, folder_name):
    model, specials = make_model(kind)
    gates = HeadGates(model)
    folder = os.path.join(ROOT, folder_name)
    os.makedirs(folder, exist_ok=True)
    model.save_pretrained(folder, safe_serialization=True)
    sentences = make_sentences(specials, seed=7 if kind == "xlmr" else 8)
    pad = specials["pad"]
    model.train()  # dropout probabilities are 0 in the config: train mode changes nothing but is the reference

    single_loss, single_grads, single_gate = loss_and_gradients(model, gates, sentences[:1], pad)
    save_file(contiguous({**single_grads, "head_importance": single_gate}),
              os.path.join(folder, "gradient_single.safetensors"))
    batch_loss, batch_grads, batch_gate = loss_and_gradients(model, gates, sentences[:BATCH_SIZE], pad)
    save_file(contiguous({**batch_grads, "head_importance": batch_gate}),
              os.path.join(folder, "gradient_batch.safetensors"))

    # xsns: batches in order, per-tensor clipping, squared, / counted batches.
    fisher = {name: torch.zeros_like(p) for name, p in theta(model).items()}
    heads = torch.zeros_like(gates.xi)
    counted, clipped, unclipped = 0, 0, 0
    for start in range(0, len(sentences), BATCH_SIZE):
        batch = sentences[start:start + BATCH_SIZE]
        if all(label == -100 for s in batch for label in s["labels"]):
            continue
        _, _, gate = loss_and_gradients(model, gates, batch, pad)
        for name, p in theta(model).items():
            norm = float(p.grad.norm())
            clipped, unclipped = clipped + (norm > 1), unclipped + (norm <= 1)
            torch.nn.utils.clip_grad_norm_(p, 1.0)
            fisher[name] += p.grad.detach() ** 2
        heads += gate.abs()
        counted += 1
    assert clipped > 0 and unclipped > 0, "clipping should be exercised both ways"
    save_file(contiguous({**{n: f / counted for n, f in fisher.items()}, "head_importance": heads / counted}),
              os.path.join(folder, "fisher_xsns.safetensors"))

    # exact: per sentence, dropout off.
    model.eval()
    fisher = {name: torch.zeros_like(p) for name, p in theta(model).items()}
    heads = torch.zeros_like(gates.xi)
    sentence_count = 0
    for s in sentences:
        if all(label == -100 for label in s["labels"]):
            continue
        _, grads, gate = loss_and_gradients(model, gates, [s], pad)
        for name in fisher:
            fisher[name] += grads[name] ** 2
        heads += gate.abs()
        sentence_count += 1
    save_file(contiguous({**{n: f / sentence_count for n, f in fisher.items()}, "head_importance": heads / sentence_count}),
              os.path.join(folder, "fisher_exact.safetensors"))

    with torch.no_grad():
        base = model.roberta if hasattr(model, "roberta") else model.bert
        hidden = base(input_ids=torch.tensor([sentences[0]["ids"]])).last_hidden_state[0]
    cases = dict(model_type=model.config.model_type, batch_size=BATCH_SIZE, mask_token_id=specials["mask"],
                 special_token_ids=sorted(set(specials.values()) - {specials["mask"]}) + [specials["mask"]],
                 sentences=sentences, loss_single=single_loss, loss_batch=batch_loss,
                 xsns_batches=counted, exact_sentences=sentence_count,
                 mean_pooled_sentence0=hidden.mean(dim=0).tolist(),
                 clipped_tensor_batches=clipped, unclipped_tensor_batches=unclipped)
    with open(os.path.join(folder, "cases.json"), "w") as handle:
        json.dump(cases, handle, indent=1)
    print(folder_name, "loss", single_loss, batch_loss, "batches", counted, "sentences", sentence_count,
          "clipped", clipped, "unclipped", unclipped)


if __name__ == "__main__":
    generate("xlmr", "xlmr-tiny")
    generate("bert", "bert-tiny")
