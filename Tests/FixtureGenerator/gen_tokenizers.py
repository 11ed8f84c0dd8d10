#!/usr/bin/env python3
"""Reference fixtures for XSNSTokenizers: tokenizer.json files and the ids Hugging Face gives for them.

Run from the repository root (needs ../shared/corpora/ud, or $XSNS_SHARED/corpora/ud, and the venv):

    XSNS_SHARED=/work/shared /work/venv/bin/python Tests/FixtureGenerator/gen_tokenizers.py

For the load-time benchmark (not a fixture: ~19 MB, never committed), write an XLM-R-sized tokenizer.json,
unigram.json's pipeline with its vocabulary padded to 250,002 random pieces:

    /work/venv/bin/python Tests/FixtureGenerator/gen_tokenizers.py --large-unigram /tmp/big/tokenizer.json

WordPiece training is not bit-for-bit reproducible (HF's trainer iterates hash maps), so a rerun changes
the wordpiece files and their expected ids together; the unigram files are reproducible.

Writes Tests/Fixtures/tokenizers/:
  unigram.json          SentencePiece unigram (nmt_nfkc, real Precompiled charsmap) converted the way
                        transformers converts XLM-R (XLMRobertaConverter), plus XLM-R's added tokens.
  unigram-bytefallback.json  a smaller one trained with byte pieces <0x00>..<0xFF>, byte_fallback on.
  wordpiece-cased.json  WordPiece with BertNormalizer + BertPreTokenizer + BertProcessing, like mBERT cased.
  wordpiece-uncased.json  the same with lowercase=True (accents stripped, as strip_accents=None implies).
  corpus.jsonl          {"tokenizer","lang","line","ids"}: HF ids for a seeded sample of each corpus file.
                        Only the line number is stored: the corpora are not copied into the repository.
  hard.jsonl            {"tokenizer","text","ids","tokens"}: hand-picked hard inputs, then seeded random ones.
  stages.jsonl          {"name","base","override":{...},"cases":[{"text","ids"}]}: one small pipeline per
                        stage type, made by replacing parts of a base tokenizer.json, with HF ids for
                        hand-picked and seeded random texts.
  truncation.jsonl      {"tokenizer","text","max_length","ids"}: HF truncation=True, max_length=N.
  unicode.json          ranges of code points that HF's BertNormalizer drops (clean_text), that its accent
                        stripping drops (only code points NFD leaves alone), that BertPreTokenizer isolates
                        (punctuation) or drops (whitespace), that handle_chinese_chars spaces out, that
                        StripAccents drops (combining_mark), that the Whitespace pre-tokenizer's \\w matches.
  scalar-maps.json      for NFC/NFD/NFKC/NFKD/Lowercase and unigram.json's Precompiled charsmap: every
                        code point the normalizer changes, with HF's output.
"""
import base64
import copy
import json
import os
import random
import sys
import tempfile
import unicodedata
import warnings

import sentencepiece as spm
from tokenizers import AddedToken, Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
from transformers.convert_slow_tokenizer import XLMRobertaConverter

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.environ.get("XSNS_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
CORPORA = os.path.join(SHARED, "corpora", "ud")
OUT = os.path.join(ROOT, "Tests", "Fixtures", "tokenizers")
LINES_PER_LANGUAGE = 60
SEED = 20231


def corpus_files():
    return sorted(f for f in os.listdir(CORPORA) if f.endswith(".txt"))


def read_lines(name):
    with open(os.path.join(CORPORA, name), encoding="utf-8") as f:
        text = f.read()
    # Lines are split on "\n" only, as the Swift test does; a trailing newline ends the last line.
    lines = text.split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


class SlowShim:
    """What XLMRobertaConverter reads from a slow tokenizer: the model file and token ids."""

    def __init__(self, model_file, processor):
        self.vocab_file = model_file
        self.processor = processor

    def convert_tokens_to_ids(self, token):
        # XLM-R's fairseq layout: <s>=0 <pad>=1 </s>=2 <unk>=3, pieces shifted by one.
        fixed = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
        return fixed.get(token, self.processor.piece_to_id(token) + 1)


def train_unigram(workdir, vocab_size, byte_fallback, name, coverage):
    text_file = os.path.join(workdir, "all.txt")
    with open(text_file, "w", encoding="utf-8") as out:
        for f in corpus_files():
            for line in read_lines(f):
                out.write(line + "\n")
    prefix = os.path.join(workdir, name)
    spm.set_random_generator_seed(SEED)
    spm.SentencePieceTrainer.train(
        input=text_file, model_prefix=prefix, vocab_size=vocab_size, model_type="unigram",
        normalization_rule_name="nmt_nfkc", character_coverage=coverage, byte_fallback=byte_fallback,
        input_sentence_size=60000, shuffle_input_sentence=True, seed_sentencepiece_size=200000,
        num_threads=1, minloglevel=2)
    processor = spm.SentencePieceProcessor(model_file=prefix + ".model")
    tok = XLMRobertaConverter(SlowShim(prefix + ".model", processor)).converted()
    # What XLMRobertaTokenizerFast adds when it saves: the five specials, <mask> eating the space before it.
    tok.add_special_tokens([
        AddedToken("<s>", special=True, normalized=False),
        AddedToken("<pad>", special=True, normalized=False),
        AddedToken("</s>", special=True, normalized=False),
        AddedToken("<unk>", special=True, normalized=False),
        AddedToken("<mask>", special=True, normalized=False, lstrip=True),
    ])
    if byte_fallback:
        spec = json.loads(tok.to_str())
        spec["model"]["byte_fallback"] = True
        tok = Tokenizer.from_str(json.dumps(spec))
    return tok


def train_wordpiece(lowercase):
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]", max_input_chars_per_word=100))
    tok.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=lowercase)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    trainer = trainers.WordPieceTrainer(vocab_size=6000, special_tokens=specials, limit_alphabet=1500)

    def lines():
        for f in corpus_files():
            yield from read_lines(f)

    tok.train_from_iterator(lines(), trainer)
    tok.post_processor = processors.BertProcessing(
        ("[SEP]", tok.token_to_id("[SEP]")), ("[CLS]", tok.token_to_id("[CLS]")))
    return tok


HARD_CASES = [
    "", " ", "   ", "\t\n", "\n", "a", "Hello world", "  Hello   world  ", "Hello\tworld\r\nagain",
    # combining marks, precomposed and decomposed
    "café cafe\u0301", "e\u0301\u0301\u0301", "a\u0308\u0301o\u0323\u0302", "Tiếng Việt có dấu", "\u0301leading mark",
    "Ǆemal ǅ ǆ", "İstanbul ıi", "ΟΔΟΣ ὁδός", "STRASSE Straße ẞ", "Ångström Å Å",
    # full-width and half-width forms, compatibility characters
    "ＡＢＣ　ｄｅｆ　１２３！？", "ｶﾞｷﾞｸﾞ ﾊﾟ ｱｲｳ", "ﬁne ﬂow ﬀ", "x² H₂O ½ ¼ ①②③ Ⅻ ㎏ ℃ ™", "…‥ ‘quotes’ “double” —dash–",
    "\u3000leading ideographic space", "no\u00a0break\u202fspace",
    # scripts
    "中华人民共和国成立于1949年。", "日本語のテキストです、カタカナとひらがな。", "한국어 문장입니다. 가 한글",
    "ภาษาไทยไม่มีการเว้นวรรคระหว่างคำ", "اللُّغَةُ العَرَبِيَّةُ جميلة", "עִבְרִית שפה", "हिन्दी भाषा में क्षत्रिय",
    "தமிழ் மொழி ஸ்ரீ", "Русский язык Ёё", "Ελληνικά ά", "ქართული ენა", "Հայերեն", "አማርኛ", "ᠮᠣᠩᠭᠣᠯ",
    # emoji, ZWJ sequences, flags, variation selectors
    "I ❤️ NLP 👍🏽", "👨\u200d👩\u200d👧\u200d👦 family", "🇫🇷🇩🇪 flags", "🏳️\u200d🌈", "keycap 1️⃣ #️⃣", "🥰🫠🪿 new emoji",
    # control and invisible characters
    "a\x00b\x07c\x1bd", "zero\u200bwidth\u200cnon\u200djoiner", "\ufeffBOM", "soft\u00adhyphen", "rep\ufffdlacement",
    "bidi\u202eoverride\u202c", "\u2028line\u2029para", "tab\x0bvt\x0cff", "\x85nel", "private\ue000use",
    "unassigned\u0378\U000e0001tag",
    # very long words
    "a" * 150, "supercalifragilisticexpialidocious" * 5, "x" * 99 + " " + "y" * 100 + " " + "z" * 101,
    "Donaudampfschifffahrtsgesellschaftskapitänswitwe", "1234567890" * 12,
    # punctuation-heavy
    "Hello, world! (test) [x] {y} \"q\" 'a' `b` $5 #tag @user 50% a+b=c <tag> a|b ~x ^y _z",
    "¿Qué? ¡Sí! «guillemets» „Anführung“ 「括弧」『二重』【】〜・", "e.g. U.S.A. 3.14 1,000,000 -5 a--b ...",
    # special tokens written in the text
    "<s>", "</s>", "<mask>", "<s>hello</s>", "hello <mask> world", "hello<mask>world", "hello   <mask>",
    "<unk> <pad>", "<s><s></s>", "[CLS] hi [SEP]", "[MASK]", "hi [MASK] there [UNK] x", "[cls] [mask]",
    "<mask>", " <mask>", "a <s> b", "<<s>>", "[[SEP]]",
]

STAGE_TEXTS = [
    "", "   ", "Hello World", "  Hello   World  ", "Café CAFÉ cafe\u0301", "ＡＢＣ　１２３ ﬁ ½ x²", "ΟΔΟΣ İ ß",
    "Hello, world! (a-b) 'q' a.b...c", "中文字符 日本語 한국어", "a\x00b\tc\u200bd\ufeffe", "tiếng Việt", "don't stop",
    "hello <mask> world", "[CLS] x [SEP]", "x" * 120, "e\u0301\u0301", "¿Qué? ¡Sí! «x»",
    "\u200bhello", "\x00hello", " hello", "<s>hello", "hello<s>world", "<mask>hello", "Hello World\u3000again",
    "\u309cabc def", "\ufeff hello", "हिन्दी ीा ॏ", "ↅⅪ x_y a‿b ⁀ 1²", "a\u200db\u200cc",
]


def random_texts(seed, count):
    """Seeded random strings mixing scripts, marks, invisible characters, spaces and special tokens."""
    pools = [
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", " " * 10 + "\t\n\r",
        ".,;:!?'\"()[]{}-_/\\@#$%^&*+=<>|~`", *[
            "".join(chr(c) for c in range(lo, hi)) for lo, hi in [
                (0xC0, 0x180), (0x300, 0x370), (0x400, 0x460), (0x4E00, 0x4E40), (0x1100, 0x1120),
                (0x1161, 0x1170), (0xAC00, 0xAC20), (0xE01, 0xE50), (0x900, 0x980), (0x600, 0x660),
                (0xFF01, 0xFF70), (0x3040, 0x30FF), (0x2150, 0x2190), (0x1D400, 0x1D410)]],
        "\u200d\u200c\u200b\ufe0f\ufeff\x00\x07\x0b\x1f\x7f\u00a0\u3000\u2028\u00ad\ufffd\x85",
        "👍🏽👨👩🇫🇷🥰⃣❤",
    ]
    pieces = [c for pool in pools for c in pool] + [
        "<s>", "</s>", "<mask>", "<unk>", "<pad>", "[CLS]", "[SEP]", "[MASK]", "[UNK]", " <mask>", "▁", "##"]
    rng = random.Random(seed)
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 40))) for _ in range(count)]


def encode_all(tok, texts):
    return [tok.encode(t) for t in texts]


def stage_variants():
    """(name, base, override) triples: each replaces one stage of a base tokenizer.json."""
    wp_norm = {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
               "strip_accents": None, "lowercase": False}
    bert_pre = {"type": "BertPreTokenizer"}
    v = []
    for form in ["NFC", "NFD", "NFKC", "NFKD"]:
        v.append((f"normalizer-{form}", "wordpiece-cased", {"normalizer": {"type": form}}))
    v.append(("normalizer-Lowercase", "wordpiece-cased", {"normalizer": {"type": "Lowercase"}}))
    v.append(("normalizer-Strip", "unigram",
              {"normalizer": {"type": "Strip", "strip_left": True, "strip_right": True}}))
    v.append(("normalizer-Replace-string", "wordpiece-cased",
              {"normalizer": {"type": "Replace", "pattern": {"String": "o"}, "content": "0"}}))
    v.append(("normalizer-Replace-regex", "unigram",
              {"normalizer": {"type": "Replace", "pattern": {"Regex": "\\s+"}, "content": " "}}))
    v.append(("normalizer-Sequence", "wordpiece-cased",
              {"normalizer": {"type": "Sequence", "normalizers": [{"type": "NFKD"}, {"type": "Lowercase"},
                                                                   {"type": "StripAccents"}]}}))
    v.append(("normalizer-Bert-no-clean", "wordpiece-cased", {"normalizer": dict(
        wp_norm, clean_text=False, handle_chinese_chars=False)}))
    v.append(("normalizer-Bert-strip-accents", "wordpiece-cased", {"normalizer": dict(
        wp_norm, strip_accents=True)}))
    v.append(("normalizer-Bert-lowercase-keep-accents", "wordpiece-cased", {"normalizer": dict(
        wp_norm, lowercase=True, strip_accents=False)}))
    v.append(("normalizer-none", "wordpiece-cased", {"normalizer": None}))
    for scheme in ["always", "first", "never"]:
        for split in [True, False]:
            v.append((f"pre-Metaspace-{scheme}-{'split' if split else 'nosplit'}", "unigram", {
                "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": scheme,
                                  "split": split}}))
    v.append(("pre-Metaspace-first-after-BertNormalizer", "unigram", {
        "normalizer": wp_norm,
        "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": True}}))
    v.append(("pre-Whitespace", "wordpiece-cased", {"pre_tokenizer": {"type": "Whitespace"}}))
    v.append(("pre-WhitespaceSplit", "wordpiece-cased", {"pre_tokenizer": {"type": "WhitespaceSplit"}}))
    for behavior in ["Removed", "Isolated", "MergedWithPrevious", "MergedWithNext", "Contiguous"]:
        v.append((f"pre-Punctuation-{behavior}", "wordpiece-cased", {
            "pre_tokenizer": {"type": "Punctuation", "behavior": behavior}}))
    v.append(("pre-Sequence", "unigram", {"pre_tokenizer": {"type": "Sequence", "pretokenizers": [
        {"type": "WhitespaceSplit"}, {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first",
                                      "split": True}]}}))
    v.append(("model-WordPiece-short-max", "wordpiece-cased", {"model.max_input_chars_per_word": 5}))
    v.append(("post-Roberta", "unigram", {"post_processor": {
        "type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0], "trim_offsets": True,
        "add_prefix_space": True}}))
    v.append(("post-Template-bert", "wordpiece-cased", {"post_processor": {
        "type": "TemplateProcessing",
        "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                   {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
        "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
        "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]},
                           "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}}}}))
    v.append(("post-none", "unigram", {"post_processor": None}))
    v.append(("added-normalized-single-word", "wordpiece-uncased", {"added_tokens+": [
        {"id": 6000, "content": "Hello", "single_word": True, "lstrip": False, "rstrip": True,
         "normalized": True, "special": False},
        {"id": 6001, "content": "[x]", "single_word": False, "lstrip": True, "rstrip": True,
         "normalized": False, "special": True}]}))
    return v


def apply_override(spec, override):
    spec = copy.deepcopy(spec)
    for key, value in override.items():
        if key == "added_tokens+":
            spec["added_tokens"].extend(value)
        elif "." in key:
            outer, inner = key.split(".")
            spec[outer][inner] = value
        else:
            spec[key] = value
    return spec


def hf_unicode_tables():
    cps = [c for c in range(0x110000) if not (0xD800 <= c <= 0xDFFF)]
    clean = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=False, strip_accents=False,
                                       lowercase=False)
    strip = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=False, strip_accents=True,
                                       lowercase=False)
    pre = pre_tokenizers.BertPreTokenizer()
    chinese = normalizers.BertNormalizer(clean_text=False, handle_chinese_chars=True, strip_accents=False,
                                         lowercase=False)
    strip_marks = normalizers.StripAccents()
    whitespace = pre_tokenizers.Whitespace()
    control, mark, punct, cjk, space, combining, word = [], [], [], [], [], [], []
    for c in cps:
        ch = chr(c)
        if c not in (9, 10, 13) and clean.normalize_str("x" + ch) == "x":
            control.append(c)
        if unicodedata.normalize("NFD", ch) == ch and strip.normalize_str(ch) == "":
            mark.append(c)
        if not ch.isspace() and len(pre.pre_tokenize_str("x" + ch + "x")) == 3:
            punct.append(c)
        if chinese.normalize_str(ch) == " " + ch + " ":
            cjk.append(c)
        if len(pre.pre_tokenize_str("x" + ch + "x")) == 2:
            space.append(c)
        if unicodedata.normalize("NFD", ch) == ch and strip_marks.normalize_str(ch) == "":
            combining.append(c)
        if len(whitespace.pre_tokenize_str("x" + ch + "x")) == 1:
            word.append(c)

    def ranges(values):
        out = []
        for c in values:
            if out and out[-1][1] == c - 1:
                out[-1][1] = c
            else:
                out.append([c, c])
        return out

    return {"control": ranges(control), "nonspacing_mark": ranges(mark), "punctuation": ranges(punct),
            "chinese": ranges(cjk), "whitespace": ranges(space), "combining_mark": ranges(combining),
            "word": ranges(word)}


def hf_scalar_maps(unigram_spec):
    """For each single-scalar normalizer, every scalar it changes and what it makes of it.

    Hangul syllables are left out of NFD/NFKD: their decomposition is arithmetic and would triple the file.
    """
    precompiled = unigram_spec["normalizer"]["normalizers"][0]
    assert precompiled["type"] == "Precompiled"
    forms = {
        "NFC": normalizers.NFC(), "NFD": normalizers.NFD(), "NFKC": normalizers.NFKC(),
        "NFKD": normalizers.NFKD(), "Lowercase": normalizers.Lowercase(),
        "Precompiled": normalizers.Precompiled(base64.b64decode(precompiled["precompiled_charsmap"])),
    }
    cps = [c for c in range(0x110000) if not (0xD800 <= c <= 0xDFFF)]
    maps = {}
    for name, normalizer in forms.items():
        changed = []
        for c in cps:
            if name in ("NFD", "NFKD") and 0xAC00 <= c <= 0xD7A3:
                continue
            out = normalizer.normalize_str(chr(c))
            if out != chr(c):
                changed.append([c, out])
        maps[name] = changed
    return maps


def write_jsonl(name, rows):
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        for row in rows:
            # ASCII escapes: Foundation's JSONSerialization drops a raw U+FEFF that starts a string.
            f.write(json.dumps(row, separators=(",", ":")) + "\n")


def write_large_unigram(path, size=250_002):
    """unigram.json with random pieces (several scripts, half with "▁") up to `size` entries."""
    with open(os.path.join(OUT, "unigram.json"), encoding="utf-8") as f:
        spec = json.load(f)
    rng = random.Random(SEED)
    alphabet = [chr(c) for lo, hi in [(0x61, 0x7A), (0x41, 0x5A), (0x430, 0x44F), (0x3B1, 0x3C9), (0x5D0, 0x5EA),
                                      (0x627, 0x64A), (0x905, 0x939), (0xE01, 0xE2E), (0x4E00, 0x4FFF),
                                      (0xAC00, 0xAD00)] for c in range(lo, hi + 1)]
    vocab = spec["model"]["vocab"][:-1]  # the last entry is <mask>, kept last
    seen = {piece for piece, _ in vocab}
    while len(vocab) < size - 1:
        piece = ("▁" if rng.random() < 0.5 else "") + "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 10)))
        if piece not in seen:
            seen.add(piece)
            vocab.append([piece, -rng.uniform(5, 20)])
    vocab.append(["<mask>", 0.0])
    spec["model"]["vocab"] = vocab
    for token in spec["added_tokens"]:
        if token["content"] == "<mask>":
            token["id"] = len(vocab) - 1
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(spec, f, ensure_ascii=False, indent=2)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--large-unigram":
        write_large_unigram(sys.argv[2])
        return
    # The byte-fallback model is converted knowingly; byte_fallback is switched on in its JSON afterwards.
    warnings.filterwarnings("ignore", message=".*byte fallback.*")
    os.makedirs(OUT, exist_ok=True)
    with tempfile.TemporaryDirectory() as workdir:
        tokenizers = {
            "unigram": train_unigram(workdir, 8000, False, "unigram", 0.9995),
            "unigram-bytefallback": train_unigram(workdir, 3000, True, "bytefallback", 0.98),
            "wordpiece-cased": train_wordpiece(False),
            "wordpiece-uncased": train_wordpiece(True),
        }
    specs = {}
    for name, tok in tokenizers.items():
        tok.save(os.path.join(OUT, name + ".json"))
        with open(os.path.join(OUT, name + ".json"), encoding="utf-8") as f:
            specs[name] = json.load(f)

    rng = random.Random(SEED)
    corpus_rows = []
    for f in corpus_files():
        lines = read_lines(f)
        picks = sorted(rng.sample(range(len(lines)), min(LINES_PER_LANGUAGE, len(lines))))
        for name, tok in tokenizers.items():
            for i, enc in zip(picks, encode_all(tok, [lines[i] for i in picks])):
                corpus_rows.append({"tokenizer": name, "lang": f[:-4], "line": i, "ids": enc.ids})
    write_jsonl("corpus.jsonl", corpus_rows)

    hard_rows = []
    hard_texts = HARD_CASES + random_texts(SEED + 1, 150)
    for name, tok in tokenizers.items():
        for text, enc in zip(hard_texts, encode_all(tok, hard_texts)):
            hard_rows.append({"tokenizer": name, "text": text, "ids": enc.ids, "tokens": enc.tokens})
    write_jsonl("hard.jsonl", hard_rows)

    stage_rows = []
    stage_texts = STAGE_TEXTS + random_texts(SEED + 2, 40)
    for name, base, override in stage_variants():
        tok = Tokenizer.from_str(json.dumps(apply_override(specs[base], override)))
        cases = [{"text": t, "ids": e.ids} for t, e in zip(stage_texts, encode_all(tok, stage_texts))]
        stage_rows.append({"name": name, "base": base, "override": override, "cases": cases})
    write_jsonl("stages.jsonl", stage_rows)

    trunc_rows = []
    long_text = "The quick brown fox jumps over the lazy dog. " * 8 + "<mask> end"
    for name, tok in tokenizers.items():
        for n in [2, 3, 5, 16, 64, 512]:
            tok.enable_truncation(max_length=n)
            trunc_rows.append({"tokenizer": name, "text": long_text, "max_length": n,
                               "ids": tok.encode(long_text).ids})
        tok.no_truncation()
    write_jsonl("truncation.jsonl", trunc_rows)

    with open(os.path.join(OUT, "unicode.json"), "w", encoding="utf-8") as f:
        json.dump(hf_unicode_tables(), f)
    with open(os.path.join(OUT, "scalar-maps.json"), "w", encoding="utf-8") as f:
        json.dump(hf_scalar_maps(specs["unigram"]), f, separators=(",", ":"))


if __name__ == "__main__":
    sys.exit(main())
