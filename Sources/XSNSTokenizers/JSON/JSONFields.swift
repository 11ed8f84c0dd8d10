import XSNSStorage
/// Typed access to the members of a tokenizer.json object, with errors that name the offending field.
/// The `path` ("normalizer.normalizers[1]") is only used for messages.
struct JSONFields {
    let members: [String: JSONValue]
    let path: String

    init(_ value: JSONValue, path: String) throws(InputError) {
        guard let members = value.objectValue else {
            throw InputError("\(path.isEmpty ? "the document" : path) must be a JSON object")
        }
        self.members = members
        self.path = path
    }

    func fieldPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The member, or nil when it is absent or null.
    func optional(_ key: String) -> JSONValue? {
        guard let value = members[key], !value.isNull else { return nil }
        return value
    }

    func required(_ key: String) throws(InputError) -> JSONValue {
        guard let value = optional(key) else { throw InputError("\(fieldPath(key)) is missing") }
        return value
    }

    func type() throws(InputError) -> String { try string("type") }

    func string(_ key: String) throws(InputError) -> String {
        guard let value = try required(key).stringValue else {
            throw InputError("\(fieldPath(key)) must be a string")
        }
        return value
    }

    func optionalString(_ key: String) throws(InputError) -> String? {
        guard let value = optional(key) else { return nil }
        guard let text = value.stringValue else { throw InputError("\(fieldPath(key)) must be a string") }
        return text
    }

    func bool(_ key: String, default fallback: Bool) throws(InputError) -> Bool {
        try optionalBool(key) ?? fallback
    }

    func optionalBool(_ key: String) throws(InputError) -> Bool? {
        guard let value = optional(key) else { return nil }
        guard let flag = value.boolValue else { throw InputError("\(fieldPath(key)) must be true or false") }
        return flag
    }

    func optionalInt(_ key: String) throws(InputError) -> Int? {
        guard let value = optional(key) else { return nil }
        guard let number = value.intValue else { throw InputError("\(fieldPath(key)) must be an integer") }
        return number
    }

    func array(_ key: String) throws(InputError) -> [JSONValue] {
        guard let value = try required(key).arrayValue else {
            throw InputError("\(fieldPath(key)) must be an array")
        }
        return value
    }

    func object(_ key: String) throws(InputError) -> JSONFields {
        try JSONFields(try required(key), path: fieldPath(key))
    }
}

/// A `[token, id]` pair as the Bert and Roberta post-processors write them.
func tokenIdPair(_ value: JSONValue, path: String) throws(InputError) -> (token: String, id: Int) {
    guard let pair = value.arrayValue, pair.count == 2, let token = pair[0].stringValue,
          let id = pair[1].intValue, id >= 0 else {
        throw InputError("\(path) must be a [token, id] pair")
    }
    return (token, id)
}
