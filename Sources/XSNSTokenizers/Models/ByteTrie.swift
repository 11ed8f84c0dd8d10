/// A trie over the UTF-8 bytes of a vocabulary, for longest/common-prefix search and exact lookup.
///
/// Edges live in one open-addressing hash table keyed by (node, byte), which builds quickly for a
/// 250k-piece vocabulary and needs no per-node allocation. Lookups compare bytes, never Swift `String`s,
/// whose equality is canonical equivalence (it would merge "é" and "e\u{301}", which are distinct pieces).
struct ByteTrie: Sendable {
    static let root: Int32 = 0
    private static let emptyKey = UInt64.max

    private var keys: [UInt64]
    private var children: [Int32]
    private var mask: Int
    private var edgeCount = 0
    /// The value stored at each node, or -1.
    private var values: [Int32] = [-1]

    init(expectedEdges: Int) {
        var capacity = 16
        while capacity < expectedEdges * 2 { capacity <<= 1 }
        keys = Array(repeating: Self.emptyKey, count: capacity)
        children = Array(repeating: -1, count: capacity)
        mask = capacity - 1
    }

    private static func key(_ node: Int32, _ byte: UInt8) -> UInt64 {
        UInt64(UInt32(bitPattern: node)) << 8 | UInt64(byte)
    }

    private func slot(for key: UInt64) -> Int {
        var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 29) & mask
        while keys[slot] != key, keys[slot] != Self.emptyKey { slot = (slot + 1) & mask }
        return slot
    }

    func child(of node: Int32, _ byte: UInt8) -> Int32? {
        let slot = slot(for: Self.key(node, byte))
        return keys[slot] == Self.emptyKey ? nil : children[slot]
    }

    /// The value stored at `node`, or nil.
    func value(at node: Int32) -> Int32? {
        let value = values[Int(node)]
        return value < 0 ? nil : value
    }

    /// Stores `value` for `bytes`, replacing an earlier value (the later duplicate wins, as in HF).
    mutating func insert(_ bytes: some Sequence<UInt8>, value: Int32) {
        var node = Self.root
        for byte in bytes {
            let key = Self.key(node, byte)
            var slot = slot(for: key)
            if keys[slot] == Self.emptyKey {
                if (edgeCount + 1) * 10 > keys.count * 7 {
                    grow()
                    slot = self.slot(for: key)
                }
                keys[slot] = key
                children[slot] = Int32(values.count)
                values.append(-1)
                edgeCount += 1
            }
            node = children[slot]
        }
        values[Int(node)] = value
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

    private mutating func grow() {
        let oldKeys = keys
        let oldChildren = children
        keys = Array(repeating: Self.emptyKey, count: oldKeys.count * 2)
        children = Array(repeating: -1, count: oldKeys.count * 2)
        mask = keys.count - 1
        for (index, key) in oldKeys.enumerated() where key != Self.emptyKey {
            let slot = slot(for: key)
            keys[slot] = key
            children[slot] = oldChildren[index]
        }
    }
}
