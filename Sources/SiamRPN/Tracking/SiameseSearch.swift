// Mirrors pysot/tracker/siamrpn_tracker.py: SiamRPNTracker.init / track (shared by both trackers)
import Foundation
import SiamNN

/// The part of pysot's SiamRPN trackers that both the short- and the long-term tracker share:
/// the template at `initialize`, and one search (crop, network, scores, penalties, window,
/// argmax) per frame. It keeps the per-target state: centre and size (pixels, Double, as pysot's
/// float64 numpy arrays), the channel average, the template kernels and, per search size, a
/// `SizedSearch` (workspace with the kernels already in it, anchors, window, score arrays), so
/// that a search allocates nothing after the first one of its size.
///
/// Numeric types follow pysot under numpy 1.24: scores, decoded boxes and penalties are Float32,
/// the window and the window-weighted score Double, the box update Double.
final class SiameseSearch {
    let model: SiamRPNModel
    let track: TrackConfig
    let anchor: AnchorConfig
    var centerX = 0.0, centerY = 0.0
    var width = 0.0, height = 0.0
    var channelAverage: [Double] = [0, 0, 0]
    var template: TemplateFeatures?
    var imageSize: (width: Int, height: Int) = (0, 0)
    private var searches: [Int: SizedSearch] = [:]
    /// The template branch's memory, kept for re-initialisations (its Winograd scratch alone is
    /// megabytes: allocating it per `initialize` cost more than the branch itself).
    private var templateWorkspace: Workspace?
    private var cropScratch = ResizeScratch()

    init(model: SiamRPNModel, track: TrackConfig, anchor: AnchorConfig) {
        self.model = model
        self.track = track
        self.anchor = anchor
    }

    /// Score map side for a search crop of `instanceSize`.
    func scoreSize(instanceSize: Int) -> Int {
        (instanceSize - track.exemplarSize) / anchor.stride + 1 + track.baseSize
    }

    /// Sets the target from `initBox` on `image`; the template branch runs in `templateWorkspace`
    /// when given (a `MultiTracker` shares one for all its targets), else in the search's own.
    func initialize(image: Image, box initBox: Box, templateWorkspace shared: Workspace? = nil) throws {
        let box = try TrackerError.checkInitialBox(initBox, in: image)
        let side = try SearchRegion.templateSide(
            for: box, contextAmount: track.contextAmount,
            imageWidth: image.width, imageHeight: image.height)
        centerX = box.x + (box.width - 1) / 2
        centerY = box.y + (box.height - 1) / 2
        width = box.width
        height = box.height
        imageSize = (image.width, image.height)
        channelAverage = image.channelMeans()
        let crop = contextCrop(
            image, centerX: centerX, centerY: centerY, modelSize: track.exemplarSize,
            originalSize: side, average: channelAverage)
        let tws = try shared ?? templateWorkspace ?? Workspace(plan: model.templatePlan(height: track.exemplarSize, width: track.exemplarSize))
        if shared == nil { templateWorkspace = tws }
        template = model.templateFeatures(networkInput(fromBGR: crop, size: track.exemplarSize), workspace: tws)
        searches = [:]
    }

    /// The decode of one score-map size, kept between frames. The arrays hold the last search's
    /// softmax foreground probabilities, decoded boxes `[cx, cy, w, h]` rows (crop pixels
    /// relative to the crop centre), penalties and window-weighted scores, indexed like `anchors`.
    final class Scores {
        let scoreSize: Int
        let anchors: Anchors
        let window: [Double]
        var score: [Float]
        var boxes: [Float]
        var penalty: [Float] = []
        var pscore: [Double] = []

        init(scoreSize: Int, anchors: Anchors, window: [Double]) {
            self.scoreSize = scoreSize
            self.anchors = anchors
            self.window = window
            score = [Float](repeating: 0, count: anchors.count)
            boxes = [Float](repeating: 0, count: 4 * anchors.count)
        }
    }

    /// What a search of one crop size keeps between frames: its workspace (kernels set once) and
    /// its `Scores`.
    final class SizedSearch {
        let workspace: Workspace
        let scores: Scores

        init(workspace: Workspace, scores: Scores) {
            self.workspace = workspace
            self.scores = scores
        }
    }

    /// The outcome of one search. The arrays and tensors are those of its `SizedSearch`, valid
    /// until the next search of the same size.
    struct Step {
        var instanceSize: Int
        var region: SearchRegion
        let buffers: SizedSearch
        /// The best index, its prediction relative to the previous centre and the size learning rate.
        var choice: PenalizedChoice

        var scoreSize: Int { buffers.scores.scoreSize }
        var score: [Float] { buffers.scores.score }
        var boxes: [Float] { buffers.scores.boxes }
        var penalty: [Float] { buffers.scores.penalty }
        var pscore: [Double] { buffers.scores.pscore }
        /// Copies of the raw outputs: cls `[1, 2A, S, S]`, loc `[1, 4A, S, S]`.
        var cls: Tensor { buffers.workspace.tensor(buffers.workspace.plan.graph.outputValues[0]) }
        var loc: Tensor { buffers.workspace.tensor(buffers.workspace.plan.graph.outputValues[1]) }
        var best: Int { choice.best }
        /// `boxes[best] / scale_z` (Float32), image pixels relative to the previous centre.
        var delta: [Float] { [choice.delta[0], choice.delta[1], choice.delta[2], choice.delta[3]] }
        var lr: Double { choice.lr }
        var bestScore: Float { buffers.scores.score[best] }
    }

    func search(image: Image, instanceSize: Int, windowInfluence: Double) throws -> Step {
        let region = try searchRegion(image: image, instanceSize: instanceSize)
        let sized = try searches[instanceSize] ?? makeSearch(instanceSize: instanceSize, template: template!)
        OperationTimer.measure("crop") {
            sized.workspace.withInputBuffer(0) { writeCrop(image, region: region, instanceSize: instanceSize, into: $0) }
        }
        sized.workspace.run()
        let choice = OperationTimer.measure("post-processing") {
            let out = sized.workspace.plan.graph.outputValues
            return sized.workspace.withValueBuffer(out[0]) { cls in
                sized.workspace.withValueBuffer(out[1]) { loc in
                    choose(cls: cls, loc: loc, into: sized.scores, region: region, windowInfluence: windowInfluence)
                }
            }
        }
        return Step(instanceSize: instanceSize, region: region, buffers: sized, choice: choice)
    }

    /// The search region of the next frame; throws unless the target is set and `image` has the
    /// first frame's size.
    func searchRegion(image: Image, instanceSize: Int) throws -> SearchRegion {
        guard template != nil else { throw TrackerError.notInitialized }
        guard image.width == imageSize.width && image.height == imageSize.height else {
            throw TrackerError.imageSizeChanged(expected: imageSize, actual: (image.width, image.height))
        }
        return try SearchRegion(
            width: width, height: height, contextAmount: track.contextAmount,
            exemplarSize: track.exemplarSize, instanceSize: instanceSize)
    }

    /// Writes the search crop of `region`, resized to `instanceSize`, into a network input: image
    /// `image` of a channel-major batch of `batch` (`values` holds `3 x batch x side x side`).
    func writeCrop(
        _ frame: Image, region: SearchRegion, instanceSize: Int, into values: UnsafeMutableBufferPointer<Float>, image: Int = 0,
        batch: Int = 1
    ) {
        writeContextCrop(
            frame, centerX: centerX, centerY: centerY, modelSize: instanceSize,
            originalSize: region.cropSize, average: channelAverage, scratch: &cropScratch, into: values, image: image, batch: batch)
    }

    /// A new `Scores` for a search crop of `instanceSize` (anchors and window).
    func makeScores(instanceSize: Int) -> Scores {
        let s = scoreSize(instanceSize: instanceSize)
        return Scores(
            scoreSize: s, anchors: Anchors(stride: anchor.stride, ratios: anchor.ratios, scales: anchor.scales, scoreSize: s),
            window: cosineWindow(scoreSize: s, anchorCount: anchor.anchorNum))
    }

    /// The workspace (with the template's kernels set once), anchors and window of one search size.
    private func makeSearch(instanceSize: Int, template: TemplateFeatures) throws -> SizedSearch {
        let plan = try model.searchPlan(height: instanceSize, width: instanceSize, template: template)
        try checkOutputs(of: plan, instanceSize: instanceSize)
        let workspace = Workspace(plan: plan)
        model.setKernels(template, in: workspace)
        let sized = SizedSearch(workspace: workspace, scores: makeScores(instanceSize: instanceSize))
        searches[instanceSize] = sized
        return sized
    }

    /// pysot's state update after a short-term search (move by `choice`, clip to the image) and
    /// the frame's result.
    func update(with choice: PenalizedChoice, bestScore: Float, lostThreshold: Double) -> TrackResult {
        let (ccx, ccy, cw, ch) = choice.updatedState(
            centerX: centerX, centerY: centerY, width: width, height: height, imageWidth: imageSize.width,
            imageHeight: imageSize.height)
        (centerX, centerY, width, height) = (ccx, ccy, cw, ch)
        return TrackResult(
            box: Box(centerX: ccx, centerY: ccy, width: cw, height: ch), score: bestScore, isLost: Double(bestScore) < lostThreshold)
    }

    /// Throws unless `plan`'s outputs are the score maps TRACK/ANCHOR expect for `instanceSize`.
    func checkOutputs(of plan: Plan, instanceSize: Int) throws {
        let s = scoreSize(instanceSize: instanceSize)
        let out = plan.graph.outputValues
        guard plan.shapes[out[0].id] == [2 * anchor.anchorNum, s, s], plan.shapes[out[1].id] == [4 * anchor.anchorNum, s, s] else {
            throw TrackerError.unsupported(
                "the network gives a \([1] + plan.shapes[out[0].id]) score map for a \(instanceSize) search crop, but TRACK/ANCHOR "
                    + "expect [1, \(2 * anchor.anchorNum), \(s), \(s)]: check INSTANCE_SIZE, BASE_SIZE and ANCHOR in the config")
        }
    }

    /// pysot's `_convert_score`, `_convert_bbox`, penalties, window and argmax on the network's
    /// outputs `cls` `[2A, S, S]` and `loc` `[4A, S, S]` (CHW, one image), into `scores`' arrays.
    func choose(
        cls: UnsafeBufferPointer<Float>, loc: UnsafeBufferPointer<Float>, into scores: Scores, region: SearchRegion,
        windowInfluence: Double
    ) -> PenalizedChoice {
        let n = scores.anchors.count
        // cls channel a is background, channel A + a foreground (pysot _convert_score);
        // loc channel k*A + a is delta k of anchor a (pysot _convert_bbox).
        scores.anchors.values.withUnsafeBufferPointer { a in
            scores.score.withUnsafeMutableBufferPointer { score in
                scores.boxes.withUnsafeMutableBufferPointer { boxes in
                    for i in 0..<n {
                        score[i] = foregroundProbability(background: cls[i], foreground: cls[n + i])
                        let aw = a[4 * i + 2]
                        let ah = a[4 * i + 3]
                        boxes[4 * i] = loc[i] * aw + a[4 * i]
                        boxes[4 * i + 1] = loc[n + i] * ah + a[4 * i + 1]
                        boxes[4 * i + 2] = Foundation.exp(loc[2 * n + i]) * aw
                        boxes[4 * i + 3] = Foundation.exp(loc[3 * n + i]) * ah
                    }
                }
            }
        }
        return PenalizedChoice(
            boxes: scores.boxes, score: scores.score, window: scores.window, width: width, height: height,
            scaleZ: region.scaleZ, penaltyK: track.penaltyK, windowInfluence: windowInfluence,
            learningRate: track.lr, penalty: &scores.penalty, pscore: &scores.pscore)
    }
}
