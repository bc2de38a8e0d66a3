import Foundation
import SiamNN
import Testing

@testable import SiamRPN

/// The committed key lists `docs/weight-keys/<model>.txt` (format: its README.md) are what the
/// model builders request, key for key and shape for shape, and what pysot's state dicts hold.
struct WeightKeyListTests {
    /// One line of a key list.
    struct Entry: Equatable, Comparable, CustomStringConvertible {
        var key: String
        var shape: [Int]
        var ignored = false

        static func < (a: Entry, b: Entry) -> Bool { a.key < b.key }

        /// `key<TAB>[d0, d1, ...]`, plus `<TAB>ignored` for a key the model accepts unused.
        var description: String {
            "\(key)\t[\(shape.map(String.init).joined(separator: ", "))]" + (ignored ? "\tignored" : "")
        }
    }

    static let keyListFolder = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/weight-keys")

    /// Every pysot config of `Fixtures/configs/` (one list each, named after the config).
    static let configNames: [String] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: Fixtures.url("configs").path)) ?? []
        return files.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(".yaml".count)) }.sorted()
    }()

    /// Parses a committed list; records an issue for a malformed line.
    static func committedList(_ name: String) throws -> [Entry] {
        let text = try String(contentsOf: keyListFolder.appendingPathComponent("\(name).txt"), encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard (2...3).contains(fields.count), fields[1].hasPrefix("["), fields[1].hasSuffix("]"),
                fields.count == 2 || fields[2] == "ignored"
            else {
                Issue.record("\(name).txt: malformed line '\(line)'")
                return nil
            }
            let dims = fields[1].dropFirst().dropLast().split(separator: ",")
                .map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard dims.allSatisfy({ $0 != nil }) else {
                Issue.record("\(name).txt: bad shape in '\(line)'")
                return nil
            }
            return Entry(key: fields[0], shape: dims.map { $0! }, ignored: fields.count == 3)
        }
    }

    static func entries(_ requests: [WeightReader.Request]) -> [Entry] {
        requests.map { Entry(key: $0.key, shape: $0.shape, ignored: $0.ignored) }.sorted()
    }

    /// The keys the SiamRPN++ builder requests for a config. Built over an empty state dict:
    /// every key is then missing, so the build throws at `finish`, after the last request.
    static func requestedKeys(config name: String) throws -> [Entry] {
        let spec = try PysotConfig.load(contentsOf: Fixtures.url("configs/\(name).yaml")).modelSpec()
        let reader = WeightReader(StateDict([]))
        #expect(throws: ModelLoadError.self) { try SiamRPNModel(spec: spec, reader: reader) }
        return entries(reader.requests)
    }

    /// The NanoTrackV3 builder's requests over the real checkpoint (whose `neck.*` it ignores).
    static func requestedNanoTrackKeys() throws -> [Entry] {
        let reader = WeightReader(try StateDict.load(contentsOf: Fixtures.url("weights/nanotrackv3.pth")))
        _ = try NanoTrackModel(reader: reader, fused: true)
        return entries(reader.requests)
    }

    /// Reports the first differences (full lists are hundreds of lines).
    static func expectEqual(
        _ got: [Entry], _ committed: [Entry], _ what: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let extra = got.filter { !committed.contains($0) }
        let absent = committed.filter { !got.contains($0) }
        #expect(
            got == committed,
            """
            \(what): \(extra.count) entries not in the list, e.g. \(extra.prefix(3).map(\.description)); \
            \(absent.count) listed entries not found, e.g. \(absent.prefix(3).map(\.description))
            """, sourceLocation: sourceLocation)
    }

    @Test(arguments: configNames)
    func siamRPNBuilderRequestsExactlyTheCommittedKeys(config: String) throws {
        let committed = try Self.committedList(config)
        #expect(committed == committed.sorted(), "\(config).txt must be sorted by key")
        #expect(committed.allSatisfy { !$0.ignored })
        Self.expectEqual(try Self.requestedKeys(config: config), committed, "\(config) builder vs docs/weight-keys")
    }

    @Test func nanoTrackBuilderRequestsTheCommittedKeysAndIgnoresOnlyItsNeck() throws {
        let committed = try Self.committedList("nanotrackv3")
        #expect(committed == committed.sorted())
        #expect(committed.filter(\.ignored).map(\.key) == committed.map(\.key).filter { $0.hasPrefix("neck.") })
        #expect(committed.contains { $0.ignored })
        Self.expectEqual(try Self.requestedNanoTrackKeys(), committed, "NanoTrackV3 builder vs docs/weight-keys")
    }

    /// Every list belongs to a config of `Fixtures/configs/` or to NanoTrackV3, and every config has one.
    @Test func everyArchitectureHasExactlyOneList() throws {
        let lists = try FileManager.default.contentsOfDirectory(atPath: Self.keyListFolder.path)
            .filter { $0.hasSuffix(".txt") }.map { String($0.dropLast(".txt".count)) }
        #expect(Set(lists) == Set(Self.configNames + ["nanotrackv3"]))
        #expect(Self.configNames.count >= 10)
    }

    // MARK: - the lists against pysot's own records

    /// The pysot state dict behind each list (without `num_batches_tracked`, which real
    /// checkpoints carry per BatchNorm and the model accepts unused).
    static func pysotKeys(_ name: String) throws -> [Entry]? {
        if FileManager.default.fileExists(atPath: Fixtures.url("weights/\(name).manifest.json").path) {
            return try DeterministicWeights.manifest(name).params.map { Entry(key: $0.name, shape: $0.shape) }.sorted()
        }
        switch name {
        case "small_alex_dw":
            // checkpoints.json: the key table pysot's torch.save wrote for small_zip.pth.
            let root = try Fixtures.json("checkpoints/checkpoints.json") as! [String: Any]
            let file = (root["files"] as! [String: Any])["small_zip.pth"] as! [String: Any]
            return (file["keys"] as! [[String: Any]]).map { Entry(key: $0["key"] as! String, shape: $0["shape"] as! [Int]) }
                .filter { !$0.key.hasSuffix(".num_batches_tracked") }.sorted()
        case "nanotrackv3":
            // KEYS-nanotrackv3.txt: "  <key>: [d0, d1] FloatStorage" per state-dict tensor.
            let text = try String(contentsOf: Fixtures.url("weights/KEYS-nanotrackv3.txt"), encoding: .utf8)
            return text.split(separator: "\n").compactMap { line -> Entry? in
                guard line.hasPrefix("  "), let colon = line.firstIndex(of: ":"), let open = line.firstIndex(of: "["),
                    let close = line.firstIndex(of: "]")
                else { return nil }
                let key = String(line[line.index(line.startIndex, offsetBy: 2)..<colon])
                let shape = line[line.index(after: open)..<close].split(separator: ",")
                    .map { Int($0.trimmingCharacters(in: .whitespaces))! }
                return Entry(key: key, shape: shape, ignored: key.hasPrefix("neck."))
            }.filter { !$0.key.hasSuffix(".num_batches_tracked") }.sorted()
        default:
            return nil
        }
    }

    @Test(arguments: configNames + ["nanotrackv3"])
    func committedListIsPysotsStateDict(name: String) throws {
        let committed = try Self.committedList(name)
        if let truth = try Self.pysotKeys(name) {
            Self.expectEqual(committed, truth, "docs/weight-keys/\(name).txt vs pysot's state dict")
        } else {
            // The long-term config has no pysot state dict in the fixtures: its keys are
            // r50_l234's (same modules), only the widths its ADJUST / RPN set differ.
            #expect(name == "siamrpn_r50_l234_dwxcorr_lt")
            let r50 = try #require(try Self.pysotKeys("siamrpn_r50_l234_dwxcorr"))
            #expect(committed.map(\.key) == r50.map(\.key))
        }
    }
}
