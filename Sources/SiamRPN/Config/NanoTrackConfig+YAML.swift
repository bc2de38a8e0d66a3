import Foundation
import Yams

extension NanoTrackConfig {
    /// Reads a NanoTrack `config.yaml` (its `models/config/configv3.yaml` layout): `TRACK`
    /// (WINDOW_INFLUENCE, PENALTY_K, LR, EXEMPLAR_SIZE, INSTANCE_SIZE, CONTEXT_AMOUNT,
    /// OUTPUT_SIZE) and `POINT.STRIDE`; absent keys keep V3's values, other sections are ignored
    /// (they configure training). Only the V3 backbone (`mobilenetv3_small_v3`) is supported.
    public init(yaml: String, source: String) throws {
        let root: [String: Any]
        do {
            root = try Yams.load(yaml: yaml) as? [String: Any] ?? [:]
        } catch {
            throw ConfigError.invalidYAML(source: source, detail: "\(error)")
        }
        self.init()
        if let backbone = (root["BACKBONE"] as? [String: Any])?["TYPE"] as? String, backbone != "mobilenetv3_small_v3" {
            throw ConfigError.unsupported(source: source, keyPath: "BACKBONE.TYPE",
                                          detail: "NanoTrack backbone '\(backbone)' is not supported; only NanoTrackV3's 'mobilenetv3_small_v3' is")
        }
        let track = root["TRACK"] as? [String: Any] ?? [:]
        func number(_ key: String) throws -> Double? {
            guard let v = track[key] else { return nil }
            if let d = v as? Double { return d }
            if let i = v as? Int { return Double(i) }
            throw ConfigError.invalidValue(source: source, keyPath: "TRACK.\(key)", found: "\(v)", expected: "a number")
        }
        func integer(_ key: String, in section: [String: Any], path: String) throws -> Int? {
            guard let v = section[key] else { return nil }
            guard let i = v as? Int, i > 0 else {
                throw ConfigError.invalidValue(source: source, keyPath: path, found: "\(v)", expected: "a positive integer")
            }
            return i
        }
        if let v = try number("WINDOW_INFLUENCE") { windowInfluence = v }
        if let v = try number("PENALTY_K") { penaltyK = v }
        if let v = try number("LR") { lr = v }
        if let v = try number("CONTEXT_AMOUNT") { contextAmount = v }
        if let v = try integer("EXEMPLAR_SIZE", in: track, path: "TRACK.EXEMPLAR_SIZE") { exemplarSize = v }
        if let v = try integer("INSTANCE_SIZE", in: track, path: "TRACK.INSTANCE_SIZE") { instanceSize = v }
        if let v = try integer("OUTPUT_SIZE", in: track, path: "TRACK.OUTPUT_SIZE") { outputSize = v }
        if let v = try integer("STRIDE", in: root["POINT"] as? [String: Any] ?? [:], path: "POINT.STRIDE") { pointStride = v }
    }

    /// Whether `yaml` is a NanoTrack config (`META_ARC: nanotrack` or a `mobilenetv3_small*`
    /// backbone) rather than a pysot one.
    static func describes(_ yaml: String) -> Bool {
        guard let root = try? Yams.load(yaml: yaml) as? [String: Any] else { return false }
        if let arc = root["META_ARC"] as? String, arc.lowercased() == "nanotrack" { return true }
        if let type = (root["BACKBONE"] as? [String: Any])?["TYPE"] as? String, type.hasPrefix("mobilenetv3_small") { return true }
        return false
    }
}
