"""Fingerprints of the token ids Hugging Face gives for every sentence of the real UD treebanks: for each CoNLL-U
file of the shared corpus and each of the probe's three tokenizers, the number of sentences, the number of ids and
two SHA-256 hashes (of the ids, and of the positions of the first sub-word of every word). A Swift test that reads
the same files with CoNLLU.parse and tokenizes them with its own tokenizers can compare its counts and hashes to
these and so check the whole corpus (about 39,000 sentences in 20 languages), not just the hand-written sentences
of gen_probe.py. Only hashes and counts are written: no word, no id, nothing from which the UD text could be
recovered, so no treebank data (several are licensed NonCommercial, see SOURCES.md there) enters the repository.

Run from the repository root (the venv has tokenizers):
    /work/venv/bin/python Tests/FixtureGenerator/gen_ud_ids.py [--shared ../shared]
--shared is the shared folder whose corpora/ud-conllu/ holds the treebanks (default ../shared, as in
gen_analysis.py); a folder that has no corpora/ud-conllu/ is taken to be the treebank folder itself. Every
*.conllu file in it is read (sorted by name); the file names are the keys of the output. Takes about 10 s.

Reading rules (the same as Sources/XSNSCompute/CoNLLU.swift, CoNLLU.parse): the file is split at "\n"; a line
ending in "\r" loses it ("\r\n" line ends); a UTF-8 BOM at the start of the first line is dropped; every line must
be UTF-8. A line made only of white space (Unicode White_Space; the empty line too) ends a sentence, as does the
end of the file; a sentence without words is dropped. A line starting with "#" is a comment. Every other line has
10 tab-separated columns; a line whose ID contains "-" (multiword-token range) or "." (empty node) is skipped
(its two parts must be digits); every other ID must be the next integer 1, 2, 3, ... of the sentence and the line
gives one word, its FORM (column 2) unchanged (UPOS is not used here). Anything else is an error (the script
stops, naming the file and line).

Tokenizers (tokenizers.Tokenizer.from_file, no truncation, no padding (asserted); encode(words,
is_pretokenized=True), special tokens added by each file's post-processor):
  xlmr-demo     Sources/xsns/DemoModel/tokenizer.json                  Unigram, Metaspace, <s> $A </s>
  bert-cased    Tests/Fixtures/tokenizers/wordpiece-cased.json         WordPiece, BertProcessing [CLS] $A [SEP]
  bert-uncased  Tests/Fixtures/tokenizers/wordpiece-uncased.json       the same, lowercase=True

Hashes, per (file, tokenizer), over the sentences of the file in order:
  ids_sha256             SHA-256 of the UTF-8 text made of one line per sentence: its ids (encoding.ids, specials
                         included) in decimal joined by ",", then "\n". E.g. "0,35,7,2\n0,12,2\n".
  first_subwords_sha256  the same over the first sub-word positions of each sentence: the positions i (0-based,
                         counting the specials) with word_ids[i] not None and word_ids[i] != word_ids[i-1] (None
                         for i = 0), as transformers' token-classification example labels them. A word that
                         tokenizes to nothing has no position.
  sentences              the number of sentences read; ids: the total number of ids of those sentences.

Writes Tests/Fixtures/probe/ud_ids.json:
  {"files": {file name: {tokenizer name: {"sentences", "ids", "ids_sha256", "first_subwords_sha256"}}}}
files sorted by name, tokenizers in the order above, indent 1. The output is the same on every run (no randomness,
fixed order). The script also prints what the reading rules found odd (empty FORM, white space inside FORM,
invisible characters, words that give no token, BOM, "\r\n", ...); these are reported, not errors.
"""
import argparse
import hashlib
import json
import os
import sys
import time
import unicodedata

from tokenizers import Tokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "probe", "ud_ids.json")

TOKENIZERS = [  # name, file (from the repository root)
    ("xlmr-demo", "Sources/xsns/DemoModel/tokenizer.json"),
    ("bert-cased", "Tests/Fixtures/tokenizers/wordpiece-cased.json"),
    ("bert-uncased", "Tests/Fixtures/tokenizers/wordpiece-uncased.json"),
]

# Unicode White_Space: what Swift's Character.isWhitespace tests (on a character's first scalar). Python's
# str.isspace() differs (it also takes U+001C..U+001F), so the set is spelled out.
WHITE_SPACE = set("\t\n\x0b\x0c\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000") | {
    chr(c) for c in range(0x2000, 0x200B)}
# Characters that are invisible or that a tokenizer may drop: worth naming when a FORM holds one.
INVISIBLE = {"\u00ad", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\ufeff"}


class ConlluError(Exception):
    pass


def is_digits(text):
    return text != "" and all("0" <= c <= "9" for c in text)


def is_extending(char):
    """Roughly: a character that Swift would glue to the one before it in the same Character (grapheme)."""
    return unicodedata.category(char) in ("Mn", "Me", "Mc") or char in ("\u200d", "\u200c")


def read_conllu(path, odd):
    """[words] per sentence, by the reading rules of the docstring. odd: a list that collects (line, note)."""
    with open(path, "rb") as handle:
        data = handle.read()
    sentences, words = [], []
    crlf = 0
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ConlluError(f"{path}: line {number}: not valid UTF-8") from None
        if line.endswith("\r"):
            line = line[:-1]
            crlf += 1
        if "\r" in line:
            odd.append((number, "a carriage return inside the line"))
        if number == 1 and line.startswith("\ufeff"):
            line = line[1:]
            odd.append((number, "UTF-8 BOM (dropped)"))
        if all(c in WHITE_SPACE for c in line):
            if words:
                sentences.append(words)
            words = []
            continue
        if all(c in WHITE_SPACE or is_extending(c) for c in line):
            odd.append((number, "white space with combining marks only (Swift may see a blank line)"))
        if line.startswith("#"):
            if len(line) > 1 and is_extending(line[1]):
                odd.append((number, "'#' followed by a combining mark (Swift may not see a comment)"))
            continue
        columns = line.split("\t")
        if len(columns) != 10:
            raise ConlluError(f"{path}: line {number}: expected 10 tab-separated columns, found {len(columns)}")
        ident, form = columns[0], columns[1]
        separators = [c for c in ident if c in "-."]
        if separators:
            parts = ident.split(separators[0])
            if len(parts) != 2 or not all(is_digits(p) for p in parts):
                raise ConlluError(f"{path}: line {number}: ID {ident!r} is neither a word, a range nor an empty node")
            continue
        if not is_digits(ident) or int(ident) < 1:
            raise ConlluError(f"{path}: line {number}: ID {ident!r} is not a word index")
        if int(ident) != len(words) + 1:
            raise ConlluError(f"{path}: line {number}: word ID {ident} where {len(words) + 1} was expected")
        if form == "":
            odd.append((number, "empty FORM"))
        elif form.strip() == "" or all(c in WHITE_SPACE for c in form):
            odd.append((number, f"FORM is only white space {form!r}"))
        elif any(c in WHITE_SPACE for c in form):
            odd.append((number, f"white space inside FORM {form!r}"))
        if any(c in INVISIBLE for c in form):
            odd.append((number, f"invisible character in FORM {form!r}"))
        if any(unicodedata.category(c) in ("Cc", "Cs", "Co", "Cn") for c in form):
            odd.append((number, f"control, unassigned or private-use character in FORM {form!r}"))
        if form and is_extending(form[0]):
            odd.append((number, f"FORM starts with a combining mark {form!r}"))
        words.append(form)
    if words:
        sentences.append(words)
    if crlf:
        odd.append((0, f"{crlf} lines end in \\r\\n"))
    if data and not data.endswith(b"\n"):
        odd.append((0, "no newline at the end of the file"))
    return sentences


def first_subwords(word_ids):
    positions, previous = [], None
    for i, word in enumerate(word_ids):
        if word is not None and word != previous:
            positions.append(i)
        previous = word
    return positions


def fingerprint(tok, sentences, silent):
    """The entry of one (file, tokenizer); silent collects (sentence index, word index) of words with no token."""
    ids_hash, first_hash, total = hashlib.sha256(), hashlib.sha256(), 0
    for index, words in enumerate(sentences):
        encoding = tok.encode(words, is_pretokenized=True)
        ids, word_ids = encoding.ids, encoding.word_ids
        firsts = first_subwords(word_ids)
        seen = {w for w in word_ids if w is not None}
        assert firsts == sorted(word_ids.index(w) for w in seen)  # word ids are monotone: same as "first of each"
        silent.extend((index, w) for w in range(len(words)) if w not in seen)
        ids_hash.update((",".join(map(str, ids)) + "\n").encode("utf-8"))
        first_hash.update((",".join(map(str, firsts)) + "\n").encode("utf-8"))
        total += len(ids)
    return dict(sentences=len(sentences), ids=total, ids_sha256=ids_hash.hexdigest(),
                first_subwords_sha256=first_hash.hexdigest())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", default=os.path.join("..", "shared"),
                        help="the shared folder (its corpora/ud-conllu/ is read) or the treebank folder itself")
    args = parser.parse_args()
    folder = os.path.join(args.shared, "corpora", "ud-conllu")
    if not os.path.isdir(folder):
        folder = args.shared
    names = sorted(n for n in os.listdir(folder) if n.endswith(".conllu"))
    if not names:
        sys.exit(f"no *.conllu file in {folder}")

    start = time.monotonic()
    tokenizers = []
    for name, path in TOKENIZERS:
        tok = Tokenizer.from_file(os.path.join(ROOT, path))
        assert tok.truncation is None and tok.padding is None, name
        tokenizers.append((name, tok))

    output, total_sentences, total_words = {"files": {}}, 0, 0
    for file_name in names:
        odd = []
        sentences = read_conllu(os.path.join(folder, file_name), odd)
        total_sentences += len(sentences)
        total_words += sum(len(words) for words in sentences)
        entry = {}
        for name, tok in tokenizers:
            silent = []
            entry[name] = fingerprint(tok, sentences, silent)
            if silent:
                forms = sorted({sentences[s][w] for s, w in silent})
                shown = ", ".join(repr(f) for f in forms[:8]) + (", ..." if len(forms) > 8 else "")
                odd.append((0, f"{name}: {len(silent)} words give no token ({shown})"))
        output["files"][file_name] = entry
        words = sum(len(w) for w in sentences)
        print(f"{file_name}: {len(sentences)} sentences, {words} words, ids "
              + ", ".join(f"{name} {entry[name]['ids']}" for name, _ in tokenizers))
        for line, note in odd:
            print(f"  {'line ' + str(line) + ': ' if line else ''}{note}")

    with open(OUT, "w", encoding="utf-8") as handle:
        json.dump(output, handle, indent=1)
        handle.write("\n")
    print(f"{len(names)} files, {total_sentences} sentences, {total_words} words; "
          f"wrote {os.path.relpath(OUT, ROOT)} ({os.path.getsize(OUT)} bytes) in {time.monotonic() - start:.1f} s")


if __name__ == "__main__":
    main()
