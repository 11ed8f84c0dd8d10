import Foundation
import Testing

@testable import XSNSWorkbench

@Suite struct FisherIndexCacheTests {
    @Test func everySeedIsIndexedWhenItFits() throws {
        let cache = FisherIndexCache(session: try SmallSession.folder())
        cache.refresh()
        #expect(cache.indexes.mapValues { Set($0.keys) } == ["de": [16, 42], "en": [16, 42], "fi": [16, 42]])
        #expect(cache.problems.isEmpty)
    }

    /// A session too large for memory keeps the first seed of each language and says why.
    @Test func aSessionOverTheMemoryBudgetKeepsOneSeedPerLanguage() throws {
        let cache = FisherIndexCache(session: try SmallSession.folder(), memoryBudget: 1000)
        cache.refresh()
        #expect(cache.indexes.mapValues { Set($0.keys) } == ["de": [16], "en": [16], "fi": [16]])
        #expect(cache.problems.contains { $0.contains("showing the first seed of each language") })
    }
}
