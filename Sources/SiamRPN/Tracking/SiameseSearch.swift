// Mirrors pysot/tracker/siamrpn_tracker.py: SiamRPNTracker.init / track (shared by both trackers)
import Foundation
import SiamNN

/// The part of pysot's SiamRPN trackers that both the short- and the long-term tracker share:
/// the template at `initialize`, and one search (crop, network, scores, penalties, window,
/// argmax) per frame. It keeps the per-target state: centre and size (pixels, Double, as pysot's
/// float64 numpy arrays), the channel average, the template kernels and one workspace per
/// search size, so the network never allocates; a frame allocates its crop, the network input
/// and the per-anchor score arrays of its `Step` (tens of kilobytes, kept for diagnostics).
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
    private var workspaces: [Int: Workspace] = [:]
    private var geometry: [Int: (anchors: Anchors, window: [Double])] = [:]

    init(model: SiamRPNModel, track: TrackConfig, anchor: AnchorConfig) {
        self.model = model
        self.track = track
        self.anchor = anchor
    }

    /// Score map side for a search crop of `instanceSize`.
    func scoreSize(instanceSize: Int) -> Int {
        (instanceSize - track.exemplarSize) / anchor.stride + 1 + track.baseSize
    }

    func initialize(image: Image, box initBox: Box) throws {
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
        template = try model.templateFeatures(networkInput(fromBGR: crop, size: track.exemplarSize))
        workspaces = [:]
    }

    /// The outcome of one search.
    struct Step {
        var instanceSize: Int
        var scoreSize: Int
        var region: SearchRegion
        var cls: Tensor
        var loc: Tensor
        /// Softmax foreground probabilities, decoded boxes `[cx, cy, w, h]` rows (crop pixels
        /// relative to the crop centre), penalties and window-weighted scores, indexed like `Anchors`.
        var score: [Float]
        var boxes: [Float]
        var penalty: [Float]
        var pscore: [Double]
        /// The best index, its prediction relative to the previous centre and the size learning rate.
        var choice: PenalizedChoice
        var best: Int { choice.best }
        /// `boxes[best] / scale_z` (Float32), image pixels relative to the previous centre.
        var delta: [Float] { [choice.delta[0], choice.delta[1], choice.delta[2], choice.delta[3]] }
        var lr: Double { choice.lr }
        var bestScore: Float { score[best] }
    }

    func search(image: Image, instanceSize: Int, windowInfluence: Double) throws -> Step {
        guard let template else { throw TrackerError.notInitialized }
        guard image.width == imageSize.width && image.height == imageSize.height else {
            throw TrackerError.imageSizeChanged(expected: imageSize, actual: (image.width, image.height))
        }
        let region = try SearchRegion(
            width: width, height: height, contextAmount: track.contextAmount,
            exemplarSize: track.exemplarSize, instanceSize: instanceSize)
        let x = OperationTimer.measure("crop") {
            networkInput(
                fromBGR: contextCrop(
                    image, centerX: centerX, centerY: centerY, modelSize: instanceSize,
                    originalSize: region.cropSize, average: channelAverage),
                size: instanceSize)
        }
        let workspace =
            try workspaces[instanceSize]
            ?? {
                let ws = Workspace(plan: try model.searchPlan(height: instanceSize, width: instanceSize, template: template))
                workspaces[instanceSize] = ws
                return ws
            }()
        let (cls, loc) = model.track(x, template: template, workspace: workspace)
        return try OperationTimer.measure("post-processing") {
            try choose(cls: cls, loc: loc, instanceSize: instanceSize, region: region, windowInfluence: windowInfluence)
        }
    }

    /// pysot's `_convert_score`, `_convert_bbox`, penalties, window and argmax on the network's outputs.
    private func choose(cls: Tensor, loc: Tensor, instanceSize: Int, region: SearchRegion, windowInfluence: Double) throws -> Step {

        let s = scoreSize(instanceSize: instanceSize)
        guard cls.shape == [1, 2 * anchor.anchorNum, s, s], loc.shape == [1, 4 * anchor.anchorNum, s, s] else {
            throw TrackerError.unsupported(
                "the network gives a \(cls.shape) score map for a \(instanceSize) search crop, but TRACK/ANCHOR "
                    + "expect [1, \(2 * anchor.anchorNum), \(s), \(s)]: check INSTANCE_SIZE, BASE_SIZE and ANCHOR in the config")
        }
        let geo =
            geometry[s]
            ?? {
                let g = (
                    Anchors(stride: anchor.stride, ratios: anchor.ratios, scales: anchor.scales, scoreSize: s),
                    cosineWindow(scoreSize: s, anchorCount: anchor.anchorNum)
                )
                geometry[s] = g
                return g
            }()
        let n = geo.anchors.count
        let a = geo.anchors.values
        var score = [Float](repeating: 0, count: n)
        var boxes = [Float](repeating: 0, count: 4 * n)
        // cls channel a is background, channel A + a foreground (pysot _convert_score);
        // loc channel k*A + a is delta k of anchor a (pysot _convert_bbox).
        for i in 0..<n {
            score[i] = foregroundProbability(background: cls.values[i], foreground: cls.values[n + i])
            let dx = loc.values[i]
            let dy = loc.values[n + i]
            let dw = loc.values[2 * n + i]
            let dh = loc.values[3 * n + i]
            let acx = a[4 * i]
            let acy = a[4 * i + 1]
            let aw = a[4 * i + 2]
            let ah = a[4 * i + 3]
            let px = dx * aw
            let py = dy * ah
            boxes[4 * i] = px + acx
            boxes[4 * i + 1] = py + acy
            boxes[4 * i + 2] = Foundation.exp(dw) * aw
            boxes[4 * i + 3] = Foundation.exp(dh) * ah
        }
        var penalty: [Float] = []
        var pscore: [Double] = []
        let choice = PenalizedChoice(
            boxes: boxes, score: score, window: geo.window, width: width, height: height,
            scaleZ: region.scaleZ, penaltyK: track.penaltyK, windowInfluence: windowInfluence,
            learningRate: track.lr, penalty: &penalty, pscore: &pscore)
        return Step(
            instanceSize: instanceSize, scoreSize: s, region: region,
            cls: cls, loc: loc, score: score, boxes: boxes, penalty: penalty, pscore: pscore, choice: choice)
    }
}
