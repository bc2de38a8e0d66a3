// The README's library example: track one target through a video or image folder with the
// bundled NanoTrackV3 (or a pysot model) and print one box per frame (x,y,w,h).
//
//   TrackVideo [VIDEO_OR_FOLDER x,y,w,h [CONFIG SNAPSHOT]]
//
// Without arguments it tracks the bundled bag.avi from its first ground-truth box.
import Foundation
import SiamRPN

func box(_ text: String) -> Box? {
    let v = text.split(separator: ",").compactMap { Double($0) }
    return v.count == 4 ? Box(x: v[0], y: v[1], width: v[2], height: v[3]) : nil
}

let arguments = Array(CommandLine.arguments.dropFirst())
do {
    let video = arguments.first ?? BundledDemo.video.path
    guard let start = arguments.count >= 2 ? box(arguments[1]) : try BundledDemo.initBox() else {
        throw TrackerError.unsupported("the box must be x,y,w,h")
    }
    let model =
        arguments.count >= 4
        ? try TrackingModel.load(config: URL(fileURLWithPath: arguments[2]), snapshot: URL(fileURLWithPath: arguments[3]))
        : try TrackingModel.bundled()  // stateless: share it between threads

    let tracker = try model.makeTracker()  // holds one target's state
    let frames = try FrameSources.open(video)  // a video file or an image folder
    guard let first = try frames.next() else { throw FrameSourceError.noImages(folder: video) }
    try tracker.initialize(image: first, box: start)
    print(start)
    while let frame = try frames.next() {
        let result = try tracker.update(image: frame)  // result.box, .score, .isLost
        print(result.box)
    }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
