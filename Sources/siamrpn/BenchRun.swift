// One `siamrpn bench` measurement: template and tracking steps on the bundled video's frames,
// stage times through `OperationTimer`, allocations, the SGEMM peak of the plan's GEMM shapes.
import Foundation
import SiamNN
import SiamRPN

struct BenchRun {
    let model: TrackingModel
    let frames: Int
    let targets: Int

    func measure() throws -> BenchReport {
        let needed = 1 + Bench.warmUpFrames + frames
        let source = try FrameSources.open(BundledDemo.video.path)
        var video: [Image] = []
        while video.count < needed, let frame = try source.next() { video.append(frame) }
        guard video.count >= 2 else { throw CLIError("the bundled video has fewer than 2 frames") }
        let box = try readGroundTruth(BundledDemo.groundTruthFile)[0].pysotInitBox
        // Frame i of the run: the video's frames after the first, again from frame 1 when it ends.
        func frame(_ i: Int) -> Image { video[1 + (i % (video.count - 1))] }

        // Template: one warm-up, then at least 3 timed inits of the same tracker (as pysot's
        // tracker.init is timed: the model and its memory exist, the template is computed).
        var templateMs: [Double] = []
        let tracker = try model.makeTracker()
        for r in 0...max(3, min(frames, 10)) {
            let t0 = OperationTimer.now()
            try tracker.initialize(image: video[0], box: box)
            if r > 0 { templateMs.append(Double(OperationTimer.now() - t0) / 1e6) }
        }

        // T separate trackers, each stepping every frame, and (T > 1) one MultiTracker of T
        // targets, stepping all of them per frame: timed frame by frame in turn, so that both
        // see the same machine.
        let trackers = try (0..<targets).map { _ in try model.makeTracker() }
        for t in trackers { try t.initialize(image: video[0], box: box) }
        let multi = targets > 1 ? try model.makeMultiTracker() : nil
        try multi?.initialize(image: video[0], boxes: [Box](repeating: box, count: targets))
        for i in 0..<Bench.warmUpFrames {
            for t in trackers { _ = try t.update(image: frame(i)) }
            _ = try multi?.update(image: frame(i))
        }

        let plans = try self.plans()
        let timer = StageTimer(plan: plans.search)
        var separate = StepSeries(capacity: frames * targets)
        var batched = StepSeries(capacity: multi == nil ? 0 : frames)
        try OperationTimer.$current.withValue(timer) {
            for i in Bench.warmUpFrames..<(Bench.warmUpFrames + frames) {
                let image = frame(i)
                for t in trackers { try separate.time(timer) { _ = try t.update(image: image) } }
                if let multi { try batched.time(timer) { _ = try multi.update(image: image) } }
            }
        }
        let peakRSS = ProcessResources.peakResidentMiB  // before the SGEMM operands below
        // The steps reported: the MultiTracker's (T targets each) for T > 1, else the tracker's.
        let main = multi == nil ? separate : batched
        let searchPlan = multi?.isBatched == true ? try self.plans(batch: targets).search : plans.search
        let macs = multi == nil || multi!.isBatched ? searchPlan.macs : targets * plans.search.macs
        let peak = SGEMMPeak(shapes: searchPlan.gemmShapes)
        let kernels = BLASKernels.current
        let steps = Double(frames * targets)
        return BenchReport(
            model: model.name, threads: ComputeThreads.count, frames: frames, targets: targets,
            targetsMode: multi.map { $0.isBatched ? .batched : .oneByOne } ?? .single,
            templateMs: Summary(templateMs), stepMs: Summary(main.stepMs),
            stagesMs: zip(BenchStage.allCases, main.stageMs).map { ($0.name, Summary($1)) },
            macsPerStep: macs, templateMacs: plans.template.macs,
            sgemmPeakGflops: peak.gflops, gemmBoundMs: peak.gemmBoundMilliseconds,
            allocationsPerStep: main.allocationsPerStep,
            peakRSSMiB: peakRSS,
            targetsPerSecond: steps / main.seconds,
            separate: multi == nil
                ? nil
                : SeparateTrackers(
                    stepMs: Summary(separate.stepMs),
                    stagesMs: zip(BenchStage.allCases, separate.stageMs).map { ($0.name, Summary($1)) },
                    targetsPerSecond: steps / separate.seconds,
                    allocationsPerStep: separate.allocationsPerStep),
            isa: kernels.cpu.isaName, blasCore: kernels.coreName, blasCoreOrigin: KernelRelaunch.origin, cpu: kernels.cpu.brand)
    }

    /// The template plan and the search plan the trackers run (template crop and search region
    /// sides of the config; `batch` targets' searches in one pass).
    func plans(batch: Int = 1) throws -> (template: Plan, search: Plan) {
        let network = model.network
        let z = model.exemplarSize
        let x = model.hyperparameters.instanceSize
        let template = try network.templatePlan(height: z, width: z)
        let kernels = network.templateGraph.outputValues.map { v in
            let shape = template.shapes[v.id]
            return Tensor(shape: [1] + shape, values: [Float](repeating: 0, count: shape.reduce(1, *)))
        }
        let search = try Plan(graph: network.searchGraph, inputSizes: [[x, x]] + kernels.map { Array($0.shape.suffix(2)) }, batch: batch)
        return (template, search)
    }
}

/// The timed steps of one kind (a tracker's update, or a MultiTracker's): their times, their
/// stage times, allocations and wall time.
struct StepSeries {
    var stepMs: [Double] = []
    var stageMs = [[Double]](repeating: [], count: BenchStage.allCases.count)
    var allocations = 0
    var nanoseconds: UInt64 = 0

    init(capacity: Int) {
        stepMs.reserveCapacity(capacity)
        for s in stageMs.indices { stageMs[s].reserveCapacity(capacity) }
    }

    /// Times one step (`body`), its stages through `timer` and its heap allocations.
    mutating func time(_ timer: StageTimer, _ body: () throws -> Void) rethrows {
        timer.reset()
        let a0 = ProcessResources.allocationCount ?? 0
        let t0 = OperationTimer.now()
        try body()
        let ns = OperationTimer.now() - t0
        allocations += (ProcessResources.allocationCount ?? 0) - a0
        nanoseconds += ns
        stepMs.append(Double(ns) / 1e6)
        for s in stageMs.indices { stageMs[s].append(Double(timer.nanoseconds[s]) / 1e6) }
    }

    var seconds: Double { Double(nanoseconds) / 1e9 }
    var allocationsPerStep: Double? {
        ProcessResources.allocationCount == nil ? nil : Double(allocations) / Double(max(stepMs.count, 1))
    }
}

/// Median, minimum and maximum of a series, in its unit.
struct Summary {
    var median: Double
    var min: Double
    var max: Double

    init(_ values: [Double]) {
        let s = values.sorted()
        median = s.isEmpty ? 0 : s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
        min = s.first ?? 0
        max = s.last ?? 0
    }

    var json: [String: Any] { ["median": median, "min": min, "max": max] }
}
