"""The X-SNS reference notebook's regression (analysis.ipynb, cell "all"), replayed with numpy/scipy on
the synthetic prediction table and two synthetic gold seeds, for Tests/XSNSCLITests/EvalSeedsTests.swift.

Run from the repository root:
    /work/venv/bin/python Tests/FixtureGenerator/gen_regression_runs.py

Per run (one gold seed here; the notebook pairs every Fisher seed with every gold seed): all (source,
target) pairs with source != target present in both tables pooled; a, b = np.polyfit(x, y, 1);
rmse = mean_squared_error(y, a*x + b) ** 0.5 (in-sample); r = pearsonr(y, x). Reported: mean rmse over
runs and R-square = (mean r) ** 2. Gold values are used in their own unit (the notebook first multiplies
fraction-valued gold by 100; these synthetic values stay as they are).

Writes Tests/Fixtures/analysis/gold_synthetic_seed2.csv (a second gold seed: the first one's values
moved by a fixed pattern) and Tests/Fixtures/analysis/regression_runs.json.
"""
import csv
import json
import os

import numpy as np
from scipy.stats import pearsonr

OUT = os.path.join("Tests", "Fixtures", "analysis")


def read(path, source, target, value):
    table = {}
    with open(path, newline="") as handle:
        for row in csv.DictReader(handle):
            if row[value].strip() == "":
                continue
            table.setdefault((row[source].strip(), row[target].strip()), float(row[value]))
    return table


def main():
    scores = read(os.path.join(OUT, "scores_synthetic.csv"), "source", "target", "value")
    first = read(os.path.join(OUT, "gold_synthetic.csv"), "transfer_lang", "task_lang", "Accuracy")
    second_path = os.path.join(OUT, "gold_synthetic_seed2.csv")
    with open(second_path, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["source", "target", "score"])
        for index, ((source, target), value) in enumerate(sorted(first.items())):
            writer.writerow([source, target, round(value + (0.07 if index % 2 else -0.04) * (1 + index % 3), 6)])
    second = read(second_path, "source", "target", "score")
    runs = []
    for gold in (first, second):
        pairs = [(scores[key], value) for key, value in gold.items() if key[0] != key[1] and key in scores]
        x = np.array([p for p, _ in pairs])
        y = np.array([g for _, g in pairs])
        a, b = np.polyfit(x, y, 1)
        rmse = float(np.mean((y - (a * x + b)) ** 2) ** 0.5)
        r = float(pearsonr(y, x)[0])
        runs.append(dict(pairs=len(pairs), rmse=rmse, r=r))
    mean_r = sum(run["r"] for run in runs) / len(runs)
    result = dict(runs=runs, rmse=sum(run["rmse"] for run in runs) / len(runs), r_squared=mean_r ** 2)
    with open(os.path.join(OUT, "regression_runs.json"), "w") as handle:
        json.dump(result, handle, indent=1)
        handle.write("\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
