#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A parameter block whose leading floats are a little-endian F32 tensor of a file, mapped copy-on-write
/// instead of copied: XLM-R's word embeddings (also its tied decoder) are 768 MB of the 1.1 GB block.
/// Read, they are the page cache's pages (no fresh memory, no copy, shared with other processes using the
/// checkpoint); written (training the embeddings), a page becomes private. The rest of the block is
/// ordinary anonymous memory that the caller fills.
///
/// The block starts at the same offset within a page as the tensor within the file, which is what lets
/// one mapping (`MAP_FIXED` over an anonymous region) place it. The file must not be truncated while the
/// block lives (replacing it, as the Hugging Face hub cache does, is safe: the old file stays mapped).
struct FileBackedBlock {
    let region: UnsafeMutableRawPointer
    let regionLength: Int
    let floats: UnsafeMutablePointer<Float>

    /// nil when the placement is impossible (not whole floats at a 4-byte aligned offset, longer than the
    /// block, a big-endian host, mapping refused): the caller then reads the tensor into an ordinary buffer.
    init?(count: Int, leading: TensorPlacement) {
        #if canImport(Glibc) && _endian(little)
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let phase = leading.byteOffset % page
        let float = MemoryLayout<Float>.stride
        guard page > 0, leading.byteOffset % float == 0, leading.byteCount % float == 0, leading.byteCount > 0,
              leading.byteCount <= count * float else { return nil }
        let roundedUp = { (bytes: Int) in (bytes + page - 1) / page * page }
        let length = roundedUp(phase + count * float)
        guard let anonymous = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              anonymous != MAP_FAILED else { return nil }
        let descriptor = open(leading.url.path, O_RDONLY | O_CLOEXEC)
        let mappedLength = roundedUp(phase + leading.byteCount)
        let placed = descriptor < 0 ? MAP_FAILED
            : mmap(anonymous, mappedLength, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, descriptor,
                   off_t(leading.byteOffset - phase))
        if descriptor >= 0 { close(descriptor) }
        guard placed == anonymous else {
            munmap(anonymous, length)
            return nil
        }
        // Maps the page cache's pages now, read-only (a copy happens only on a write), instead of one
        // fault per 4 KB page inside the first GEMM. Linux ≥ 5.14; elsewhere the faults stay.
        let populateRead: Int32 = 22  // MADV_POPULATE_READ
        _ = madvise(anonymous, mappedLength, populateRead)
        region = anonymous
        regionLength = length
        floats = (anonymous + phase).bindMemory(to: Float.self, capacity: count)
        #else
        return nil
        #endif
    }

    func release() {
        #if canImport(Glibc)
        munmap(region, regionLength)
        #endif
    }
}
