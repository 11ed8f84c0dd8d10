import Foundation
import Testing
import XSNSSession

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

@Suite struct SessionLanguagesTests {
    /// Reopened sessions show each language's stability from the manifest (mean over its seeds).
    @Test func stabilityComesFromTheManifestWhenNoJobRuns() throws {
        let store = SessionStore(folder: try SmallSession.folder())
        var languages = SessionLanguages(store: store, corpora: SmallSession.corpora)
        let infos = languages.infos(planned: [], computing: [])
        let manifest = try store.load()
        #expect(infos.map(\.code) == SmallSession.languages)
        for info in infos {
            let values = manifest.runs.filter { $0.language == info.code }.compactMap(\.stability)
            #expect(values.count == SmallSession.seeds.count)
            #expect(info.stability == values.reduce(0, +) / Double(values.count))
        }
    }
}
