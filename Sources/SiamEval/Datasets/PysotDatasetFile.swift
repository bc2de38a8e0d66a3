// Mirrors the dataset description files pysot's toolkit reads (toolkit/datasets/*.py: `<root>/<NAME>.json`,
// `{video: {video_dir, init_rect, img_names, gt_rect, attr | VOT tags | absent}}`)
import Foundation
import SiamRPN

/// Reads and writes pysot's `<NAME>.json` dataset descriptions.
///
/// Per video: `video_dir`, `init_rect`, `img_names` (paths relative to the dataset root),
/// `gt_rect` (one row per frame; Python's `json` writes absent boxes as bare `NaN`, which is
/// accepted), and by family `attr` (OTB, UAV, NFS, LaSOT), `absent` (LaSOT: 1 = visible), the
/// VOT tags (`camera_motion`, `illum_change`, `motion_change`, `size_change`, `occlusion`).
public enum PysotDatasetFile {
    public static func read(_ file: URL, name: String, kind: BenchmarkKind, root: URL) throws -> BenchmarkDataset {
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try Data(contentsOf: file))
        } catch {
            throw DatasetError("cannot read \(file.path): \(error.localizedDescription)")
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse(bytes, 0..<bytes.count, maxDepth: 16, allowNonFinite: true)
        } catch let e as JSONParseError {
            throw DatasetError("\(file.path) is not a pysot dataset file: \(e.reason) at byte \(e.offset)")
        }
        guard case .object(let members) = json else { throw DatasetError("\(file.path): expected an object of videos") }
        var videos: [BenchmarkVideo] = []
        for member in members {
            func fail(_ what: String) -> DatasetError { DatasetError("\(file.path), video '\(member.name)': \(what)") }
            let v = member.value
            guard let names = v["img_names"]?.arrayValue?.compactMap(\.stringValue), !names.isEmpty else {
                throw fail("'img_names' is missing or empty")
            }
            guard let rows = v["gt_rect"]?.arrayValue else { throw fail("'gt_rect' is missing") }
            var gt: [[Double]] = []
            for (i, row) in rows.enumerated() {
                // pysot's GOT-10k / LaSOT files sometimes hold a row as a flat number list; a row that is
                // not a list of numbers is an error.
                guard let values = row.arrayValue?.compactMap(\.doubleValue), values.count == row.arrayValue?.count else {
                    throw fail("'gt_rect' row \(i + 1) is not a list of numbers")
                }
                gt.append(values)
            }
            let onlyFirstBox = (kind == .got10k || kind == .trackingNet) && gt.count == 1
            guard gt.count == names.count || onlyFirstBox else {
                throw fail("\(names.count) images in 'img_names' but \(gt.count) rows in 'gt_rect'")
            }
            let frames = names.map { n in n.hasPrefix("/") ? URL(fileURLWithPath: n) : root.appendingPathComponent(n) }
            var tags: [String: [Int]] = [:]
            if case .vot = kind {
                for t in VOTSequence.attributeNames {
                    tags[t] = (v[t]?.arrayValue ?? []).map { Int($0.doubleValue ?? 0) }
                }
            }
            var visible: [Bool]?
            if let absent = v["absent"]?.arrayValue {
                guard absent.count == names.count else { throw fail("\(absent.count) 'absent' flags for \(names.count) images") }
                visible = absent.map { ($0.doubleValue ?? 0) == 1 }
            }
            var size: BenchmarkVideo.Size?
            if let w = v["width"]?.doubleValue, let h = v["height"]?.doubleValue { size = .init(width: Int(w), height: Int(h)) }
            videos.append(
                BenchmarkVideo(
                    name: member.name, directory: v["video_dir"]?.stringValue ?? member.name, frames: frames, groundTruth: gt,
                    attributes: (v["attr"]?.arrayValue ?? []).compactMap(\.stringValue), tags: tags, visible: visible, recordedSize: size))
        }
        return BenchmarkDataset(name: name, kind: kind, root: root, videos: videos, source: file.path)
    }

    /// The dataset as pysot's json (keys in pysot's order; `", "` / `": "` separators and bare
    /// `NaN` as Python's `json.dump` writes them; integral numbers without a fraction). Image
    /// names are written relative to the root when they lie inside it.
    public static func encode(_ dataset: BenchmarkDataset) -> String {
        let rootPath = dataset.root.standardizedFileURL.path + "/"
        func relative(_ url: URL) -> String {
            let p = url.standardizedFileURL.path
            return p.hasPrefix(rootPath) ? String(p.dropFirst(rootPath.count)) : p
        }
        func number(_ v: Double) -> String {
            if v.isNaN { return "NaN" }
            if v.isInfinite { return v > 0 ? "Infinity" : "-Infinity" }
            return PythonFormat.jsonNumber(v)
        }
        func list(_ row: [Double]) -> String { "[" + row.map(number).joined(separator: ", ") + "]" }
        var out = "{"
        for (i, video) in dataset.videos.enumerated() {
            var fields: [(String, String)] = [
                ("video_dir", jsonQuoted(video.directory)),
                ("init_rect", list(video.groundTruth.first ?? [])),
                ("img_names", "[" + video.frames.map { jsonQuoted(relative($0)) }.joined(separator: ", ") + "]"),
                ("gt_rect", "[" + video.groundTruth.map(list).joined(separator: ", ") + "]")
            ]
            switch dataset.kind {
            case .vot:
                for t in VOTSequence.attributeNames {
                    fields.append((t, "[" + (video.tags[t] ?? []).map(String.init).joined(separator: ", ") + "]"))
                }
            case .votLongTerm, .got10k, .trackingNet:
                break
            case .otb, .uav, .nfs, .lasot:
                fields.append(("attr", "[" + video.attributes.map(jsonQuoted).joined(separator: ", ") + "]"))
            }
            if let size = video.recordedSize {
                fields += [("width", String(size.width)), ("height", String(size.height))]
            }
            if let visible = video.visible {
                fields.append(("absent", "[" + visible.map { $0 ? "1" : "0" }.joined(separator: ", ") + "]"))
            }
            out += (i == 0 ? "" : ", ") + jsonQuoted(video.name) + ": {"
            out += fields.map { "\(jsonQuoted($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
        }
        return out + "}"
    }
}
