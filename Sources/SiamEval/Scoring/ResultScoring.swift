// Mirrors pysot tools/eval.py (which benchmark scores which dataset) and the toolkit's load_tracker
// methods (toolkit/datasets/video.py, otb.py, lasot.py, vot.py: where each tracker's result files are)
import Foundation
import SiamRPN

/// Scores the result folders `<results>/<dataset>/<tracker>/` of a dataset as pysot's eval.py:
/// one-pass success / precision / normalised precision, VOT accuracy / robustness / EAO, VOT-LT
/// precision / recall / F1. Every result file a tracker needs must be there with one line per
/// frame; otherwise the error names the tracker, the video and the file.
public enum ResultScoring {
    /// The trackers of `<results>/<dataset>/` whose folder name starts with `prefix`, sorted.
    public static func trackers(results: URL, dataset: String, prefix: String = "") throws -> [String] {
        let dir = results.appendingPathComponent(dataset)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        } catch {
            throw DatasetError("no results for \(dataset) in \(results.path): cannot list \(dir.path)")
        }
        let found = names.filter { n in
            var d: ObjCBool = false
            return !n.hasPrefix(".") && n.hasPrefix(prefix)
                && FileManager.default.fileExists(atPath: dir.appendingPathComponent(n).path, isDirectory: &d)
                && d.boolValue
        }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        guard !found.isEmpty else {
            throw DatasetError("no tracker folders\(prefix.isEmpty ? "" : " starting with '\(prefix)'") in \(dir.path)")
        }
        return found
    }

    // MARK: - One-pass

    /// pysot's one-pass scores of each tracker on every video.
    public static func onePass(_ dataset: BenchmarkDataset, results: URL, trackers: [String]) throws -> OPEResults {
        let scored = try trackers.map { tracker in
            let dir = results.appendingPathComponent(dataset.name).appendingPathComponent(tracker)
            var missing: [String] = []
            var videos: [OPEResults.Video] = []
            for video in dataset.videos {
                guard let file = onePassFile(dir, video: video.name, kind: dataset.kind) else {
                    missing.append(video.name)
                    continue
                }
                var prediction = try PysotResultFiles.parseTrajectory(try readText(file), path: file.path)
                if dataset.kind == .lasot, video.name == "monkey-17" { prediction = Array(prediction.prefix(video.groundTruth.count)) }
                videos.append(OPEResults.Video(name: video.name, try evaluate(video, prediction, file: file, tracker: tracker)))
            }
            guard missing.isEmpty else {
                throw DatasetError(
                    "tracker \(tracker): no result file for \(missing.count) of \(dataset.videos.count) videos in \(dir.path) (\(missing.prefix(5).joined(separator: ", "))\(missing.count > 5 ? ", ..." : "")); run `siamrpn test` on them first"
                )
            }
            return OPEResults.Tracker(name: tracker, videos: videos)
        }
        var attributes: [String: [String]] = [:]
        for v in dataset.videos where !v.attributes.isEmpty { attributes[v.name] = v.attributes }
        return OPEResults(dataset: dataset.name, trackers: scored, videoAttributes: attributes)
    }

    /// Where pysot's `load_tracker` finds a one-pass result: `<video>.txt`, OTB's lower-case
    /// alternatives (`jogging_1.txt`, `fleetface.txt`, first letter lowered), GOT-10k's
    /// `<video>/<video>_001.txt`.
    static func onePassFile(_ dir: URL, video: String, kind: BenchmarkKind) -> URL? {
        var names = ["\(video).txt"]
        if kind == .got10k { names.insert("\(video)/\(video)_001.txt", at: 0) }
        if kind == .otb {
            let special = [
                "FleetFace": "fleetface", "Jogging-1": "jogging_1", "Jogging-2": "jogging_2", "Skating2-1": "skating2_1",
                "Skating2-2": "skating2_2", "FaceOcc1": "faceocc1", "FaceOcc2": "faceocc2", "Human4-2": "human4_2"
            ]
            names.append((special[video] ?? (video.prefix(1).lowercased() + video.dropFirst())) + ".txt")
        }
        return names.map { dir.appendingPathComponent($0) }.first { FileManager.default.fileExists(atPath: $0.path) }
    }

    /// One video's curves. Ground-truth polygons are scored by their bounding rectangles; LaSOT's
    /// invisible frames are dropped (the denominator stays the frame count), as pysot's OPEBenchmark.
    static func evaluate(_ video: BenchmarkVideo, _ prediction: [[Double]], file: URL, tracker: String) throws -> OnePassEvaluation {
        guard video.groundTruth.count == video.frames.count else {
            throw DatasetError(
                "video \(video.name): the dataset has the ground truth of the first frame only (a test split); its results are scored by the benchmark's server"
            )
        }
        guard prediction.count == video.groundTruth.count else {
            throw DatasetError(
                "tracker \(tracker), video \(video.name): \(file.path) has \(prediction.count) lines for \(video.groundTruth.count) frames")
        }
        for (i, row) in prediction.enumerated() where row.count != 4 {
            throw DatasetError("tracker \(tracker), video \(video.name): \(file.path) line \(i + 1) has \(row.count) numbers, not x,y,w,h")
        }
        let gt = video.groundTruth.map { row -> [Double] in
            guard row.count == 8 else { return row }
            let b = GroundTruthRegion.polygon(row).boundingBox
            return [b.x, b.y, b.width, b.height]
        }
        return OnePassEvaluation(groundTruth: gt, predictions: prediction, visible: video.visible)
    }

    // MARK: - VOT

    /// pysot's accuracy / robustness and EAO (all seven tags, the dataset's year interval).
    public static func vot(_ dataset: BenchmarkDataset, results: URL, trackers: [String]) throws -> VOTResults {
        guard let interval = ExpectedAverageOverlap.Interval(datasetName: dataset.name) else {
            throw DatasetError("\(dataset.name): no EAO interval for this name (VOT2016, VOT2017, VOT2018, VOT2019)")
        }
        let sequences = try dataset.videos.map { v in
            let (w, h) = try imageSize(v)
            return VOTSequence(name: v.name, groundTruth: v.groundTruth, width: w, height: h, attributes: v.tags)
        }
        let scored = try trackers.map { tracker in
            let dir = results.appendingPathComponent(dataset.name).appendingPathComponent(tracker)
            let videos = try sequences.map { s in
                let trajectories: [[[Double]]]
                do {
                    trajectories = try PysotResultFiles.loadVOTBaseline(trackerDirectory: dir, video: s.name)
                } catch let e as ResultFileError {
                    throw DatasetError("tracker \(tracker), video \(s.name): \(e)")
                } catch {
                    throw DatasetError(
                        "tracker \(tracker), video \(s.name): no result in \(dir.path)/baseline/\(s.name) (\(error.localizedDescription))")
                }
                guard !trajectories.isEmpty else { throw DatasetError("tracker \(tracker): no \(s.name)_00N.txt in \(dir.path)/baseline/\(s.name)") }
                for t in trajectories where t.count != s.groundTruth.count {
                    throw DatasetError("tracker \(tracker), video \(s.name): a result file has \(t.count) lines for \(s.groundTruth.count) frames")
                }
                return (sequence: s, trajectories: trajectories)
            }
            let ar = try AccuracyRobustness(videos)
            let eao = ExpectedAverageOverlap(videos, tags: VOTSequence.tagNames)
            return VOTResults.Tracker(name: tracker, accuracyRobustness: ar, eao: eao, interval: interval)
        }
        return VOTResults(dataset: dataset.name, trackers: scored, interval: interval)
    }

    // MARK: - VOT-LT

    /// pysot's F1Benchmark: precision / recall / F1 over the confidence thresholds.
    public static func longTerm(_ dataset: BenchmarkDataset, results: URL, trackers: [String]) throws -> LongTermResults {
        let sequences = try dataset.videos.map { v in
            let (w, h) = try imageSize(v)
            return VOTLongTermSequence(name: v.name, groundTruth: v.groundTruth, width: w, height: h)
        }
        let scored = try trackers.map { tracker in
            let dir = results.appendingPathComponent(dataset.name).appendingPathComponent(tracker)
            let videos = try sequences.map { s in
                do {
                    let (trajectory, scores) = try PysotResultFiles.loadVOTLongTerm(trackerDirectory: dir, video: s.name)
                    guard trajectory.count == s.groundTruth.count, scores.count == s.groundTruth.count else {
                        throw DatasetError(
                            "tracker \(tracker), video \(s.name): \(trajectory.count) boxes and \(scores.count) confidences for \(s.groundTruth.count) frames"
                        )
                    }
                    return (sequence: s, trajectory: trajectory, scores: scores)
                } catch let e as DatasetError {
                    throw e
                } catch {
                    throw DatasetError("tracker \(tracker), video \(s.name): \(error)")
                }
            }
            return LongTermResults.Tracker(name: tracker, f1: try LongTermF1(videos))
        }
        return LongTermResults(dataset: dataset.name, trackers: scored)
    }

    /// The size of a video's first frame (pysot reads it for the VOT overlap's bounds); when that
    /// frame is not there, the size its json records.
    static func imageSize(_ video: BenchmarkVideo) throws -> (Int, Int) {
        guard let first = video.frames.first else { throw DatasetError("video \(video.name) has no frames") }
        if let size = video.recordedSize, !FileManager.default.fileExists(atPath: first.path) { return (size.width, size.height) }
        do {
            let image = try Image.load(contentsOf: first)
            return (image.width, image.height)
        } catch {
            throw DatasetError("video \(video.name): cannot read its first frame \(first.path) for the image size: \(error)")
        }
    }

    static func readText(_ url: URL) throws -> String {
        do {
            return String(decoding: try Data(contentsOf: url), as: UTF8.self)
        } catch {
            throw DatasetError("cannot read \(url.path): \(error.localizedDescription)")
        }
    }
}
