"""Fixtures for the part-of-speech probe: what Hugging Face gives when a CoNLL-U sentence's words are tokenized
with is_split_into_words=True and the first sub-word of every word is labelled with its UPOS tag id, and a few
CoNLL-U files that a reader must reject, each with the line it must name.

Run from the repository root (the venv has tokenizers and transformers 5):
    /work/venv/bin/python Tests/FixtureGenerator/gen_probe.py

Reads Tests/Fixtures/probe/tiny.conllu, written by hand for these tests (nine short sentences in English, German,
French, Spanish, Russian, Finnish, Arabic, Hindi and Chinese, not taken from any treebank; two multiword-token
ranges (fr "du", es "del"), one empty node (de 7.1, a gapped verb), punctuation, the numbers "3" and "7", accented
and diacritic words, and one 50-word English sentence that max_length 24 cuts). It is input, not output: this
script never rewrites it, only checks it with the reader below.

Reading rules (Sources/XSNSCompute/CoNLLU.swift applies the same, checking UPOS later): lines starting with
"#" are comments; a blank line ends a sentence (so does the end of the file); every other line has 10 tab-separated
columns; a line whose ID contains "-" (multiword-token range) or "." (empty node) is skipped; every other line is a
word and gives (FORM, UPOS). A word's ID must be an integer, the words of a sentence are numbered 1, 2, 3, ... with
no gap, and UPOS must be one of LABELS below (the 17 UD tags or "_"). The file must be UTF-8.

Labels (ids 0..17): the order of the `upos` ClassLabel of the Hugging Face `universal_dependencies` dataset,
which the official code of 2403.20088 loads, so that label ids mean the same there and here. Its loading script
(huggingface/datasets, datasets/universal_dependencies/universal_dependencies.py, UD 2.7; a later parquet
conversion of the dataset keeps the same list) declares
    ClassLabel(names=["NOUN", "PUNCT", "ADP", "NUM", "SYM", "SCONJ", "ADJ", "PART", "DET", "CCONJ", "PROPN",
                      "PRON", "X", "_", "ADV", "INTJ", "VERB", "AUX"])
i.e. NOUN=0, PUNCT=1, ..., "_"=13, ..., AUX=17 (LABELS below). The "_" class exists in that dataset
because its script keeps every token of conllu's TokenList (`for token in sent`), multiword-token range lines
(UPOS "_") and empty nodes included, so its `tokens` for "del" read "del", "de", "el"; the rules above skip both
kinds of line, so "_" only occurs here if a word line itself has UPOS "_" (accepted, id 17).

Tokenizers (tokenizers.Tokenizer.from_file, encode(words, is_pretokenized=True), special tokens added by each
file's post-processor):
  xlmr-demo     Sources/xsns/DemoModel/tokenizer.json                  Unigram, Metaspace, <s> $A </s>
  bert-cased    Tests/Fixtures/tokenizers/wordpiece-cased.json         WordPiece, BertProcessing [CLS] $A [SEP]
  bert-uncased  Tests/Fixtures/tokenizers/wordpiece-uncased.json       the same, lowercase=True
Each sentence is encoded twice: "truncated" with enable_truncation(24) (max_length counts the two specials,
strategy longest_first, direction right, stride 0) and "full" without truncation. labels[i] is the tag id of
word word_ids[i] at the first position of each word, -100 at later sub-words and at specials; computed the way
transformers' token-classification example does it (a position whose word id differs from the previous
position's), which for these monotone word ids is the same as "first position of each word id" (asserted).
Every case is cross-checked against transformers: PreTrainedTokenizerFast(tokenizer_file=...) called with
is_split_into_words=True and truncation=True, max_length=24 (or truncation=False) must give the same input_ids and
word_ids; for xlmr-demo also AutoTokenizer on the DemoModel folder (transformers 5 rebuilds that one as an
XLMRobertaTokenizer whose pre-tokenizer is WhitespaceSplit + Metaspace instead of the file's Metaspace alone).

Writes Tests/Fixtures/probe/:
  tagged.json   {"labels": [18 names], "hf_universal_dependencies_upos": [18 names, HF's order],
                 "max_length": 24, "source": "tiny.conllu",
                 "tokenizers": {name: {"file" (from the repository root), "post_processor", "prefix", "suffix"
                                (special ids before/after the words)}},
                 "cases": {name: {"truncated": [sentence, ...], "full": [sentence, ...]}},
                 "edge": {name: [sentence, ...]}}
                sentence = {"sent_id", "words", "tags" (strings), "input_ids", "word_ids" (null for specials),
                            "labels"}; the sentences in tiny.conllu order.
                "edge" (no truncation; "sent_id" names the case; not from tiny.conllu) holds word lists a CoNLL-U
                file can hardly contain but a caller can pass: an empty word, a whitespace-only word, a word with
                an inner space (UD allows that in FORM), double spaces and a tab, leading and trailing spaces, a
                zero-width space, a soft hyphen, a decomposed accent, a word over WordPiece's 100-character
                limit, compatibility characters (NFKC), multi-character Chinese words. A word that
                tokenizes to nothing has no position, so its label is simply absent.
  malformed/*.conllu  small files with exactly one problem each (every other line valid)
  malformed/expected.json  {file name: {"line": 1-based line of the problem, "problem": short description}}
                The reader below must report exactly that line for each file (asserted), and accept tiny.conllu.
JSON is written compactly, one sentence per line, with non-ASCII characters as UTF-8. The output is the same on
every run (no randomness; fixed order).
"""
import json
import os
import re

import transformers
from tokenizers import Tokenizer
from transformers import AutoTokenizer, PreTrainedTokenizerFast

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "probe")
SOURCE = os.path.join(OUT, "tiny.conllu")
MAX_LENGTH = 24
IGNORE = -100

# The upos ClassLabel of HF's universal_dependencies dataset (see the docstring).
LABELS = ["NOUN", "PUNCT", "ADP", "NUM", "SYM", "SCONJ", "ADJ", "PART", "DET", "CCONJ", "PROPN", "PRON", "X",
          "_", "ADV", "INTJ", "VERB", "AUX"]
LABEL_ID = {name: i for i, name in enumerate(LABELS)}

TOKENIZERS = [  # name, file (from the repository root), folder for AutoTokenizer or None
    ("xlmr-demo", "Sources/xsns/DemoModel/tokenizer.json", "Sources/xsns/DemoModel"),
    ("bert-cased", "Tests/Fixtures/tokenizers/wordpiece-cased.json", None),
    ("bert-uncased", "Tests/Fixtures/tokenizers/wordpiece-uncased.json", None),
]

EDGE = [  # (name, words, tags)
    ("empty-word", ["Ich", "", "trinke", "Tee"], ["PRON", "X", "VERB", "NOUN"]),
    ("whitespace-word", ["Tee", " ", "."], ["NOUN", "X", "PUNCT"]),
    ("inner-space", ["10 000", "Leute", "kommen"], ["NUM", "NOUN", "VERB"]),
    ("double-space-and-tab", ["a  b", "c\td", "e"], ["X", "X", "X"]),
    ("leading-trailing-space", [" Tee", "Kaffee ", "."], ["NOUN", "NOUN", "PUNCT"]),
    ("zero-width-space", ["Tee", "\u200b", "Kaffee"], ["NOUN", "X", "NOUN"]),
    ("soft-hyphen", ["Tee", "\u00ad", "Kaffee"], ["NOUN", "X", "NOUN"]),
    ("decomposed-accent", ["cafe\u0301", "fe\u0301rme\u0301"], ["NOUN", "ADJ"]),
    ("long-word", ["x" * 101, "ok"], ["X", "INTJ"]),
    ("nfkc", ["\ufb01n", "\u2460", "\uff21"], ["NOUN", "NUM", "X"]),
    ("cjk-multi-char", ["我们", "公园", "喝茶"], ["PRON", "NOUN", "VERB"]),
]


class ConlluError(Exception):
    def __init__(self, line, problem):
        super().__init__(f"line {line}: {problem}")
        self.line, self.problem = line, problem


WORD_ID = re.compile(r"[1-9][0-9]*")
RANGE_ID = re.compile(r"[1-9][0-9]*-[1-9][0-9]*")
EMPTY_ID = re.compile(r"(0|[1-9][0-9]*)\.[1-9][0-9]*")


def read_conllu(data):
    """The reading rules of the docstring, on raw bytes. Returns [(sent_id, words, tags)]; raises ConlluError
    with the 1-based line of the first problem."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConlluError(data.count(b"\n", 0, error.start) + 1, "not valid UTF-8") from None
    sentences, words, tags, sent_id, expected = [], [], [], None, 1

    def finish():
        nonlocal words, tags, sent_id, expected
        if words:
            sentences.append((sent_id, words, tags))
        words, tags, sent_id, expected = [], [], None, 1

    for number, line in enumerate(text.split("\n"), start=1):
        if line.startswith("#"):
            match = re.match(r"#\s*sent_id\s*=\s*(.*)$", line)
            if match:
                sent_id = match.group(1).strip()
            continue
        if line.strip() == "":
            finish()
            continue
        columns = line.split("\t")
        if len(columns) != 10:
            raise ConlluError(number, f"{len(columns)} columns instead of 10")
        ident, form, upos = columns[0], columns[1], columns[3]
        if RANGE_ID.fullmatch(ident) or EMPTY_ID.fullmatch(ident):
            continue
        if not WORD_ID.fullmatch(ident):
            raise ConlluError(number, f"ID {ident!r} is not an integer, a range or an empty node")
        if int(ident) != expected:
            raise ConlluError(number, f"word ID {ident} where {expected} was expected")
        if upos not in LABEL_ID:
            raise ConlluError(number, f"UPOS {upos!r} is not a UD tag")
        words.append(form)
        tags.append(upos)
        expected += 1
    finish()
    return sentences


def align_labels(word_ids, tag_ids):
    """transformers' token-classification example: label a position when its word differs from the previous
    position's word; -100 for specials and later sub-words."""
    labels, previous = [], None
    for word in word_ids:
        if word is None:
            labels.append(IGNORE)
        elif word != previous:
            labels.append(tag_ids[word])
        else:
            labels.append(IGNORE)
        previous = word
    seen, first = set(), []  # the same thing as "first position of each word id"
    for word in word_ids:
        first.append(IGNORE if word is None or word in seen else tag_ids[word])
        if word is not None:
            seen.add(word)
    assert first == labels
    return labels


def encode_case(tok, hf_tokenizers, sent_id, words, tags, truncate):
    encoding = tok.encode(words, is_pretokenized=True)
    ids, word_ids = list(encoding.ids), list(encoding.word_ids)
    for hf in hf_tokenizers:
        if truncate:
            batch = hf(words, is_split_into_words=True, truncation=True, max_length=MAX_LENGTH)
        else:
            batch = hf(words, is_split_into_words=True, truncation=False)
        assert batch["input_ids"] == ids, (sent_id, type(hf).__name__, batch["input_ids"], ids)
        assert batch.word_ids() == word_ids, (sent_id, type(hf).__name__, batch.word_ids(), word_ids)
    labels = align_labels(word_ids, [LABEL_ID[t] for t in tags])
    return dict(sent_id=sent_id, words=words, tags=tags, input_ids=ids, word_ids=word_ids, labels=labels)


def special_layout(tok):
    """The special ids the post-processor puts before and after the words of a single sequence."""
    encoding = tok.encode(["x"], is_pretokenized=True)
    words = [i for i, w in enumerate(encoding.word_ids) if w is not None]
    return encoding.ids[:words[0]], encoding.ids[words[-1] + 1:]


def tokenizer_cases(name, path, folder, sentences):
    full_tok = Tokenizer.from_file(os.path.join(ROOT, path))
    assert full_tok.truncation is None and full_tok.padding is None, name
    trunc_tok = Tokenizer.from_file(os.path.join(ROOT, path))
    trunc_tok.enable_truncation(MAX_LENGTH)
    hf = [PreTrainedTokenizerFast(tokenizer_file=os.path.join(ROOT, path))]
    if folder:
        hf.append(AutoTokenizer.from_pretrained(os.path.join(ROOT, folder)))
    post = json.loads(full_tok.to_str())["post_processor"]
    prefix, suffix = special_layout(full_tok)
    info = dict(file=path, post_processor=post["type"] if post else None, prefix=prefix, suffix=suffix)
    cases = {"truncated": [], "full": []}
    for sent_id, words, tags in sentences:
        full = encode_case(full_tok, hf, sent_id, words, tags, truncate=False)
        cut = encode_case(trunc_tok, hf, sent_id, words, tags, truncate=True)
        # Truncation keeps a prefix of the word positions and then the suffix specials.
        if len(full["input_ids"]) <= MAX_LENGTH:
            assert cut == full, sent_id
        else:
            keep = MAX_LENGTH - len(suffix)
            assert len(cut["input_ids"]) == MAX_LENGTH, sent_id
            assert cut["input_ids"] == full["input_ids"][:keep] + suffix, sent_id
            assert cut["word_ids"] == full["word_ids"][:keep] + [None] * len(suffix), sent_id
            assert cut["labels"] == full["labels"][:keep] + [IGNORE] * len(suffix), sent_id
        cases["full"].append(full)
        cases["truncated"].append(cut)
    edge = [encode_case(full_tok, hf, case, words, tags, truncate=False) for case, words, tags in EDGE]
    return info, cases, edge


def dump(obj, depth=0, line_depth=3):
    """Compact JSON with a newline before every value nested line_depth deep (one sentence per line)."""
    flat = isinstance(obj, list) and not any(isinstance(v, (dict, list)) for v in obj)
    if depth >= line_depth or flat or not isinstance(obj, (dict, list)):
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    pad = "\n" + " " * (depth + 1)
    if isinstance(obj, dict):
        items = [json.dumps(k, ensure_ascii=False) + ":" + dump(v, depth + 1, line_depth) for k, v in obj.items()]
        return "{" + pad + ("," + pad).join(items) + "\n" + " " * depth + "}"
    return "[" + pad + ("," + pad).join(dump(v, depth + 1, line_depth) for v in obj) + "\n" + " " * depth + "]"


# ---------------------------------------------------------------------------------------------------------------
# Malformed files: a valid two-sentence file, with one line of the second sentence broken.

def valid_lines(word="vecino", form_5=None, ids=(1, 2, 3, 4, 5, 6, 7), range_id=b"3-4"):
    """form_5: the bytes of word 5's FORM and LEMMA (default: word in UTF-8); the text comment has word in UTF-8."""
    form_5 = word.encode() if form_5 is None else form_5
    first = [
        b"# text written for X-SNS Workbench tests",
        b"# sent_id = m-1",
        b"# text = Wir trinken Tee.",
        b"1\tWir\twir\tPRON\t_\t_\t2\tnsubj\t_\t_",
        b"2\ttrinken\ttrinken\tVERB\t_\t_\t0\troot\t_\t_",
        b"3\tTee\tTee\tNOUN\t_\t_\t2\tobj\t_\tSpaceAfter=No",
        b"4\t.\t.\tPUNCT\t_\t_\t2\tpunct\t_\t_",
        b"",
    ]
    i = [str(n).encode() for n in ids]
    second = [
        b"# sent_id = m-2",
        b"# text = El gato del " + word.encode() + b" duerme.",
        i[0] + b"\tEl\tel\tDET\t_\t_\t" + i[1] + b"\tdet\t_\t_",
        i[1] + b"\tgato\tgato\tNOUN\t_\t_\t" + i[5] + b"\tnsubj\t_\t_",
        range_id + b"\tdel\t_\t_\t_\t_\t_\t_\t_\t_",
        i[2] + b"\tde\tde\tADP\t_\t_\t" + i[4] + b"\tcase\t_\t_",
        i[3] + b"\tel\tel\tDET\t_\t_\t" + i[4] + b"\tdet\t_\t_",
        i[4] + b"\t" + form_5 + b"\t" + form_5 + b"\tNOUN\t_\t_\t" + i[1] + b"\tnmod\t_\t_",
        i[5] + b"\tduerme\tdormir\tVERB\t_\t_\t0\troot\t_\tSpaceAfter=No",
        i[6] + b"\t.\t.\tPUNCT\t_\t_\t" + i[5] + b"\tpunct\t_\t_",
        b"",
    ]
    return first + second


def malformed_files():
    """[(file name, lines, 1-based line of the problem, problem)]"""
    files = []

    def add(name, lines, marker, problem):
        hits = [n for n, line in enumerate(lines, start=1) if marker(line)]
        assert len(hits) == 1, name
        files.append((name, lines, hits[0], problem))

    lines = valid_lines()
    lines = [b"\t".join(l.split(b"\t")[:9]) if l.startswith(b"5\tvecino") else l for l in lines]
    add("nine_columns.conllu", lines, lambda l: l.startswith(b"5\tvecino"),
        "word line has 9 tab-separated columns instead of 10")

    lines = [l.replace(b"\tNOUN\t", b"\tNOUNX\t") if l.startswith(b"5\tvecino") else l for l in valid_lines()]
    add("bad_upos.conllu", lines, lambda l: b"NOUNX" in l, "UPOS NOUNX is not a UD tag")

    lines = [b"a" + l[1:] if l.startswith(b"7\t.\t") else l for l in valid_lines()]
    add("bad_id.conllu", lines, lambda l: l.startswith(b"a\t"), "word ID a is not an integer")

    # Latin-1 n-tilde: byte 0xF1, which UTF-8 does not allow before "o"
    lines = valid_lines(word="niño", form_5="niño".encode("latin-1"))
    add("not_utf8.conllu", lines, lambda l: b"\xf1" in l,
        "not valid UTF-8 (byte 0xF1, a Latin-1 n-tilde, in FORM and LEMMA)")

    lines = valid_lines(ids=(1, 2, 3, 4, 5, 6, 8))
    add("id_gap.conllu", lines, lambda l: l.startswith(b"8\t"), "word IDs skip a number: 8 after 6")

    lines = valid_lines(ids=(2, 3, 4, 5, 6, 7, 8), range_id=b"4-5")
    add("id_start.conllu", lines, lambda l: l.startswith(b"2\tEl"), "first word ID of a sentence is 2, not 1")
    return files


def main():
    transformers.logging.set_verbosity_error()
    with open(SOURCE, "rb") as handle:
        sentences = read_conllu(handle.read())
    assert len(sentences) >= 8 and all(sent_id for sent_id, _, _ in sentences)
    assert max(len(words) for _, words, _ in sentences) >= 40

    output = dict(labels=LABELS, max_length=MAX_LENGTH,
                  source="tiny.conllu", tokenizers={}, cases={}, edge={})
    for name, path, folder in TOKENIZERS:
        info, cases, edge = tokenizer_cases(name, path, folder, sentences)
        output["tokenizers"][name] = info
        output["cases"][name] = cases
        output["edge"][name] = edge
    with open(os.path.join(OUT, "tagged.json"), "w", encoding="utf-8") as handle:
        handle.write(dump(output) + "\n")

    folder = os.path.join(OUT, "malformed")
    os.makedirs(folder, exist_ok=True)
    expected = {}
    for name, lines, line, problem in malformed_files():
        data = b"\n".join(lines) + b"\n"
        try:
            read_conllu(data)
            raise AssertionError(f"{name} was accepted")
        except ConlluError as error:
            assert error.line == line, (name, error.line, line, error.problem)
        assert read_conllu(b"\n".join(valid_lines()) + b"\n")  # the unbroken file is accepted
        with open(os.path.join(folder, name), "wb") as handle:
            handle.write(data)
        expected[name] = dict(line=line, problem=problem)
    with open(os.path.join(folder, "expected.json"), "w", encoding="utf-8") as handle:
        json.dump(dict(sorted(expected.items())), handle, indent=1)
        handle.write("\n")
    for name in sorted(expected):
        print(f"malformed/{name}: line {expected[name]['line']}: {expected[name]['problem']}")
    for name, _, _ in TOKENIZERS:
        cut = sum(len(c["input_ids"]) < len(f["input_ids"])
                  for c, f in zip(output["cases"][name]["truncated"], output["cases"][name]["full"]))
        print(f"{name}: {len(sentences)} sentences, {cut} cut by max_length {MAX_LENGTH}")


if __name__ == "__main__":
    main()
