import Foundation

/// Writes named Float32 tensors as a `.safetensors` file that the Python `safetensors`
/// package loads; atomically, in the layout's tensor order.
public enum SafeTensorsWriter {
    public static func write(_ tensors: FlatTensors, metadata: [String: String], to url: URL) throws {
        let header = try headerBytes(tensors.layout, metadata: metadata, file: url.path)
        let large = tensors.values.count * MemoryLayout<Float>.size >= AtomicFile.directMinimumBytes
        try AtomicFile.write(to: url, direct: large) { sink in
            var length = UInt64(header.count).littleEndian
            try withUnsafeBytes(of: &length) { try sink.write($0) }
            try sink.write(header)
            #if _endian(big)
            let littleEndian = tensors.values.map { Float(bitPattern: $0.bitPattern.littleEndian) }
            try littleEndian.withUnsafeBytes { try sink.write($0) }
            #else
            try tensors.values.withUnsafeBytes { try sink.write($0) }
            #endif
        }
    }

    /// The JSON header, padded with spaces to a multiple of 8 bytes as the reference writer does
    /// (keeps the data area aligned for readers that map it directly).
    static func headerBytes(_ layout: TensorLayout, metadata: [String: String], file: String) throws -> Data {
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(JSONString.quoted($0)):\(JSONString.quoted(metadata[$0] ?? ""))" }
            fields.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        for entry in layout.entries {
            if entry.name == "__metadata__" {
                throw InputError(file: file, "a tensor cannot be named __metadata__")
            }
            let begin = entry.offset * MemoryLayout<Float>.size
            let end = begin + entry.count * MemoryLayout<Float>.size
            let shape = entry.shape.map(String.init).joined(separator: ",")
            fields.append("\(JSONString.quoted(entry.name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(begin),\(end)]}")
        }
        var header = Data(("{" + fields.joined(separator: ",") + "}").utf8)
        let padding = (8 - header.count % 8) % 8
        header.append(contentsOf: [UInt8](repeating: UInt8(ascii: " "), count: padding))
        return header
    }

}
