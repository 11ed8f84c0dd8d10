import Testing
import XSNSStorage

/// Random mutation campaigns, one per reader (`XSNS_FUZZ_ITERATIONS` per target, 200 by default;
/// a quarter of that for the folder targets).
struct MutationCampaignTests {
    @Test(arguments: try FuzzTargets.all())
    func seedsAreAccepted(_ target: FuzzTarget) throws {
        for (index, seed) in target.seeds.enumerated() {
            var report = FuzzReport(target: target.name)
            try Fuzzer.check(target, seed, in: Fuzzer.workFolder("\(target.name)-seeds"), label: "seed \(index)", into: &report)
            #expect(report.accepted == 1, "\(target.name) seed \(index) must be a valid input")
            report.expectClean()
        }
    }

    @Test(arguments: try FuzzTargets.all())
    func mutatedInputsParseOrAreInputErrorsNamingTheFile(_ target: FuzzTarget) throws {
        guard Fuzzer.isSelected(target) else { return }
        let report = try Fuzzer.campaign(target)
        report.expectClean()
        // A campaign whose mutations never break anything would test nothing (a corpus file is
        // the exception: it is refused only when no line at all is usable; a replay of a single
        // iteration proves nothing either way).
        let inputs = report.accepted + report.rejected + report.findingCount
        #expect(report.rejected > 0 || target.name == "corpus" || inputs < 50)
    }
}
