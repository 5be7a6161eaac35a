import JSON

// Typed reads of config fields. A field of the wrong type is an invalid config (code 7)
// whose message names the field and what it should be; a missing field reads as nil.
extension JSONValue {
    public func requireObject(what: String) throws(CNIError) -> JSONObject {
        guard let object = objectValue else {
            throw CNIError(.invalidNetworkConfig, "\(what) must be a JSON object, found \(typeName)")
        }
        return object
    }
}

extension JSONObject {
    private func field<T>(_ key: String, _ expected: String, _ read: (JSONValue) -> T?) throws(CNIError) -> T? {
        guard let value = self[key], !value.isNull else { return nil }
        guard let typed = read(value) else {
            throw CNIError(.invalidNetworkConfig, "field \"\(key)\" must be \(expected), found \(value.typeName)")
        }
        return typed
    }

    public func string(_ key: String) throws(CNIError) -> String? {
        try field(key, "a string") { $0.stringValue }
    }

    public func bool(_ key: String) throws(CNIError) -> Bool? {
        try field(key, "a boolean") { $0.boolValue }
    }

    public func integer(_ key: String) throws(CNIError) -> Int64? {
        try field(key, "an integer") { $0.integerValue }
    }

    public func array(_ key: String) throws(CNIError) -> [JSONValue]? {
        try field(key, "an array") { $0.arrayValue }
    }

    public func object(_ key: String) throws(CNIError) -> JSONObject? {
        try field(key, "an object") { $0.objectValue }
    }

    public func stringArray(_ key: String) throws(CNIError) -> [String]? {
        guard let values = try array(key) else { return nil }
        var strings: [String] = []
        for value in values {
            guard let s = value.stringValue else {
                throw CNIError(.invalidNetworkConfig, "field \"\(key)\" must hold only strings, found \(value.typeName)")
            }
            strings.append(s)
        }
        return strings
    }

    /// An integer field that must lie in `range`.
    public func integer(_ key: String, in range: ClosedRange<Int>) throws(CNIError) -> Int? {
        guard let value = try integer(key) else { return nil }
        guard value >= Int64(range.lowerBound), value <= Int64(range.upperBound) else {
            throw CNIError(.invalidNetworkConfig, "field \"\(key)\" is \(value); it must be from \(range.lowerBound) to \(range.upperBound)")
        }
        return Int(value)
    }

    public func require<T>(_ key: String, _ read: (String) throws(CNIError) -> T?) throws(CNIError) -> T {
        guard let value = try read(key) else {
            throw CNIError(.invalidNetworkConfig, "required field \"\(key)\" is missing")
        }
        return value
    }
}
