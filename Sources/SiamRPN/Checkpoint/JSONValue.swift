/// A small strict JSON (RFC 8259) parser for safetensors headers and pysot's dataset files.
///
/// Unlike Foundation's `JSONSerialization` it keeps object members in file order, reports
/// duplicate member names, tells integers from other numbers, and bounds nesting depth
/// (`maxDepth`), so hostile headers fail with a message instead of exhausting the stack.
package indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// A number written without fraction or exponent that fits in `Int`.
    case integer(Int)
    /// Any other number.
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// Members in file order (names are unique: the parser rejects duplicates).
    case object([JSONMember])

    /// Parses `bytes[range]` as one JSON value, allowing surrounding whitespace. Throws
    /// `JSONParseError` saying what is wrong and at which byte (relative to `range.lowerBound`).
    /// `allowNonFinite` also accepts Python `json`'s bare `NaN`, `Infinity` and `-Infinity`
    /// tokens (pysot's dataset files hold them), as `.number`.
    package static func parse(_ bytes: [UInt8], _ range: Range<Int>, maxDepth: Int = 64, allowNonFinite: Bool = false) throws -> JSONValue {
        var parser = JSONParser(
            bytes: bytes, position: range.lowerBound, start: range.lowerBound,
            end: range.upperBound, maxDepth: maxDepth, allowNonFinite: allowNonFinite)
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.position == parser.end else { throw parser.error("unexpected text after the JSON value") }
        return value
    }

    /// The value of member `name` if this is an object that has it.
    package subscript(name: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.name == name }?.value
    }

    /// The elements, if this is an array.
    package var arrayValue: [JSONValue]? {
        guard case .array(let items) = self else { return nil }
        return items
    }

    /// The number (an integer converted), if this is one.
    package var doubleValue: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .number(let d): return d
        default: return nil
        }
    }

    /// The string, if this is one.
    package var stringValue: String? {
        guard case .string(let s) = self else { return nil }
        return s
    }
}

package struct JSONMember: Equatable, Sendable {
    package var name: String
    package var value: JSONValue
}

package struct JSONParseError: Error, Sendable {
    package var offset: Int
    package var reason: String
}

private struct JSONParser {
    let bytes: [UInt8]
    var position: Int
    let start: Int
    let end: Int
    let maxDepth: Int
    let allowNonFinite: Bool

    func error(_ reason: String) -> JSONParseError { JSONParseError(offset: position - start, reason: reason) }

    mutating func skipWhitespace() {
        while position < end {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    mutating func expect(_ literal: String, _ value: JSONValue) throws -> JSONValue {
        for c in literal.utf8 {
            guard position < end, bytes[position] == c else { throw error("invalid literal") }
            position += 1
        }
        return value
    }

    mutating func value(depth: Int) throws -> JSONValue {
        guard depth < maxDepth else { throw error("nesting deeper than \(maxDepth) levels") }
        guard position < end else { throw error("unexpected end of the JSON text") }
        switch bytes[position] {
        case UInt8(ascii: "{"):
            position += 1
            var members: [JSONMember] = []
            var names = Set<String>()
            skipWhitespace()
            if position < end, bytes[position] == UInt8(ascii: "}") {
                position += 1
                return .object(members)
            }
            while true {
                skipWhitespace()
                guard position < end, bytes[position] == UInt8(ascii: "\"") else { throw error("expected a member name") }
                let name = try string()
                guard names.insert(name).inserted else { throw error("duplicate member '\(name.prefix(80))'") }
                skipWhitespace()
                guard position < end, bytes[position] == UInt8(ascii: ":") else { throw error("expected ':'") }
                position += 1
                skipWhitespace()
                members.append(JSONMember(name: name, value: try value(depth: depth + 1)))
                skipWhitespace()
                guard position < end else { throw error("unexpected end of the JSON text") }
                if bytes[position] == UInt8(ascii: ",") {
                    position += 1
                    continue
                }
                guard bytes[position] == UInt8(ascii: "}") else { throw error("expected ',' or '}'") }
                position += 1
                return .object(members)
            }
        case UInt8(ascii: "["):
            position += 1
            var items: [JSONValue] = []
            skipWhitespace()
            if position < end, bytes[position] == UInt8(ascii: "]") {
                position += 1
                return .array(items)
            }
            while true {
                skipWhitespace()
                items.append(try value(depth: depth + 1))
                skipWhitespace()
                guard position < end else { throw error("unexpected end of the JSON text") }
                if bytes[position] == UInt8(ascii: ",") {
                    position += 1
                    continue
                }
                guard bytes[position] == UInt8(ascii: "]") else { throw error("expected ',' or ']'") }
                position += 1
                return .array(items)
            }
        case UInt8(ascii: "\""):
            return .string(try string())
        case UInt8(ascii: "t"): return try expect("true", .bool(true))
        case UInt8(ascii: "f"): return try expect("false", .bool(false))
        case UInt8(ascii: "n"): return try expect("null", .null)
        case UInt8(ascii: "N") where allowNonFinite: return try expect("NaN", .number(.nan))
        case UInt8(ascii: "I") where allowNonFinite: return try expect("Infinity", .number(.infinity))
        case UInt8(ascii: "-") where allowNonFinite && position + 1 < end && bytes[position + 1] == UInt8(ascii: "I"):
            return try expect("-Infinity", .number(-.infinity))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try number()
        default:
            throw error("unexpected character")
        }
    }

    mutating func number() throws -> JSONValue {
        let begin = position
        func digits() -> Int {
            let s = position
            while position < end, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) { position += 1 }
            return position - s
        }
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        let intStart = position
        guard digits() > 0 else { throw error("bad number") }
        if bytes[intStart] == UInt8(ascii: "0"), position - intStart > 1 { throw error("number with a leading zero") }
        var isInteger = true
        if position < end, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard digits() > 0 else { throw error("bad number") }
            isInteger = false
        }
        if position < end, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            if position < end, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard digits() > 0 else { throw error("bad number") }
            isInteger = false
        }
        let text = String(decoding: bytes[begin..<position], as: UTF8.self)
        if isInteger, let i = Int(text) { return .integer(i) }
        guard let d = Double(text) else { throw error("bad number") }
        return .number(d)
    }

    mutating func string() throws -> String {
        position += 1  // opening quote
        var scalars = String.UnicodeScalarView()
        var runStart = position
        func flushRun() throws {
            guard runStart < position else { return }
            guard let s = String(validating: bytes[runStart..<position], as: UTF8.self) else {
                throw error("string is not valid UTF-8")
            }
            scalars.append(contentsOf: s.unicodeScalars)
        }
        while true {
            guard position < end else { throw error("unterminated string") }
            let c = bytes[position]
            if c == UInt8(ascii: "\"") {
                try flushRun()
                position += 1
                return String(scalars)
            }
            if c < 0x20 { throw error("control character in a string") }
            if c != UInt8(ascii: "\\") {
                position += 1
                continue
            }
            try flushRun()
            position += 1
            guard position < end else { throw error("unterminated string") }
            let e = bytes[position]
            position += 1
            switch e {
            case UInt8(ascii: "\""): scalars.append("\"")
            case UInt8(ascii: "\\"): scalars.append("\\")
            case UInt8(ascii: "/"): scalars.append("/")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                var code = try hex4()
                if (0xD800..<0xDC00).contains(code) {
                    // A high surrogate must be followed by an escaped low surrogate.
                    guard position + 1 < end, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                        throw error("unpaired surrogate in a string")
                    }
                    position += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate in a string") }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
                scalars.append(scalar)
            default:
                throw error("invalid escape")
            }
            runStart = position
        }
    }

    mutating func hex4() throws -> UInt32 {
        guard position + 4 <= end else { throw error("short \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[position]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw error("bad hex digit in \\u escape")
            }
            v = v << 4 | d
            position += 1
        }
        return v
    }
}

/// `s` as a JSON string literal (quotes included), escaping what RFC 8259 requires.
package func jsonQuoted(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if u.value < 0x20 {
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(u)
            }
        }
    }
    return out + "\""
}
