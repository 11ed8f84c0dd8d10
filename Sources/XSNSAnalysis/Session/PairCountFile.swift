import Foundation
import XSNSStorage

/// One run's sub-network sizes (in all and per encoder layer) and its intersection counts with the other
/// runs of its seed, at the p of `PairCountTable.ps` (`index/<lang>.seed<k>.pairs`, beside its mask index):
///
///     "XSNSPRC1" | header length (UInt64 LE) | header JSON | SHA-256 of the header JSON (64 hex digits)
///     | payload: UInt32 LE — the run's own sizes (one per p), its sizes per layer (p by p, `layers` each),
///       then per partner its sizes and the counts
///
/// The header names the run, the SHA-256 of its Fisher file, the p values, every partner with the SHA-256
/// of the partner's Fisher file, and the payload's SHA-256. A count is valid only while both Fisher files
/// are still those digests. A few KB per partner; written atomically (temp file, fsync, rename).
enum PairCountFile {
    static let magic = Array("XSNSPRC1".utf8)
    static let version = 1

    struct Header: Codable, Equatable {
        var format = "xsns-pair-counts"
        var version = PairCountFile.version
        var language: String
        var seed: Int
        var fisherSHA256: String
        var ps: [Double]
        var layers: Int
        var partners: [Partner]
        var payloadSHA256: String

        struct Partner: Codable, Equatable {
            var language: String
            var fisherSHA256: String
        }
    }

    /// What a file holds, decoded: sizes per p for the run and each partner, counts per partner and p.
    struct Contents: Equatable {
        var language: String
        var seed: Int
        var fisherSHA256: String
        var ps: [Double]
        var sizes: [Int]
        /// layerSizes[p][layer]
        var layerSizes: [[Int]]
        var partners: [Partner]

        struct Partner: Equatable {
            var language: String
            var fisherSHA256: String
            var sizes: [Int]
            var counts: [Int]
        }
    }

    static func url(forIndex index: URL) -> URL { index.deletingPathExtension().appendingPathExtension("pairs") }

    static func write(_ contents: Contents, to url: URL) throws {
        let layers = contents.layerSizes.first?.count ?? 0
        precondition(contents.layerSizes.count == contents.ps.count && contents.layerSizes.allSatisfy { $0.count == layers })
        var words = contents.sizes + contents.layerSizes.flatMap { $0 }
        for partner in contents.partners { words += partner.sizes + partner.counts }
        precondition(words.allSatisfy { $0 >= 0 && $0 <= Int(UInt32.max) }, "counts fit 32 bits (indexes hold < 2³² values)")
        let payload = words.map { UInt32($0).littleEndian }.withUnsafeBytes { Data($0) }
        let header = Header(
            language: contents.language, seed: contents.seed, fisherSHA256: contents.fisherSHA256, ps: contents.ps, layers: layers,
            partners: contents.partners.map { Header.Partner(language: $0.language, fisherSHA256: $0.fisherSHA256) },
            payloadSHA256: SHA256.hexDigest(payload))
        let json = try JSONEncoder().encode(header)
        var data = CheckedHeader.frame(mark: magic, json: json)
        data.append(payload)
        try AtomicFile.write(data, to: url)
    }

    /// Every structural fact is checked: a truncated, edited or foreign file throws an `IndexDamaged`
    /// naming it, and is never read as counts.
    static func read(_ url: URL) throws -> Contents {
        let damaged = { (reason: String) in IndexDamaged(file: url.path, reason: reason) }
        let bytes: Data
        do { bytes = try Data(contentsOf: url) } catch { throw damaged("cannot be read (\(error))") }
        let (json, payloadStart) = try bytes.withUnsafeBytes {
            try CheckedHeader.read($0, mark: magic, kind: "a pair-count file", damaged: damaged)
        }
        let header: Header
        do { header = try JSONDecoder().decodeScreened(Header.self, from: json) } catch {
            throw damaged("its header is not a pair-count header")
        }
        guard header.format == "xsns-pair-counts", header.version == version else {
            throw damaged("format \(header.format) version \(header.version), this build reads version \(version)")
        }
        let payload = bytes.subdata(in: payloadStart..<bytes.count)
        let width = header.ps.count
        guard header.layers >= 0, header.layers < 1000 else { throw damaged("an impossible layer count") }
        let expected = 4 * width * (1 + header.layers + 2 * header.partners.count)
        guard payload.count == expected else {
            throw damaged("\(payload.count) payload bytes where its header implies \(expected) (truncated?)")
        }
        guard SHA256.hexDigest(payload) == header.payloadSHA256 else { throw damaged("its counts do not match their checksum") }
        let words = payload.withUnsafeBytes { raw in (0..<(payload.count / 4)).map { Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) } }
        let partnersStart = width * (1 + header.layers)
        func slice(_ block: Int) -> [Int] { Array(words[(partnersStart + block * width)..<(partnersStart + (block + 1) * width)]) }
        return Contents(
            language: header.language, seed: header.seed, fisherSHA256: header.fisherSHA256, ps: header.ps,
            sizes: Array(words[0..<width]),
            layerSizes: (0..<width).map { p in Array(words[(width + p * header.layers)..<(width + (p + 1) * header.layers)]) },
            partners: header.partners.enumerated().map { offset, partner in
                Contents.Partner(language: partner.language, fisherSHA256: partner.fisherSHA256,
                                 sizes: slice(2 * offset), counts: slice(2 * offset + 1))
            })
    }
}
