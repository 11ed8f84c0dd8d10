import Foundation
import Testing
import XSNSStorage
import XSNSTestSupport

struct SafeTensorsWriterTests {
    static func sample() -> FlatTensors {
        let layout = TensorLayout([
            (name: "roberta.encoder.layer.1.output.dense.weight", shape: [3, 2]),
            (name: "empty", shape: [0, 5]),
            (name: "scalar", shape: []),
            (name: #"odd "name" \ with/escapes"#, shape: [2]),
            (name: "roberta.encoder.layer.0.output.dense.bias", shape: [2]),
        ])
        let values = (0..<layout.totalCount).map { Float($0) * 0.25 - 1 }
        return FlatTensors(layout: layout, values: values)
    }

    @Test func roundTripKeepsValuesOrderAndMetadata() throws {
        let tensors = Self.sample()
        let url = try Fixtures.temporaryDirectory().appendingPathComponent("fisher.safetensors")
        let metadata = ["sentences": "1024", "estimator": "xsns", "quote": "a \"b\"\n"]
        try SafeTensorsWriter.write(tensors, metadata: metadata, to: url)

        let file = try SafeTensorsFile(url: url)
        #expect(file.metadata == metadata)
        #expect(file.tensors.map(\.name) == tensors.layout.entries.map(\.name))
        for entry in tensors.layout.entries {
            #expect(file.info(entry.name) == SafeTensorInfo(name: entry.name, dtype: "F32", shape: entry.shape))
            #expect(try file.floats(entry.name) == Array(tensors.values(of: entry.name) ?? []))
        }
    }

    @Test func headerIsPaddedSoTheDataAreaIsAligned() throws {
        let url = try Fixtures.temporaryDirectory().appendingPathComponent("a.safetensors")
        try SafeTensorsWriter.write(Self.sample(), metadata: [:], to: url)
        let bytes = try Data(contentsOf: url)
        let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
        #expect(headerLength % 8 == 0)
        #expect(bytes.count == 8 + headerLength + 4 * Self.sample().values.count)
        let header = try JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<(8 + headerLength))) as? [String: Any]
        #expect(header?["__metadata__"] == nil, "no metadata block when there is no metadata")
    }

    @Test func rewritingReplacesTheFile() throws {
        let url = try Fixtures.temporaryDirectory().appendingPathComponent("a.safetensors")
        try SafeTensorsWriter.write(Self.sample(), metadata: ["v": "1"], to: url)
        let small = FlatTensors(layout: TensorLayout([(name: "x", shape: [1])]), values: [7])
        try SafeTensorsWriter.write(small, metadata: ["v": "2"], to: url)
        let file = try SafeTensorsFile(url: url)
        #expect(file.metadata == ["v": "2"])
        #expect(try file.floats("x") == [7])
    }
}
