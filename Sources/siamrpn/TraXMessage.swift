// Follows the TraX protocol specification (votchallenge/trax, docs/protocol.rst) and its reference
// implementation: src/message.c (message lines, quoting, escapes, named arguments) and src/region.c
// (region strings: region_parse, region_string). Pure: no I/O, unit-tested in TraXTests.swift.
import Foundation

/// The message types of the protocol. `status` is read as `state`, as message.c does.
enum TraXMessageType: String, Sendable, CaseIterable {
    case hello
    case initialize
    case frame
    case state
    case quit

    init?(name: String) {
        let lower = name.lowercased()
        if lower == "status" {
            self = .state
        } else {
            self.init(rawValue: lower)
        }
    }
}

/// One named argument (`key=value`).
struct TraXProperty: Sendable, Equatable {
    var key: String
    var value: String
}

/// One protocol message: `@@TRAX:<type> <arguments...> <key=value...>`.
struct TraXMessage: Sendable, Equatable {
    static let prefix = "@@TRAX:"
    /// message.c's MAX_KEY_LENGTH.
    static let maxKeyLength = 64

    var type: TraXMessageType
    /// The positional (mandatory) arguments, unescaped.
    var arguments: [String] = []
    /// The named arguments in the order they came; a repeated key keeps its last value in `property`.
    var properties: [TraXProperty] = []

    init(_ type: TraXMessageType, _ arguments: [String] = [], properties: [TraXProperty] = []) {
        self.type = type
        self.arguments = arguments
        self.properties = properties
    }

    /// The value of a named argument (the last one given under `key`).
    func property(_ key: String) -> String? {
        properties.last { $0.key == key }?.value
    }

    /// A key may only hold letters, digits, `.` and `_`, at most 64 of them (message.c's
    /// `__is_valid_key`; an empty key is not accepted here).
    static func isValidKey<S: StringProtocol>(_ key: S) -> Bool {
        !key.isEmpty && key.utf8.count <= maxKeyLength
            && key.utf8.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x5F
            }
    }

    /// `"` and `\` prefixed by `\`, a newline written as `\n` (message.c's write_buffer_escaped).
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// The message as one line without its newline, written as message.c writes it: every
    /// argument and every `key=value` quoted and escaped.
    var line: String {
        var out = Self.prefix + type.rawValue
        for argument in arguments { out += " \"" + Self.escape(argument) + "\"" }
        for p in properties {
            precondition(Self.isValidKey(p.key), "TraX property key '\(p.key)' is not valid")
            out += " \"" + p.key + "=" + Self.escape(p.value) + "\""
        }
        return out
    }

    /// Parses one line (its newline removed; a trailing `\r` is ignored). Returns nil for a line
    /// that is not a protocol message (no `@@TRAX:` prefix: a program's other output); throws
    /// `TraXError.malformedMessage` for a prefixed line that cannot be read: an unknown type, an
    /// unterminated quote, a quote not followed by a space, a backslash at the end.
    ///
    /// As in message.c, arguments are separated by spaces; one that starts with `"` runs to the
    /// next unescaped `"`; `\n` is a newline and `\` before any other character is that character.
    /// An argument whose characters before its first unescaped `=` form a valid key is a named
    /// argument (so Base64 data with `=` padding stays positional).
    static func parse(_ rawLine: String) throws -> TraXMessage? {
        var text = Substring(rawLine)
        if text.hasSuffix("\r") { text = text.dropLast() }
        guard text.hasPrefix(prefix) else { return nil }
        let chars = Array(text.dropFirst(prefix.count).unicodeScalars)
        func fail(_ reason: String) -> TraXError { .malformedMessage(line: rawLine, reason: reason) }

        var i = 0
        var name = ""
        while i < chars.count, isASCIILetterOrDigit(chars[i]) {
            name.unicodeScalars.append(chars[i])
            i += 1
        }
        guard i == chars.count || chars[i] == " " else { throw fail("the message type is not followed by a space") }
        guard let type = TraXMessageType(name: name) else {
            throw fail(name.isEmpty ? "no message type" : "unknown message type '\(name)'")
        }
        var message = TraXMessage(type)

        while true {
            while i < chars.count, chars[i] == " " || chars[i] == "\r" { i += 1 }
            if i == chars.count { break }
            let quoted = chars[i] == "\""
            if quoted { i += 1 }
            var key = ""
            var value = ""
            var isProperty = false
            var closed = false
            while i < chars.count {
                var c = chars[i]
                i += 1
                if quoted && c == "\"" {
                    closed = true
                    break
                }
                if !quoted && c == " " { break }
                if c == "\\" {
                    guard i < chars.count else { throw fail("a backslash ends the line") }
                    c = chars[i] == "n" ? "\n" : chars[i]
                    i += 1
                } else if c == "=" && !isProperty && isValidKey(key) {
                    isProperty = true
                    continue
                }
                if isProperty {
                    value.unicodeScalars.append(c)
                } else {
                    key.unicodeScalars.append(c)
                }
            }
            if quoted {
                guard closed else { throw fail("a quoted argument is not closed") }
                guard i == chars.count || chars[i] == " " else { throw fail("a closing quote is not followed by a space") }
            }
            if isProperty {
                message.properties.append(TraXProperty(key: key, value: value))
            } else {
                message.arguments.append(key)
            }
        }
        return message
    }

    private static func isASCIILetterOrDigit(_ c: Unicode.Scalar) -> Bool {
        ("0"..."9").contains(c) || ("a"..."z").contains(c) || ("A"..."Z").contains(c)
    }
}

/// A region as the protocol writes it (region.c).
enum TraXRegion: Sendable, Equatable {
    /// A code instead of a region (e.g. a failure); written as one integer.
    case special(Int)
    /// `left,top,width,height` (0-based pixels).
    case rectangle(x: Double, y: Double, width: Double, height: Double)
    /// `x1,y1,x2,y2,...`: at least 3 points.
    case polygon([Double])
    /// `mask:x,y,width,height,runs...`: a `width` x `height` binary mask at offset `(x, y)`,
    /// row-major, as alternating run lengths starting with background (trailing pixels are 0).
    case mask(x: Int, y: Int, width: Int, height: Int, runs: [Int])

    /// Parses a region string as region_parse does: an optional `rect:` / `poly:` / `mask:` /
    /// `special:` prefix and comma-separated numbers; without a prefix 1 number is a special code,
    /// 4 a rectangle, an even count of at least 6 a polygon. A region holding NaN is the special
    /// region 0 (region.c's default code; the legacy `x,y,w,code` form gives `-code`).
    static func parse(_ text: String) throws -> TraXRegion {
        func fail(_ reason: String) -> TraXError { .malformedRegion(text, reason: reason) }
        var body = Substring(text)
        var kind: String?
        if let colon = text.firstIndex(of: ":") {
            let scheme = text[..<colon]
            switch scheme {
            case "rect", "rectangle": kind = "rectangle"
            case "poly", "polygon": kind = "polygon"
            case "mask": kind = "mask"
            case "special": kind = "special"
            default: throw fail("unknown region type '\(scheme)'")
            }
            body = text[text.index(after: colon)...]
        }
        guard !body.trimmingCharacters(in: .whitespaces).isEmpty else { throw fail("no numbers") }
        var numbers: [Double] = []
        for field in body.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = field.trimmingCharacters(in: .whitespaces)
            guard let number = Double(trimmed) ?? (trimmed.lowercased() == "nan" ? Double.nan : nil) else {
                throw fail("'\(trimmed)' is not a number")
            }
            numbers.append(number)
        }
        if numbers.contains(where: \.isNaN) {
            if numbers.count == 4, !numbers[3].isNaN, numbers[3].isFinite { return .special(-Int(numbers[3])) }
            return .special(0)
        }
        guard numbers.allSatisfy(\.isFinite) else { throw fail("a number is infinite") }
        switch kind ?? (numbers.count == 1 ? "special" : numbers.count == 4 ? "rectangle" : "polygon") {
        case "special":
            guard numbers.count == 1, let code = Int(exactly: numbers[0]) else { throw fail("a special region is one integer code") }
            return .special(code)
        case "rectangle":
            guard numbers.count == 4 else { throw fail("a rectangle has 4 numbers (left,top,width,height), not \(numbers.count)") }
            return .rectangle(x: numbers[0], y: numbers[1], width: numbers[2], height: numbers[3])
        case "polygon":
            guard numbers.count >= 6, numbers.count % 2 == 0 else {
                throw fail("\(numbers.count) numbers are neither a rectangle (4) nor a polygon (an even count, at least 6)")
            }
            return .polygon(numbers)
        default:
            let ints = numbers.map { Int(exactly: $0) }
            guard numbers.count >= 4, ints.allSatisfy({ $0 != nil && $0! >= 0 }) else {
                throw fail("a mask is x,y,width,height followed by run lengths, all non-negative integers")
            }
            let n = ints.map { $0! }
            return .mask(x: n[0], y: n[1], width: n[2], height: n[3], runs: Array(n.dropFirst(4)))
        }
    }

    /// The region string. Numbers are written in full (Swift's shortest exact form, which C's
    /// atof reads back), not region.c's `%.4f`, so a reader gets the tracker's own numbers.
    var text: String {
        func join(_ values: [Double]) -> String { values.map { "\($0)" }.joined(separator: ",") }
        switch self {
        case .special(let code): return "\(code)"
        case .rectangle(let x, let y, let w, let h): return join([x, y, w, h])
        case .polygon(let p): return join(p)
        case .mask(let x, let y, let w, let h, let runs): return "mask:" + ([x, y, w, h] + runs).map { "\($0)" }.joined(separator: ",")
        }
    }

    /// The smallest pixel rectangle holding a mask's foreground (region.c's mask-to-rectangle
    /// conversion: `right - left + 1` wide), nil when the mask is empty.
    static func maskBounds(x: Int, y: Int, width: Int, height: Int, runs: [Int]) -> (x: Int, y: Int, width: Int, height: Int)? {
        guard width > 0, height > 0 else { return nil }
        let length = width * height
        var left = Int.max
        var right = Int.min
        var top = Int.max
        var bottom = Int.min
        var position = 0
        for (index, run) in runs.enumerated() where position < length {
            let end = min(position + run, length)
            if index % 2 == 1 && end > position {
                // Foreground pixels position..<end: rows r0...r1.
                let r0 = position / width
                let r1 = (end - 1) / width
                top = min(top, r0)
                bottom = max(bottom, r1)
                if r0 == r1 {
                    left = min(left, position % width)
                    right = max(right, (end - 1) % width)
                } else {
                    // The run wraps: row r0 reaches the last column, row r1 starts at column 0.
                    left = 0
                    right = width - 1
                }
            }
            position = end
        }
        guard top <= bottom else { return nil }
        return (x + left, y + top, right - left + 1, bottom - top + 1)
    }
}

/// Why a TraX session cannot go on; each says what was wrong in one sentence.
enum TraXError: Error, CustomStringConvertible, Equatable {
    case malformedMessage(line: String, reason: String)
    case malformedRegion(String, reason: String)
    case unexpectedMessage(TraXMessageType, state: String)
    case wrongArgumentCount(TraXMessageType, expected: Int, got: Int)
    case unsupportedImage(String)
    case unusableRegion(String)
    case connectionClosed
    case transport(String)

    var description: String {
        switch self {
        case .malformedMessage(let line, let reason):
            return "TraX: cannot read the message '\(line.prefix(200))': \(reason)"
        case .malformedRegion(let text, let reason):
            return "TraX: cannot read the region '\(text.prefix(200))': \(reason)"
        case .unexpectedMessage(let type, let state):
            return "TraX: unexpected '\(type.rawValue)' message \(state)"
        case .wrongArgumentCount(let type, let expected, let got):
            return "TraX: a '\(type.rawValue)' message needs \(expected) argument\(expected == 1 ? "" : "s"), this one has \(got)"
        case .unsupportedImage(let text):
            return "TraX: the image '\(text.prefix(200))' is not a file path or file:// URL (this tracker announced trax.image=path)"
        case .unusableRegion(let reason):
            return "TraX: \(reason)"
        case .connectionClosed:
            return "TraX: the client closed the connection without sending 'quit'"
        case .transport(let reason):
            return "TraX: \(reason)"
        }
    }
}

/// Image arguments (image_decode in trax.c): `file://` + an absolute path, `file:` + a path, or
/// (legacy) a bare path. Paths are taken as they come, not percent-decoded (libtrax's client
/// writes them raw). Other schemes (`data:`, `image:`, `http:`) are not supported.
func traxImagePath(_ argument: String) throws -> String {
    if argument.hasPrefix("file://") { return String(argument.dropFirst(7)) }
    if argument.hasPrefix("file:") { return String(argument.dropFirst(5)) }
    // A URI scheme: lowercase letters, '+', '.', '-' then ':' within 16 characters (parse_uri).
    if let colon = argument.prefix(16).firstIndex(of: ":"), colon != argument.startIndex,
        argument[..<colon].allSatisfy({ ("a"..."z").contains($0) || $0 == "+" || $0 == "." || $0 == "-" })
    {
        throw TraXError.unsupportedImage(argument)
    }
    guard !argument.isEmpty else { throw TraXError.unsupportedImage(argument) }
    return argument
}
