// Mirrors Python's keyword-argument binding of `get_backbone/get_neck/get_rpn_head(TYPE, **KWARGS)`.

/// One pysot constructor's `KWARGS`, read the way Python binds keyword arguments: an unknown
/// name fails (`TypeError: unexpected keyword argument`), a missing one takes the constructor's
/// default or fails when there is none. Types are checked here (Python would fail later, in torch).
struct ConstructorArguments {
    let source: String
    /// Dotted path of the KWARGS node, e.g. "BACKBONE.KWARGS".
    let path: String
    /// The signature as pysot writes it, for messages: "MobileNetV2(width_mult=1.0, used_layers=[3, 5, 7])".
    let signature: String
    let values: [String: ConfigValue]

    /// - Throws: `ConfigError.unknownArgument` for the first (alphabetically) name not in `accepted`.
    init(
        source: String, path: String, signature: String, accepted: [String],
        values: [String: ConfigValue]
    ) throws {
        self.source = source
        self.path = path
        self.signature = signature
        self.values = values
        if let unknown = values.keys.sorted().first(where: { !accepted.contains($0) }) {
            throw ConfigError.unknownArgument(
                source: source, keyPath: "\(path).\(unknown)",
                constructor: signature, accepted: accepted)
        }
    }

    func keyPath(_ name: String) -> String { "\(path).\(name)" }

    /// A number (an integer is accepted); `defaultValue` nil = required.
    func double(_ name: String, default defaultValue: Double?) throws -> Double {
        try read(name, defaultValue, expected: "a number") { $0.doubleValue }
    }

    /// An integer; `defaultValue` nil = required.
    func int(_ name: String, default defaultValue: Int?) throws -> Int {
        try read(name, defaultValue, expected: "an integer") { $0.intValue }
    }

    /// A boolean; `defaultValue` nil = required.
    func bool(_ name: String, default defaultValue: Bool?) throws -> Bool {
        try read(name, defaultValue, expected: "a boolean (true or false)") { $0.boolValue }
    }

    /// A list of integers; `defaultValue` nil = required.
    func intList(_ name: String, default defaultValue: [Int]?) throws -> [Int] {
        try read(name, defaultValue, expected: "a list of integers") { value in
            guard let list = value.listValue else { return nil }
            let ints = list.compactMap(\.intValue)
            return ints.count == list.count ? ints : nil
        }
    }

    private func read<T>(
        _ name: String, _ defaultValue: T?, expected: String,
        _ convert: (ConfigValue) -> T?
    ) throws -> T {
        guard let value = values[name] else {
            if let defaultValue { return defaultValue }
            throw ConfigError.missingKey(
                source: source, keyPath: keyPath(name),
                reason: "\(signature) has no default for '\(name)'")
        }
        guard let converted = convert(value) else {
            throw ConfigError.wrongType(
                source: source, keyPath: keyPath(name), line: nil,
                expected: expected, found: ConfigMappingReader.describe(value))
        }
        return converted
    }
}
