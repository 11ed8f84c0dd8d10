/// A trie over the UTF-8 bytes of a vocabulary, for common-prefix search and exact lookup.
///
/// Built from the keys sorted bytewise, so that every node's children are adjacent and ordered by byte:
/// construction is one sort plus one linear pass (a 250k-piece vocabulary loads in well under a second),
/// and a lookup scans a few adjacent bytes per step. The root, which has the most children, gets a direct
/// 256-entry table. Keys compare as bytes, never as Swift `String`s, whose equality is canonical
/// equivalence (it would merge "é" and "e\u{301}", which are distinct pieces).
struct ByteTrie: Sendable {
    static let root: Int32 = 0

    private var labels: [UInt8] = [0]
    private var firstChild: [Int32] = [0]
    private var childCount: [Int32] = [0]
    /// The value stored at each node, or -1.
    private var values: [Int32] = [-1]
    private var rootChildren = [Int32](repeating: -1, count: 256)

    /// Whether `keys` fit the trie's 32-bit node numbers (a key of n bytes adds at most n nodes).
    static func canHold(_ keys: [String]) -> Bool {
        keys.reduce(0) { $0 + $1.utf8.count } < Int(Int32.max)
    }

    /// A trie holding `keys[i]` with value `values[i]` (default: `i`); for duplicate keys the later wins.
    /// The keys must satisfy `canHold`.
    init(keys: [String], values keyValues: [Int32]? = nil) {
        // All key bytes in one buffer, so that sorting and grouping touch no Swift strings.
        var bytes: [UInt8] = []
        var starts: [Int] = []
        starts.reserveCapacity(keys.count + 1)
        for key in keys {
            starts.append(bytes.count)
            bytes.append(contentsOf: key.utf8)
        }
        starts.append(bytes.count)
        bytes.withUnsafeBufferPointer { buffer in
            build(buffer, starts: starts, keyValues: keyValues)
        }
    }

    private mutating func build(_ bytes: UnsafeBufferPointer<UInt8>, starts: [Int], keyValues: [Int32]?) {
        func length(_ key: Int32) -> Int { starts[Int(key) + 1] - starts[Int(key)] }
        func byte(_ key: Int32, _ depth: Int) -> UInt8 { bytes[starts[Int(key)] + depth] }

        // Sort by the first 8 bytes packed big-endian (zero-padded: a proper prefix sorts first), and only
        // compare whole keys when those agree.
        var sortable: [(prefix: UInt64, key: Int32)] = (0..<Int32(starts.count - 1)).map { key in
            var prefix: UInt64 = 0
            let start = starts[Int(key)]
            for offset in 0..<8 {
                prefix <<= 8
                if offset < length(key) { prefix |= UInt64(bytes[start + offset]) }
            }
            return (prefix, key)
        }
        sortable.sort { left, right in
            if left.prefix != right.prefix { return left.prefix < right.prefix }
            let leftStart = starts[Int(left.key)], rightStart = starts[Int(right.key)]
            let leftLength = length(left.key), rightLength = length(right.key)
            for offset in 8..<max(8, min(leftLength, rightLength)) {
                let a = bytes[leftStart + offset], b = bytes[rightStart + offset]
                if a != b { return a < b }
            }
            return leftLength != rightLength ? leftLength < rightLength : left.key < right.key
        }
        let order = sortable.map(\.key)

        // A key of n bytes adds at most n nodes: reserve once instead of growing four arrays.
        let nodeBound = bytes.count + 1
        labels.reserveCapacity(nodeBound)
        firstChild.reserveCapacity(nodeBound)
        childCount.reserveCapacity(nodeBound)
        values.reserveCapacity(nodeBound)

        // Each pending node owns the sorted keys order[lower..<upper], which share its `depth` bytes.
        var pending: [(node: Int32, lower: Int, upper: Int, depth: Int)] = [(Self.root, 0, order.count, 0)]
        while let (node, lower, upper, depth) = pending.popLast() {
            var index = lower
            while index < upper, length(order[index]) == depth {
                // Sorted ties keep input order, so the last duplicate wins.
                values[Int(node)] = keyValues?[Int(order[index])] ?? order[index]
                index += 1
            }
            firstChild[Int(node)] = Int32(labels.count)
            var children: Int32 = 0
            while index < upper {
                let label = byte(order[index], depth)
                var end = index + 1
                while end < upper, byte(order[end], depth) == label { end += 1 }
                let child = Int32(labels.count)
                labels.append(label)
                firstChild.append(0)
                childCount.append(0)
                values.append(-1)
                if node == Self.root { rootChildren[Int(label)] = child }
                pending.append((child, index, end, depth + 1))
                children += 1
                index = end
            }
            childCount[Int(node)] = children
        }
    }

    func child(of node: Int32, _ byte: UInt8) -> Int32? {
        if node == Self.root {
            let child = rootChildren[Int(byte)]
            return child < 0 ? nil : child
        }
        let first = Int(firstChild[Int(node)])
        var index = first
        let end = first + Int(childCount[Int(node)])
        // Children are few below the root and sorted: a short scan beats a binary search.
        while index < end {
            let label = labels[index]
            if label == byte { return Int32(index) }
            if label > byte { return nil }
            index += 1
        }
        return nil
    }

    /// The value stored at `node`, or nil.
    func value(at node: Int32) -> Int32? {
        let value = values[Int(node)]
        return value < 0 ? nil : value
    }

    /// The value stored for exactly `bytes`.
    func lookup(_ bytes: some Sequence<UInt8>) -> Int32? {
        var node = Self.root
        for byte in bytes {
            guard let next = child(of: node, byte) else { return nil }
            node = next
        }
        return value(at: node)
    }
}
