// Mirrors how pysot reads a value: PyYAML `safe_load` (YAML 1.1 implicit types), then yacs
// `CfgNode._decode_cfg_value` (`ast.literal_eval` of every string, keeping it when that fails).
import Yams

extension ConfigValue {
    /// Decodes a composed YAML node the way pysot ends up seeing it.
    ///
    /// - Plain (unquoted) scalars resolve with YAML 1.1 rules as PyYAML does: `~`/`null`/empty
    ///   -> `.null`; `yes/no/true/false/on/off` (three capitalisations) -> `.bool`; `12`, `0x1f`,
    ///   `0b101`, `017` (octal), `1_000` -> `.int`; `0.5`, `1.`, `.5`, `1.0e+5`, `.inf` -> `.double`.
    /// - Every string left over (plain or quoted) goes through a Python-literal check as yacs does:
    ///   `1e-4`, `'0.3'`, `'8'`, `'True'`, `'None'` become numbers, booleans or null.
    ///   Only scalar literals are recognised (a quoted `'[1, 2]'` stays a string).
    /// - Sequences become `.list`, mappings `.map` (a repeated key: the last one wins, as in PyYAML).
    ///
    /// Explicit tags (`!!str 8`) are not honoured; sexagesimal numbers (`1:30`) stay strings.
    init(yamlNode node: Node) {
        switch node {
        case .scalar(let scalar):
            self =
                scalar.style == .plain
                ? ConfigValue.resolvingPlainScalar(scalar.string)
                : ConfigValue.resolvingPythonLiteral(scalar.string)
        case .sequence(let sequence):
            self = .list(sequence.map { ConfigValue(yamlNode: $0) })
        case .mapping(let mapping):
            var map: [String: ConfigValue] = [:]
            for (key, value) in mapping {
                map[key.string ?? String(describing: key)] = ConfigValue(yamlNode: value)
            }
            self = .map(map)
        }
    }

    /// YAML 1.1 implicit typing of a plain scalar (PyYAML's resolver), then yacs' literal_eval.
    static func resolvingPlainScalar(_ text: String) -> ConfigValue {
        switch text {
        case "", "~", "null", "Null", "NULL":
            return .null
        case "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON":
            return .bool(true)
        case "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF":
            return .bool(false)
        default:
            break
        }
        if let i = yaml11Integer(text) { return .int(i) }
        if let d = yaml11Float(text) { return .double(d) }
        return resolvingPythonLiteral(text)
    }

    /// yacs: `ast.literal_eval(text)` when it yields a number, bool or None; the string otherwise.
    static func resolvingPythonLiteral(_ text: String) -> ConfigValue {
        switch text {
        case "True": return .bool(true)
        case "False": return .bool(false)
        case "None": return .null
        default: break
        }
        var body = Substring(text)
        var negative = false
        if let first = body.first, first == "-" || first == "+" {
            negative = first == "-"
            body = body.dropFirst()
        }
        if let i = pythonInteger(body) {
            let (value, overflow) = negative ? (0 as Int).subtractingReportingOverflow(i) : (i, false)
            if !overflow { return .int(value) }
        } else if let d = pythonFloat(body) {
            return .double(negative ? -d : d)
        }
        return .string(text)
    }

    // MARK: - YAML 1.1 (PyYAML resolver and constructor)

    /// `[-+]?(0b[01_]+ | 0x[0-9a-fA-F_]+ | 0[0-7_]+ | 0 | [1-9][0-9_]*)`; underscores are dropped.
    private static func yaml11Integer(_ text: String) -> Int? {
        var body = Substring(text)
        var sign = ""
        if let first = body.first, first == "-" || first == "+" {
            sign = first == "-" ? "-" : ""
            body = body.dropFirst()
        }
        guard let first = body.first else { return nil }
        let radix: Int
        let digits: Substring
        if body.hasPrefix("0b") {
            radix = 2
            digits = body.dropFirst(2)
        } else if body.hasPrefix("0x") {
            radix = 16
            digits = body.dropFirst(2)
        } else if body == "0" {
            return 0
        } else if first == "0" {
            radix = 8
            digits = body.dropFirst()
        } else if first.isASCII, first.isNumber {
            radix = 10
            digits = body
        } else {
            return nil
        }
        guard digits.allSatisfy({ $0 == "_" || ($0.isASCII && $0.isHexDigit && $0.hexDigitValue! < radix) })
        else { return nil }
        let cleaned = digits.filter { $0 != "_" }
        guard !cleaned.isEmpty else { return nil }
        return Int(sign + cleaned, radix: radix)
    }

    /// `[-+]?[0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)? | \.[0-9_]+([eE][-+][0-9]+)? | [-+]?\.inf | \.nan`.
    private static func yaml11Float(_ text: String) -> Double? {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        let chars = Array(text)
        var i = 0
        var signed = false
        if i < chars.count, chars[i] == "-" || chars[i] == "+" {
            signed = true
            i += 1
        }
        let intStart = i
        if i < chars.count, chars[i].isASCIIDigit {
            i += 1
            while i < chars.count, chars[i].isASCIIDigit || chars[i] == "_" { i += 1 }
        }
        let hasIntegerPart = i > intStart
        guard i < chars.count, chars[i] == "." else { return nil }
        if !hasIntegerPart && signed { return nil }  // `-.5` is not a YAML 1.1 float
        i += 1
        let fracStart = i
        while i < chars.count, chars[i].isASCIIDigit || chars[i] == "_" { i += 1 }
        if !hasIntegerPart && i == fracStart { return nil }  // a lone "."
        if i < chars.count, chars[i] == "e" || chars[i] == "E" {
            i += 1
            guard i < chars.count, chars[i] == "-" || chars[i] == "+" else { return nil }
            i += 1
            let expStart = i
            while i < chars.count, chars[i].isASCIIDigit { i += 1 }
            guard i > expStart else { return nil }
        }
        guard i == chars.count else { return nil }
        return Double(String(chars.filter { $0 != "_" }))
    }

    // MARK: - Python literals (ast.literal_eval of a number)

    /// Python integer literal without sign: `0x1f`, `0o17`, `0b101`, `1_000`, `0`, `00`.
    private static func pythonInteger(_ body: Substring) -> Int? {
        let lower = body.lowercased()
        let radix: Int
        let digits: Substring
        if lower.hasPrefix("0x") {
            radix = 16
            digits = body.dropFirst(2)
        } else if lower.hasPrefix("0o") {
            radix = 8
            digits = body.dropFirst(2)
        } else if lower.hasPrefix("0b") {
            radix = 2
            digits = body.dropFirst(2)
        } else {
            let chars = Array(body)
            guard !chars.isEmpty, chars.first!.isASCIIDigit, scansUnderscoredDigits(chars, from: 0) == chars.count
            else { return nil }
            let cleaned = String(chars.filter { $0 != "_" })
            if cleaned.first == "0" {  // Python allows only zeros after a leading 0
                return cleaned.allSatisfy { $0 == "0" } ? 0 : nil
            }
            return Int(cleaned)
        }
        // Prefixed forms: ("_"? digit)+ with digits valid for the radix.
        let chars = Array(digits)
        guard !chars.isEmpty else { return nil }
        var i = 0
        while i < chars.count {
            if chars[i] == "_" { i += 1 }
            guard i < chars.count, let v = chars[i].hexDigitValue, chars[i].isASCII, v < radix else { return nil }
            i += 1
        }
        return Int(String(chars.filter { $0 != "_" }), radix: radix)
    }

    /// Python float literal without sign: `1.5`, `1.`, `.5`, `1e-4`, `1_0.5e+3`.
    private static func pythonFloat(_ body: Substring) -> Double? {
        let chars = Array(body)
        var i = 0
        let intEnd = scansUnderscoredDigits(chars, from: 0)
        let hasIntegerPart = intEnd > 0
        i = intEnd
        var hasDot = false
        var hasFraction = false
        if i < chars.count, chars[i] == "." {
            hasDot = true
            i += 1
            let fracEnd = scansUnderscoredDigits(chars, from: i)
            hasFraction = fracEnd > i
            i = fracEnd
        }
        var hasExponent = false
        if i < chars.count, chars[i] == "e" || chars[i] == "E" {
            i += 1
            if i < chars.count, chars[i] == "-" || chars[i] == "+" { i += 1 }
            let expEnd = scansUnderscoredDigits(chars, from: i)
            guard expEnd > i else { return nil }
            i = expEnd
            hasExponent = true
        }
        guard i == chars.count, hasIntegerPart || hasFraction else { return nil }
        guard hasDot || hasExponent else { return nil }
        return Double(String(chars.filter { $0 != "_" }))
    }

    /// Scans Python's `digitpart` (`digit ("_"? digit)*`) from `start`; returns the end index
    /// (`start` when there is none).
    private static func scansUnderscoredDigits(_ chars: [Character], from start: Int) -> Int {
        var i = start
        guard i < chars.count, chars[i].isASCIIDigit else { return start }
        i += 1
        while i < chars.count {
            if chars[i].isASCIIDigit {
                i += 1
                continue
            }
            if chars[i] == "_", i + 1 < chars.count, chars[i + 1].isASCIIDigit {
                i += 2
                continue
            }
            break
        }
        return i
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
