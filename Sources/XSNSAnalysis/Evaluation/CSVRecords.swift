import XSNSStorage

/// RFC 4180 CSV: fields separated by commas, records by CRLF or LF; a field in double quotes may hold
/// commas, line breaks and doubled quotes. Each record remembers the line it starts on for error messages.
public struct CSVRecords: Sendable {
    public struct Record: Sendable {
        public let line: Int
        public let fields: [String]
    }

    public let records: [Record]

    public init(text: String, file: String? = nil) throws {
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1
        var recordLine = 1
        var inQuotes = false
        var quotedFieldEnded = false
        let bytes = Array(text.utf8)
        // Spreadsheet exports often start with a UTF-8 byte-order mark; it is not part of the first name.
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0

        func finishField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            quotedFieldEnded = false
        }
        func finishRecord() {
            finishField()
            // A blank line (one empty field) is not a record.
            if !(fields.count == 1 && fields[0].isEmpty) { records.append(Record(line: recordLine, fields: fields)) }
            fields.removeAll(keepingCapacity: true)
        }

        while index < bytes.count {
            let byte = bytes[index]
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                    } else {
                        inQuotes = false
                        quotedFieldEnded = true
                    }
                } else {
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    field.append(byte)
                }
            } else {
                switch byte {
                case UInt8(ascii: ","):
                    finishField()
                case UInt8(ascii: "\n"):
                    finishRecord()
                    line += 1
                    recordLine = line
                case UInt8(ascii: "\r") where index + 1 == bytes.count || bytes[index + 1] == UInt8(ascii: "\n"):
                    break  // the \r of a CRLF line end, or of a file that ends in one
                case UInt8(ascii: "\""):
                    guard field.isEmpty, !quotedFieldEnded else {
                        throw InputError(file: file, "line \(line): stray double quote inside a field")
                    }
                    inQuotes = true
                default:
                    if quotedFieldEnded {
                        throw InputError(file: file, "line \(line): text after a closing double quote")
                    }
                    field.append(byte)
                }
            }
            index += 1
        }
        if inQuotes { throw InputError(file: file, "line \(recordLine): unterminated quoted field") }
        if !field.isEmpty || !fields.isEmpty || quotedFieldEnded { finishRecord() }
        self.records = records
    }
}
