import XSNSTestSupport
import Foundation
import Testing
import XSNSEngine
import XSNSStorage

/// Malformed variants of a real config.json: each parses or is an InputError, never a crash.
struct CheckpointConfigPropertyTests {
    @Test(arguments: ["xlmr-tiny", "bert-tiny"])
    func malformedConfigsNeverCrash(model: String) throws {
        let original = try Data(contentsOf: CheckpointFixtures.folder(model).appendingPathComponent("config.json"))
        var generator = MalformedInputGenerator(seed: 4)
        var outcomes: [String: Int] = [:]
        for round in 0..<1500 {
            let variant = round % 2 == 0 ? generator.damage(original) : (generator.editJSON(original) ?? original)
            do {
                _ = try EncoderConfig(json: variant, file: "config.json")
                outcomes["loaded", default: 0] += 1
            } catch let error as InputError {
                #expect(error.file == "config.json")
                outcomes["input error", default: 0] += 1
            }
        }
        #expect((outcomes["input error"] ?? 0) > 300, "\(outcomes)")
    }

    @Test func malformedShardIndexesNeverCrash() throws {
        let folder = try CheckpointFixtures.copy("xlmr-tiny-sharded")
        let index = folder.appendingPathComponent("model.safetensors.index.json")
        let original = try Data(contentsOf: index)
        var generator = MalformedInputGenerator(seed: 5)
        for round in 0..<300 {
            let variant = round % 2 == 0 ? generator.damage(original) : (generator.editJSON(original) ?? original)
            try variant.write(to: index)
            do { _ = try Checkpoint.open(folder.path, environment: [:]) } catch is InputError {}
        }
    }
}
