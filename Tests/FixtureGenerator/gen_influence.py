"""Cross-language gradient-influence fixtures: a numpy reference for the Swift TracIn-style influence matrices
(per-sentence gradients compressed by a random projection into sketches, cosine-normalised, nearest neighbours
counted per language, as in Choenni et al.), computed on synthetic sketches so no model is involved.

Run from the repository root (the venv has numpy and safetensors):
    /work/venv/bin/python Tests/FixtureGenerator/gen_influence.py

Synthetic sketches. numpy.random.RandomState(R) with R = 11 first; for each language in LANGUAGES (in that order)
and, inside it, each seed in SEEDS (in that order), n = 18 + 3 * language_index + seed rows (so every file has a
different size) are drawn as rs.standard_normal((n, 16)).astype(float32): D = 16, rows i.i.d. standard normal.
Exception: in (fi, seed 1) row 3 is then overwritten with zeros (a sentence that predicted nothing). If the
reference below finds a near-tie (see the assertion) the whole draw is redone with R = 12, 13, ... and the R used
is recorded in expected.json.

Reference computation, for each seed k separately, in float64 from the stored float32 values:
  - every row is normalised to unit L2 norm; rows whose norm is 0 are dropped entirely (neither queries nor pool
    members);
  - for each target language t and each remaining row i of t: the pool is every remaining row of every language
    s != t, ordered by language (sorted) then row index; cos_ij = dot of the unit rows; top_plus = the m pool rows
    with the largest cos, top_minus = the m with the smallest (m = min(M, pool size), M = 5);
    share_plus_i(s) = (number of rows of language s in top_plus) / m, and the same for minus;
  - influence_plus[t][s] = mean over t's remaining rows i of share_plus_i(s) for s != t (the diagonal is null);
    influence_minus likewise. Each off-diagonal row of a matrix sums to 1.
  - "mean": the element-wise mean of the per-seed matrices over the seeds.
Asserted (this is what makes the neighbour sets well defined across languages and float orders): for every query,
cos_(m) - cos_(m+1) > 1e-4 at the top boundary and likewise at the bottom one (sorted cosines; only when the pool
has more than m rows).

Writes Tests/Fixtures/influence/:
  sketches/<lang>.seed<k>.safetensors  one tensor "sketch", F32 [n, 16],
                                       metadata {"dimension": "16", "language": lang, "seed": str(k)}
                                       (written by safetensors.numpy.save with the header's metadata keys then
                                       put in sorted order, which the library does not do by itself)
  expected.json  (indent 1, trailing newline) {"m": 5, "languages": [...], "seeds": [1, 2], "random_state": R,
                 "per_seed": {"1": {"influence_plus": [[...]], "influence_minus": [[...]]}, "2": {...}},
                 "mean": {"influence_plus": ..., "influence_minus": ...}}, matrices indexed [target][source] in the
                 languages order, null on the diagonal.

The output is bit-for-bit reproducible (fixed random state, fixed order, no threads).
"""
import json
import os

import numpy as np
from safetensors.numpy import load_file, save

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures")
INFLUENCE = os.path.join(FIXTURES, "influence")

LANGUAGES = ["de", "en", "fi", "ru"]
SEEDS = [1, 2]
D = 16
M = 5
ZERO_ROW = ("fi", 1, 3)  # (language, seed, row) set to all zeros
TIE_GAP = 1e-4
FIRST_RANDOM_STATE = 11


def save_sketch(sketch, path, metadata):
    """safetensors.numpy.save, then the header's metadata keys put in sorted order: the library keeps metadata in a
    Rust HashMap, so its key order (and the file's bytes) would change from run to run. Same keys, same length."""
    data = save({"sketch": np.ascontiguousarray(sketch)}, metadata=metadata)
    size = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + size])
    header["__metadata__"] = dict(sorted(header["__metadata__"].items()))
    ordered = {"__metadata__": header.pop("__metadata__"), **header}
    text = json.dumps(ordered, separators=(",", ":")).encode()
    assert len(text) <= size
    data = data[:8] + text + b" " * (size - len(text)) + data[8 + size:]
    with open(path, "wb") as handle:
        handle.write(data)
    assert np.array_equal(load_file(path)["sketch"], sketch)


def draw(random_state):
    """{(language, seed): float32 [n, D]} in the documented draw order."""
    rs = np.random.RandomState(random_state)
    sketches = {}
    for index, language in enumerate(LANGUAGES):
        for seed in SEEDS:
            n = 18 + 3 * index + seed
            sketches[(language, seed)] = rs.standard_normal((n, D)).astype(np.float32)
    language, seed, row = ZERO_ROW
    sketches[(language, seed)][row] = 0
    return sketches


def influence(sketches, seed):
    """(influence_plus, influence_minus) for one seed as nested lists [target][source], None on the diagonal;
    or None if some query has a near-tie at a top-m boundary."""
    languages = sorted(LANGUAGES)
    assert languages == LANGUAGES
    units = {}
    for language in languages:
        rows = sketches[(language, seed)].astype(np.float64)
        norms = np.linalg.norm(rows, axis=1)
        keep = norms > 0
        units[language] = rows[keep] / norms[keep][:, None]
    k = len(languages)
    plus = [[None] * k for _ in range(k)]
    minus = [[None] * k for _ in range(k)]
    for t, target in enumerate(languages):
        sources = [s for s in languages if s != target]
        pool = np.concatenate([units[s] for s in sources])
        owner = np.concatenate([np.full(len(units[s]), languages.index(s)) for s in sources])
        m = min(M, len(pool))
        share_plus, share_minus = np.zeros(k), np.zeros(k)
        for query in units[target]:
            cos = pool @ query
            order = np.argsort(-cos, kind="stable")  # descending
            ranked = cos[order]
            if len(pool) > m and (ranked[m - 1] - ranked[m] <= TIE_GAP or ranked[-m - 1] - ranked[-m] <= TIE_GAP):
                return None
            share_plus += np.bincount(owner[order[:m]], minlength=k) / m
            share_minus += np.bincount(owner[order[-m:]], minlength=k) / m
        share_plus /= len(units[target])
        share_minus /= len(units[target])
        for s, source in enumerate(languages):
            if s != t:
                plus[t][s], minus[t][s] = float(share_plus[s]), float(share_minus[s])
        assert share_plus[t] == 0 and share_minus[t] == 0
        assert abs(share_plus.sum() - 1) < 1e-12 and abs(share_minus.sum() - 1) < 1e-12
    return plus, minus


def mean(matrices):
    k = len(LANGUAGES)
    return [[None if t == s else float(np.mean([matrix[t][s] for matrix in matrices])) for s in range(k)]
            for t in range(k)]


def main():
    random_state = FIRST_RANDOM_STATE
    while True:
        sketches = draw(random_state)
        results = {seed: influence(sketches, seed) for seed in SEEDS}
        if all(r is not None for r in results.values()):
            break
        print(f"random state {random_state}: near-tie at a top-{M} boundary, trying {random_state + 1}")
        random_state += 1
        assert random_state < FIRST_RANDOM_STATE + 1000, "no tie-free random state found"

    folder = os.path.join(INFLUENCE, "sketches")
    os.makedirs(folder, exist_ok=True)
    for (language, seed), sketch in sketches.items():
        save_sketch(sketch, os.path.join(folder, f"{language}.seed{seed}.safetensors"),
                    dict(dimension=str(D), language=language, seed=str(seed)))
        print(f"  {language}.seed{seed}: {sketch.shape[0]} x {D}")

    per_seed = {str(seed): dict(influence_plus=results[seed][0], influence_minus=results[seed][1]) for seed in SEEDS}
    document = dict(m=M, languages=LANGUAGES, seeds=SEEDS, random_state=random_state, per_seed=per_seed,
                    mean=dict(influence_plus=mean([results[seed][0] for seed in SEEDS]),
                              influence_minus=mean([results[seed][1] for seed in SEEDS])))
    with open(os.path.join(INFLUENCE, "expected.json"), "w") as handle:
        json.dump(document, handle, indent=1)
        handle.write("\n")
    print(f"random_state {random_state}")
    for name in ("influence_plus", "influence_minus"):
        print(f"mean {name} [target][source]:")
        for language, row in zip(LANGUAGES, document["mean"][name]):
            print(f"  {language}: " + " ".join("   -  " if v is None else f"{v:.4f}" for v in row))


if __name__ == "__main__":
    main()
