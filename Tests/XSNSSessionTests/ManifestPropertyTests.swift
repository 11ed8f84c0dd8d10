import XSNSTestSupport
import Foundation
import Testing
import XSNSSession
import XSNSStorage

/// Malformed variants of a full manifest: each decodes or is an InputError, never a crash.
struct ManifestPropertyTests {
    static func outcome(_ data: Data) -> String {
        do {
            _ = try SessionManifest.decode(data, file: "session.json")
            return "loaded"
        } catch is InputError {
            return "input error"
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func malformedManifestsNeverCrash() throws {
        let original = try SessionManifestTests.sample().encoded()
        var generator = MalformedInputGenerator(seed: 3)
        var outcomes: [String: Int] = [:]
        for round in 0..<1500 {
            let variant = round % 2 == 0
                ? generator.damage(original)
                : (generator.editJSON(original) ?? original)
            outcomes[Self.outcome(variant), default: 0] += 1
        }
        #expect(outcomes.keys.allSatisfy { $0 == "loaded" || $0 == "input error" }, "\(outcomes)")
        #expect((outcomes["input error"] ?? 0) > 300, "\(outcomes)")
    }
}
