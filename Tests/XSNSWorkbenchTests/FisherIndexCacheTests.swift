import Foundation
import Testing
import XSNSAnalysis
import XSNSSession

@testable import XSNSWorkbench

@Suite struct FisherIndexCacheTests {
    @Test func everySeedIsIndexedWhenItFits() throws {
        let cache = FisherIndexCache(session: try SmallSession.folder())
        cache.refresh()
        #expect(cache.indexes.mapValues { Set($0.keys) } == ["de": [16, 42], "en": [16, 42], "fi": [16, 42]])
        #expect(cache.problems.isEmpty)
    }

    /// Indexes are mapped, not held: every seed of every language is kept, whatever the session's size.
    @Test func anOpenedIndexAgreesWithOneBuiltInMemory() throws {
        let session = try SmallSession.folder()
        let cache = FisherIndexCache(session: session)
        cache.refresh()
        let url = SessionPaths(folder: session).fisher(language: "fi", seed: 16)
        let inMemory = try SubnetworkIndex(FisherCatalog.load(url))
        for p in [0.01, 0.15, 0.0731, 0.5] {
            let mapped = try #require(cache.indexes["fi"]?[16]).subnetwork(p: p)
            let built = try inMemory.subnetwork(p: p)
            #expect(mapped.bits == built.bits && mapped.threshold == built.threshold && mapped.size == built.size, "p=\(p)")
        }
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
