import Foundation
import Testing
import XSNSStorage
import XSNSTestSupport

/// The reader against a file written by the Python `safetensors` package (see gen_checkpoints.py).
struct SafeTensorsReaderTests {
    struct Expected: Decodable {
        struct Tensor: Decodable {
            let dtype: String
            let shape: [Int]
            let float32_bits: [UInt32]?
        }
        let metadata: [String: String]
        let tensors: [String: Tensor]
    }

    let file: SafeTensorsFile
    let expected: Expected

    init() throws {
        file = try SafeTensorsFile(url: Fixtures.url("checkpoints/safetensors/mixed.safetensors"))
        let json = try Data(contentsOf: Fixtures.url("checkpoints/safetensors/mixed.expected.json"))
        expected = try JSONDecoder().decode(Expected.self, from: json)
    }

    @Test func headerMatchesPython() {
        #expect(file.metadata == expected.metadata)
        #expect(Set(file.tensors.map(\.name)) == Set(expected.tensors.keys))
        for (name, tensor) in expected.tensors {
            #expect(file.info(name) == SafeTensorInfo(name: name, dtype: tensor.dtype, shape: tensor.shape))
        }
        #expect(file.info("missing") == nil)
    }

    @Test(arguments: ["encoder.f32", "encoder.f16", "encoder.bf16", "encoder.f64", "edge.f16", "empty", "scalar"])
    func valuesMatchPythonBitForBit(name: String) throws {
        let values = try file.floats(name)
        #expect(values.map(\.bitPattern) == expected.tensors[name]?.float32_bits)
    }

    @Test func readIntoBufferChecksItsSize() throws {
        var buffer = [Float](repeating: 0, count: 15)
        try buffer.withUnsafeMutableBufferPointer { try file.readFloats("encoder.f16", into: $0) }
        #expect(buffer.map(\.bitPattern) == expected.tensors["encoder.f16"]?.float32_bits)
        var short = [Float](repeating: 0, count: 14)
        #expect(throws: RuntimeFailure.self) {
            try short.withUnsafeMutableBufferPointer { try file.readFloats("encoder.f16", into: $0) }
        }
    }

    @Test func integerTensorsAndUnknownNamesAreInputErrors() {
        #expect(throws: InputError.self) { try file.floats("ids") }
        #expect(throws: InputError.self) { try file.floats("nope") }
    }
}
