/// Named tensors laid out one after another in a single contiguous Float buffer
/// (the llm.c habit: parameters, gradients and Fisher accumulators share one layout).
public struct TensorLayout: Equatable, Sendable {
    public struct Entry: Equatable, Sendable {
        public let name: String
        public let shape: [Int]
        public let offset: Int
        public var count: Int { shape.reduce(1, *) }
        public var range: Range<Int> { offset..<(offset + count) }
    }

    public private(set) var entries: [Entry] = []
    public private(set) var totalCount = 0
    private var indexByName: [String: Int] = [:]

    public init() {}

    public init(_ tensors: [(name: String, shape: [Int])]) {
        for tensor in tensors { append(name: tensor.name, shape: tensor.shape) }
    }

    public mutating func append(name: String, shape: [Int]) {
        precondition(indexByName[name] == nil, "duplicate tensor \(name)")
        indexByName[name] = entries.count
        let entry = Entry(name: name, shape: shape, offset: totalCount)
        entries.append(entry)
        totalCount += entry.count
    }

    public subscript(name: String) -> Entry? {
        indexByName[name].map { entries[$0] }
    }

    public static func == (lhs: TensorLayout, rhs: TensorLayout) -> Bool {
        lhs.entries == rhs.entries
    }
}

/// A layout together with its values.
public struct FlatTensors: Sendable {
    public var layout: TensorLayout
    public var values: [Float]

    public init(layout: TensorLayout, values: [Float]) {
        precondition(values.count == layout.totalCount, "values do not fill the layout")
        self.layout = layout
        self.values = values
    }

    public init(zerosLike layout: TensorLayout) {
        self.init(layout: layout, values: [Float](repeating: 0, count: layout.totalCount))
    }

    public func values(of name: String) -> ArraySlice<Float>? {
        layout[name].map { values[$0.range] }
    }
}
