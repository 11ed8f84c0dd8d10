import Foundation
import Testing
import XSNSStorage
import XSNSTestSupport

/// `DirectReader` widens each range to whole blocks for O_DIRECT: whatever the range (unaligned starts
/// and ends, ranges touching the end of a file that is not a whole number of blocks, empty ones), the
/// bytes handed back are exactly the file's; a range past the end is an error naming the file.
struct DirectReaderTests {
    @Test func everyRangeReadsTheFilesBytes() throws {
        let folder = try Fixtures.temporaryDirectory()
        let url = folder.appendingPathComponent("values.bin")
        let size = 3 * 4096 * 17 + 1234
        let bytes = Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) })
        try bytes.write(to: url)
        let reader = try DirectReader(path: url.path, capacity: 40_000)
        let ranges = [0..<1, 0..<4096, 1..<4097, 4095..<4097, 12_345..<52_345, (size - 1)..<size, (size - 40_000)..<size,
                      100..<100, 8192..<(8192 + 40_000)]
        for range in ranges {
            let read = try reader.read(range)
            #expect(Data(read) == bytes[range], "\(range)")
        }
        #expect { try reader.read((size - 10)..<(size + 10)) } throws: { error in
            (error as? InputError)?.file == url.path && "\(error)".contains("truncated")
        }
        #expect(Data(try reader.read(5..<9)) == bytes[5..<9], "usable after an error")
    }
}
