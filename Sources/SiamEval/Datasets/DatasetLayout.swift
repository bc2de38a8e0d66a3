// Mirrors the published folder layouts the pysot toolkit's json files were made from (OTB, VOT, LaSOT,
// GOT-10k, TrackingNet, UAV123, NFS), for datasets that come without pysot's `<NAME>.json`
import Foundation
import SiamRPN

/// Finds a benchmark's videos from its own published layout (no pysot json):
///
/// * OTB (also UAV / NFS collections in OTB form): `<video>/img/*.jpg` (or `color/`, or the images
///   in the folder) with `groundtruth_rect.txt`; two-target folders `groundtruth_rect.1.txt` /
///   `.2.txt` become `<video>-1` / `<video>-2` (an empty file is no target: Human4 gives only
///   `Human4-2`); OTB's frame-range sequences (David 300-770, BlurCar1 247-988, ...) are cut to
///   their annotated frames; `groundtruth.txt` is accepted as well.
/// * VOT: `list.txt` (else every folder with `groundtruth.txt`), `<video>/color/*.jpg` or
///   `<video>/*.jpg`, polygons or rectangles, per-frame `<tag>.tag` files (a missing file = the tag
///   is 0 on every frame). VOT2018-LT: the same, `nan` rows where the target is absent.
/// * LaSOT: `<class>/<class>-N/img/*.jpg` (or the videos directly under the root), `groundtruth.txt`,
///   `full_occlusion.txt` + `out_of_view.txt` (a frame is visible when neither flag is 1);
///   `testing_set.txt` at the root limits the videos to the test set.
/// * GOT-10k: the split folder (`val/`, `test/`): `list.txt`, `<video>/*.jpg`, `groundtruth.txt`
///   (the test split has only the first box).
/// * TrackingNet: a chunk folder with `frames/<video>/<n>.jpg` and `anno/<video>.txt`.
/// * UAV123: `data_seq/UAV123/<video>/*.jpg` with `anno/UAV123/<video>.txt`.
/// * NFS: `<video>/30/<video>/*.jpg` (`240/` for a name containing 240) with `<video>/30/<video>.txt`
///   (NFS's `id xmin ymin xmax ymax ...` rows, 240 fps: NFS30 keeps every 8th).
///
/// Frames are sorted by number when every name is a number (`0.jpg`, `1.jpg`, ... `10.jpg`), else
/// by name. A ground truth whose row count differs from the frame count is an error naming both files.
public enum DatasetLayout {
    public static func discover(name: String, kind: BenchmarkKind, root: URL) throws -> BenchmarkDataset {
        var notes: [String] = []
        let (videos, layout): ([BenchmarkVideo], String)
        switch kind {
        case .otb:
            videos = try sequenceFolders(root, notes: &notes)
            layout = "OTB layout"
        case .uav:
            if isDirectory(root.appendingPathComponent("anno/UAV123")) {
                videos = try uav123(root)
                layout = "UAV123 layout (anno/UAV123, data_seq/UAV123)"
            } else {
                videos = try sequenceFolders(root, notes: &notes)
                layout = "OTB layout"
            }
        case .nfs:
            let fps = name.contains("240") ? "240" : "30"
            let nfs = try nfsVideos(root, fps: fps, notes: &notes)
            if nfs.isEmpty {
                videos = try sequenceFolders(root, notes: &notes)
                layout = "OTB layout"
            } else {
                videos = nfs
                layout = "NFS layout (<video>/\(fps)/)"
            }
        case .lasot:
            videos = try lasot(root, notes: &notes)
            layout = "LaSOT layout"
        case .got10k:
            videos = try got10k(root)
            layout = "GOT-10k layout"
        case .trackingNet:
            videos = try trackingNet(root)
            layout = "TrackingNet layout (frames/, anno/)"
        case .vot, .votLongTerm:
            videos = try vot(root, longTerm: kind == .votLongTerm)
            layout = "VOT layout"
        }
        guard !videos.isEmpty else {
            throw DatasetError("no \(name) videos found in \(root.path) (looked for pysot's \(name).json and the \(layout))")
        }
        return BenchmarkDataset(name: name, kind: kind, root: root, videos: videos, source: "\(layout) in \(root.path)", notes: notes)
    }

    // MARK: - OTB and OTB-like sequence folders

    /// OTB's sequences whose ground truth covers only some frames (1-based, inclusive), as the OTB
    /// toolkit's configuration and pysot's OTB100.json define them.
    static let otbFrameRanges: [String: ClosedRange<Int>] = [
        "david": 300...770, "football1": 1...74, "freeman3": 1...460, "freeman4": 1...283, "diving": 1...215,
        "blurcar1": 247...988, "blurcar3": 3...359, "blurcar4": 18...397
    ]

    static func sequenceFolders(_ root: URL, notes: inout [String]) throws -> [BenchmarkVideo] {
        var videos: [BenchmarkVideo] = []
        for folder in try subfolders(root) {
            let name = folder.lastPathComponent
            let frameDir = ["img", "color"].map { folder.appendingPathComponent($0) }.first(where: isDirectory) ?? folder
            let frames = try imageFiles(frameDir)
            var targets: [(String, URL)] = []
            for file in ["groundtruth_rect.txt", "groundtruth.txt"].map({ folder.appendingPathComponent($0) }) where isFile(file) {
                targets = [(name, file)]
                break
            }
            if targets.isEmpty {
                for k in 1...9 {
                    let file = folder.appendingPathComponent("groundtruth_rect.\(k).txt")
                    if isFile(file), fileSize(file) > 0 { targets.append(("\(name)-\(k)", file)) }
                }
            }
            if targets.isEmpty {
                if !frames.isEmpty { notes.append("\(folder.path): \(frames.count) frames but no groundtruth_rect.txt; skipped") }
                continue
            }
            guard !frames.isEmpty else {
                throw DatasetError("video \(name): no .jpg/.png frames in \(frameDir.path)")
            }
            for (videoName, file) in targets {
                let gt = try rows(file, video: videoName)
                var use = frames
                if gt.count != frames.count, let range = otbFrameRanges[name.lowercased()], range.count == gt.count,
                    range.upperBound <= frames.count
                {
                    use = Array(frames[(range.lowerBound - 1)..<range.upperBound])
                }
                try checkCount(gt, use, video: videoName, gtFile: file, frameDir: frameDir)
                videos.append(BenchmarkVideo(name: videoName, directory: name, frames: use, groundTruth: gt))
            }
        }
        return videos
    }

    // MARK: - VOT

    static func vot(_ root: URL, longTerm: Bool) throws -> [BenchmarkVideo] {
        let list = root.appendingPathComponent("list.txt")
        let names: [String]
        if isFile(list) {
            names = try lines(list).filter { !$0.isEmpty }
        } else {
            names = try subfolders(root).filter { isFile($0.appendingPathComponent("groundtruth.txt")) }.map(\.lastPathComponent)
        }
        return try names.map { name in
            let folder = root.appendingPathComponent(name)
            guard isDirectory(folder) else { throw DatasetError("video \(name): listed in \(list.path) but \(folder.path) is not a folder") }
            let color = folder.appendingPathComponent("color")
            let frameDir = isDirectory(color) ? color : folder
            let frames = try imageFiles(frameDir)
            let gtFile = folder.appendingPathComponent("groundtruth.txt")
            guard isFile(gtFile) else { throw DatasetError("video \(name): \(gtFile.path) is missing") }
            let gt = try rows(gtFile, video: name)
            try checkCount(gt, frames, video: name, gtFile: gtFile, frameDir: frameDir)
            var tags: [String: [Int]] = [:]
            if !longTerm {
                for tag in VOTSequence.attributeNames {
                    let file = folder.appendingPathComponent("\(tag).tag")
                    var values = [Int](repeating: 0, count: frames.count)
                    if isFile(file) {
                        for (i, line) in try lines(file).enumerated() where i < values.count {
                            guard let v = Int(line.trimmingCharacters(in: .whitespaces)) else {
                                throw DatasetError("video \(name): \(file.path) line \(i + 1): '\(line)' is not 0 or 1")
                            }
                            values[i] = v
                        }
                    }
                    tags[tag] = values
                }
            }
            return BenchmarkVideo(name: name, directory: name, frames: frames, groundTruth: gt, tags: tags)
        }
    }

    // MARK: - LaSOT

    static func lasot(_ root: URL, notes: inout [String]) throws -> [BenchmarkVideo] {
        func isVideo(_ folder: URL) -> Bool {
            isDirectory(folder.appendingPathComponent("img")) && isFile(folder.appendingPathComponent("groundtruth.txt"))
        }
        var folders: [URL] = []
        for folder in try subfolders(root) {
            if isVideo(folder) {
                folders.append(folder)
            } else {
                folders += try subfolders(folder).filter(isVideo)
            }
        }
        let testList = root.appendingPathComponent("testing_set.txt")
        if isFile(testList) {
            let wanted = try lines(testList).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let found = Dictionary(folders.map { ($0.lastPathComponent, $0) }, uniquingKeysWith: { a, _ in a })
            let missing = wanted.filter { found[$0] == nil }
            guard missing.isEmpty else {
                throw DatasetError(
                    "\(testList.path) lists \(missing.count) videos not found under \(root.path): \(missing.prefix(5).joined(separator: ", "))")
            }
            folders = wanted.map { found[$0]! }
        }
        return try folders.map { folder in
            let name = folder.lastPathComponent
            let frameDir = folder.appendingPathComponent("img")
            let frames = try imageFiles(frameDir)
            let gtFile = folder.appendingPathComponent("groundtruth.txt")
            let gt = try rows(gtFile, video: name)
            try checkCount(gt, frames, video: name, gtFile: gtFile, frameDir: frameDir)
            var absent = [Bool](repeating: false, count: frames.count)
            for flagName in ["full_occlusion.txt", "out_of_view.txt"] {
                let file = folder.appendingPathComponent(flagName)
                guard isFile(file) else {
                    notes.append("video \(name): no \(flagName); every frame counts as visible for it")
                    continue
                }
                let flags = try String(contentsOf: file, encoding: .utf8)
                    .split(whereSeparator: { $0 == "," || $0 == "\n" || $0 == "\r" || $0 == " " })
                guard flags.count == frames.count else {
                    throw DatasetError("video \(name): \(file.path) has \(flags.count) flags for \(frames.count) frames")
                }
                for (i, f) in flags.enumerated() where f == "1" { absent[i] = true }
            }
            let directory = folder.deletingLastPathComponent().lastPathComponent + "/" + name
            return BenchmarkVideo(name: name, directory: directory, frames: frames, groundTruth: gt, visible: absent.map { !$0 })
        }
    }

    // MARK: - GOT-10k, TrackingNet

    static func got10k(_ root: URL) throws -> [BenchmarkVideo] {
        let list = root.appendingPathComponent("list.txt")
        var names = try isFile(list) ? lines(list).filter { !$0.isEmpty } : subfolders(root).map(\.lastPathComponent)
        names = names.filter { isFile(root.appendingPathComponent($0).appendingPathComponent("groundtruth.txt")) || isFile(list) }
        if names.isEmpty, let split = ["val", "test", "train"].first(where: { isDirectory(root.appendingPathComponent($0)) }) {
            throw DatasetError("\(root.path) holds GOT-10k splits; give the split folder as --dataset_root, e.g. \(root.path)/\(split)")
        }
        return try names.map { name in
            let folder = root.appendingPathComponent(name)
            let frames = try imageFiles(folder)
            let gtFile = folder.appendingPathComponent("groundtruth.txt")
            let gt = try rows(gtFile, video: name)
            if gt.count != 1 { try checkCount(gt, frames, video: name, gtFile: gtFile, frameDir: folder) }
            return BenchmarkVideo(name: name, directory: name, frames: frames, groundTruth: gt)
        }
    }

    static func trackingNet(_ root: URL) throws -> [BenchmarkVideo] {
        let framesRoot = root.appendingPathComponent("frames")
        let annoRoot = root.appendingPathComponent("anno")
        guard isDirectory(framesRoot) else { return [] }
        return try subfolders(framesRoot).map { folder in
            let name = folder.lastPathComponent
            let frames = try imageFiles(folder)
            let gtFile = annoRoot.appendingPathComponent("\(name).txt")
            guard isFile(gtFile) else { throw DatasetError("video \(name): \(gtFile.path) is missing") }
            let gt = try rows(gtFile, video: name)
            if gt.count != 1 { try checkCount(gt, frames, video: name, gtFile: gtFile, frameDir: folder) }
            return BenchmarkVideo(name: name, directory: "frames/\(name)", frames: frames, groundTruth: gt)
        }
    }

    // MARK: - UAV123, NFS

    static func uav123(_ root: URL) throws -> [BenchmarkVideo] {
        let anno = root.appendingPathComponent("anno/UAV123")
        let data = root.appendingPathComponent("data_seq/UAV123")
        let files = try FileManager.default.contentsOfDirectory(atPath: anno.path).filter { $0.hasSuffix(".txt") }.sorted()
        return try files.map { file in
            let name = String(file.dropLast(4))
            let folder = data.appendingPathComponent(name)
            guard isDirectory(folder) else {
                throw DatasetError(
                    "video \(name): no frame folder \(folder.path); UAV123's sub-sequences need the frame ranges of its "
                        + "configSeqs.m: use pysot's UAV123.json in the dataset root")
            }
            let frames = try imageFiles(folder)
            let gtFile = anno.appendingPathComponent(file)
            let gt = try rows(gtFile, video: name)
            try checkCount(gt, frames, video: name, gtFile: gtFile, frameDir: folder)
            return BenchmarkVideo(name: name, directory: "data_seq/UAV123/\(name)", frames: frames, groundTruth: gt)
        }
    }

    static func nfsVideos(_ root: URL, fps: String, notes: inout [String]) throws -> [BenchmarkVideo] {
        var videos: [BenchmarkVideo] = []
        for folder in try subfolders(root) {
            let name = folder.lastPathComponent
            let frameDir = folder.appendingPathComponent(fps).appendingPathComponent(name)
            let gtFile = folder.appendingPathComponent(fps).appendingPathComponent("\(name).txt")
            guard isDirectory(frameDir), isFile(gtFile) else { continue }
            var frames = try imageFiles(frameDir)
            var boxes: [[Double]] = []
            for (i, line) in try lines(gtFile).enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
                guard f.count >= 5, let x0 = Double(f[1]), let y0 = Double(f[2]), let x1 = Double(f[3]), let y1 = Double(f[4]) else {
                    throw DatasetError("video \(name): \(gtFile.path) line \(i + 1): '\(line)' is not an NFS annotation row")
                }
                boxes.append([x0, y0, x1 - x0, y1 - y0])
            }
            // NFS annotates at 240 fps; the 30 fps frames are every 8th.
            if fps == "30", boxes.count > frames.count, abs(Double(boxes.count) / 8 - Double(frames.count)) < 1 {
                boxes = stride(from: 0, to: boxes.count, by: 8).map { boxes[$0] }
            }
            if boxes.count != frames.count, abs(boxes.count - frames.count) == 1 {
                let n = min(boxes.count, frames.count)
                notes.append("video \(name): \(gtFile.lastPathComponent) has \(boxes.count) boxes for \(frames.count) frames; both cut to \(n)")
                boxes = Array(boxes.prefix(n))
                frames = Array(frames.prefix(n))
            }
            try checkCount(boxes, frames, video: name, gtFile: gtFile, frameDir: frameDir)
            videos.append(BenchmarkVideo(name: name, directory: "\(name)/\(fps)/\(name)", frames: frames, groundTruth: boxes))
        }
        return videos
    }

    // MARK: - Files

    static func isDirectory(_ url: URL) -> Bool {
        var d: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &d) && d.boolValue
    }

    static func isFile(_ url: URL) -> Bool {
        var d: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &d) && !d.boolValue
    }

    static func fileSize(_ url: URL) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// The visible subfolders of `dir`, by name.
    static func subfolders(_ dir: URL) throws -> [URL] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        } catch {
            throw DatasetError("cannot list \(dir.path): \(error.localizedDescription)")
        }
        return names.filter { !$0.hasPrefix(".") }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            .map { dir.appendingPathComponent($0) }.filter(isDirectory)
    }

    /// The `.jpg` / `.jpeg` / `.png` files of `dir`: by number when every stem is a number, else by name.
    static func imageFiles(_ dir: URL) throws -> [URL] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        } catch {
            throw DatasetError("cannot list the frames in \(dir.path): \(error.localizedDescription)")
        }
        let images = names.filter { n in
            let lower = n.lowercased()
            return !n.hasPrefix(".") && (lower.hasSuffix(".jpg") || lower.hasSuffix(".jpeg") || lower.hasSuffix(".png"))
        }
        let numbers = images.map { Int($0.split(separator: ".").first ?? "") }
        let sorted: [String]
        if numbers.allSatisfy({ $0 != nil }) {
            sorted = zip(images, numbers).sorted { $0.1! < $1.1! }.map(\.0)
        } else {
            sorted = images.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        }
        return sorted.map { dir.appendingPathComponent($0) }
    }

    static func lines(_ file: URL) throws -> [String] {
        do {
            return try String(contentsOf: file, encoding: .utf8).split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
                .map(String.init).reversed().drop(while: \.isEmpty).reversed()
        } catch {
            throw DatasetError("cannot read \(file.path): \(error.localizedDescription)")
        }
    }

    /// Ground-truth rows as the file holds them (4 or 8 numbers; comma, tab or space separated).
    static func rows(_ file: URL, video: String) throws -> [[Double]] {
        let text: String
        do {
            text = try String(contentsOf: file, encoding: .utf8)
        } catch {
            throw DatasetError("video \(video): cannot read \(file.path): \(error.localizedDescription)")
        }
        do {
            return try parseGroundTruth(text, source: file.path).map { region in
                switch region {
                case .rectangle(let b): return [b.x, b.y, b.width, b.height]
                case .polygon(let p): return p
                }
            }
        } catch {
            throw DatasetError("video \(video): \(error)")
        }
    }

    static func checkCount(_ gt: [[Double]], _ frames: [URL], video: String, gtFile: URL, frameDir: URL) throws {
        guard gt.count == frames.count else {
            throw DatasetError("video \(video): \(gtFile.path) has \(gt.count) boxes but \(frameDir.path) has \(frames.count) frames")
        }
    }
}
