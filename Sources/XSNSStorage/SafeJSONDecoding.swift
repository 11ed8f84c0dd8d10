import Foundation

extension JSONDecoder {
    /// Raised by `decodeScreened` for bytes that are not JSON at all.
    public struct NotJSON: Error {}

    /// `decode`, for bytes that come from files: JSONDecoder (swift-foundation 6.3) traps instead of
    /// throwing when a document reaches its 512-level nesting limit at its very last byte, while
    /// JSONSerialization rejects such input safely, so it screens the bytes first.
    public func decodeScreened<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        guard (try? JSONSerialization.jsonObject(with: data)) != nil else {
            throw NotJSON()
        }
        return try decode(type, from: data)
    }
}
