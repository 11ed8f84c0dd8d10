import Foundation

/// One tensor's entry in a safetensors header.
public struct SafeTensorInfo: Sendable, Equatable {
    public let name: String
    public let dtype: String
    public let shape: [Int]

    public init(name: String, dtype: String, shape: [Int]) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
    }

    /// Number of elements (1 for a scalar). The header validation guarantees it does not overflow.
    public var elementCount: Int { shape.reduce(1, *) }
}

/// A read-only, memory-mapped `.safetensors` file (8-byte little-endian header length, JSON
/// header, raw little-endian data). Everything in the header is validated on open, so the
/// accessors never read outside the file whatever the file contains.
public final class SafeTensorsFile: @unchecked Sendable {
    /// Far above any real header (xlm-roberta-large's is ~40 kB), low enough that a hostile
    /// length cannot make us allocate or parse gigabytes.
    public static let maximumHeaderLength = 100_000_000

    public let url: URL
    public let metadata: [String: String]
    /// In file order (by position in the data area).
    public let tensors: [SafeTensorInfo]

    private struct Location {
        let dtype: SafeTensorDType
        let range: Range<Int>  // relative to the file start
    }

    private let mapping: MappedFile
    private let locations: [String: Location]
    private let indexByName: [String: Int]

    public init(url: URL) throws {
        self.url = url
        let path = url.path
        mapping = try MappedFile(url: url)
        let bytes = mapping.bytes
        let invalid = { (message: String) in InputError(file: path, "not a valid safetensors file: \(message)") }

        guard bytes.count >= 8 else { throw invalid("shorter than the 8-byte header length") }
        let declared = bytes.loadUnaligned(as: UInt64.self).littleEndian
        guard declared <= UInt64(Self.maximumHeaderLength) else {
            throw invalid("header length \(declared) exceeds the \(Self.maximumHeaderLength)-byte limit")
        }
        let headerLength = Int(declared)
        guard headerLength <= bytes.count - 8 else {
            throw invalid("header length \(headerLength) runs past the end of the \(bytes.count)-byte file (truncated?)")
        }
        let dataStart = 8 + headerLength
        let dataSize = bytes.count - dataStart
        let headerData = Data(bytes[8..<dataStart])

        let root: Any
        do { root = try JSONSerialization.jsonObject(with: headerData) } catch {
            throw invalid("header is not valid JSON")
        }
        guard let header = root as? [String: Any] else { throw invalid("header is not a JSON object") }

        var metadata: [String: String] = [:]
        var entries: [(info: SafeTensorInfo, location: Location)] = []
        for (name, value) in header {
            if name == "__metadata__" {
                guard let fields = value as? [String: Any] else { throw invalid("__metadata__ is not an object") }
                for (key, field) in fields {
                    guard let text = field as? String else { throw invalid("__metadata__ value '\(key)' is not a string") }
                    metadata[key] = text
                }
                continue
            }
            let parsed = try Self.parseEntry(name: name, value: value, dataStart: dataStart, dataSize: dataSize, invalid: invalid)
            entries.append(parsed)
        }

        entries.sort {
            ($0.location.range.lowerBound, $0.location.range.upperBound, $0.info.name)
                < ($1.location.range.lowerBound, $1.location.range.upperBound, $1.info.name)
        }
        var previous: (name: String, end: Int)?
        for entry in entries {
            if let previous, entry.location.range.lowerBound < previous.end {
                throw invalid("tensors '\(previous.name)' and '\(entry.info.name)' overlap in the data area")
            }
            if !entry.location.range.isEmpty || previous == nil {
                previous = (entry.info.name, entry.location.range.upperBound)
            }
        }

        self.metadata = metadata
        tensors = entries.map(\.info)
        locations = Dictionary(uniqueKeysWithValues: entries.map { ($0.info.name, $0.location) })
        indexByName = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($1.info.name, $0) })
    }

    private static func parseEntry(
        name: String, value: Any, dataStart: Int, dataSize: Int, invalid: (String) -> InputError
    ) throws -> (info: SafeTensorInfo, location: Location) {
        guard let fields = value as? [String: Any] else { throw invalid("entry '\(name)' is not an object") }
        guard let dtypeName = fields["dtype"] as? String else { throw invalid("tensor '\(name)' has no dtype") }
        guard let dtype = SafeTensorDType(rawValue: dtypeName) else {
            throw invalid("tensor '\(name)' has unknown dtype '\(dtypeName)'")
        }
        guard let shape = integers(fields["shape"]) else {
            throw invalid("tensor '\(name)' has no shape list of non-negative integers")
        }
        guard let offsets = integers(fields["data_offsets"]), offsets.count == 2 else {
            throw invalid("tensor '\(name)' has no data_offsets pair of non-negative integers")
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin <= end, end <= dataSize else {
            throw invalid("tensor '\(name)' data_offsets [\(begin), \(end)] lie outside the \(dataSize)-byte data area")
        }
        var elements = 1
        for dimension in shape {
            let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw invalid("tensor '\(name)' shape \(shape) overflows") }
            elements = product
        }
        let (byteCount, overflow) = elements.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow, byteCount == end - begin else {
            throw invalid("tensor '\(name)' shape \(shape) of \(dtypeName) needs \(overflow ? "too many" : "\(byteCount)") bytes but data_offsets span \(end - begin)")
        }
        let info = SafeTensorInfo(name: name, dtype: dtypeName, shape: shape)
        return (info, Location(dtype: dtype, range: (dataStart + begin)..<(dataStart + end)))
    }

    /// A JSON list of non-negative integers, or nil (fractions, negatives, strings… are refused).
    private static func integers(_ value: Any?) -> [Int]? {
        guard let list = value as? [Any] else { return nil }
        var result: [Int] = []
        result.reserveCapacity(list.count)
        for element in list {
            guard let integer = element as? Int, integer >= 0 else { return nil }
            result.append(integer)
        }
        return result
    }

    public func info(_ name: String) -> SafeTensorInfo? {
        indexByName[name].map { tensors[$0] }
    }

    /// The tensor's values converted to Float (F32, F16, BF16 and F64 are accepted).
    public func floats(_ name: String) throws -> [Float] {
        let location = try convertibleLocation(name)
        let count = location.range.count / location.dtype.byteSize
        return try [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            try readFloats(name, into: buffer)
            initialized = count
        }
    }

    /// Converts the tensor into `destination`, which must hold exactly its element count
    /// (lets callers fill their contiguous parameter buffer without an intermediate array).
    public func readFloats(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws {
        let location = try convertibleLocation(name)
        let count = location.range.count / location.dtype.byteSize
        guard destination.count == count else {
            throw RuntimeFailure("\(url.path): tensor '\(name)' has \(count) elements, the destination holds \(destination.count)")
        }
        let source = UnsafeRawBufferPointer(rebasing: mapping.bytes[location.range])
        guard count > 0, let output = destination.baseAddress, let sourceStart = source.baseAddress else { return }
        switch location.dtype {
        case .f32:
            // memcpy copes with a data area that is not 4-byte aligned (hostile or odd writers).
            UnsafeMutableRawPointer(output).copyMemory(from: sourceStart, byteCount: source.count)
            #if _endian(big)
            for index in 0..<count { output[index] = Float(bitPattern: output[index].bitPattern.byteSwapped) }
            #endif
        case .f16:
            for index in 0..<count {
                output[index] = HalfPrecision.float(fromHalf: UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self)))
            }
        case .bf16:
            for index in 0..<count {
                output[index] = HalfPrecision.float(fromBFloat16: UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self)))
            }
        case .f64:
            for index in 0..<count {
                let bits = UInt64(littleEndian: source.loadUnaligned(fromByteOffset: 8 * index, as: UInt64.self))
                output[index] = Float(Double(bitPattern: bits))
            }
        default:
            break  // excluded by convertibleLocation
        }
    }

    /// Where a little-endian F32 tensor's bytes lie in the file (nil for another dtype), for readers that
    /// stream a large part of it with `pread` rather than through the mapping.
    public func float32ByteRange(_ name: String) -> Range<Int>? {
        guard let location = locations[name], location.dtype == .f32 else { return nil }
        return location.range
    }

    /// Single values of a floating-point tensor read in place: a few scattered positions of a large file
    /// without converting the whole tensor (only the pages they lie on are read).
    public func elements(_ name: String) throws -> FloatElements {
        let location = try convertibleLocation(name)
        return FloatElements(
            file: self, base: mapping.bytes.baseAddress.map { $0 + location.range.lowerBound }, dtype: location.dtype,
            count: location.range.count / location.dtype.byteSize)
    }

    private func convertibleLocation(_ name: String) throws -> Location {
        guard let location = locations[name] else {
            throw InputError(file: url.path, "no tensor named '\(name)'")
        }
        guard location.dtype.convertsToFloat else {
            throw InputError(file: url.path, "tensor '\(name)' has dtype \(location.dtype.rawValue), expected a floating-point type (F32, F16, BF16)")
        }
        return location
    }
}

/// One tensor's values in a mapped safetensors file, converted to Float one at a time.
public struct FloatElements: @unchecked Sendable {
    let file: SafeTensorsFile  // keeps the mapping alive
    let base: UnsafeRawPointer?
    let dtype: SafeTensorDType
    public let count: Int

    public subscript(index: Int) -> Float {
        precondition(index >= 0 && index < count, "element \(index) of \(count)")
        let base = base!
        switch dtype {
        case .f32: return Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self)))
        case .f16: return HalfPrecision.float(fromHalf: UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self)))
        case .bf16: return HalfPrecision.float(fromBFloat16: UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self)))
        case .f64: return Float(Double(bitPattern: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8 * index, as: UInt64.self))))
        default: preconditionFailure("only floating-point tensors have elements")
        }
    }
}
