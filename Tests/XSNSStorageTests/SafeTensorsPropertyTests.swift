import Foundation
import Testing
import XSNSStorage
import XSNSTestSupport

/// Thousands of malformed variants of a real file: each opens (and then reads without crashing)
/// or is an InputError. Bounded by count, so the run time is fixed.
struct SafeTensorsPropertyTests {
    static func load(_ bytes: Data, at url: URL) -> String {
        do {
            try bytes.write(to: url)
            let file = try SafeTensorsFile(url: url)
            for tensor in file.tensors {
                // Non-float dtypes are refused here; that is an InputError too.
                _ = try? file.floats(tensor.name)
            }
            return "loaded"
        } catch is InputError {
            return "input error"
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func damagedBytesNeverCrash() throws {
        let original = try Data(contentsOf: Fixtures.url("checkpoints/safetensors/mixed.safetensors"))
        let headerEnd = 8 + Int(original[0]) + Int(original[1]) << 8
        let url = try Fixtures.temporaryDirectory().appendingPathComponent("fuzz.safetensors")
        var generator = MalformedInputGenerator(seed: 1)
        var outcomes: [String: Int] = [:]
        for _ in 0..<1000 {
            var bytes = original
            for _ in 0..<(1 + generator.next(3)) { bytes = generator.damage(bytes, within: 0..<min(headerEnd, bytes.count)) }
            outcomes[Self.load(bytes, at: url), default: 0] += 1
        }
        #expect(outcomes.keys.allSatisfy { $0 == "loaded" || $0 == "input error" }, "\(outcomes)")
        #expect((outcomes["input error"] ?? 0) > 300, "the mutations mostly break the file: \(outcomes)")
    }

    @Test func hostileHeaderValuesNeverCrash() throws {
        let original = try Data(contentsOf: Fixtures.url("checkpoints/safetensors/mixed.safetensors"))
        let headerLength = original.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = original.subdata(in: 8..<(8 + headerLength))
        let data = original.suffix(from: 8 + headerLength)
        let url = try Fixtures.temporaryDirectory().appendingPathComponent("fuzz.safetensors")
        var generator = MalformedInputGenerator(seed: 2)
        var outcomes: [String: Int] = [:]
        for _ in 0..<1000 {
            guard let edited = generator.editJSON(header) else { continue }
            var length = UInt64(edited.count).littleEndian
            var bytes = Data(bytes: &length, count: 8)
            bytes.append(edited)
            bytes.append(data)
            outcomes[Self.load(bytes, at: url), default: 0] += 1
        }
        #expect(outcomes.keys.allSatisfy { $0 == "loaded" || $0 == "input error" }, "\(outcomes)")
        #expect((outcomes["input error"] ?? 0) > 250, "\(outcomes)")
    }
}
