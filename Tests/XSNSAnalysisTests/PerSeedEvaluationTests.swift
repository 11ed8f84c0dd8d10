import Testing
import XSNSStorage

@testable import XSNSAnalysis

@Suite struct PerSeedEvaluationTests {
    let gold: TransferTable = {
        var table = TransferTable()
        for (source, target, value) in [("a", "c", 3.0), ("b", "c", 1.0), ("c", "a", 2.0), ("b", "a", 5.0)] {
            _ = table.insert(source: source, target: target, value: value)
        }
        return table
    }()

    let complete = SimilarityMatrix(
        languages: ["a", "b", "c"], values: [[1, 0.2, 0.9], [0.2, 1, 0.1], [0.9, 0.1, 1]])

    @Test func aSeedThatCannotBeEvaluatedIsLeftOutNotFatal() throws {
        let partial = SimilarityMatrix(languages: ["a"], values: [[1]])
        let alone = try TransferEvaluation(predictions: TransferTable(matrix: complete), gold: gold)
        #expect(try TransferEvaluation.perSeed([complete, partial], gold: gold) == alone)
        #expect(try TransferEvaluation.perSeed([partial, complete], gold: gold) == alone)
    }

    @Test func noEvaluableSeedIsAnError() {
        #expect(throws: (any Error).self) {
            try TransferEvaluation.perSeed([SimilarityMatrix(languages: ["a"], values: [[1]])], gold: gold)
        }
        #expect(throws: InputError.self) { try TransferEvaluation.perSeed([], gold: gold) }
    }
}

@Suite struct CSVLineEndTests {
    @Test func aFileEndingInALoneCarriageReturnParses() throws {
        let table = try TransferTable.parse(csv: "source,target,score\r\nen,de,0.81\r", file: "gold.csv")
        #expect(table.value(source: "en", target: "de") == 0.81)
    }
}
