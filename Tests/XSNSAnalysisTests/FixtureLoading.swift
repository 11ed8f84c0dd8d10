import Foundation
import XSNSTestSupport

/// Reads the generator's JSON and raw float32 fixtures under Tests/Fixtures/analysis.
enum AnalysisFixtures {
    static func json<T: Decodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: Fixtures.url("analysis/\(name)")))
    }

    /// Little-endian float32 values.
    static func floats(_ name: String) throws -> [Float] {
        let data = try Data(contentsOf: Fixtures.url("analysis/\(name)"))
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }
}

/// The generator's pseudo-random predictor: FNV-1a 64 of "source|target".
enum HashPredictor {
    static func hash(_ source: String, _ target: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in "\(source)|\(target)".utf8 {
            h ^= UInt64(byte)
            h = h &* 0x100_0000_01B3
        }
        return h
    }

    static func score(_ kind: String, _ source: String, _ target: String) -> Double {
        let h = hash(source, target)
        return kind == "hash" ? Double(h >> 11) / 9_007_199_254_740_992 : Double(h % 4)
    }
}

func close(_ a: Double?, _ b: Double?, tolerance: Double = 1e-9) -> Bool {
    switch (a, b) {
    case (nil, nil): return true
    case let (x?, y?): return abs(x - y) <= tolerance
    default: return false
    }
}
