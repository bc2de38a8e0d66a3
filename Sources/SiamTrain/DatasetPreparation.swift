// Mirrors pysot training_dataset/vid/par_crop.py (main, crop_video) and gen_json.py: a folder of
// 511/127 crops plus train.json from annotated videos, one video per task, `--jobs` at a time
import Foundation
import SiamRPN

/// A video to prepare: its frames in order and one target's box per frame (`nil` where the
/// target is absent or has no valid box). The frame's index is its number in the crop names.
package struct PreparationVideo: Sendable {
    /// The train.json key and crop folder (relative to the crop root).
    package var name: String
    package var frames: [URL]
    package var boxes: [Corner?]

    package init(name: String, frames: [URL], boxes: [Corner?]) {
        precondition(frames.count == boxes.count)
        self.name = name
        self.frames = frames
        self.boxes = boxes
    }

    /// The frames gen_json.py's rule keeps (boxes with positive size, in snippets of 2+ frames).
    package var keptFrames: [Int] {
        let annotated = boxes.indices.filter { i in
            guard let b = boxes[i] else { return false }
            return b.width > 0 && b.height > 0 && b.values.allSatisfy(\.isFinite)
        }
        return SiamTrain.keptFrames(annotated)
    }
}

/// What a preparation did.
package struct PreparationReport: Sendable {
    package var videos = 0
    package var framesWritten = 0
    /// Frames whose two crops were already there (a resumed run).
    package var framesSkipped = 0
    /// `video: reason` for each video that failed (the others are prepared; train.json lists only complete videos).
    package var failures: [String] = []
}

/// pysot's training layout under `output`: `crop<instanceSize>/<video>/<frame %06d>.00.{x,z}.jpg`
/// (JPEG quality 95, cv2.imwrite's default) and `train.json` beside it. Each frame is cropped with
/// `crop_like_SiamFC` (padding = the frame's channel mean). Resumable: a frame whose two crops
/// exist is skipped, each crop is written under a temporary name and renamed, and train.json is
/// written last (atomically), listing the videos whose every kept frame has both crops.
package struct DatasetPreparation: Sendable {
    package var output: URL
    package var instanceSize: Int
    package var exemplarSize: Int
    package var jobs: Int

    package init(output: URL, instanceSize: Int = 511, exemplarSize: Int = 127, jobs: Int = 1) {
        self.output = output
        self.instanceSize = instanceSize
        self.exemplarSize = exemplarSize
        self.jobs = max(1, jobs)
    }

    package var cropRoot: URL { output.appendingPathComponent("crop\(instanceSize)") }
    package var annotationFile: URL { output.appendingPathComponent("train.json") }

    /// Prepares every video; `progress(done, total, video, written, skipped)` is called (serially)
    /// as each video finishes.
    package func run(_ videos: [PreparationVideo], progress: @escaping @Sendable (Int, Int, String, Int, Int) -> Void = { _, _, _, _, _ in })
        throws -> PreparationReport
    {
        try FileManager.default.createDirectory(at: cropRoot, withIntermediateDirectories: true)
        final class State: @unchecked Sendable {
            // Guarded by `lock`.
            let lock = NSLock()
            var next = 0
            var done = 0
            var report = PreparationReport()
            var tracks: [String: TrainingAnnotations.Track] = [:]
        }
        let state = State()
        state.report.videos = videos.count
        DispatchQueue.concurrentPerform(iterations: min(jobs, max(1, videos.count))) { _ in
            while true {
                state.lock.lock()
                let index = state.next
                state.next += 1
                state.lock.unlock()
                guard index < videos.count else { return }
                let video = videos[index]
                let result = Result { try prepare(video) }
                state.lock.lock()
                state.done += 1
                switch result {
                case .success(let (track, written, skipped)):
                    state.report.framesWritten += written
                    state.report.framesSkipped += skipped
                    if let track { state.tracks[video.name] = track }
                    progress(state.done, videos.count, video.name, written, skipped)
                case .failure(let error):
                    state.report.failures.append("\(video.name): \(error)")
                    progress(state.done, videos.count, video.name, 0, 0)
                }
                state.lock.unlock()
            }
        }
        let annotations = TrainingAnnotations(
            videos: videos.compactMap { v in state.tracks[v.name].map { TrainingAnnotations.Video(name: v.name, tracks: [$0]) } })
        try annotations.write(to: annotationFile)
        return state.report
    }

    /// Crops one video's kept frames (skipping those already written); its train.json track.
    func prepare(_ video: PreparationVideo) throws -> (TrainingAnnotations.Track?, Int, Int) {
        let kept = video.keptFrames
        guard !kept.isEmpty else { return (nil, 0, 0) }
        let folder = cropRoot.appendingPathComponent(video.name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var written = 0
        var skipped = 0
        var boxes: [Int: [Double]] = [:]
        for frame in kept {
            let box = video.boxes[frame]!
            boxes[frame] = box.values
            let z = folder.appendingPathComponent(CropLayout.fileName(frame: frame, track: 0, kind: .exemplar))
            let x = folder.appendingPathComponent(CropLayout.fileName(frame: frame, track: 0, kind: .search))
            if Self.isNonEmptyFile(z), Self.isNonEmptyFile(x) {
                skipped += 1
                continue
            }
            let image = try Image.load(contentsOf: video.frames[frame])
            let crops = cropLikeSiamFC(
                image, box: box, exemplarSize: exemplarSize, instanceSize: instanceSize, padding: image.channelMeans())
            try crops.z.write(to: z)
            try crops.x.write(to: x)
            written += 1
        }
        return (TrainingAnnotations.Track(name: "00", frames: kept, boxes: boxes), written, skipped)
    }

    static func isNonEmptyFile(_ url: URL) -> Bool {
        ((try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0) > 0
    }
}
