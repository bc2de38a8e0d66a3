// Mirrors NanoTrack nanotrack/tracker/nano_tracker.py: NanoTracker
import Foundation
import SiamNN

/// NanoTrack's anchor-free tracker on a `NanoTrackModel`.
///
/// `initialize` crops the template (side `round(sqrt(w_z h_z))`, half to even, around
/// `x + (w - 1) / 2`) and runs the template branch once; `update` crops the search region
/// (side `round(s_x)` with `s_x = sqrt(w_z h_z) * 255 / 127`), runs the search branch, and
/// decodes every point `(ori + stride c, ori + stride r)`, `ori = -(S / 2) * stride`, as the box
/// `[p - (l, t), p + (r, b)]` from the network's distances. The choice (penalties, cosine window,
/// argmax, size learning rate) and the box update (clip centre to the image, size to [10, W/H])
/// are pysot's, shared with `SiamRPNTracker` (`PenalizedChoice`). Numeric types follow NanoTrack
/// under numpy 1.24: score, points, boxes, penalties Float32; window and weighted scores Double;
/// the state Double. NanoTrack has no lost mode: the tracker always moves to the best point.
///
/// The tracker owns its workspaces, crop scratch and score buffers: after the first frame,
/// `update` allocates nothing. One model can serve many trackers; a tracker is used from one thread at
/// a time.
public final class NanoTracker {
    public let model: NanoTrackModel
    public let config: NanoTrackConfig
    /// `isLost` is reported when the chosen point's target probability falls below this
    /// (default 0.5: the classifier says background is likelier than the target there). It
    /// does not change the tracking.
    public var lostThreshold: Double

    var centerX = 0.0, centerY = 0.0, width = 0.0, height = 0.0
    var channelAverage: [Double] = [0, 0, 0]
    var imageSize: (width: Int, height: Int) = (0, 0)
    var template: TemplateFeatures?
    /// Points `[x, y]` per score-map cell, crop pixels relative to the crop centre.
    let points: [Float]
    let window: [Double]
    private var templateWorkspace: Workspace?
    private var searchWorkspace: Workspace?
    private var cropScratch = ResizeScratch()
    // Per-frame results (reused): target probability, boxes `[cx, cy, w, h]` per point,
    // penalties, window-weighted scores.
    var score: [Float]
    var boxes: [Float]
    var penalty: [Float] = []
    var pscore: [Double] = []

    public init(model: NanoTrackModel, config: NanoTrackConfig = .v3, lostThreshold: Double = 0.5) {
        self.model = model
        self.config = config
        self.lostThreshold = lostThreshold
        let s = config.outputSize
        points = Self.points(stride: config.pointStride, size: s)
        window = cosineWindow(scoreSize: s, anchorCount: 1)
        score = [Float](repeating: 0, count: s * s)
        boxes = [Float](repeating: 0, count: 4 * s * s)
    }

    /// NanoTrack's `generate_points`: row-major `[x, y]` pairs, `x = ori + stride * col`,
    /// `y = ori + stride * row`, `ori = -(size / 2) * stride` (symmetric for odd sizes; for 16 the
    /// zero point is at index 8).
    static func points(stride: Int, size: Int) -> [Float] {
        let ori = -(size / 2) * stride
        var p = [Float](repeating: 0, count: 2 * size * size)
        for r in 0..<size {
            for c in 0..<size {
                p[2 * (r * size + c)] = Float(ori + stride * c)
                p[2 * (r * size + c) + 1] = Float(ori + stride * r)
            }
        }
        return p
    }

    /// Target centre and size in image pixels (NanoTrack's `center_pos`, `size`).
    public var state: (centerX: Double, centerY: Double, width: Double, height: Double) {
        (centerX, centerY, width, height)
    }

    /// Sets the target from `box` on the first frame. Throws `TrackerError` for a box with no
    /// area or entirely outside the image, `PlanError` when the configured crop sizes do not fit
    /// the network.
    public func initialize(image: Image, box initBox: Box) throws {
        let box = try TrackerError.checkInitialBox(initBox, in: image)
        let side = try SearchRegion.templateSide(
            for: box, contextAmount: config.contextAmount,
            imageWidth: image.width, imageHeight: image.height)
        let cx = box.x + (box.width - 1) / 2
        let cy = box.y + (box.height - 1) / 2
        let average = image.channelMeans()
        let crop = contextCrop(
            image, centerX: cx, centerY: cy, modelSize: config.exemplarSize,
            originalSize: side, average: average)
        let tws = try templateWorkspace ?? Workspace(plan: model.templatePlan(height: config.exemplarSize, width: config.exemplarSize))
        templateWorkspace = tws
        let features = model.templateFeatures(networkInput(fromBGR: crop, size: config.exemplarSize), workspace: tws)
        let sws = try searchWorkspace ?? makeSearchWorkspace(template: features)
        searchWorkspace = sws
        model.setKernels(features, in: sws)
        (centerX, centerY, width, height) = (cx, cy, box.width, box.height)
        imageSize = (image.width, image.height)
        channelAverage = average
        template = features
    }

    private func makeSearchWorkspace(template: TemplateFeatures) throws -> Workspace {
        let plan = try model.searchPlan(height: config.instanceSize, width: config.instanceSize, template: template)
        let s = config.outputSize
        let out = model.searchGraph.outputValues
        guard plan.shapes[out[0].id] == [2, s, s], plan.shapes[out[1].id] == [4, s, s] else {
            throw TrackerError.unsupported(
                "the network gives a \(plan.shapes[out[0].id]) score map for a \(config.instanceSize) search crop, but "
                    + "OUTPUT_SIZE is \(s): check INSTANCE_SIZE and OUTPUT_SIZE")
        }
        return Workspace(plan: plan)
    }

    /// Tracks the target into `image` (same size as the first frame).
    public func update(image: Image) throws -> TrackResult {
        apply(try search(image: image))
    }

    /// The crop geometry and choice of one search.
    struct Step {
        var region: SearchRegion
        var choice: PenalizedChoice
    }

    /// Crops, runs the network and chooses the best point from the current state; fills
    /// `score`, `boxes`, `penalty` and `pscore`. Does not change the state.
    func search(image: Image) throws -> Step {
        guard template != nil, let workspace = searchWorkspace else { throw TrackerError.notInitialized }
        guard image.width == imageSize.width && image.height == imageSize.height else {
            throw TrackerError.imageSizeChanged(expected: imageSize, actual: (image.width, image.height))
        }
        let region = try SearchRegion(
            width: width, height: height, contextAmount: config.contextAmount,
            exemplarSize: config.exemplarSize, instanceSize: config.instanceSize)
        OperationTimer.measure("crop") {
            workspace.withInputBuffer(0) {
                writeContextCrop(
                    image, centerX: centerX, centerY: centerY, modelSize: config.instanceSize,
                    originalSize: region.cropSize, average: channelAverage, scratch: &cropScratch, into: $0)
            }
        }
        workspace.run()
        return OperationTimer.measure("post-processing") {
            decodeOutputs(workspace)
            let choice = PenalizedChoice(
                boxes: boxes, score: score, window: window, width: width, height: height,
                scaleZ: region.scaleZ, penaltyK: config.penaltyK, windowInfluence: config.windowInfluence,
                learningRate: config.lr, penalty: &penalty, pscore: &pscore)
            return Step(region: region, choice: choice)
        }
    }

    /// NanoTrack's `_convert_score` and `_convert_bbox` (Float32) into `score` and `boxes`.
    private func decodeOutputs(_ workspace: Workspace) {
        let out = model.searchGraph.outputValues
        let n = score.count
        workspace.withValueBuffer(out[0]) { cls in
            workspace.withValueBuffer(out[1]) { loc in
                points.withUnsafeBufferPointer { pt in
                    score.withUnsafeMutableBufferPointer { sc in
                        boxes.withUnsafeMutableBufferPointer { bx in
                            for i in 0..<n {
                                sc[i] = foregroundProbability(background: cls[i], foreground: cls[n + i])
                                let px = pt[2 * i]
                                let py = pt[2 * i + 1]
                                let x1 = px - loc[i]
                                let y1 = py - loc[n + i]
                                let x2 = px + loc[2 * n + i]
                                let y2 = py + loc[3 * n + i]
                                bx[4 * i] = (x1 + x2) * 0.5
                                bx[4 * i + 1] = (y1 + y2) * 0.5
                                bx[4 * i + 2] = x2 - x1
                                bx[4 * i + 3] = y2 - y1
                            }
                        }
                    }
                }
            }
        }
    }

    /// Moves the state to the step's choice and reports it.
    func apply(_ step: Step) -> TrackResult {
        (centerX, centerY, width, height) = step.choice.updatedState(
            centerX: centerX, centerY: centerY, width: width, height: height,
            imageWidth: imageSize.width, imageHeight: imageSize.height)
        let best = score[step.choice.best]
        return TrackResult(
            box: Box(centerX: centerX, centerY: centerY, width: width, height: height), score: best,
            isLost: Double(best) < lostThreshold)
    }

    /// Copies of the last search's raw outputs: cls logits `[1, 2, S, S]`, loc `[1, 4, S, S]`.
    func networkOutputs() -> (cls: Tensor, loc: Tensor)? {
        guard let ws = searchWorkspace else { return nil }
        let out = model.searchGraph.outputValues
        return (ws.tensor(out[0]), ws.tensor(out[1]))
    }
}

extension NanoTracker: ObjectTracker {}
