import Foundation
import Testing

@testable import SiamRPN

/// Every init box that parses is either tracked or refused with a `TrackerError`: no box may make
/// a tracker trap or allocate without bound (huge, tiny, extreme aspect ratios, at every edge).
struct ExtremeBoxTests {
    /// Boxes on a 480x360 frame: far larger than the frame, vanishing, extreme aspect ratios,
    /// over each edge and corner, the whole frame, one pixel.
    static let boxes: [Box] = [
        Box(x: 350, y: 230, width: 1e6, height: 1e6), Box(x: -1e6, y: -1e6, width: 2e6 + 10, height: 2e6 + 10),
        Box(x: 10, y: 10, width: 1e-6, height: 1e-6), Box(x: 10, y: 10, width: 1e-6, height: 50),
        Box(x: 0, y: 100, width: 1e6, height: 1), Box(x: 100, y: 0, width: 1, height: 1e6),
        Box(x: 0, y: 0, width: 480, height: 0.5), Box(x: -40, y: -40, width: 60, height: 60),
        Box(x: 460, y: 340, width: 60, height: 60), Box(x: -40, y: 300, width: 60, height: 60),
        Box(x: 460, y: -40, width: 60, height: 60), Box(x: 0, y: 0, width: 480, height: 360),
        Box(x: 479, y: 359, width: 1, height: 1), Box(x: 479.9, y: 0, width: 0.2, height: 360),
        Box(x: 1e15, y: 1e15, width: 1e16, height: 1e16), Box(x: 0, y: 0, width: 1e300, height: 1e300)
    ]

    /// Initialises on frame 0 and tracks the next `count - 1` frames; a refusal must be a `TrackerError`, a track
    /// must stay finite and inside the frame.
    static func exercise(_ makeTracker: () throws -> any ObjectTracker, name: String, frames count: Int = 4) throws {
        let frames = try (0..<count).map { try TrackerStepTests.frame($0) }
        var tracked = 0
        for box in boxes {
            let tracker = try makeTracker()
            do {
                try tracker.initialize(image: frames[0], box: box)
            } catch is TrackerError {
                continue
            }
            for frame in frames.dropFirst() {
                let b = try tracker.update(image: frame).box
                #expect(
                    b.x.isFinite && b.y.isFinite && b.width >= 10 && b.height >= 10 && b.width <= 480 && b.height <= 360,
                    "\(name) from \(box): \(b)")
            }
            tracked += 1
        }
        // The tiny (< 1 px template region) boxes are refused; every other one is tracked.
        #expect(tracked == boxes.count - 2, "\(name): tracked \(tracked) of \(boxes.count)")
    }

    @Test func nanoTrackerTracksOrRefusesEveryBox() throws {
        let model = try TrackingModel.bundled()
        try Self.exercise({ try model.makeTracker() }, name: "NanoTracker")
    }

    @Test func siamRPNTrackersTrackOrRefuseEveryBox() throws {
        let run = try TrackerStepTests.Run("siamrpn_alex_dwxcorr")
        // One search each: the long-term tracker's lost-mode searches (831 px) are slow.
        try Self.exercise({ SiamRPNTracker(model: run.model, track: run.track, anchor: run.anchor) }, name: "SiamRPNTracker", frames: 2)
        try Self.exercise({ SiamRPNLTTracker(model: run.model, track: run.track, anchor: run.anchor) }, name: "SiamRPNLTTracker", frames: 2)
    }

    @Test func aBoxLargerThanTheFrameBecomesItsPartInsideTheFrame() {
        #expect(
            Box(x: 350, y: 230, width: 1e6, height: 1e6).clippedForTracking(imageWidth: 480, imageHeight: 360)
                == Box(x: 350, y: 230, width: 130, height: 130))
        #expect(
            Box(x: -10, y: 5, width: 500, height: 20).clippedForTracking(imageWidth: 480, imageHeight: 360)
                == Box(x: 0, y: 5, width: 480, height: 20))
        // Boxes that fit the frame stay as pysot takes them, even when partly outside.
        let overEdge = Box(x: -40, y: -40, width: 60, height: 60)
        #expect(overEdge.clippedForTracking(imageWidth: 480, imageHeight: 360) == overEdge)
    }

    @Test func searchRegionsBeyondAnyFrameThrowInsteadOfTrapping() throws {
        for size in [1e30, .infinity, .nan] {
            #expect(throws: TrackerError.self) {
                try SearchRegion(width: size, height: 10, contextAmount: 0.5, exemplarSize: 127, instanceSize: 255)
            }
        }
        let region = try SearchRegion(width: 100, height: 50, contextAmount: 0.5, exemplarSize: 127, instanceSize: 255)
        // pysot: s_z = sqrt((100 + 75) * (50 + 75)), s_x = s_z * 255 / 127.
        let sZ = (175.0 * 125).squareRoot()
        #expect(region.sZ == sZ && region.sX == sZ * (255.0 / 127.0) && region.cropSize == Int((sZ * (255.0 / 127.0)).rounded(.toNearestOrEven)))
    }

    @Test func aCropOfAHugeRegionNeedsNoHugeBuffer() throws {
        // A 10^7-pixel context region around a 480x360 frame: the crop is resized from a virtual
        // padded window, so only the 127x127 output is allocated. Far from the image every pixel
        // is the fill colour.
        let frame = try TrackerStepTests.frame(0)
        let crop = contextCrop(frame, centerX: 240, centerY: 180, modelSize: 127, originalSize: 10_000_000, average: [11.9, 22, 33.5])
        #expect(crop.count == 127 * 127 * 3)
        #expect(crop[0] == 11 && crop[1] == 22 && crop[2] == 33)
        #expect(crop[(127 * 127 - 1) * 3] == 11)
    }
}
