import Testing

@testable import XSNSCompute

@Suite struct ComputeProgressTests {
    @Test(arguments: [
        (0.0, "0s"), (42.4, "42s"), (59.6, "1m00s"), (185, "3m05s"), (3720, "1h02m"),
        (-1, "--"), (.infinity, "--"),
    ])
    func durations(seconds: Double, expected: String) {
        #expect(ProgressFormat.duration(seconds) == expected)
    }

    @Test func ratesIgnoreSentencesRestoredFromACheckpoint() {
        let progress = ComputeProgress(
            language: "fi", seed: 42, sentencesDone: 300, sentencesTotal: 1000, tokensDone: 5000,
            elapsed: 10, resumedFrom: 200)
        #expect(progress.sentencesPerSecond == 10)
        #expect(progress.secondsRemaining == 70)
        #expect(progress.tokensPerSecond == 500)
    }

    @Test func lineFitsTheWidthAndShowsTheBar() {
        let progress = ComputeProgress(
            language: "en", seed: 16, sentencesDone: 50, sentencesTotal: 100, tokensDone: 1000,
            elapsed: 5)
        let line = ProgressFormat.line(progress, width: 80)
        #expect(line.count <= 80)
        #expect(line.hasPrefix("en seed 16 ["))
        #expect(line.contains("50/100"))
        #expect(line.contains("200 tok/s"))
        #expect(line.contains("ETA 5s"))
        #expect(line.filter { $0 == "#" }.count == line.filter { $0 == "-" }.count)
        #expect(!ProgressFormat.line(progress, width: 20).contains("["))
    }
}
