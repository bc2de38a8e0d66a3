// Mirrors pysot/datasets/dataset.py: SubDataset (shuffle, get_image_anno, get_positive_pair, get_random_target)
import Foundation
import SiamRPN

/// One frame of a training pair: its crop file and its train.json box (corners or `[w, h]`).
package struct FrameReference: Sendable, Equatable {
    /// `ROOT/<video>/<frame:06d>.<track>.x.jpg`.
    package var path: URL
    package var box: [Double]
}

/// One `DATASET.<NAME>` as pysot's `SubDataset` samples it: its videos (train.json order), the
/// index range `startIndex ..< startIndex + count` in the combined dataset, and `pick`.
///
/// `pick`: `lists = [start, start + count)`; while `pick` holds fewer than NUM_USE (all videos for
/// -1): `np.random.shuffle(lists)` (in place, cumulatively) and append it; cut to NUM_USE.
package struct SubDataset: Sendable {
    package var name: String
    package var root: URL
    package var videos: [TrainingAnnotations.Video]
    package var frameRange: Int
    package var numUse: Int
    package var startIndex: Int
    package var pick: [Int]

    package var count: Int { videos.count }

    package init(
        name: String, root: URL, annotations: TrainingAnnotations, frameRange: Int, numUse: Int, startIndex: Int,
        random: inout NumPyRandomState
    ) throws {
        guard !annotations.videos.isEmpty else {
            throw TrainingDataError("DATASET.\(name): its train.json has no video with a non-empty box; pysot would loop forever")
        }
        guard frameRange >= 0 else {
            throw TrainingDataError("DATASET.\(name).FRAME_RANGE is \(frameRange); it must be 0 or more frames")
        }
        self.name = name
        self.root = root
        videos = annotations.videos
        self.frameRange = frameRange
        self.numUse = numUse == -1 ? annotations.videos.count : numUse
        self.startIndex = startIndex
        var lists = Array(startIndex..<(startIndex + annotations.videos.count))
        var pick: [Int] = []
        while pick.count < self.numUse {
            random.shuffle(&lists)
            pick += lists
        }
        self.pick = Array(pick.prefix(max(0, self.numUse)))
    }

    /// `get_image_anno(video, track, frame)`.
    func frame(_ video: TrainingAnnotations.Video, _ track: TrainingAnnotations.Track, _ frame: Int) -> FrameReference {
        let file = String(format: "%06d.%@.x.jpg", frame, track.name)
        return FrameReference(path: root.appendingPathComponent(video.name).appendingPathComponent(file), box: track.boxes[frame] ?? [])
    }

    /// `get_positive_pair(index)`: `choice(tracks)`, template `randint(0, len(frames))`, search
    /// `choice(frames[max(t - FRAME_RANGE, 0) : min(t + FRAME_RANGE, len - 1) + 1])`.
    package func positivePair(_ index: Int, random: inout NumPyRandomState) -> (template: FrameReference, search: FrameReference) {
        let video = videos[index]
        let track = random.choice(video.tracks)
        let frames = track.frames
        let t = random.randint(frames.count)
        let left = max(t - frameRange, 0)
        let right = min(t + frameRange, frames.count - 1) + 1
        let searchFrame = random.choice(Array(frames[left..<right]))
        return (frame(video, track, frames[t]), frame(video, track, searchFrame))
    }

    /// `get_random_target(index)`: a random video when `index` is nil (`randint(0, num)`), then
    /// `choice(tracks)`, `choice(frames)`.
    package func randomTarget(_ index: Int?, random: inout NumPyRandomState) -> FrameReference {
        let video = videos[index ?? random.randint(count)]
        let track = random.choice(video.tracks)
        return frame(video, track, random.choice(track.frames))
    }
}
