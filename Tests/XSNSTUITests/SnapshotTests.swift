import Testing
import XSNSTUI
import XSNSTestSupport

/// Every view at the minimum size, 80×24 and 120×40, recorded as the grid's text (and, for one
/// size, the attribute layer). Re-record with XSNS_RECORD_SNAPSHOTS=1 after a deliberate change
/// and review the diff of Tests/Fixtures/snapshots.
@Suite struct SnapshotTests {
    static let sizes = [
        TerminalSize(width: MinimumSize.width, height: MinimumSize.height),
        TerminalSize(width: 80, height: 24), TerminalSize(width: 120, height: 40),
    ]

    @Test(arguments: ViewKind.allCases, sizes)
    func view(_ view: ViewKind, size: TerminalSize) {
        let grid = render(SampleWorkbench.state(view: view), size: size, theme: Theme(palette: .xterm256))
        expectSnapshot(grid.text(), named: "tui/\(view.title.lowercased())-\(size.width)x\(size.height)")
    }

    /// Convergence points (compute --convergence) under the gold evaluation, at every size.
    @Test(arguments: sizes)
    func rankingWithConvergence(size: TerminalSize) {
        var state = SampleWorkbench.state(view: .ranking)
        state.data.convergence = [8, 16, 32, 64, 128, 256, 512].enumerated().map { index, count in
            ConvergencePoint(sentences: count, jaccardToFinal: 0.31 + 0.09 * Double(index), ndcg: 0.62 + 0.04 * Double(index))
        } + [ConvergencePoint(sentences: nil, jaccardToFinal: 1, ndcg: 0.954)]
        let grid = render(state, size: size, theme: Theme(palette: .xterm256))
        expectSnapshot(grid.text(), named: "tui/ranking-convergence-\(size.width)x\(size.height)")
        #expect(LayoutTests.checkInvariants(state, size: size, theme: Theme(palette: .xterm256)).isEmpty)
    }

    /// A session computed on a cluster: one language running on a node, one queued, one done.
    @Test func languagesOnACluster() {
        var state = SampleWorkbench.state(view: .languages)
        state.compute = .idle
        for index in state.data.languages.indices {
            switch state.data.languages[index].code {
            case "fi":
                state.data.languages[index].status = .running
                state.data.languages[index].elsewhere = "seed 42 by Slurm 46_3 RUNNING on node7"
            case "et":
                state.data.languages[index].status = .queued
                state.data.languages[index].elsewhere = "3 seeds queued on Slurm"
            default: break
            }
        }
        let grid = render(state, size: TerminalSize(width: 100, height: 24), theme: Theme(palette: .xterm256))
        expectSnapshot(grid.text(), named: "tui/languages-100x24-cluster")
    }

    /// Opening a large session: runs are done but the first matrix is still being derived. The heatmap
    /// says so with the progress line instead of inviting a computation.
    @Test(arguments: sizes)
    func heatmapWhileTheFirstMatrixIsDerived(size: TerminalSize) {
        var state = SampleWorkbench.state(view: .heatmap)
        state.data.matrices = [:]
        state = reduce(state, .engine(.working("sub-networks at p=0.15 31/72…"))).0
        let grid = render(state, size: size, theme: Theme(palette: .xterm256))
        expectSnapshot(grid.text(), named: "tui/heatmap-opening-\(size.width)x\(size.height)")
        #expect(grid.text().contains("Computing jaccard similarities…"))
        #expect(!grid.text().contains("Start the computation"))
        #expect(LayoutTests.checkInvariants(state, size: size, theme: Theme(palette: .xterm256)).isEmpty)
        // Without finished runs the invitation to compute stays.
        state.data.languages = state.data.languages.map { var language = $0; language.status = .pending; return language }
        #expect(render(state, size: size, theme: Theme(palette: .xterm256)).text().contains("Start the computation"))
    }

    @Test(arguments: sizes)
    func prunedHeads(size: TerminalSize) {
        let grid = render(SampleWorkbench.prunedHeadsState(), size: size, theme: Theme(palette: .xterm256))
        expectSnapshot(grid.text(), named: "tui/heads-pruned-\(size.width)x\(size.height)")
    }

    @Test(arguments: ViewKind.allCases)
    func asciiMonochrome(_ view: ViewKind) {
        let grid = render(
            SampleWorkbench.state(view: view), size: TerminalSize(width: 80, height: 24),
            theme: Theme(palette: .monochrome, ascii: true))
        expectSnapshot(grid.text(), named: "tui/\(view.title.lowercased())-80x24-ascii")
    }

    @Test func heatmapAttributes() {
        let grid = render(
            SampleWorkbench.state(view: .heatmap), size: TerminalSize(width: 80, height: 24),
            theme: Theme(palette: .monochrome))
        expectSnapshot(grid.attributeText(), named: "tui/heatmap-80x24-attributes")
    }

    @Test func helpOverlay() {
        var state = SampleWorkbench.state(view: .heatmap)
        state.showHelp = true
        let grid = render(state, size: TerminalSize(width: 80, height: 24), theme: Theme(palette: .xterm256))
        expectSnapshot(grid.text(), named: "tui/help-80x24")
    }

    @Test func tooSmall() {
        let grid = render(
            SampleWorkbench.state(), size: TerminalSize(width: MinimumSize.width - 1, height: 10),
            theme: Theme(palette: .xterm256))
        expectSnapshot(grid.text(), named: "tui/too-small")
    }

    @Test func demoBannerAndQuitQuestion() {
        var state = SampleWorkbench.state(view: .ranking)
        state.isDemoModel = true
        state.input = .confirmQuit
        let grid = render(state, size: TerminalSize(width: 80, height: 24), theme: Theme(palette: .basic8))
        expectSnapshot(grid.text(), named: "tui/ranking-80x24-demo-quit")
    }

    /// The shade ramp makes the values visible in text: clustered order puts families together.
    @Test func clusteredHeatmapInShades() {
        var state = SampleWorkbench.state(view: .heatmap)
        state.order = .clustered
        let grid = render(state, size: TerminalSize(width: 80, height: 24), theme: Theme(palette: .monochrome))
        expectSnapshot(grid.text(), named: "tui/heatmap-80x24-clustered-shades")
    }

    @Test func filteredLanguagesWhileTyping() {
        var state = SampleWorkbench.state(view: .languages)
        state.filter = "e"
        state.input = .filter
        let grid = render(state, size: TerminalSize(width: 80, height: 24), theme: Theme(palette: .xterm256))
        expectSnapshot(grid.text(), named: "tui/languages-80x24-filter")
    }
}
