// Mirrors pysot/datasets/dataset.py: SubDataset.__init__ and _filter_zero (reading train.json), and
// training_dataset/vid/gen_json.py (writing it: json.dump(..., indent=4, sort_keys=True))
import Foundation
import SiamRPN

/// A `train.json`: `{video: {track: {frame: [x1, y1, x2, y2]}}}` — frames keyed by their crop
/// file stem (`"000049"`), boxes as corners in the original frame's pixels (or `[w, h]`, which
/// pysot's `_get_bbox` also accepts).
///
/// Read as `SubDataset` reads it: boxes with `w <= 0` or `h <= 0` are dropped (`_filter_zero`),
/// a track's frames are its all-digit keys sorted by number, and tracks and videos left without
/// frames are dropped. Videos and tracks keep the file's order (Python dicts do; pysot's
/// `np.random.choice(list(video.keys()))` depends on it).
package struct TrainingAnnotations: Sendable, Equatable {
    package struct Track: Sendable, Equatable {
        /// The key as written (`"00"`); it is part of the crop file name.
        package var name: String
        /// The frame numbers, ascending (`SubDataset`'s `frames`).
        package var frames: [Int]
        /// The box of each frame: 4 numbers (corners) or 2 (`w, h`).
        package var boxes: [Int: [Double]]

        package init(name: String, frames: [Int], boxes: [Int: [Double]]) {
            self.name = name
            self.frames = frames
            self.boxes = boxes
        }
    }

    package struct Video: Sendable, Equatable {
        /// The key as written (`"a/otb_train_Dog"`): the crop folder relative to the root.
        package var name: String
        package var tracks: [Track]

        package init(name: String, tracks: [Track]) {
            self.name = name
            self.tracks = tracks
        }
    }

    package var videos: [Video]
    /// What was dropped while reading (zero-size boxes, empty tracks), for the log.
    package var notes: [String]

    package init(videos: [Video], notes: [String] = []) {
        self.videos = videos
        self.notes = notes
    }

    package static func read(_ url: URL) throws -> TrainingAnnotations {
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try Data(contentsOf: url))
        } catch {
            throw TrainingDataError("cannot read \(url.path): \(describeFileError(error))")
        }
        do {
            return try parse(bytes, source: url.path)
        } catch let error as JSONParseError {
            throw TrainingDataError("\(url.path) is not valid JSON: \(error)")
        }
    }

    package static func parse(_ bytes: [UInt8], source: String) throws -> TrainingAnnotations {
        guard case .object(let videoMembers) = try JSONValue.parse(bytes, 0..<bytes.count, allowNonFinite: true) else {
            throw TrainingDataError("\(source): expected an object {video: {track: {frame: box}}}")
        }
        var videos: [Video] = []
        var notes: [String] = []
        for v in videoMembers {
            guard case .object(let trackMembers) = v.value else {
                throw TrainingDataError("\(source): video '\(v.name)' is not an object of tracks")
            }
            var tracks: [Track] = []
            for t in trackMembers {
                guard case .object(let frameMembers) = t.value else {
                    throw TrainingDataError("\(source): video '\(v.name)' track '\(t.name)' is not an object of frames")
                }
                var boxes: [Int: [Double]] = [:]
                var dropped = 0
                for f in frameMembers {
                    // pysot keeps only all-digit keys as frames (other keys may hold metadata).
                    guard !f.name.isEmpty, f.name.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { continue }
                    guard let frame = Int(f.name), CropLayout.padded(frame, 6) == f.name else {
                        throw TrainingDataError(
                            "\(source): video '\(v.name)' track '\(t.name)' frame key '\(f.name)' is not a 6-digit frame number "
                                + "(pysot looks frames up as '{:06d}')")
                    }
                    if case .object = f.value { continue }  // pysot keeps dict entries but never samples them as boxes
                    guard let items = f.value.arrayValue, items.count == 4 || items.count == 2,
                        case let box = items.compactMap(\.doubleValue), box.count == items.count
                    else {
                        throw TrainingDataError(
                            "\(source): video '\(v.name)' track '\(t.name)' frame '\(f.name)': expected [x1, y1, x2, y2] or [w, h]")
                    }
                    let (w, h) = box.count == 4 ? (box[2] - box[0], box[3] - box[1]) : (box[0], box[1])
                    guard w > 0, h > 0 else {
                        dropped += 1
                        continue
                    }
                    boxes[frame] = box
                }
                if dropped > 0 { notes.append("\(v.name)/\(t.name): \(dropped) boxes of zero size dropped") }
                guard !boxes.isEmpty else {
                    notes.append("\(v.name)/\(t.name) has no frames")
                    continue
                }
                tracks.append(Track(name: t.name, frames: boxes.keys.sorted(), boxes: boxes))
            }
            guard !tracks.isEmpty else {
                notes.append("\(v.name) has no tracks")
                continue
            }
            videos.append(Video(name: v.name, tracks: tracks))
        }
        return TrainingAnnotations(videos: videos, notes: notes)
    }

    /// The file pysot's gen_json.py writes: `json.dump(d, indent=4, sort_keys=True)` — keys sorted by
    /// code point, 4-space indentation, one list element per line, no final newline, non-ASCII
    /// escaped. Integral coordinates are written as integers (VID's XML boxes are), others as
    /// shortest round-trip decimals (`repr`).
    package func jsonText() -> String {
        var out = "{"
        let sortedVideos = videos.sorted { $0.name.unicodeScalars.lexicographicallyPrecedes($1.name.unicodeScalars) }
        for (vi, video) in sortedVideos.enumerated() {
            out += (vi == 0 ? "\n" : ",\n") + "    " + Self.quoted(video.name) + ": {"
            let tracks = video.tracks.sorted { $0.name.unicodeScalars.lexicographicallyPrecedes($1.name.unicodeScalars) }
            for (ti, track) in tracks.enumerated() {
                out += (ti == 0 ? "\n" : ",\n") + "        " + Self.quoted(track.name) + ": {"
                // 6-digit keys: numeric order is string order.
                for (fi, frame) in track.frames.enumerated() {
                    out += (fi == 0 ? "\n" : ",\n") + "            " + Self.quoted(CropLayout.padded(frame, 6)) + ": ["
                    let box = track.boxes[frame] ?? []
                    for (i, v) in box.enumerated() {
                        out += (i == 0 ? "\n" : ",\n") + "                " + Self.number(v)
                    }
                    out += box.isEmpty ? "]" : "\n            ]"
                }
                out += track.frames.isEmpty ? "}" : "\n        }"
            }
            out += tracks.isEmpty ? "}" : "\n    }"
        }
        out += videos.isEmpty ? "}" : "\n}"
        return out
    }

    /// Writes `jsonText()` atomically (a complete file or none).
    package func write(to url: URL) throws {
        do {
            try Data(jsonText().utf8).write(to: url, options: .atomic)
        } catch {
            throw TrainingDataError("cannot write \(url.path): \(describeFileError(error))")
        }
    }

    static func number(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "Infinity" : "-Infinity" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
        return "\(v)"
    }

    /// A JSON string as Python's json module writes it with `ensure_ascii=True`.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for unit in s.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(unit)!)
            default:
                let hex = String(unit, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return out + "\""
    }
}

/// Training data that cannot be read or written: the message names the file and the entry.
package struct TrainingDataError: Error, CustomStringConvertible, Sendable {
    package var description: String
    package init(_ description: String) { self.description = description }
}
