import Foundation
import XSNSStorage

/// Scores of (source, target) pairs: measured transfer (gold) or a predictor's similarities.
/// Targets, and each target's sources, keep the order in which they first appear: Top-1 breaks ties in
/// that order (as `np.argmax` does on arrays built in file order).
public struct TransferTable: Equatable, Sendable {
    /// The file the table was read from, to name in errors.
    public var source: String?
    public private(set) var targets: [String] = []
    public private(set) var sources: [String: [String]] = [:]
    private var values: [String: [String: Double]] = [:]

    public init() {}

    public func value(source: String, target: String) -> Double? { values[target]?[source] }

    /// Adds a pair; returns false (and changes nothing) when the pair is already present.
    @discardableResult
    public mutating func insert(source: String, target: String, value: Double) -> Bool {
        if values[target]?[source] != nil { return false }
        if values[target] == nil { targets.append(target) }
        values[target, default: [:]][source] = value
        sources[target, default: []].append(source)
        return true
    }

    /// The similarity matrix as predictions: score of source s for target t = matrix[t][s].
    public init(matrix: SimilarityMatrix) {
        for target in matrix.languages {
            for source in matrix.languages where source != target {
                if let value = matrix[target, source] { insert(source: source, target: target, value: value) }
            }
        }
    }

    /// Every (source, target, value) in order.
    public var pairs: [(source: String, target: String, value: Double)] {
        targets.flatMap { target in
            (sources[target] ?? []).map { (source: $0, target: target, value: values[target]![$0]!) }
        }
    }
}

/// Which CSV columns hold source, target and score.
public struct TransferColumns: Equatable, Sendable {
    public var source: String?
    public var target: String?
    public var value: String?

    public static let sourceNames = ["source", "lang_train", "transfer_lang"]
    public static let targetNames = ["target", "lang_pred", "task_lang"]
    public static let valueNames = ["score", "accuracy", "bleu", "value"]

    public init(source: String? = nil, target: String? = nil, value: String? = nil) {
        self.source = source
        self.target = target
        self.value = value
    }

    /// `s=transfer,t=task,v=acc` (any subset; the rest is found by name).
    public init(parsing text: String) throws {
        for part in text.split(separator: ",") {
            let pieces = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pieces.count == 2, !pieces[1].isEmpty else {
                throw InputError("--columns: expected s=NAME,t=NAME,v=NAME, got '\(part)'")
            }
            switch pieces[0] {
            case "s": source = pieces[1]
            case "t": target = pieces[1]
            case "v": value = pieces[1]
            default: throw InputError("--columns: unknown key '\(pieces[0])' (use s, t, v)")
            }
        }
    }
}

extension TransferTable {
    /// One table; a long table with a `seed` column (one row per pair and fine-tuning seed) gives the
    /// mean over its seeds of each pair (over the seeds that measured the pair).
    public static func load(_ url: URL, columns: TransferColumns = TransferColumns()) throws -> TransferTable {
        let tables = try loadPerSeed(url, columns: columns)
        guard tables.count > 1 else { return tables[0] }
        var mean = TransferTable()
        mean.source = url.path
        for pair in tables.flatMap(\.pairs) where mean.value(source: pair.source, target: pair.target) == nil {
            let values = tables.compactMap { $0.value(source: pair.source, target: pair.target) }
            mean.insert(source: pair.source, target: pair.target, value: values.reduce(0, +) / Double(values.count))
        }
        return mean
    }

    /// One table per fine-tuning seed of a long table with a `seed` column (in the seeds' order of first
    /// appearance), or the one table of a file without.
    public static func loadPerSeed(_ url: URL, columns: TransferColumns = TransferColumns()) throws -> [TransferTable] {
        guard FileManager.default.fileExists(atPath: url.path) else { throw InputError(file: url.path, "no such file") }
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw InputError(file: url.path, "cannot read as UTF-8 text")
        }
        let records = try CSVRecords(text: text, file: url.path).records
        let names = records.first?.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? []
        guard let seedColumn = names.firstIndex(of: "seed") else { return [try parse(csv: text, file: url.path, columns: columns)] }
        var seeds: [String] = []
        for record in records.dropFirst() where seedColumn < record.fields.count {
            let seed = record.fields[seedColumn].trimmingCharacters(in: .whitespaces)
            guard !seed.isEmpty else { throw InputError(file: url.path, "line \(record.line): empty seed") }
            if !seeds.contains(seed) { seeds.append(seed) }
        }
        guard !seeds.isEmpty else { return [try parse(csv: text, file: url.path, columns: columns)] }
        return try seeds.map { try parse(csv: text, file: url.path, columns: columns, seed: $0) }
    }

    /// Long format (one row per pair, columns found by name; a leading unnamed pandas index column is
    /// simply ignored), or a matrix (header of target labels after a corner cell, each row starting with its
    /// source label: the cell at row r, column c is the score of source r for target c). The matrix may be
    /// rectangular: targets that are not among the sources (low-resource NER targets, say), or sources that
    /// are not targets. Empty cells are missing measurements and skipped, as is a source's own column;
    /// anything else that is not a finite number is an error.
    public static func parse(csv text: String, file: String, columns: TransferColumns = TransferColumns(),
                             seed: String? = nil) throws -> TransferTable
    {
        let records = try CSVRecords(text: text, file: file).records
        guard let header = records.first else { throw InputError(file: file, "empty file: no header") }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }

        func column(_ explicit: String?, _ candidates: [String], _ role: String) throws -> Int? {
            if let explicit {
                guard let index = names.firstIndex(of: explicit) else {
                    throw InputError(file: file, "no column named '\(explicit)' for the \(role)")
                }
                return index
            }
            for candidate in candidates {
                if let index = names.firstIndex(where: { $0.lowercased() == candidate }) { return index }
            }
            return nil
        }
        let sourceColumn = try column(columns.source, TransferColumns.sourceNames, "source")
        let targetColumn = try column(columns.target, TransferColumns.targetNames, "target")
        let valueColumn = try column(columns.value, TransferColumns.valueNames, "score")

        var table = TransferTable()
        var firstLine: [String: Int] = [:]
        func add(source: String, target: String, cell: String, line: Int) throws {
            let trimmed = cell.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { return }
            guard let value = Double(trimmed), value.isFinite else {
                throw InputError(file: file, "line \(line): score '\(cell)' is not a number")
            }
            guard table.insert(source: source, target: target, value: value) else {
                let first = firstLine["\(source)\u{1F}\(target)"] ?? 0
                throw InputError(
                    file: file, "line \(line): pair \(source) → \(target) repeats the one on line \(first)")
            }
            firstLine["\(source)\u{1F}\(target)"] = line
        }

        let seedColumn = names.firstIndex { $0.lowercased() == "seed" }
        if let sourceColumn, let targetColumn, let valueColumn {
            for record in records.dropFirst() {
                guard record.fields.count == names.count else {
                    throw InputError(
                        file: file,
                        "line \(record.line): \(record.fields.count) fields where the header has \(names.count)")
                }
                if let seed, let seedColumn, record.fields[seedColumn].trimmingCharacters(in: .whitespaces) != seed { continue }
                let source = record.fields[sourceColumn].trimmingCharacters(in: .whitespaces)
                let target = record.fields[targetColumn].trimmingCharacters(in: .whitespaces)
                guard !source.isEmpty, !target.isEmpty else {
                    throw InputError(file: file, "line \(record.line): empty source or target language")
                }
                try add(source: source, target: target, cell: record.fields[valueColumn], line: record.line)
            }
        } else if isMatrix(names: names, records: records) {
            let labels = Array(names.dropFirst())
            for record in records.dropFirst() {
                let source = record.fields[0].trimmingCharacters(in: .whitespaces)
                for (offset, target) in labels.enumerated() where target != source {
                    try add(source: source, target: target, cell: record.fields[offset + 1], line: record.line)
                }
            }
        } else {
            let missing = [
                sourceColumn == nil ? "source (\(TransferColumns.sourceNames.joined(separator: "|")))" : nil,
                targetColumn == nil ? "target (\(TransferColumns.targetNames.joined(separator: "|")))" : nil,
                valueColumn == nil ? "score (\(TransferColumns.valueNames.joined(separator: "|")))" : nil,
            ].compactMap { $0 }
            throw InputError(
                file: file,
                "no \(missing.joined(separator: ", ")) column, and not a matrix (distinct target labels in the header, "
                    + "distinct source labels down the first column); name them with --columns")
        }
        guard !table.targets.isEmpty else { throw InputError(file: file, "no scores in the file") }
        table.source = file
        return table
    }

    private static func isMatrix(names: [String], records: [CSVRecords.Record]) -> Bool {
        let labels = names.dropFirst()
        // A long table's column names (or a seed column) are never a matrix's target labels.
        let columnNames = Set(TransferColumns.sourceNames + TransferColumns.targetNames + TransferColumns.valueNames + ["seed"])
        guard !labels.contains(where: { columnNames.contains($0.lowercased()) }) else { return false }
        guard !labels.isEmpty, records.count >= 2, records.allSatisfy({ $0.fields.count == names.count }) else { return false }
        let rowLabels = records.dropFirst().map { $0.fields[0].trimmingCharacters(in: .whitespaces) }
        // A long-format table whose columns were not recognised has words in its cells: not a matrix.
        let cellsAreScores = records.dropFirst().allSatisfy { record in
            record.fields.dropFirst().allSatisfy { cell in
                let trimmed = cell.trimmingCharacters(in: .whitespaces)
                return trimmed.isEmpty || Double(trimmed) != nil
            }
        }
        return cellsAreScores && !labels.contains("") && Set(labels).count == labels.count
            && !rowLabels.contains("") && Set(rowLabels).count == rowLabels.count
    }
}

extension TransferTable {
    /// The table with its language labels replaced by `codes[label]` where there is one (a table keyed by
    /// language names, such as the LDND distances, made comparable with code-keyed gold).
    public func renamed(_ codes: [String: String]) throws -> TransferTable {
        var renamed = TransferTable()
        renamed.source = source
        for pair in pairs {
            let from = codes[pair.source] ?? pair.source, to = codes[pair.target] ?? pair.target
            guard renamed.insert(source: from, target: to, value: pair.value) else {
                throw InputError(file: source, "two labels map to the pair \(from) → \(to)")
            }
        }
        return renamed
    }

    /// Language name → code from a CSV with a code column (`language_id`, `code`, `iso`, `lang`) and a name
    /// column (`language`, `name`), such as the xpos `udpos-langs.csv`.
    public static func languageCodes(_ url: URL) throws -> [String: String] {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw InputError(file: url.path, "cannot read as UTF-8 text")
        }
        let records = try CSVRecords(text: text, file: url.path).records
        guard let header = records.first?.fields.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) else {
            throw InputError(file: url.path, "empty file: no header")
        }
        guard let code = header.firstIndex(where: { ["language_id", "code", "iso", "lang"].contains($0) }),
              let name = header.firstIndex(where: { ["language", "name"].contains($0) })
        else { throw InputError(file: url.path, "needs a code column (language_id, code, iso, lang) and a name column (language, name)") }
        var codes: [String: String] = [:]
        for record in records.dropFirst() where record.fields.count == header.count {
            let key = record.fields[name].trimmingCharacters(in: .whitespaces)
            if !key.isEmpty { codes[key] = record.fields[code].trimmingCharacters(in: .whitespaces) }
        }
        return codes
    }
}
