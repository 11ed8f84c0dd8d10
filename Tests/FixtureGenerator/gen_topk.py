"""Top-3/Top-5 accuracy and the advantage over English exactly as the X-SNS reference notebook computes
them (HYU-NLP X-SNS, analysis.ipynb, the "per target" cell that produced the paper's Tables 1-2), on
random rankings with deliberate ties, for Tests/XSNSAnalysisTests/TopKTests.swift.

Run from the repository root (plain Python 3, no packages):
    python3 Tests/FixtureGenerator/gen_topk.py

The notebook's loop, for one target (gold `score` and similarity `feature` over the candidate sources in
the same order, the target itself removed, en listed first):
    sorted_mask = sorted(feature, reverse=True)
    for i in range(5):
        if score[feature.index(sorted_mask[i])] == max(score):
            if i < 3: top3 += 1; top5 += 1
            else: top5 += 1
            break
    if target != 'en':
        adv += score[feature.index(max(feature))] - score[0]      # score[0]: en -> target
The notebook raises IndexError with fewer than 5 candidates; here range(min(5, len)) is used for those.
Writes Tests/Fixtures/analysis/topk.json: cases of {sources, target, gold, predicted, top3, top5, adv}.
"""
import json
import os
import random

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "analysis", "topk.json")


def reference(score, feature, target):
    sorted_mask = sorted(feature, reverse=True)
    top3 = top5 = 0
    for i in range(min(5, len(feature))):
        if score[feature.index(sorted_mask[i])] == max(score):
            if i < 3:
                top3 += 1
            top5 += 1
            break
    adv = None
    if target != "en":
        adv = score[feature.index(max(feature))] - score[0]
    return top3, top5, adv


def main():
    rng = random.Random(20261201)
    cases = []
    for case in range(300):
        count = rng.choice([2, 3, 4, 5, 6, 8, 12])
        sources = ["en"] + [f"l{i}" for i in range(1, count)]
        target = "en" if case % 10 == 0 else "tx"
        # Coarse values so that ties happen often, on both sides.
        gold = [rng.choice([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]) for _ in sources]
        predicted = [rng.choice([0.25, 0.5, 0.75, 1.0, 1.25, 1.5]) for _ in sources]
        if target == "en":  # the target is no candidate of itself: en is dropped
            sources, gold, predicted = sources[1:], gold[1:], predicted[1:]
            if len(sources) < 2:
                continue
        top3, top5, adv = reference(gold, predicted, target)
        cases.append(dict(sources=sources, target=target, gold=gold, predicted=predicted, top3=top3, top5=top5,
                          adv=adv))
    with open(OUT, "w") as handle:
        json.dump(dict(cases=cases), handle, separators=(",", ":"))
        handle.write("\n")
    print(f"{len(cases)} cases written to {OUT}")


if __name__ == "__main__":
    main()
