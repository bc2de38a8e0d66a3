// Many targets on one model; per target it is pysot/tracker/siamrpn_tracker.py's SiamRPNTracker
import SiamNN

/// T targets tracked on one model: `initialize(image:boxes:)` on the first frame, then
/// `update(image:)` gives one `TrackResult` per target, in the order of the boxes. Each target
/// has its own state and template kernels, and its result is the one a separate tracker of the
/// model's kind gives for that target.
///
/// For pysot's short-term `SiamRPNTracker` on a network whose search graph runs batches (every
/// depth-wise-correlation SiamRPN++: ResNet-50, MobileNetV2, AlexNet with `DepthwiseRPN`) the
/// targets' search crops go through the network in one pass: a plan of batch T
/// (`Plan(graph:inputSizes:batch:)`, channel-major `C x T x H x W`), so every GEMM has T images'
/// columns and each target's depth-wise correlation meets its own kernels. The crops, the
/// decode and the box update are the single tracker's (`SiameseSearch`), per target. Equal to
/// separate trackers within float32 noise: a batched GEMM may sum in another order (measured
/// and bounded in `MultiTrackerTests`).
///
/// Otherwise (NanoTrack, whose pixel-wise correlation and channel gates run one image at a time;
/// UPChannelRPN's full correlation; the long-term tracker, whose lost targets search larger
/// regions) the targets run one after another through separate trackers behind the same API
/// (`isBatched` is false).
///
/// After the first frame an update allocates nothing (batched or not). Used from one thread at a
/// time; any number of multi-trackers can share one model.
public final class MultiTracker {
    private enum Engine {
        case batched(BatchedSearch)
        case separate(makeTracker: () throws -> any ObjectTracker)
    }

    private let engine: Engine
    private var separate: [any ObjectTracker] = []

    /// Whether the targets' searches run as one batch (else one after another).
    public var isBatched: Bool {
        if case .batched = engine { return true }
        return false
    }

    /// Targets of the last `initialize` (0 before).
    public private(set) var count = 0

    /// A multi-tracker for pysot's `config` on `model`: batched when `TRACK.TYPE` is the short-term
    /// `SiamRPNTracker` and the search graph runs batches, else separate trackers.
    public convenience init(model: SiamRPNModel, config: PysotConfig) throws {
        _ = try SiamRPN.makeTracker(model: model, config: config)  // an unsupported TRACK.TYPE throws now
        if config.track.type == .siamRPN && model.searchGraph.supportsBatch {
            self.init(engine: .batched(BatchedSearch(model: model, track: config.track, anchor: config.anchor)))
        } else {
            self.init(makeTracker: { try SiamRPN.makeTracker(model: model, config: config) })
        }
    }

    /// A multi-tracker that runs its targets one after another, each in a tracker from
    /// `makeTracker` (NanoTrack's, or any `ObjectTracker`).
    public convenience init(makeTracker: @escaping () throws -> any ObjectTracker) {
        self.init(engine: .separate(makeTracker: makeTracker))
    }

    private init(engine: Engine) {
        self.engine = engine
    }

    /// Sets the targets from `boxes` on the first frame. Throws `TrackerError.noTargets` for no
    /// boxes and, for a box that cannot start a track (no area, entirely outside the image), the
    /// single tracker's error — in `TrackerError.target(index:_:)` when there are several boxes;
    /// every box is checked before any target is set.
    public func initialize(image: Image, boxes: [Box]) throws {
        guard !boxes.isEmpty else { throw TrackerError.noTargets }
        for (i, box) in boxes.enumerated() {
            do { _ = try TrackerError.checkInitialBox(box, in: image) } catch let e as TrackerError {
                throw TrackerError.of(target: i, among: boxes.count, e)
            }
        }
        switch engine {
        case .batched(let search):
            try search.initialize(image: image, boxes: boxes)
        case .separate(let make):
            var trackers: [any ObjectTracker] = []
            for (i, box) in boxes.enumerated() {
                let t = i < separate.count ? separate[i] : try make()
                do { try t.initialize(image: image, box: box) } catch let e as TrackerError {
                    throw TrackerError.of(target: i, among: boxes.count, e)
                }
                trackers.append(t)
            }
            separate = trackers
        }
        count = boxes.count
    }

    /// Tracks every target into `image` (same size as the first frame): one result per target,
    /// in the order of the boxes.
    public func update(image: Image) throws -> [TrackResult] {
        guard count > 0 else { throw TrackerError.notInitialized }
        switch engine {
        case .batched(let search):
            return try search.update(image: image)
        case .separate:
            var results: [TrackResult] = []
            results.reserveCapacity(separate.count)
            for (i, t) in separate.enumerated() {
                do { results.append(try t.update(image: image)) } catch let e as TrackerError {
                    throw TrackerError.of(target: i, among: count, e)
                }
            }
            return results
        }
    }
}

extension TrackerError {
    /// `error` of target `index` of `count`: itself for one target, else `.target(index:_:)`.
    fileprivate static func of(target index: Int, among count: Int, _ error: TrackerError) -> TrackerError {
        count == 1 ? error : .target(index: index, error)
    }
}

/// The batched engine: one `SiameseSearch` per target (state, template kernels, crop scratch,
/// decode arrays), one template workspace for all, one search workspace of batch T.
private final class BatchedSearch {
    let model: SiamRPNModel
    let track: TrackConfig
    let anchor: AnchorConfig
    private var targets: [SiameseSearch] = []
    private var scores: [SiameseSearch.Scores] = []
    private var templateWorkspace: Workspace?
    private var workspace: Workspace?
    /// One target's cls and loc maps (CHW), copied out of the batch for the decode.
    private var cls: [Float] = []
    private var loc: [Float] = []
    private var regions: [SearchRegion] = []
    private var results: [TrackResult] = []

    init(model: SiamRPNModel, track: TrackConfig, anchor: AnchorConfig) {
        self.model = model
        self.track = track
        self.anchor = anchor
    }

    func initialize(image: Image, boxes: [Box]) throws {
        let side = track.exemplarSize
        let tws = try templateWorkspace ?? Workspace(plan: model.templatePlan(height: side, width: side))
        templateWorkspace = tws
        var fresh: [SiameseSearch] = []
        for (i, box) in boxes.enumerated() {
            let t = i < targets.count ? targets[i] : SiameseSearch(model: model, track: track, anchor: anchor)
            do { try t.initialize(image: image, box: box, templateWorkspace: tws) } catch let e as TrackerError {
                throw TrackerError.of(target: i, among: boxes.count, e)
            }
            fresh.append(t)
        }
        let size = track.instanceSize
        let template = fresh[0].template!
        if workspace?.plan.batch != fresh.count {
            let plan = try Plan(
                graph: model.searchGraph, inputSizes: [[size, size]] + template.kernels.map { Array($0.shape.suffix(2)) },
                batch: fresh.count)
            try fresh[0].checkOutputs(of: plan, instanceSize: size)
            workspace = nil  // the old batch's memory goes before the new one is allocated
            workspace = Workspace(plan: plan)
            let out = plan.graph.outputValues
            cls = [Float](repeating: 0, count: plan.shapes[out[0].id].reduce(1, *))
            loc = [Float](repeating: 0, count: plan.shapes[out[1].id].reduce(1, *))
        }
        let ws = workspace!
        for (n, t) in fresh.enumerated() {
            for (i, k) in t.template!.kernels.enumerated() { ws.setInput(i + 1, image: n, k) }
        }
        if scores.count != fresh.count { scores = fresh.map { $0.makeScores(instanceSize: size) } }
        targets = fresh
        regions.reserveCapacity(fresh.count)
        results.reserveCapacity(fresh.count)
    }

    func update(image: Image) throws -> [TrackResult] {
        let ws = workspace!
        let size = track.instanceSize
        let batch = targets.count
        // Every target's region first, so that an error leaves every state as it was.
        regions.removeAll(keepingCapacity: true)
        for (i, t) in targets.enumerated() {
            do { regions.append(try t.searchRegion(image: image, instanceSize: size)) } catch let e as TrackerError {
                throw TrackerError.of(target: i, among: batch, e)
            }
        }
        OperationTimer.measure("crop") {
            ws.withInputBuffer(0) { input in
                for (n, t) in targets.enumerated() {
                    t.writeCrop(image, region: regions[n], instanceSize: size, into: input, image: n, batch: batch)
                }
            }
        }
        ws.run()
        let out = ws.plan.graph.outputValues
        results.removeAll(keepingCapacity: true)
        OperationTimer.measure("post-processing") {
            for (n, t) in targets.enumerated() {
                cls.withUnsafeMutableBufferPointer { ws.copyValue(out[0], image: n, into: $0) }
                loc.withUnsafeMutableBufferPointer { ws.copyValue(out[1], image: n, into: $0) }
                let choice = cls.withUnsafeBufferPointer { c in
                    loc.withUnsafeBufferPointer { l in
                        t.choose(cls: c, loc: l, into: scores[n], region: regions[n], windowInfluence: track.windowInfluence)
                    }
                }
                let best = scores[n].score[choice.best]
                results.append(t.update(with: choice, bestScore: best, lostThreshold: track.confidenceLow))
            }
        }
        return results
    }
}
