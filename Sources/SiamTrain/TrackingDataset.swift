// Mirrors pysot/datasets/dataset.py: TrkDataset (__init__, shuffle, _find_dataset, __getitem__) and NanoTrack's
// BANDataset (the same with PointTarget)
import Foundation
import SiamRPN

/// The labels an item gets: pysot's anchor head or NanoTrack's point head.
package enum TargetMaker: Sendable {
    case anchor(AnchorTarget)
    case point(PointTarget)
}

/// What `__getitem__` decides for an item before touching pixels: every random draw of the item,
/// in pysot's order, and the labels (they depend only on geometry). Rendering a plan is then
/// deterministic, so it can run on any thread.
package struct ItemPlan: Sendable {
    package var index: Int
    package var gray: Bool
    package var negative: Bool
    package var template: FrameReference
    package var search: FrameReference
    package var templateBox: Corner
    package var searchBox: Corner
    package var templateDraws: [RecordedDraw]
    package var searchDraws: [RecordedDraw]
    /// The target in the search input (`bbox`).
    package var bbox: Corner
    package var labelCls: [Int]
    package var labelLoc: [Float]
    /// `label_loc_weight` (anchor heads only).
    package var labelLocWeight: [Float]?
}

/// One item as `__getitem__` returns it.
package struct TrainingItem: Sendable {
    package var plan: ItemPlan
    /// `[3, EXEMPLAR_SIZE, EXEMPLAR_SIZE]` float32 CHW BGR, raw 0..255 values (+ colour offsets).
    package var template: [Float]
    /// `[3, SEARCH_SIZE, SEARCH_SIZE]`.
    package var search: [Float]
}

/// pysot's `TrkDataset` (or NanoTrack's `BANDataset`) over `DATASET.NAMES`, drawing from one
/// `NumPyRandomState` in pysot's order:
///
/// ```
/// __init__: each SubDataset in NAMES order shuffles its pick; then while len(pick) < num:
///           p = concat(sub picks); shuffle(p); pick += p        (num = VIDEOS_PER_EPOCH or Σ NUM_USE, × EPOCH)
/// item i:   gray = GRAY and GRAY > random();  neg = NEG and NEG > random()
///           neg:  template = dataset.get_random_target(local index); search = choice(datasets).get_random_target()
///           else: template, search = dataset.get_positive_pair(local index)
///           _get_bbox on each crop; template augmentation draws; search augmentation draws;
///           AnchorTarget / PointTarget(bbox, OUTPUT_SIZE, neg) shuffles
/// ```
///
/// ROOT and ANNO relative paths are resolved against `base` (pysot resolves them against its
/// repository root).
package struct TrackingDataset: Sendable {
    package var subsets: [SubDataset]
    package var pick: [Int]
    package var gray: Double
    package var negative: Double
    package var pipeline: PairPipeline
    package var target: TargetMaker

    ///
    /// - Throws: `TrainingDataError` for an anchor head whose sizes disagree (pysot's "size not
    ///   match!": `(SEARCH_SIZE - EXEMPLAR_SIZE) / STRIDE + 1 + BASE_SIZE` must be `OUTPUT_SIZE`), a
    ///   name in NAMES without its section, an unreadable train.json, or nothing to sample.
    package init(dataset: DatasetConfig, train: TrainConfig, target: TargetMaker, base: URL, random: inout NumPyRandomState) throws {
        if case .anchor(let anchor) = target {
            let desired = Double(train.searchSize - train.exemplarSize) / Double(anchor.stride) + 1 + Double(train.baseSize)
            guard desired == Double(train.outputSize) else {
                throw TrainingDataError(
                    "TRAIN.OUTPUT_SIZE is \(train.outputSize), but (SEARCH_SIZE - EXEMPLAR_SIZE) / ANCHOR.STRIDE + 1 + BASE_SIZE is "
                        + "\(desired); pysot stops with 'size not match!' — make them agree")
            }
        }
        var subsets: [SubDataset] = []
        var start = 0
        var total = 0
        for name in dataset.names {
            guard let source = dataset.sources[name] else {
                throw TrainingDataError("DATASET.NAMES lists \(name), but DATASET.\(name) (ROOT, ANNO, FRAME_RANGE, NUM_USE) is not given")
            }
            func resolve(_ path: String) -> URL {
                path.hasPrefix("/") ? URL(fileURLWithPath: path) : base.appendingPathComponent(path)
            }
            let annotations = try TrainingAnnotations.read(resolve(source.anno))
            let sub = try SubDataset(
                name: name, root: resolve(source.root), annotations: annotations, frameRange: source.frameRange,
                numUse: source.numUse, startIndex: start, random: &random)
            start += sub.count
            total += sub.numUse
            subsets.append(sub)
        }
        var num = dataset.videosPerEpoch > 0 ? dataset.videosPerEpoch : total
        num *= train.epoch
        var pick: [Int] = []
        let all = subsets.flatMap(\.pick)
        guard !all.isEmpty || num <= 0 else { throw TrainingDataError("DATASET: every NUM_USE is 0; there is nothing to sample") }
        while pick.count < num {
            var p = all
            random.shuffle(&p)
            pick += p
        }
        self.subsets = subsets
        self.pick = Array(pick.prefix(max(0, num)))
        gray = dataset.gray
        negative = dataset.neg
        pipeline = PairPipeline(
            exemplarSize: train.exemplarSize, searchSize: train.searchSize, template: CropAugmentation(dataset.template),
            search: CropAugmentation(dataset.search))
        self.target = target
    }

    /// `len(dataset)`.
    package var count: Int { pick.count }

    /// `_find_dataset(index)`: the first sub-dataset whose range reaches past `index`.
    func find(_ index: Int) -> (SubDataset, Int) {
        let sub = subsets.first { $0.startIndex + $0.count > index } ?? subsets[subsets.count - 1]
        return (sub, index - sub.startIndex)
    }

    /// Item `i`'s draws and labels (reads only the two crops' headers).
    package func plan(_ i: Int, random: inout NumPyRandomState) throws -> ItemPlan {
        let (dataset, local) = find(pick[i])
        let isGray = gray != 0 && gray > random.random()
        let isNegative = negative != 0 && negative > random.random()
        let template: FrameReference
        let search: FrameReference
        if isNegative {
            template = dataset.randomTarget(local, random: &random)
            search = random.choice(subsets).randomTarget(nil, random: &random)
        } else {
            (template, search) = dataset.positivePair(local, random: &random)
        }
        for frame in [template, search] where frame.box.count != 4 && frame.box.count != 2 {
            throw TrainingDataError("\(frame.path.path): its train.json box \(frame.box) is neither [x1, y1, x2, y2] nor [w, h]")
        }
        let tSize = try imageSize(of: template.path)
        let sSize = try imageSize(of: search.path)
        let tBox = cropBox(imageWidth: tSize.width, imageHeight: tSize.height, shape: template.box, exemplarSize: pipeline.exemplarSize)
        let sBox = cropBox(imageWidth: sSize.width, imageHeight: sSize.height, shape: search.box, exemplarSize: pipeline.exemplarSize)
        let t = pipeline.template.plan(imageWidth: tSize.width, imageHeight: tSize.height, box: tBox, size: pipeline.exemplarSize, random: &random)
        let s = pipeline.search.plan(imageWidth: sSize.width, imageHeight: sSize.height, box: sBox, size: pipeline.searchSize, random: &random)
        var plan = ItemPlan(
            index: i, gray: isGray, negative: isNegative, template: template, search: search, templateBox: tBox, searchBox: sBox,
            templateDraws: t.draws, searchDraws: s.draws, bbox: s.box, labelCls: [], labelLoc: [], labelLocWeight: nil)
        switch target {
        case .anchor(let anchor):
            let labels = anchor(s.box, negative: isNegative, random: &random)
            (plan.labelCls, plan.labelLoc, plan.labelLocWeight) = (labels.cls, labels.delta, labels.deltaWeight)
        case .point(let point):
            let labels = point(s.box, negative: isNegative, random: &random)
            (plan.labelCls, plan.labelLoc) = (labels.cls, labels.delta)
        }
        return plan
    }

    /// Decodes the two crops (`cv2.imread`) and applies the planned augmentations.
    package func render(_ plan: ItemPlan) throws -> TrainingItem {
        let templateImage = try Image.load(contentsOf: plan.template.path)
        let searchImage = try Image.load(contentsOf: plan.search.path)
        var t = RecordedDraws(plan.templateDraws)
        let template = pipeline.template(templateImage, box: plan.templateBox, size: pipeline.exemplarSize, gray: plan.gray, random: &t)
        var s = RecordedDraws(plan.searchDraws)
        let search = pipeline.search(searchImage, box: plan.searchBox, size: pipeline.searchSize, gray: plan.gray, random: &s)
        guard t.mismatches.isEmpty, s.mismatches.isEmpty, t.isExhausted, s.isExhausted, search.box == plan.bbox else {
            throw TrainingDataError("item \(plan.index): the augmentation did not replay its planned draws (\(t.mismatches + s.mismatches))")
        }
        return TrainingItem(plan: plan, template: template.image.chwFloat32(), search: search.image.chwFloat32())
    }
}

extension TrackingDataset {
    /// pysot's `TrkDataset()` for a pysot config (`DATASET`, `TRAIN`, anchor labels from `ANCHOR`).
    package init(pysot config: PysotConfig, base: URL, random: inout NumPyRandomState) throws {
        try self.init(
            dataset: config.dataset, train: config.train, target: .anchor(AnchorTarget(anchor: config.anchor, train: config.train)),
            base: base, random: &random)
    }

    /// NanoTrack's `BANDataset()` for a NanoTrack config (point labels from `POINT.STRIDE`).
    package init(nanoTrack config: NanoTrackTrainingConfig, base: URL, random: inout NumPyRandomState) throws {
        try self.init(
            dataset: config.dataset, train: config.train, target: .point(PointTarget(stride: config.pointStride, train: config.train)),
            base: base, random: &random)
    }
}
