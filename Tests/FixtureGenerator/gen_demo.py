"""Writes the starting point of the built-in demo checkpoint: tokenizer and randomly initialised model.

Tests/FixtureGenerator/make_demo.sh runs this and then trains the model with `xsns train-mlm`; run that
script from the repository root after changing anything under Corpora/. Alone:

    /work/venv/bin/python Tests/FixtureGenerator/gen_demo.py --out DIR [--hidden 96] [--layers 3]

(any Python with torch, transformers >= 5, tokenizers, sentencepiece and protobuf will do).

What it writes, and why:
- tokenizer.json: a SentencePiece unigram model trained on every Corpora/*.txt, converted with
  transformers' XLMRobertaConverter so that it has the same pipeline as a real XLM-R tokenizer
  (Precompiled nmt_nfkc charsmap, Metaspace, Unigram, `<s> … </s>` template, ids
  `<s>`=0 `<pad>`=1 `</s>`=2 `<unk>`=3, `<mask>` last). The demo then exercises exactly the code path
  a real checkpoint takes.
- config.json + model.safetensors: a tiny XLMRobertaForMaskedLM initialised from a fixed seed, as
  transformers initialises one. save_pretrained leaves out the tied decoder weight, as real checkpoints do.

Training SentencePiece with one thread and a fixed seed keeps the output reproducible on one machine.
"""

import argparse
import json
import shutil
import tempfile
from pathlib import Path

import sentencepiece as spm
import torch
from tokenizers import AddedToken, Tokenizer
from transformers import XLMRobertaConfig, XLMRobertaForMaskedLM
from transformers.convert_slow_tokenizer import XLMRobertaConverter

ROOT = Path(__file__).resolve().parents[2]
CORPORA = ROOT / "Corpora"

# Large enough that frequent words of every language get their own piece, small enough that the
# embedding matrix keeps the checkpoint around a megabyte. Chinese alone needs several hundred
# single-character pieces because of character_coverage=1.0.
VOCAB_SIZE = 3000
TORCH_SEED = 20231
KEPT_FILES = {"config.json", "model.safetensors", "tokenizer.json", "README.md"}


class SentencePieceFile:
    """The two things XLMRobertaConverter asks of a slow tokenizer: the .model path and token ids.

    Ids follow the fairseq layout the converter produces: SentencePiece's own <unk>/<s>/</s> (0, 1, 2)
    are replaced by <s> <pad> </s> <unk>, and every other piece moves up by one.
    """

    SPECIAL_IDS = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}

    def __init__(self, model_path: Path):
        self.vocab_file = str(model_path)
        self._processor = spm.SentencePieceProcessor(model_file=self.vocab_file)

    def convert_tokens_to_ids(self, token: str) -> int:
        if token in self.SPECIAL_IDS:
            return self.SPECIAL_IDS[token]
        return self._processor.piece_to_id(token) + 1


def corpus_files() -> list[Path]:
    files = sorted(CORPORA.glob("*.txt"))
    if not files:
        raise SystemExit(f"no *.txt files in {CORPORA}")
    return files


def train_sentencepiece(files: list[Path], work: Path) -> Path:
    prefix = work / "demo"
    spm.set_random_generator_seed(TORCH_SEED)
    spm.SentencePieceTrainer.train(
        input=",".join(str(f) for f in files),
        model_prefix=str(prefix),
        model_type="unigram",
        vocab_size=VOCAB_SIZE,
        character_coverage=1.0,
        normalization_rule_name="nmt_nfkc",
        # SentencePiece's default special ids (<unk>=0, <s>=1, </s>=2, no pad) are what the
        # converter expects: it drops the first three pieces and puts the XLM-R specials there.
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        num_threads=1,
        minloglevel=2,
    )
    return prefix.with_suffix(".model")


def convert_tokenizer(model_path: Path) -> Tokenizer:
    tokenizer = XLMRobertaConverter(SentencePieceFile(model_path)).converted()
    # Real XLM-R lists its specials as added tokens, so that "<mask>" written in text becomes one
    # token and decoding can skip them; <mask> also swallows the space before it (lstrip).
    tokenizer.add_special_tokens([
        AddedToken("<s>", normalized=False, special=True),
        AddedToken("<pad>", normalized=False, special=True),
        AddedToken("</s>", normalized=False, special=True),
        AddedToken("<unk>", normalized=False, special=True),
        AddedToken("<mask>", lstrip=True, normalized=False, special=True),
    ])
    return tokenizer


def build_model(vocab_size: int, hidden: int, layers: int) -> XLMRobertaForMaskedLM:
    config = XLMRobertaConfig(
        vocab_size=vocab_size,
        hidden_size=hidden,
        num_attention_heads=4,
        num_hidden_layers=layers,
        intermediate_size=2 * hidden,
        max_position_embeddings=130,
        type_vocab_size=1,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
    )
    torch.manual_seed(TORCH_SEED)
    return XLMRobertaForMaskedLM(config).eval()


def tidy_output(directory: Path) -> None:
    """Keeps only the files the workbench reads (save_pretrained may add e.g. generation_config.json).

    safetensors writes its file with mode 0600; the checkpoint ships as a package resource that other
    users must be able to read.
    """
    for path in directory.iterdir():
        if path.name not in KEPT_FILES:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
        else:
            path.chmod(0o644)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--hidden", type=int, default=96)
    parser.add_argument("--layers", type=int, default=3)
    arguments = parser.parse_args()
    out = arguments.out
    torch.set_num_threads(1)
    files = corpus_files()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        tokenizer = convert_tokenizer(train_sentencepiece(files, Path(work)))

    vocab_size = tokenizer.get_vocab_size(with_added_tokens=True)
    mask_id = tokenizer.token_to_id("<mask>")
    if mask_id != vocab_size - 1:
        raise SystemExit(f"<mask> has id {mask_id}, expected the last id {vocab_size - 1}")

    model = build_model(vocab_size, arguments.hidden, arguments.layers)
    model.save_pretrained(out, safe_serialization=True)
    tokenizer.save(str(out / "tokenizer.json"))
    tidy_output(out)

    parameters = sum(p.numel() for p in model.parameters())
    encoder = sum(p.numel() for n, p in model.named_parameters() if "encoder.layer." in n)
    size = sum(p.stat().st_size for p in out.iterdir())
    print(json.dumps({
        "corpora": [f.name for f in files],
        "vocab_size": vocab_size,
        "parameters": parameters,
        "encoder_layer_parameters": encoder,
        "folder_bytes": size,
    }, indent=1))


if __name__ == "__main__":
    main()
