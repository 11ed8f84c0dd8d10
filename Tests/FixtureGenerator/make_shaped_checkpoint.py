"""Writes the checkpoint folder README's pipeline benchmark uses (not a fixture, not a test): an
XLMRobertaForMaskedLM with xlm-roberta-base's shapes (bench_common.xlmr_base_config) and seeded random
weights, saved as a Hugging Face folder (config.json, model.safetensors), with the demo model's
tokenizer.json beside it (its ids are a small corner of the 250,002-row vocabulary, which costs the same).

Run from the repository root:
    /work/venv/bin/python Tests/FixtureGenerator/make_shaped_checkpoint.py /tmp/xlmr-base-shaped
"""
import shutil
import sys
from pathlib import Path

import torch
from transformers import XLMRobertaForMaskedLM

sys.path.insert(0, str(Path(__file__).parent))
from bench_common import xlmr_base_config  # noqa: E402

if len(sys.argv) != 2:
    sys.exit("usage: make_shaped_checkpoint.py OUT_DIR")
out = Path(sys.argv[1])
torch.manual_seed(0)
XLMRobertaForMaskedLM(xlmr_base_config()).save_pretrained(out, safe_serialization=True)
shutil.copy(Path(__file__).parents[2] / "Sources/xsns/DemoModel/tokenizer.json", out / "tokenizer.json")
print(f"wrote {out}")
