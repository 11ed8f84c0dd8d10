import Foundation
import Testing
import XSNSCompute
import XSNSStorage
import XSNSTestSupport

@testable import XSNSWorkbench

@Suite struct WorkbenchLaunchTests {
    /// A working directory with the demo corpora as `./Corpora`.
    static func directory() throws -> URL {
        let directory = try Fixtures.temporaryDirectory()
        try FileManager.default.createSymbolicLink(at: directory.appendingPathComponent("Corpora"), withDestinationURL: SmallSession.corpora)
        return directory
    }

    @Test func nothingGivenOpensTheDemoSessionAndComputes() throws {
        let directory = try Self.directory()
        let launch = try WorkbenchLaunch.resolve(.init(), demoModel: SmallSession.demoModel, directory: directory)
        #expect(launch.session == directory.appendingPathComponent("Sessions/demo"))
        #expect(launch.isDemo && launch.startAtOnce)
        #expect(launch.modelSpec == SmallSession.demoModel.path)
        #expect(launch.options == WorkbenchLaunch.demoOptions)
        let corpora = try FileManager.default.contentsOfDirectory(atPath: SmallSession.corpora.path).filter { $0.hasSuffix(".txt") }
        #expect(launch.languages == corpora.map { String($0.dropLast(4)) }.sorted())
        #expect(launch.request(languages: ["fi"]).jobs == 1)
        var parallel = launch
        parallel.jobs = 3
        #expect(parallel.request(languages: ["fi"]).jobs == 3, "the s key schedules as compute --jobs does")
    }

    @Test func theDemoNeedsCorpora() throws {
        #expect(throws: InputError.self) {
            try WorkbenchLaunch.resolve(.init(), demoModel: SmallSession.demoModel, directory: Fixtures.temporaryDirectory())
        }
    }

    @Test func aModelNeedsCorpora() throws {
        #expect(throws: InputError.self) {
            try WorkbenchLaunch.resolve(.init(model: "xlm-roberta-base"), demoModel: nil, directory: Fixtures.temporaryDirectory())
        }
    }

    @Test func aComputedDemoSessionIsRecognisedWhereverTheDemoWasBuilt() throws {
        let session = try SmallSession.folder()
        let launch = try WorkbenchLaunch.resolve(
            .init(session: session.path), demoModel: SmallSession.demoModel, directory: Fixtures.temporaryDirectory())
        #expect(launch.isDemo)
        #expect(launch.languages == SmallSession.languages)
        #expect(launch.options == SmallSession.options())
        #expect(launch.corpora.standardizedFileURL == SmallSession.corpora.standardizedFileURL)
    }

    @Test func anotherModelsSessionReopensWithoutComputing() throws {
        let session = try SmallSession.copy()
        // The same files under another name: the weights' hash no longer matches the bundled demo.
        let otherDemo = try Fixtures.temporaryDirectory().appendingPathComponent("Other")
        try FileManager.default.createDirectory(at: otherDemo, withIntermediateDirectories: true)
        try Data("not the demo".utf8).write(to: otherDemo.appendingPathComponent("model.safetensors"))
        let launch = try WorkbenchLaunch.resolve(
            .init(session: session.path, languages: ["nl"]), demoModel: otherDemo, directory: Fixtures.temporaryDirectory())
        #expect(!launch.isDemo && !launch.startAtOnce)
        #expect(launch.modelSpec == SmallSession.demoModel.path)
        #expect(launch.languages == SmallSession.languages + ["nl"])
    }

    @Test(arguments: ["../x", "en fi", ""])
    func badLanguageCodesAreInputErrors(code: String) throws {
        #expect(throws: InputError.self) {
            try WorkbenchLaunch.resolve(.init(languages: [code]), demoModel: SmallSession.demoModel, directory: Self.directory())
        }
    }
}
