import XSNSTUI

/// A small, hand-written workbench (not produced by any Swift code under test) that exercises
/// every view: mixed scripts including double-width names, a running computation, gold scores
/// with evaluations, pair overlaps, layer shares and head masks.
enum SampleWorkbench {
    static let codes = ["de", "en", "es", "et", "fi", "ja", "ru", "zh"]

    /// Symmetric Jaccard-like values: Germanic, Uralic and CJK groups are visibly closer.
    static let jaccard: [[Double]] = [
        // de    en    es    et    fi    ja    ru    zh
        [1.00, 0.58, 0.47, 0.39, 0.37, 0.28, 0.41, 0.27],  // de
        [0.58, 1.00, 0.52, 0.36, 0.35, 0.30, 0.40, 0.29],  // en
        [0.47, 0.52, 1.00, 0.35, 0.34, 0.26, 0.38, 0.25],  // es
        [0.39, 0.36, 0.35, 1.00, 0.61, 0.31, 0.37, 0.30],  // et
        [0.37, 0.35, 0.34, 0.61, 1.00, 0.33, 0.36, 0.31],  // fi
        [0.28, 0.30, 0.26, 0.31, 0.33, 1.00, 0.27, 0.55],  // ja
        [0.41, 0.40, 0.38, 0.37, 0.36, 0.27, 1.00, 0.29],  // ru
        [0.27, 0.29, 0.25, 0.30, 0.31, 0.55, 0.29, 1.00],  // zh
    ]

    static var data: WorkbenchData {
        let names = [
            "de": "Deutsch", "en": "English", "es": "español", "et": "eesti", "fi": "suomi", "ja": "日本語",
            "ru": "русский", "zh": "中文",
        ]
        let languages = codes.map { code -> LanguageInfo in
            switch code {
            case "fi":
                return LanguageInfo(
                    code: code, name: names[code] ?? code, corpusSentences: 1200, status: .running,
                    seeds: [
                        SeedProgress(seed: 42, sentencesDone: 512, sentencesTotal: 1024, sentencesPerSecond: 38.5),
                        SeedProgress(seed: 16, sentencesDone: 128, sentencesTotal: 1024, sentencesPerSecond: 37.0),
                    ], stability: 0.912)
            case "ru":
                return LanguageInfo(
                    code: code, name: names[code] ?? code, corpusSentences: 980, status: .failed,
                    failure: "corpus has no usable lines")
            case "zh", "ja":
                return LanguageInfo(code: code, name: names[code] ?? code, corpusSentences: 850, status: .pending)
            default:
                return LanguageInfo(
                    code: code, name: names[code] ?? code, corpusSentences: 1500, status: .done,
                    seeds: [SeedProgress(seed: 42, sentencesDone: 1024, sentencesTotal: 1024, sentencesPerSecond: 40)],
                    stability: 0.987)
            }
        }
        let matrix = SimilarityMatrix(metric: .jaccard, p: 0.15, languages: codes, values: jaccard, seeds: 3)
        let gold = GoldData(
            source: "pos-xlmr.csv",
            scores: ["fi": ["et": 0.84, "de": 0.80, "en": 0.82, "es": 0.78, "ja": 0.55, "ru": 0.79, "zh": 0.50]],
            evaluations: ["fi": TargetEvaluation(ndcg: 0.954, top1: true, pearson: 0.871, spearman: nil)])
        let overlap = PairOverlap(
            perLayer: [0.71, 0.66, 0.58, 0.49, 0.44, 0.52],
            perComponent: [
                ("query", 0.55), ("key", 0.53), ("value", 0.61), ("attn.out", 0.57), ("ffn.in", 0.49),
                ("ffn.out", 0.47), ("layernorm", 0.83),
            ])
        let shares: [String: [Double]] = [
            "de": [0.10, 0.12, 0.15, 0.18, 0.20, 0.14], "en": [0.11, 0.12, 0.14, 0.17, 0.21, 0.15],
            "fi": [0.09, 0.10, 0.16, 0.19, 0.22, 0.13], "et": [0.09, 0.11, 0.16, 0.18, 0.22, 0.12],
        ]
        let masks: [String: [[Bool]]] = [
            "fi": (0..<6).map { layer in (0..<8).map { head in (layer + head) % 3 != 0 } },
            "et": (0..<6).map { layer in (0..<8).map { head in (layer * head) % 4 != 1 } },
            "de": (0..<6).map { layer in (0..<8).map { head in head % 2 == layer % 2 } },
        ]
        let counts = (0..<6).map { layer in
            (0..<8).map { head in masks.values.filter { $0[layer][head] }.count }
        }
        // A probe half-way: N=1 finished, N=10 with runs missing (en→ja none yet, ru partial).
        let probe = ProbeData(
            tables: [
                ProbeData.Table(steps: 1, transfer: ["de", "en", "et", "ru"], targets: ["es", "fi", "ja"],
                                delta: [[0.12, -0.05, 0.01], [0.31, 0.02, -0.11], [-0.08, 0.44, 0.03], [0.05, 0.00, -0.02]],
                                runsDone: Array(repeating: [3, 3, 3], count: 4), runsPlanned: 3, ndcg: 0.912,
                                spearman: 0.40, evaluatedTargets: 3),
                ProbeData.Table(steps: 10, transfer: ["de", "en", "et", "ru"], targets: ["es", "fi", "ja"],
                                delta: [[1.25, -0.62, 0.10], [2.48, 0.35, nil], [-0.91, 3.72, 0.22], [0.47, -0.12, -12.5]],
                                runsDone: [[3, 3, 3], [3, 3, 0], [3, 3, 3], [1, 1, 1]], runsPlanned: 3, ndcg: 0.874,
                                spearman: nil, evaluatedTargets: 2),
            ],
            original: ["es": 0.8731, "fi": 0.7912, "ja": 0.6420])
        return WorkbenchData(
            languages: languages, matrices: [.jaccard: matrix], gold: gold,
            pairOverlaps: [LanguagePair("fi", "et"): overlap], layerShares: shares, headCounts: counts,
            headMasks: masks, probe: probe)
    }

    /// The Heads view with pruned sub-networks (`xsns prune-heads`) and fi's pruning curve, 48 heads to 30.
    static func prunedHeadsState() -> WorkbenchState {
        var state = state(view: .heads)
        state.data.headSource = .pruned
        state.data.pruningCurves["fi"] = (0..<8).map { step in
            PruningPoint(heads: 48 - 3 * step, accuracy: 0.412 - 0.004 * Double(step * step), accepted: step < 7)
        }
        return state
    }

    /// The state the snapshots start from: computing, fi × et focused.
    static func state(view: ViewKind = .languages) -> WorkbenchState {
        var state = WorkbenchState(
            sessionName: "sample", modelName: "xlm-roberta-base", data: data, view: view, compute: .running)
        state.selectedLanguage = "fi"
        state.partnerLanguage = "et"
        return state
    }
}
