import Foundation
import Testing
import XSNSStorage
import XSNSTestSupport

/// Every malformed file is an InputError naming the file, never a crash or a huge allocation.
struct MalformedSafeTensorsTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let label: String
        let bytes: Data
        var testDescription: String { label }
    }

    static let eightFloats = SafeTensorsBytes.floats([1, 2, 3, 4, 5, 6, 7, 8])
    static let validHeader = #"{"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}"#
    static let valid = SafeTensorsBytes.make(header: validHeader, data: SafeTensorsBytes.floats([1, 2, 3, 4]))

    static let cases: [Case] = [
        Case(label: "empty file", bytes: Data()),
        Case(label: "shorter than the length field", bytes: Data([1, 0, 0])),
        Case(label: "truncated data", bytes: valid.dropLast(3)),
        Case(label: "truncated header", bytes: valid.prefix(30)),
        Case(label: "huge header length", bytes: SafeTensorsBytes.make(header: "{}", declaredLength: UInt64.max)),
        Case(label: "header length just over the limit",
             bytes: SafeTensorsBytes.make(header: "{}", declaredLength: 100_000_001)),
        Case(label: "header length past the end", bytes: SafeTensorsBytes.make(header: "{}", declaredLength: 3)),
        Case(label: "bad JSON", bytes: SafeTensorsBytes.make(header: #"{"a":{"dtype":"F32","#)),
        Case(label: "JSON not an object", bytes: SafeTensorsBytes.make(header: "[1,2]")),
        Case(label: "entry not an object", bytes: SafeTensorsBytes.make(header: #"{"a":3}"#)),
        Case(label: "unknown dtype",
             bytes: SafeTensorsBytes.make(header: #"{"a":{"dtype":"F17","shape":[1],"data_offsets":[0,4]}}"#,
                                          data: SafeTensorsBytes.floats([1]))),
        Case(label: "missing dtype",
             bytes: SafeTensorsBytes.make(header: #"{"a":{"shape":[1],"data_offsets":[0,4]}}"#, data: SafeTensorsBytes.floats([1]))),
        Case(label: "negative dimension",
             bytes: SafeTensorsBytes.make(header: #"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#,
                                          data: SafeTensorsBytes.floats([1]))),
        Case(label: "fractional dimension",
             bytes: SafeTensorsBytes.make(header: #"{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#,
                                          data: SafeTensorsBytes.floats([1]))),
        Case(label: "dimension beyond Int",
             bytes: SafeTensorsBytes.make(header: #"{"a":{"dtype":"F32","shape":[1e30],"data_offsets":[0,4]}}"#,
                                          data: SafeTensorsBytes.floats([1]))),
        Case(label: "shape product overflows",
             bytes: SafeTensorsBytes.make(
                header: #"{"a":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,4]}}"#,
                data: SafeTensorsBytes.floats([1]))),
        Case(label: "byte size overflows",
             bytes: SafeTensorsBytes.make(
                header: #"{"a":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,8]}}"#,
                data: SafeTensorsBytes.floats([1, 2]))),
        Case(label: "shape disagrees with byte length",
             bytes: SafeTensorsBytes.make(header: #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,16]}}"#,
                                          data: SafeTensorsBytes.floats([1, 2, 3, 4]))),
        Case(label: "offsets reversed",
             bytes: SafeTensorsBytes.make(header: #"{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}}"#,
                                          data: eightFloats)),
        Case(label: "offsets outside the data area",
             bytes: SafeTensorsBytes.make(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[28,36]}}"#,
                                          data: eightFloats)),
        Case(label: "single offset",
             bytes: SafeTensorsBytes.make(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}}"#, data: eightFloats)),
        Case(label: "overlapping offsets",
             bytes: SafeTensorsBytes.make(
                header: #"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[4],"data_offsets":[12,28]}}"#,
                data: eightFloats)),
        Case(label: "identical offsets",
             bytes: SafeTensorsBytes.make(
                header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#,
                data: eightFloats)),
        Case(label: "metadata value not a string",
             bytes: SafeTensorsBytes.make(header: #"{"__metadata__":{"n":3}}"#)),
        Case(label: "deeply nested JSON",
             bytes: SafeTensorsBytes.make(header: String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000))),
        Case(label: "metadata not an object",
             bytes: SafeTensorsBytes.make(header: #"{"__metadata__":"x"}"#)),
    ]

    @Test(arguments: cases)
    func isAnInputErrorNamingTheFile(_ malformed: Case) throws {
        let url = try SafeTensorsBytes.store(malformed.bytes)
        do {
            _ = try SafeTensorsFile(url: url)
            Issue.record("accepted: \(malformed.label)")
        } catch let error as InputError {
            #expect(error.file == url.path)
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func theValidBaselineLoads() throws {
        let file = try SafeTensorsFile(url: try SafeTensorsBytes.store(Self.valid))
        #expect(try file.floats("a") == [1, 2, 3, 4])
    }

    @Test func aMissingFileOrAFolderIsAnInputError() throws {
        let folder = try Fixtures.temporaryDirectory()
        #expect(throws: InputError.self) { try SafeTensorsFile(url: folder.appendingPathComponent("none.safetensors")) }
        #expect(throws: InputError.self) { try SafeTensorsFile(url: folder) }
    }

    @Test func tensorsAreListedByDataPositionNotByHeaderKeyOrder() throws {
        let header = #"{"z":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"#
            + #""a":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},"#
            + #""m":{"dtype":"F32","shape":[0],"data_offsets":[4,4]},"#
            + #""b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        let file = try SafeTensorsFile(url: try SafeTensorsBytes.store(SafeTensorsBytes.make(
            header: header, data: SafeTensorsBytes.floats([1, 2, 3])))
        )
        #expect(file.tensors.map(\.name) == ["z", "m", "b", "a"])
        #expect(try file.floats("a") == [3])
    }

    @Test func unalignedDataIsReadCorrectly() throws {
        // A 5-byte header puts the data area at byte 13: not 4-aligned.
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        let file = try SafeTensorsFile(url: try SafeTensorsBytes.store(SafeTensorsBytes.make(
            header: header + " ", data: SafeTensorsBytes.floats([1.5, -2]))))
        #expect(try file.floats("a") == [1.5, -2])
    }
}
