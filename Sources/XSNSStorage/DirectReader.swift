#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Large byte ranges of one file read past the page cache (O_DIRECT) into one aligned buffer, for a
/// reader that goes through a big file once: filling the page cache costs more than the copy on these
/// machines (about a second per GB of fresh cache pages), and the bytes are not wanted again. Where
/// the file system refuses O_DIRECT the same reads go through the cache.
public final class DirectReader {
    static let block = 4096
    private let descriptor: Int32
    private var direct: Bool
    private let buffer: UnsafeMutableRawPointer
    private let capacity: Int
    private let path: String

    /// `capacity`: the largest range one `read` is asked for.
    public init(path: String, capacity: Int) throws {
        self.path = path
        var descriptor = directOpenFlag == 0 ? -1 : open(path, O_RDONLY | O_CLOEXEC | directOpenFlag)
        direct = descriptor >= 0
        if descriptor < 0 { descriptor = open(path, O_RDONLY | O_CLOEXEC) }
        guard descriptor >= 0 else { throw InputError(file: path, "cannot open: \(String(cString: strerror(errno)))") }
        self.descriptor = descriptor
        self.capacity = (capacity + 2 * Self.block - 1) / Self.block * Self.block
        buffer = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: Self.block)
    }

    deinit {
        close(descriptor)
        buffer.deallocate()
    }

    /// The bytes of `range`, valid until the next call.
    public func read(_ range: Range<Int>) throws -> UnsafeRawBufferPointer {
        // O_DIRECT reads whole aligned blocks into an aligned buffer: the range widened to blocks.
        let start = direct ? range.lowerBound / Self.block * Self.block : range.lowerBound
        let end = direct ? (range.upperBound + Self.block - 1) / Self.block * Self.block : range.upperBound
        precondition(end - start <= capacity, "a read of \(end - start) bytes with room for \(capacity)")
        var done = 0
        while start + done < range.upperBound {
            let count = pread(descriptor, buffer + done, end - start - done, off_t(start + done))
            if count < 0, errno == EINTR { continue }
            if count < 0, errno == EINVAL, direct, done == 0 {
                // Opened with O_DIRECT but refused on read: the page cache after all.
                direct = false
                _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~directOpenFlag)
                return try read(range)
            }
            guard count > 0 else {
                throw InputError(file: path, count == 0 ? "ends before byte \(range.upperBound) (truncated?)" : "cannot read: \(String(cString: strerror(errno)))")
            }
            done += count
        }
        return UnsafeRawBufferPointer(start: buffer + (range.lowerBound - start), count: range.count)
    }
}
