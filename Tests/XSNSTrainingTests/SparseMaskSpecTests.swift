import Testing
import XSNSStorage
import XSNSTraining

/// `--sparse-mask SESSION:LANG:P` and `--head-mask SESSION:LANG[:F]` as typed: split from the right (a
/// session path may contain ':'), a last part that looks like a number is a fraction even when mistyped.
struct SparseMaskSpecTests {
    @Test func bothFormsAndPathsWithColons() throws {
        let fisher = try SparseMaskSpec(parsing: "runs/a:b:fi:0.1", kind: .fisher)
        #expect(fisher.session == "runs/a:b" && fisher.language == "fi" && fisher.fraction == 0.1)
        let top = try SparseMaskSpec(parsing: "demo:fi:0.25", kind: .heads)
        #expect(top.session == "demo" && top.language == "fi" && top.fraction == 0.25)
        let pruned = try SparseMaskSpec(parsing: "demo:fi", kind: .heads)
        #expect(pruned.session == "demo" && pruned.language == "fi" && pruned.fraction == nil)
        let prunedInPath = try SparseMaskSpec(parsing: "a:b:zh-Hans", kind: .heads)
        #expect(prunedInPath.session == "a:b" && prunedInPath.language == "zh-Hans" && prunedInPath.fraction == nil)
        #expect(pruned.description == "demo:fi" && top.description == "demo:fi:0.25")
    }

    @Test(arguments: [("demo:fi:0,1", SparseMaskSpec.Kind.heads), ("demo:fi:1.5", .heads), ("demo:fi", .fisher),
                      ("fi:0.1", .fisher), (":fi:0.1", .heads), ("demo::0.1", .fisher)])
    func malformedSpecsAreInputErrors(_ text: String, kind: SparseMaskSpec.Kind) {
        #expect(throws: InputError.self) { try SparseMaskSpec(parsing: text, kind: kind) }
    }
}
