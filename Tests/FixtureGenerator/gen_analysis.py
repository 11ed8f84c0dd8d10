"""Reference values for XSNSAnalysis, computed with numpy / scikit-learn / scipy.

Run from the repository root (needs the shared gold data for the real-file fixtures):
    /work/venv/bin/python Tests/FixtureGenerator/gen_analysis.py [--shared ../shared]
Writes Tests/Fixtures/analysis/. Deterministic: fixed seeds, no clock.

The "hash" predictor used on the real gold files is defined here and in the Swift tests identically:
FNV-1a 64-bit over the UTF-8 bytes of f"{source}|{target}"; score = (h >> 11) / 2**53 ("hash") or
h % 4 ("coarse", which produces many ties).
"""
import argparse
import csv
import json
import math
import os

import numpy as np
from scipy.spatial.distance import jensenshannon
from scipy.stats import pearsonr, rankdata, spearmanr
from sklearn.metrics import ndcg_score

OUT = os.path.join("Tests", "Fixtures", "analysis")
SOURCE_NAMES = ["source", "lang_train", "transfer_lang"]
TARGET_NAMES = ["target", "lang_pred", "task_lang"]
VALUE_NAMES = ["score", "accuracy", "bleu", "value"]


def fnv1a(text):
    h = 0xCBF29CE484222325
    for byte in text.encode("utf-8"):
        h ^= byte
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def predictor(kind, source, target):
    h = fnv1a(f"{source}|{target}")
    return (h >> 11) / 2.0**53 if kind == "hash" else float(h % 4)


def null(x):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


# --- gold tables -------------------------------------------------------------------------------------
def read_gold(path):
    """Long-format CSV: pairs in file order, empty scores skipped (missing measurements)."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header = [name.strip() for name in rows[0]]
    lower = [name.lower() for name in header]

    def find(names):
        return next(lower.index(name) for name in names if name in lower)

    s, t, v = find(SOURCE_NAMES), find(TARGET_NAMES), find(VALUE_NAMES)
    pairs = []
    for row in rows[1:]:
        if row == [] or row == [""]:
            continue
        cell = row[v].strip()
        if cell == "":
            continue
        pairs.append((row[s].strip(), row[t].strip(), float(cell)))
    return pairs


def evaluate(pairs, predict, k, lower_is_better):
    targets, by_target = [], {}
    for source, target, value in pairs:
        if target not in by_target:
            targets.append(target)
            by_target[target] = []
        by_target[target].append((source, value))
    results = {}
    for target in targets:
        cands = [(s, g) for s, g in by_target[target] if s != target]
        if len(cands) < 2:
            continue
        gold = np.array([g for _, g in cands])
        pred = np.array([predict(s, target) for s, _ in cands])
        if lower_is_better:
            pred = -pred
        rel = rankdata(gold)
        results[target] = {
            "n": len(cands),
            "ndcg": float(ndcg_score([rel], [pred], k=k)),
            "top1": float(np.argmax(pred) == np.argmax(gold)),
            "pearson": null(pearsonr(pred, gold).statistic) if len(set(pred)) > 1 and len(set(gold)) > 1 else None,
            "spearman": null(spearmanr(pred, gold).statistic) if len(set(pred)) > 1 and len(set(gold)) > 1 else None,
        }
    def mean(key):
        vals = [r[key] for r in results.values() if r[key] is not None]
        return float(np.mean(vals)) if vals else None
    return {"k": k, "lower_is_better": lower_is_better, "order": list(results),
            "mean": {key: mean(key) for key in ["ndcg", "top1", "pearson", "spearman"]},
            "targets": results}


def regression(pairs, predict):
    x = np.array([predict(s, t) for s, t, _ in pairs if s != t])
    y = np.array([g for s, t, g in pairs if s != t])
    slope, intercept = np.polyfit(x, y, 1)
    resid = y - (intercept + slope * x)
    return {"pairs": len(x), "slope": float(slope), "intercept": float(intercept),
            "rmse": float(np.sqrt(np.mean(resid**2))),
            "r_squared": float(1 - np.sum(resid**2) / np.sum((y - y.mean()) ** 2))}


def gold_fixtures(shared):
    files = ["langrank-pos.csv", "langrank-dep.csv", "langrank-el.csv", "langrank-mt.csv",
             "xpos-udpos-xlmr-base.csv"]
    out = {}
    for name in files:
        pairs = read_gold(os.path.join(shared, "data", "gold", name))
        entry = {"pairs": len(pairs), "runs": {}}
        for kind in ["hash", "coarse"]:
            predict = lambda s, t, kind=kind: predictor(kind, s, t)
            entry["runs"][kind] = evaluate(pairs, predict, 3, False)
            entry["runs"][kind + "-lower"] = evaluate(pairs, predict, 3, True)
            entry["runs"][kind + "-k5"] = evaluate(pairs, predict, 5, False)
            entry["ols_" + kind] = regression(pairs, predict)
        out[name] = entry
    return out


SYNTHETIC_GOLD = (
    ",task_lang,transfer_lang,Accuracy\r\n"
    '0,fi,et,0.81\r\n1,fi,hu,0.62\r\n2,fi,de,0.62\r\n3,fi,"en",0.55\r\n4,fi,ru,\r\n'
    "5,et,fi,0.84\r\n6,et,hu,0.58\r\n7,et,de,0.61\r\n8,et,en,0.61\r\n9,et,et,0.97\r\n"
    "10,de,en,0.9\r\n11,de,fi,0.5\r\n12,de,et,0.5\r\n13,de,hu,0.5\r\n"
    "14,hu,fi,0.7\r\n15,en,de,0.8\r\n16,hu,de,0.7\r\n"
)
SYNTHETIC_SCORES = (
    "source,target,note,value\n"
    "et,fi,\"close, Finnic\",0.30\nhu,fi,,0.20\nde,fi,,0.20\nen,fi,,0.10\nru,fi,,0.5\n"
    "fi,et,,0.30\nhu,et,,0.25\nde,et,\"multi\nline\",0.15\nen,et,,0.15\n"
    "en,de,,0.40\nfi,de,,0.40\net,de,,0.10\nhu,de,,0.10\n"
    "fi,hu,,0.2\nde,hu,,0.1\nde,en,,0.3\n"
)


def synthetic_fixtures():
    with open(os.path.join(OUT, "gold_synthetic.csv"), "w", newline="") as f:
        f.write(SYNTHETIC_GOLD)
    with open(os.path.join(OUT, "scores_synthetic.csv"), "w", newline="") as f:
        f.write(SYNTHETIC_SCORES)
    gold = read_gold(os.path.join(OUT, "gold_synthetic.csv"))
    with open(os.path.join(OUT, "scores_synthetic.csv"), newline="") as f:
        scores = {(r["source"], r["target"]): float(r["value"]) for r in csv.DictReader(f)}
    gold_present = [(s, t, g) for s, t, g in gold if (s, t) in scores]
    predict = lambda s, t: scores[(s, t)]
    return {"runs": {"k3": evaluate(gold_present, predict, 3, False),
                     "k2-lower": evaluate(gold_present, predict, 2, True)},
            "ols": regression(gold_present, predict)}


# --- percentiles and masks ------------------------------------------------------------------------
def percentile_fixtures():
    rng = np.random.default_rng(20231017)
    vectors = {
        "uniform": rng.random(10000).astype(np.float32),
        "ties": (rng.integers(0, 20, 10000) * 0.125).astype(np.float32),
        "fisher": np.where(rng.random(20000) < 0.3, 0, np.exp(rng.normal(-18, 3, 20000))).astype(np.float32),
        "fisher2": None,
        "signed": rng.normal(0, 1, 5003).astype(np.float32),
        "constant": np.full(1000, 0.5, dtype=np.float32),
        "tiny": np.array([3, 1, 4, 1, 5, 9, 2], dtype=np.float32),
        # Heavy ties for the mask index: mostly zeros of both signs, a few repeated values, a tail.
        "zeros": np.where(rng.random(30011) < 0.8, np.where(rng.random(30011) < 0.5, -0.0, 0.0),
                          np.where(rng.random(30011) < 0.5, rng.integers(1, 4, 30011) * 0.25,
                                   np.exp(rng.normal(-12, 2, 30011)))).astype(np.float32),
        "repeated": (rng.integers(-3, 4, 25000) * 0.5).astype(np.float32),
    }
    fisher = vectors["fisher"]
    vectors["fisher2"] = (fisher * np.exp(rng.normal(0, 1, fisher.size))).astype(np.float32)
    # The issue-15 values (1e-6 … 0.999999) lie on the mask index's grid; 0.0731 and 0.333 off it.
    ps = [1e-6, 0.001, 0.01, 0.05, 0.0731, 0.1, 0.15, 0.2, 0.3, 0.333, 0.5, 0.7, 0.9, 0.99, 0.999, 0.999999]
    blob, entries, cases, pairs = [], [], [], []
    offset = 0
    for name, values in vectors.items():
        entries.append({"name": name, "offset": offset, "count": int(values.size)})
        blob.append(values.astype("<f4").tobytes())
        offset += values.size
        for p in ps:
            threshold = np.percentile(values, (1 - p) * 100)
            assert threshold.dtype == np.float32
            cases.append({"vector": name, "p": p, "threshold": float(threshold),
                          "kept": int(np.sum(values >= threshold))})
    for p in ps:
        a = vectors["fisher"] >= np.percentile(vectors["fisher"], (1 - p) * 100)
        b = vectors["fisher2"] >= np.percentile(vectors["fisher2"], (1 - p) * 100)
        inter = int(np.sum(a & b))
        pairs.append({"a": "fisher", "b": "fisher2", "p": p, "intersection": inter,
                      "jaccard": inter / int(np.sum(a | b)),
                      "cosine": inter / math.sqrt(int(a.sum()) * int(b.sum()))})
    with open(os.path.join(OUT, "percentile_vectors.f32"), "wb") as f:
        f.write(b"".join(blob))
    return {"vectors": entries, "cases": cases, "pairs": pairs}


# --- per-layer, per-component and per-head views -------------------------------------------------
COMPONENTS = [("attention.self.query", "query"), ("attention.self.key", "key"), ("attention.self.value", "value"),
              ("attention.output.dense", "attention.output"), ("attention.output.LayerNorm", "attention.layernorm"),
              ("intermediate.dense", "intermediate"), ("output.dense", "output"), ("output.LayerNorm", "output.layernorm")]


def view_fixtures():
    layers, hidden, heads, inner = 3, 8, 2, 16
    head_dim = hidden // heads
    shapes = {"query": (hidden, hidden), "key": (hidden, hidden), "value": (hidden, hidden),
              "attention.output": (hidden, hidden), "attention.layernorm": None,
              "intermediate": (inner, hidden), "output": (hidden, inner), "output.layernorm": None}
    layout = []
    for layer in range(layers):
        for prefix, comp in COMPONENTS:
            base = f"roberta.encoder.layer.{layer}.{prefix}"
            if shapes[comp] is None:
                layout += [(base + ".weight", [hidden], layer, comp), (base + ".bias", [hidden], layer, comp)]
            else:
                out_dim, in_dim = shapes[comp]
                layout += [(base + ".weight", [out_dim, in_dim], layer, comp), (base + ".bias", [out_dim], layer, comp)]
    total = sum(int(np.prod(shape)) for _, shape, _, _ in layout)
    rng = np.random.default_rng(7)
    languages = ["en", "fi", "et"]
    shared = np.exp(rng.normal(-12, 2, total))
    fisher = {lang: (shared * np.exp(rng.normal(0, 0.8, total))).astype(np.float32) for lang in languages}
    with open(os.path.join(OUT, "views_fisher.f32"), "wb") as f:
        for lang in languages:
            f.write(fisher[lang].astype("<f4").tobytes())

    p = 0.2
    masks = {lang: fisher[lang] >= np.percentile(fisher[lang], (1 - p) * 100) for lang in languages}
    layer_of = np.zeros(total, dtype=int)
    comp_of = np.empty(total, dtype=object)
    offset = 0
    offsets = {}
    for name, shape, layer, comp in layout:
        size = int(np.prod(shape))
        offsets[name] = (offset, shape)
        layer_of[offset:offset + size] = layer
        comp_of[offset:offset + size] = comp
        offset += size

    def jac(a, b, sel):
        union = np.sum((a | b) & sel)
        return None if union == 0 else float(np.sum(a & b & sel) / union)

    a, b = masks["en"], masks["fi"]
    per_layer = [jac(a, b, layer_of == layer) for layer in range(layers)]
    per_component = {comp: jac(a, b, comp_of == comp) for _, comp in COMPONENTS}
    grid = [[jac(a, b, (layer_of == layer) & (comp_of == comp)) for _, comp in COMPONENTS] for layer in range(layers)]
    share = {lang: [float(np.sum(masks[lang] & (layer_of == layer)) / np.sum(masks[lang])) for layer in range(layers)]
             for lang in languages}

    def head_mass(values):
        mass = np.zeros((layers, heads))
        for layer in range(layers):
            base = f"roberta.encoder.layer.{layer}."
            for h in range(heads):
                rows = slice(h * head_dim, (h + 1) * head_dim)
                total_mass = 0.0
                for part in ["query", "key", "value"]:
                    w_off, w_shape = offsets[base + f"attention.self.{part}.weight"]
                    w = values[w_off:w_off + w_shape[0] * w_shape[1]].reshape(w_shape).astype(np.float64)
                    b_off, _ = offsets[base + f"attention.self.{part}.bias"]
                    bias = values[b_off:b_off + w_shape[0]].astype(np.float64)
                    total_mass += w[rows, :].sum() + bias[rows].sum()
                o_off, o_shape = offsets[base + "attention.output.dense.weight"]
                o = values[o_off:o_off + o_shape[0] * o_shape[1]].reshape(o_shape).astype(np.float64)
                total_mass += o[:, rows].sum()
                mass[layer, h] = total_mass
        return mass

    fraction = 0.5
    mass = {lang: head_mass(fisher[lang]) for lang in languages}
    count = max(1, int(math.floor(fraction * layers * heads + 0.5)))

    def head_mask(scores):
        flat = scores.ravel()
        order = sorted(range(flat.size), key=lambda i: (-flat[i], i))
        keep = np.zeros(flat.size, dtype=bool)
        keep[order[:count]] = True
        return keep, order

    head_masks = {lang: head_mask(mass[lang]) for lang in languages}
    usage = np.sum([head_masks[lang][0] for lang in languages], axis=0).reshape(layers, heads)
    cos = {f"{x}-{y}": float(np.sum(head_masks[x][0] & head_masks[y][0]) /
                             math.sqrt(head_masks[x][0].sum() * head_masks[y][0].sum()))
           for x in languages for y in languages}
    # Whole-θ matrices with two seeds (seed 2 = each vector reversed) and the seed-averaged Fisher.
    def mask_of(values):
        return values >= np.percentile(values, (1 - p) * 100)

    def sims(ma, mb):
        inter = int(np.sum(ma & mb))
        return inter / int(np.sum(ma | mb)), inter / math.sqrt(int(ma.sum()) * int(mb.sum()))

    seed2 = {lang: fisher[lang][::-1].copy() for lang in languages}
    averaged = {lang: ((fisher[lang].astype(np.float64) + seed2[lang].astype(np.float64)) / 2).astype(np.float32)
                for lang in languages}
    matrices = {"jaccard": [], "cosine": [], "jaccard_seed_averaged": []}
    for x in languages:
        rows = {key: [] for key in matrices}
        for y in languages:
            s1, s2 = sims(masks[x], masks[y]), sims(mask_of(seed2[x]), mask_of(seed2[y]))
            rows["jaccard"].append((s1[0] + s2[0]) / 2)
            rows["cosine"].append((s1[1] + s2[1]) / 2)
            rows["jaccard_seed_averaged"].append(sims(mask_of(averaged[x]), mask_of(averaged[y]))[0])
        for key in matrices:
            matrices[key].append(rows[key])

    return {
        "matrices": matrices,
        "layers": layers, "hidden": hidden, "heads": heads, "intermediate": inner, "languages": languages,
        "layout": [{"name": name, "shape": shape} for name, shape, _, _ in layout],
        "p": p, "pair": ["en", "fi"], "per_layer": per_layer, "per_component": per_component,
        "component_order": [comp for _, comp in COMPONENTS], "grid": grid, "share": share,
        "head_mass": {lang: mass[lang].tolist() for lang in languages},
        "head_fraction": fraction,
        "head_order": {lang: head_masks[lang][1] for lang in languages},
        "head_usage": usage.tolist(), "head_cosine": cos,
    }


def baseline_fixtures():
    cases = []
    count_sets = [
        ({1: 10, 2: 5, 3: 1}, {1: 8, 2: 6, 4: 3}),
        ({5: 3}, {5: 7}),
        ({1: 2}, {2: 9}),
        ({7: 1, 8: 1, 9: 1, 10: 100}, {7: 100, 8: 1, 9: 1, 11: 4}),
    ]
    for a, b in count_sets:
        keys = sorted(set(a) | set(b))
        pa = np.array([a.get(key, 0) for key in keys], dtype=float)
        pb = np.array([b.get(key, 0) for key in keys], dtype=float)
        jsd = jensenshannon(pa / pa.sum(), pb / pb.sum(), base=2) ** 2
        cases.append({"a": {str(k): v for k, v in a.items()}, "b": {str(k): v for k, v in b.items()},
                      "similarity": float(1 - jsd)})
    rng = np.random.default_rng(3)
    vectors = []
    for _ in range(3):
        x, y = rng.normal(size=16), rng.normal(size=16)
        vectors.append({"a": x.tolist(), "b": y.tolist(),
                        "cosine": float(np.dot(x, y) / (np.linalg.norm(x) * np.linalg.norm(y)))})
    return {"lex": cases, "emb": vectors}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default=os.path.join("..", "shared"))
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)

    def dump(name, obj):
        with open(os.path.join(OUT, name), "w") as f:
            json.dump(obj, f, indent=1, sort_keys=True)
            f.write("\n")

    dump("percentiles.json", percentile_fixtures())
    dump("eval_synthetic.json", synthetic_fixtures())
    dump("views.json", view_fixtures())
    dump("baselines.json", baseline_fixtures())
    if os.path.isdir(os.path.join(args.shared, "data", "gold")):
        dump("eval_gold.json", gold_fixtures(args.shared))


if __name__ == "__main__":
    main()
