"""Fixtures for the checkpoint & storage tests (Tests/Fixtures/checkpoints/).

Run from the repository root:
    /path/to/venv/bin/python Tests/FixtureGenerator/gen_checkpoints.py
Needs torch, transformers, safetensors, tokenizers, sentencepiece, protobuf. Deterministic (fixed seeds),
except that `safetensors` writes the keys of a multi-key metadata block in hash order, so the header of
mixed.safetensors may change between runs while its content (and mixed.expected.json) does not.

Writes
- safetensors/mixed.safetensors + mixed.expected.json: F32/F16/BF16/F64 tensors, metadata, an empty
  tensor and a scalar, written by the Python `safetensors` package; the JSON holds each tensor's
  dtype, shape and values converted to float32 (as bit patterns) (what the Swift reader must return).
- models/...: tiny random-weight XLM-R-type and BERT-type masked-LM checkpoints (see build_models).
"""
import json
import os
import shutil
import sys

import numpy as np
import torch
from safetensors.torch import save_file

torch.set_num_threads(1)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures", "checkpoints")


def float32_bits(tensor):
    """Exact float32 bit patterns (JSON has no infinities or negative-zero guarantees)."""
    return [int(x) for x in tensor.to(torch.float32).reshape(-1).numpy().view(np.uint32)]


def build_safetensors():
    folder = os.path.join(OUT, "safetensors")
    os.makedirs(folder, exist_ok=True)
    generator = torch.Generator().manual_seed(7)
    values = torch.randn(3, 5, generator=generator) * 3
    tensors = {
        "encoder.f32": values.clone(),
        "encoder.f16": (values * 1.5).to(torch.float16),
        "encoder.bf16": (values * -0.5).to(torch.bfloat16),
        "encoder.f64": torch.randn(4, generator=generator, dtype=torch.float64),
        # Subnormal, infinite and large half values exercise every branch of the conversion.
        "edge.f16": torch.tensor([0.0, -0.0, 6e-8, -3e-5, 65504.0, float("inf"), float("-inf"), 1.0],
                                 dtype=torch.float16),
        "empty": torch.zeros(0, 4),
        "scalar": torch.tensor(2.5),
        "ids": torch.arange(6, dtype=torch.int64),
    }
    metadata = {"format": "pt", "note": "tiny \"quoted\" test"}
    path = os.path.join(folder, "mixed.safetensors")
    save_file(tensors, path, metadata=metadata)
    expected = {
        "metadata": metadata,
        "tensors": {
            name: {
                "dtype": {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
                          torch.float64: "F64", torch.int64: "I64"}[t.dtype],
                "shape": list(t.shape),
                "float32_bits": float32_bits(t) if t.is_floating_point() else None,
            }
            for name, t in tensors.items()
        },
    }
    with open(os.path.join(folder, "mixed.expected.json"), "w") as handle:
        json.dump(expected, handle, sort_keys=True)
        handle.write("\n")



# --- tiny masked-LM checkpoints ---------------------------------------------------------------

TINY = dict(hidden_size=48, num_attention_heads=3, num_hidden_layers=2, intermediate_size=80,
            max_position_embeddings=40, hidden_act="gelu")
WORDS = ["the", "a", "of", "and", "to", "in", "is", "language", "model", "sub", "network", "fisher",
         "cross", "lingual", "transfer", "der", "die", "und", "la", "le", "et", "de", "el", "y"]


def unigram_tokenizer():
    """An XLM-R-style tokenizer.json (Metaspace + Unigram), special tokens first as XLM-R has them."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors
    pieces = [("<s>", 0.0), ("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)]
    pieces += [("\u2581" + w, -2.0 - i * 0.1) for i, w in enumerate(WORDS)]
    pieces += [(c, -8.0) for c in "abcdefghijklmnopqrstuvwxyz"] + [("\u2581", -9.0)]
    tokenizer = Tokenizer(models.Unigram(pieces, unk_id=3, byte_fallback=False))
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace()
    tokenizer.decoder = decoders.Metaspace()
    tokenizer.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0))
    tokenizer.add_special_tokens(["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
    return tokenizer


def wordpiece_tokenizer():
    """An mBERT-style tokenizer.json (BertNormalizer + BertPreTokenizer + WordPiece)."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + WORDS
    vocab += list("abcdefghijklmnopqrstuvwxyz") + ["##" + c for c in "abcdefghijklmnopqrstuvwxyz"]
    tokenizer = Tokenizer(models.WordPiece({t: i for i, t in enumerate(vocab)}, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=False)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.post_processor = processors.BertProcessing(("[SEP]", 3), ("[CLS]", 2))
    tokenizer.add_special_tokens(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    return tokenizer


def describe(folder, model_type):
    """What the Swift side must find: every stored tensor's dtype and shape, parameter counts, and
    a few values per tensor converted to float32 (bit patterns), read back with `safetensors`."""
    from safetensors import safe_open
    files = sorted(f for f in os.listdir(folder) if f.endswith(".safetensors"))
    tensors = {}
    for name in files:
        with safe_open(os.path.join(folder, name), framework="pt") as handle:
            for key in handle.keys():
                t = handle.get_tensor(key)
                tensors[key] = {"file": name, "dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape),
                                "head_bits": float32_bits(t.reshape(-1)[:4]),
                                "sum": float(t.to(torch.float64).sum())}
    total = sum(int(np.prod(v["shape"])) for v in tensors.values())
    theta = sum(int(np.prod(v["shape"])) for k, v in tensors.items() if ".encoder.layer." in "." + k)
    return {"model_type": model_type, "files": files, "tensors": tensors,
            "total_parameters": total, "theta_parameters": theta}


def save_model(model, tokenizer, folder, model_type, **save_options):
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    model.save_pretrained(folder, **save_options)
    tokenizer.save(os.path.join(folder, "tokenizer.json"))
    # generation_config.json etc. are irrelevant for an encoder: keep the fixture minimal.
    for extra in os.listdir(folder):
        if extra not in ("config.json", "tokenizer.json", "model.safetensors.index.json") \
                and not extra.endswith(".safetensors"):
            os.remove(os.path.join(folder, extra))
    with open(os.path.join(folder, "expected.json"), "w") as handle:
        json.dump(describe(folder, model_type), handle, sort_keys=True)
        handle.write("\n")


def build_models():
    from transformers import BertConfig, BertForMaskedLM, XLMRobertaConfig, XLMRobertaForMaskedLM
    root = os.path.join(OUT, "models")
    os.makedirs(root, exist_ok=True)

    torch.manual_seed(1234)
    xlmr_tokenizer = unigram_tokenizer()
    xlmr = XLMRobertaForMaskedLM(XLMRobertaConfig(
        vocab_size=xlmr_tokenizer.get_vocab_size(), pad_token_id=1, bos_token_id=0, eos_token_id=2,
        type_vocab_size=1, layer_norm_eps=1e-5, **TINY)).eval()
    save_model(xlmr, xlmr_tokenizer, os.path.join(root, "xlmr-tiny"), "xlm-roberta")
    save_model(xlmr, xlmr_tokenizer, os.path.join(root, "xlmr-tiny-sharded"), "xlm-roberta",
               max_shard_size="60KB")
    save_model(xlmr.to(torch.float16), xlmr_tokenizer, os.path.join(root, "xlmr-tiny-f16"), "xlm-roberta")

    torch.manual_seed(4321)
    bert_tokenizer = wordpiece_tokenizer()
    bert = BertForMaskedLM(BertConfig(
        vocab_size=bert_tokenizer.get_vocab_size(), pad_token_id=0, type_vocab_size=2, **TINY)).eval()
    save_model(bert, bert_tokenizer, os.path.join(root, "bert-tiny"), "bert")
    save_model(bert.to(torch.bfloat16), bert_tokenizer, os.path.join(root, "bert-tiny-bf16"), "bert")


if __name__ == "__main__":
    build_safetensors()
    build_models()
