"""Seed inputs for the fuzz tests (Tests/Fixtures/fuzz/): small valid files the mutators start from.

Run from the repository root:
    /path/to/venv/bin/python Tests/FixtureGenerator/gen_fuzz.py
Needs torch, transformers, safetensors, tokenizers. Deterministic (fixed seeds).

The seeds are deliberately tiny (a few kB): every fuzz iteration rewrites one of them, and the
smallest are also truncated at every offset. Writers are the reference ones (the `safetensors`
package, `save_pretrained`, `tokenizers`), so a seed is exactly what the readers meet in the wild.

Writes
- safetensors/*.safetensors: one file per layout the header parser must accept (every dtype, a
  scalar, an empty tensor, metadata, a non-ASCII name, an unaligned data area, no tensors at all).
- checkpoints/xlmr-micro, bert-micro, xlmr-micro-sharded: complete 1-layer masked-LM checkpoint
  folders (config.json, model.safetensors or shards + index, tokenizer.json).
- csv/*.csv: gold/score tables in long and square-matrix form, with quoting and CRLF.
- corpus/*.txt: corpus files with a BOM, CRLF, blank lines and several scripts.
- tokenizers/unigram-precompiled.json: an XLM-R-style pipeline (Precompiled + Metaspace + Unigram +
  TemplateProcessing) whose precompiled_charsmap comes from a SentencePiece model trained with a
  five-rule normalisation table, so the charsmap is ~1 kB instead of nmt_nfkc's 240 kB.
The `safetensors` package writes `__metadata__` keys in hash order, so a re-run may reorder them in
dtypes.safetensors without changing its content.
"""
import os
import shutil

import torch
from safetensors.torch import save_file

torch.set_num_threads(1)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures", "fuzz")
MICRO = dict(hidden_size=4, num_hidden_layers=1, num_attention_heads=2, intermediate_size=8,
             max_position_embeddings=8)


def build_safetensors():
    root = os.path.join(OUT, "safetensors")
    os.makedirs(root, exist_ok=True)
    g = torch.Generator().manual_seed(7)
    save_file({"w": torch.randn(2, 3, generator=g)}, os.path.join(root, "single-f32.safetensors"))
    save_file({
        "a.f32": torch.randn(3, generator=g),
        "b.f16": torch.randn(2, 2, generator=g).to(torch.float16),
        "c.bf16": torch.randn(3, generator=g).to(torch.bfloat16),
        "d.f64": torch.randn(2, generator=g).to(torch.float64),
        "e.i64": torch.arange(3, dtype=torch.int64),
        "f.u8": torch.arange(5, dtype=torch.uint8),
        "g.bool": torch.tensor([True, False, True]),
        "h.scalar": torch.tensor(1.5),
        "i.empty": torch.zeros(0, 3),
    }, os.path.join(root, "dtypes.safetensors"), metadata={"format": "pt", "estimator": "xsns", "seed": "42"})
    save_file({"sch\u00f6n.\u6f22\u5b57": torch.randn(1, generator=g)},
              os.path.join(root, "unicode-name.safetensors"))
    # An odd-length I8 tensor first leaves the following F32 data unaligned in the file.
    save_file({"a": torch.tensor([1, 2, 3], dtype=torch.int8), "b": torch.randn(2, generator=g)},
              os.path.join(root, "unaligned.safetensors"))
    save_file({}, os.path.join(root, "no-tensors.safetensors"), metadata={"note": "empty"})


def micro_tokenizer(family):
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    if family == "roberta":
        pieces = [("<s>", 0.0), ("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("<mask>", 0.0)]
        pieces += [("\u2581" + w, -2.0) for w in ["a", "b", "ab"]] + [("\u2581", -5.0), ("c", -6.0)]
        tokenizer = Tokenizer(models.Unigram(pieces, unk_id=3, byte_fallback=False))
        tokenizer.pre_tokenizer = pre_tokenizers.Metaspace()
        tokenizer.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0))
        tokenizer.add_special_tokens(["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
    else:
        vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b", "##b", "c", "##c"]
        tokenizer = Tokenizer(models.WordPiece({t: i for i, t in enumerate(vocab)}, unk_token="[UNK]"))
        tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
        tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
        tokenizer.post_processor = processors.TemplateProcessing(
            single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
        tokenizer.add_special_tokens(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    return tokenizer


def save_checkpoint(model, tokenizer, folder, **options):
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    model.save_pretrained(folder, **options)
    tokenizer.save(os.path.join(folder, "tokenizer.json"))
    for extra in os.listdir(folder):
        if extra not in ("config.json", "tokenizer.json", "model.safetensors.index.json") \
                and not extra.endswith(".safetensors"):
            os.remove(os.path.join(folder, extra))


def build_checkpoints():
    from transformers import BertConfig, BertForMaskedLM, XLMRobertaConfig, XLMRobertaForMaskedLM
    root = os.path.join(OUT, "checkpoints")
    os.makedirs(root, exist_ok=True)
    torch.manual_seed(11)
    xlmr = XLMRobertaForMaskedLM(XLMRobertaConfig(
        vocab_size=10, pad_token_id=1, bos_token_id=0, eos_token_id=2, type_vocab_size=1, **MICRO)).eval()
    save_checkpoint(xlmr, micro_tokenizer("roberta"), os.path.join(root, "xlmr-micro"))
    save_checkpoint(xlmr, micro_tokenizer("roberta"), os.path.join(root, "xlmr-micro-sharded"), max_shard_size="1KB")
    torch.manual_seed(12)
    bert = BertForMaskedLM(BertConfig(vocab_size=10, pad_token_id=0, type_vocab_size=2, **MICRO)).eval()
    save_checkpoint(bert.to(torch.bfloat16), micro_tokenizer("bert"), os.path.join(root, "bert-micro"))


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)


def build_text():
    write(os.path.join(OUT, "csv", "long.csv"), (
        ",task_lang,transfer_lang,Accuracy\r\n"
        "0,fi,et,0.81\r\n1,fi,hu,0.62\r\n2,fi,\"en\",0.55\r\n3,et,fi,\r\n4,et,hu,-1.5e-3\r\n"
        "5,hu,\"f\"\"i\",7\r\n6,hu,et,0.25\r\n").encode())
    write(os.path.join(OUT, "csv", "named.csv"), (
        "source,target,score,note\n"
        "de,en,0.9,\"a, quoted\nnote\"\nfr,en,0.8,x\nen,de,0.7,\nfr,de,1e2,y\n").encode())
    write(os.path.join(OUT, "csv", "matrix.csv"), (
        "lang,de,en,fr\nde,1,0.5,0.25\nen,0.5,1,\nfr,0.125,0.75,1\n").encode())
    write(os.path.join(OUT, "corpus", "mixed.txt"), (
        "\ufeffThe first sentence.\r\n\r\nZweiter Satz mit Umlauten: \u00e4\u00f6\u00fc.\n   \n"
        "\u0627\u0644\u062c\u0645\u0644\u0629 \u0627\u0644\u062b\u0627\u0644\u062b\u0629\n"
        "\u4e2d\u6587\u53e5\u5b50\u3002\n\u0939\u093f\u0928\u094d\u0926\u0940 \u0935\u093e\u0915\u094d\u092f\n"
        "no newline at the end").encode())


def build_tokenizers():
    import io
    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2 as model_pb2
    from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers, processors
    rules = os.path.join(OUT, "tokenizers", "rules.tsv.tmp")
    os.makedirs(os.path.dirname(rules), exist_ok=True)
    with open(rules, "w") as handle:  # A→a, B→b, fullwidth A→A, circled 1→1, Å→A + combining ring
        handle.write("41\t61\n42\t62\nFF21\t41\n2460\t31\nC5\t41 30A\n")
    trained = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(["ab abc cab ba", "Abc Cab", "\uff41\uff42\uff43 \u2460", "\u00c5 b c"] * 20),
        model_writer=trained, vocab_size=20, model_type="unigram", normalization_rule_tsv=rules,
        hard_vocab_limit=False, minloglevel=2)
    os.remove(rules)
    proto = model_pb2.ModelProto()
    proto.ParseFromString(trained.getvalue())
    pieces = [("<s>", 0.0), ("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)]
    pieces += [(p.piece, p.score) for p in proto.pieces if p.type == 1]
    tokenizer = Tokenizer(models.Unigram(pieces, unk_id=3, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence([
        normalizers.Precompiled(proto.normalizer_spec.precompiled_charsmap),
        normalizers.Strip(left=False, right=True), normalizers.Replace(Regex(" {2,}"), "\u2581")])
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>", special_tokens=[("<s>", 0), ("</s>", 2)])
    tokenizer.add_special_tokens(["<s>", "<pad>", "</s>", "<unk>"])
    tokenizer.add_tokens(["<mask>"])
    tokenizer.save(os.path.join(OUT, "tokenizers", "unigram-precompiled.json"))


if __name__ == "__main__":
    build_tokenizers()
    build_safetensors()
    build_checkpoints()
    build_text()
