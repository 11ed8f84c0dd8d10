#!/usr/bin/env python3
"""Reference fixtures for sentence PAIRS: the ids, type ids and tokens Hugging Face `tokenizers` gives for
encode(a, b) (a second segment), with and without longest_first truncation, so that XSNSTokenizers' pair
templates and pair truncation can be checked against it.

Run from the repository root (the venv has tokenizers):

    /work/venv/bin/python Tests/FixtureGenerator/gen_pairs.py

Tokenizers (tokenizers.Tokenizer.from_file; special tokens added by each file's post-processor):
  unigram               Tests/Fixtures/tokenizers/unigram.json               TemplateProcessing, XLM-R-like
                        single "<s> $A </s>", pair "<s> $A </s> </s> $B </s>" (every type_id 0)
  unigram-bytefallback  Tests/Fixtures/tokenizers/unigram-bytefallback.json  the same templates, byte_fallback on
  wordpiece-cased       Tests/Fixtures/tokenizers/wordpiece-cased.json       BertProcessing: [CLS] A [SEP] B [SEP]
  wordpiece-uncased     Tests/Fixtures/tokenizers/wordpiece-uncased.json     the same, lowercase=True
  demo                  Sources/xsns/DemoModel/tokenizer.json                TemplateProcessing, as unigram
  unigram-roberta       Tests/Fixtures/tokenizers/unigram-roberta.json       WRITTEN by this script: unigram.json
                        with its post_processor replaced by
                        {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0],
                         "trim_offsets": true, "add_prefix_space": true}
                        (the ids unigram.json's vocabulary has for </s> and <s>), saved with
                        Tokenizer.to_str(pretty=True) and then loaded back from that file like the others.
                        HF's RobertaProcessing gives type_id 0 to EVERY position of a pair, the second
                        segment and its separators included (unlike BertProcessing's 1); asserted below.
                        The round trip through HF's JSON parser moves 1709 of the vocabulary's scores by one
                        ulp (serde_json parses floats inexactly; the file keeps what HF holds); the ids it gives
                        for every case here are the same as unigram's.

Cases, the same texts for every tokenizer, in a fixed order (no randomness):
  PAIRS     about 20 hand-picked (a, b): short, long, empty a, empty b, both empty, whitespace-only, repeated
            spaces, accents (precomposed and decomposed), CJK, emoji (ZWJ sequences, flags, skin tones),
            Cyrillic, punctuation and numbers, the tokenizer's own special-token strings inside the text, a much
            longer than b, b much longer than a, both long, and two equally long segments.
  SINGLES   a few texts encoded alone (b = None), for comparison with the pairs.
Each case is encoded once without truncation (max_length null), then once for each L in MAX_LENGTHS for which
the untruncated encoding is longer than L, with
    tokenizer.enable_truncation(max_length=L, strategy="longest_first")   (direction right, stride 0)
    tokenizer.encode(a, b)                                                 (add_special_tokens=True)
    tokenizer.no_truncation()
max_length counts the special tokens (4 for the XLM-R / RoBERTa pair, 3 for BERT's; 2 for a single sequence):
HF removes tokens from the segments before the post-processor adds the specials (the end of each segment
goes, direction right). longest_first, as HF 0.23 implements it (utils/truncation.rs), with budget = L - specials
and s <= l the shorter and longer segment's token counts: if s <= budget / 2 the shorter is kept whole and the
longer keeps budget - s; otherwise both are cut, the shorter to budget // 2 and the longer to budget // 2 +
budget % 2, so an odd token goes to the LONGER segment, and to the SECOND segment b when a and b are equally
long. This script asserts that rule for every truncated pair and prints the odd splits it saw.

Writes:
  Tests/Fixtures/tokenizers/unigram-roberta.json   (see above; no trailing newline, like the other files)
  Tests/Fixtures/tokenizers/pairs.jsonl            one JSON object per line, keys sorted:
      {"a": str, "b": str or null, "ids": [int], "max_length": int or null, "tokenizer": name,
       "tokens": [str], "type_ids": [int]}
      in the order tokenizer (the list above), case (pairs, then singles), max_length (null, 6, 9, 12, 17).
  Non-ASCII characters are written as \\u escapes (as gen_tokenizers.py does: Foundation's JSONSerialization
  drops a raw U+FEFF that starts a string). Output is the same bit for bit on every run.
Prints how many cases each tokenizer has and what was observed about type ids and odd removals.
"""
import json
import os
import sys

import tokenizers
from tokenizers import Tokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures", "tokenizers")
OUT = os.path.join(FIXTURES, "pairs.jsonl")
ROBERTA_FILE = os.path.join(FIXTURES, "unigram-roberta.json")
MAX_LENGTHS = [6, 9, 12, 17]

FILES = [
    ("unigram", os.path.join(FIXTURES, "unigram.json")),
    ("unigram-bytefallback", os.path.join(FIXTURES, "unigram-bytefallback.json")),
    ("wordpiece-cased", os.path.join(FIXTURES, "wordpiece-cased.json")),
    ("wordpiece-uncased", os.path.join(FIXTURES, "wordpiece-uncased.json")),
    ("demo", os.path.join(ROOT, "Sources", "xsns", "DemoModel", "tokenizer.json")),
    ("unigram-roberta", ROBERTA_FILE),
]

LONG_EN = ("The committee met on Tuesday afternoon to discuss the budget, the new building and the hiring "
           "plan for next year, but nobody could agree on anything before the meeting ended.")
LONG_DE = ("Gestern Abend sind wir nach einem langen Spaziergang durch die verschneite Altstadt noch in ein "
           "kleines Café gegangen und haben über Bücher gesprochen.")
LONG_FR = ("Après une longue journée de travail, elle a pris le train de dix-huit heures pour rentrer chez "
           "elle à la campagne, où l'attendaient ses enfants.")
LONG_RU = "Вчера вечером мы долго гуляли по набережной и разговаривали о книгах, музыке и путешествиях."
COUNT = "one two three four five six seven eight nine ten"

PAIRS = [
    ("Hello world", "How are you?"),
    ("", "Only the second segment has text."),
    ("Only the first segment has text.", ""),
    ("", ""),
    ("   ", "\t\n"),
    ("   ", LONG_EN),
    ("a  b   c", "  leading and trailing  "),
    ("Café naïve résumé", "Ångström über façade"),
    ("Cafe\u0301 nai\u0308ve", "Ñandú, pingüino y cigüeña"),
    ("東京は日本の首都です。", "我喜欢学习中文，也喜欢看书。"),
    ("Emoji 😀 test 👍🏽", "Family 👨\u200d👩\u200d👧 flag 🇩🇪 ❤️"),
    ("Привет, как дела?", "Москва — столица России."),
    ("don't stop: 3.14, 42% & #1!", "e-mail me at a.b@example.com (today)."),
    ("<s> not special </s> <mask> here", "[CLS] nor [SEP] these [MASK]"),
    (LONG_EN, "Yes."),
    ("Why?", LONG_DE),
    (LONG_EN, LONG_FR),
    (LONG_RU, "東京は日本の首都です。 Emoji 😀 and Ελληνικά."),
    (COUNT, COUNT),
    (LONG_DE, ""),
    ("", LONG_FR),
    ("one two three four five six seven", "eight nine ten"),
]

SINGLES = [
    "Hello world",
    "",
    LONG_EN,
    "東京は日本の首都です。",
    "Emoji 😀 test 👍🏽",
    LONG_RU,
]


def write_roberta():
    with open(FILES[0][1], encoding="utf-8") as f:
        spec = json.load(f)
    vocab = {piece: i for i, (piece, _) in enumerate(spec["model"]["vocab"])}
    spec["post_processor"] = {
        "type": "RobertaProcessing",
        "sep": ["</s>", vocab["</s>"]],
        "cls": ["<s>", vocab["<s>"]],
        "trim_offsets": True,
        "add_prefix_space": True,
    }
    tok = Tokenizer.from_str(json.dumps(spec))
    with open(ROBERTA_FILE, "w", encoding="utf-8") as f:
        f.write(tok.to_str(pretty=True))
    return vocab["<s>"], vocab["</s>"]


def encode(tok, a, b, max_length):
    if max_length is None:
        tok.no_truncation()
    else:
        tok.enable_truncation(max_length=max_length, strategy="longest_first")
    try:
        return tok.encode(a, b) if b is not None else tok.encode(a)
    finally:
        tok.no_truncation()


def main():
    cls_id, sep_id = write_roberta()
    rows = []
    notes = []
    counts = {}
    odd_splits = {}
    for name, path in FILES:
        tok = Tokenizer.from_file(path)
        assert tok.truncation is None and tok.padding is None, name
        n_pair = tok.num_special_tokens_to_add(True)
        n_single = tok.num_special_tokens_to_add(False)
        bare = lambda text: len(tok.encode(text, add_special_tokens=False).ids)
        n = 0
        for a, b in PAIRS + [(s, None) for s in SINGLES]:
            full = encode(tok, a, b, None)
            lengths = [None] + [L for L in MAX_LENGTHS if len(full.ids) > L]
            for L in lengths:
                enc = full if L is None else encode(tok, a, b, L)
                if L is not None:
                    assert len(enc.ids) == L, (name, a, b, L, len(enc.ids))
                assert len(enc.ids) == len(enc.type_ids) == len(enc.tokens)
                rows.append({"tokenizer": name, "a": a, "b": b, "max_length": L,
                             "ids": enc.ids, "type_ids": enc.type_ids, "tokens": enc.tokens})
                n += 1
                if b is not None and L is not None:
                    la, lb = bare(a), bare(b)
                    budget = L - n_pair
                    ka = enc.sequence_ids.count(0)
                    kb = enc.sequence_ids.count(1)
                    assert ka + kb == budget, (name, a, b, L)
                    # What HF 0.23's longest_first does (checked, so the docstring's rule is real).
                    s_, l_ = min(la, lb), max(la, lb)
                    if s_ <= budget - s_:
                        keep_s, keep_l = s_, budget - s_
                    else:
                        keep_s, keep_l = budget // 2, budget - budget // 2
                    want = (keep_s, keep_l) if la <= lb else (keep_l, keep_s)
                    assert (ka, kb) == want, (name, a, b, L, la, lb, ka, kb, want)
                    if la > budget // 2 and lb > budget // 2 and budget % 2 == 1:
                        odd_splits.setdefault(name, []).append((la, lb, L, ka, kb))
            if (a, b) == PAIRS[0]:
                # The pair layout HF produced: specials by name, segments as $A / $B, each with its type id.
                layout = []
                for token, type_id, seq in zip(full.tokens, full.type_ids, full.sequence_ids):
                    item = f"{token if seq is None else '$' + 'AB'[seq]}:{type_id}"
                    if not layout or layout[-1] != item or seq is None:
                        layout.append(item)
                notes.append((name, " ".join(layout)))
        counts[name] = (n, n_single, n_pair)
    with open(OUT, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, sort_keys=True, separators=(",", ":")) + "\n")

    print(f"tokenizers {tokenizers.__version__}; unigram-roberta: cls <s>={cls_id}, sep </s>={sep_id}")
    for name, (n, n_single, n_pair) in counts.items():
        pairs = sum(1 for r in rows if r["tokenizer"] == name and r["b"] is not None)
        print(f"{name:22s} {n:3d} cases ({pairs} pair, {n - pairs} single); specials single {n_single}, pair {n_pair}")
    for name, layout in notes:
        print(f"{name:22s} pair layout (token:type_id): {layout}")
    roberta = [r for r in rows if r["tokenizer"] == "unigram-roberta" and r["b"] is not None]
    assert all(set(r["type_ids"]) == {0} for r in roberta), "RobertaProcessing type ids changed"
    print("RobertaProcessing: every pair position has type_id 0 (segment b and its separators included)")
    cut = [r for r in rows if r["max_length"] and r["tokens"][-2].startswith("<0x")]
    print(f"byte fallback: {len(cut)} truncated cases end a segment inside a character's byte pieces")
    for name, splits in odd_splits.items():
        desc = ", ".join(f"|a|={la} |b|={lb} L={L} -> {ka}+{kb}" for la, lb, L, ka, kb in splits[:4])
        print(f"{name:22s} odd budget, both over half: {desc}")
    print(f"wrote {len(rows)} lines to {os.path.relpath(OUT, ROOT)} and {os.path.relpath(ROBERTA_FILE, ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
