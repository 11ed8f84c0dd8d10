import Foundation

/// A fixed-size, 64-byte aligned Float buffer with reference semantics.
///
/// Activations and parameters live in these rather than in `[Float]` so the kernels can pass raw
/// pointers to BLAS without copy-on-write checks or closure nesting on every call.
final class FloatBuffer {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int
    private let storage: Storage

    private enum Storage {
        /// Allocated by this buffer.
        case allocated
        /// Part of another buffer's storage, kept alive by the view.
        case view(of: FloatBuffer)
        /// A file-backed block (released by unmapping, not deallocating).
        case fileBacked(FileBackedBlock)
    }

    convenience init(count: Int) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    /// For a caller that writes every value before any is read: a checkpoint's 1.1 GB block would otherwise
    /// be written twice, zeros first.
    init(uninitializedCount count: Int) {
        self.count = count
        storage = .allocated
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride,
                                                   alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    convenience init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { pointer.update(from: base, count: values.count) }
        }
    }

    /// A view of `count` floats of `parent` from `offset`: same storage, no copy.
    init(viewing parent: FloatBuffer, offset: Int, count: Int) {
        precondition(offset >= 0 && offset + count <= parent.count, "view outside its buffer")
        pointer = parent.pointer + offset
        self.count = count
        storage = .view(of: parent)
    }

    /// `count` floats whose first ones are a tensor of a file, mapped in place (`FileBackedBlock`); the
    /// rest is uninitialised. nil when the file cannot be placed so.
    init?(uninitializedCount count: Int, leadingTensor tensor: TensorPlacement) {
        guard let block = FileBackedBlock(count: count, leading: tensor) else { return nil }
        self.count = count
        storage = .fileBacked(block)
        pointer = block.floats
    }

    /// Whether the leading floats are mapped from a file (`init(uninitializedCount:leadingTensor:)`).
    var isFileBacked: Bool {
        if case .fileBacked = storage { return true }
        return false
    }

    deinit {
        switch storage {
        case .allocated: UnsafeMutableRawPointer(pointer).deallocate()
        case .view: break
        case .fileBacked(let block): block.release()
        }
    }

    func zero() { pointer.update(repeating: 0, count: count) }

    var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    subscript(index: Int) -> Float {
        get { pointer[index] }
        set { pointer[index] = newValue }
    }
}

/// Bytes with reference semantics (dropout keep masks).
final class ByteBuffer {
    let pointer: UnsafeMutablePointer<UInt8>
    let count: Int

    convenience init(count: Int) {
        self.init(uninitializedCount: count)
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    /// For a caller that writes every byte before reading it.
    init(uninitializedCount count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
    }

    deinit { pointer.deallocate() }
}

/// A growable scratch area: kernels ask for at least `count` floats and reuse the storage between calls.
final class ScratchBuffer {
    private(set) var buffer = FloatBuffer(count: 0)

    func pointer(atLeast count: Int) -> UnsafeMutablePointer<Float> {
        if buffer.count < count { buffer = FloatBuffer(count: count) }
        return buffer.pointer
    }
}
