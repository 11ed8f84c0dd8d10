"""Fixtures for the checkpoint & storage tests (Tests/Fixtures/checkpoints/).

Run from the repository root:
    /path/to/venv/bin/python Tests/FixtureGenerator/gen_checkpoints.py
Needs torch, transformers, safetensors, tokenizers, sentencepiece, protobuf. Deterministic (fixed seeds).

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


if __name__ == "__main__":
    build_safetensors()
