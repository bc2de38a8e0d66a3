import Foundation
import SiamRPN
import SiamTrain
import Testing

/// `TrackingDataset` + `BatchLoader` against pysot's own `TrkDataset` after `np.random.seed(5)`
/// on the same crops (`Tests/Fixtures/trk_dataset/`, Tests/Fixtures/README.md section 33): the
/// picks, every item's files, negative flag, box and labels exactly; images by checksums within
/// the tolerances of section 25 (exact before a blur, 1e-4 per value after one).
@Suite struct TrackingDatasetTests {
    static let root = TrainFixtures.fixtures.appendingPathComponent("trk_dataset")

    static func fixture() throws -> JSONValue {
        let bytes = [UInt8](try Data(contentsOf: root.appendingPathComponent("trk_dataset.json")))
        return try JSONValue.parse(bytes, 0..<bytes.count)
    }

    /// The fixture's configuration: VID (FRAME_RANGE 2, NUM_USE 6) and COCO (1, -1) over the same
    /// four prepared videos, 7 videos per epoch, 3 epochs, NEG 0.3, GRAY 0.25, search blur and flip.
    static func dataset(_ random: inout NumPyRandomState) throws -> TrackingDataset {
        var config = DatasetConfig()
        config.names = ["VID", "COCO"]
        config.sources["VID"] = DatasetSource(root: "crop511", anno: "train.json", frameRange: 2, numUse: 6)
        config.sources["COCO"] = DatasetSource(root: "crop511", anno: "train.json", frameRange: 1, numUse: -1)
        config.videosPerEpoch = 7
        config.neg = 0.3
        config.gray = 0.25
        config.template = Augmentation(shift: 4, scale: 0.05, blur: 0, flip: 0, color: 1)
        config.search = Augmentation(shift: 64, scale: 0.18, blur: 0.2, flip: 0.1, color: 1)
        var pysot = PysotConfig()
        pysot.dataset = config
        pysot.train.epoch = 3
        return try TrackingDataset(pysot: pysot, base: root, random: &random)
    }

    /// Compensated (Neumaier) sums, accurate to about one ulp, and the largest |value|.
    static func checksum(_ v: [Float]) -> (sum: Double, sumSq: Double, maxAbs: Double) {
        func add(_ total: inout (Double, Double), _ x: Double) {
            let t = total.0 + x
            total.1 += abs(total.0) >= abs(x) ? (total.0 - t) + x : (x - t) + total.0
            total.0 = t
        }
        var s = (0.0, 0.0)
        var q = (0.0, 0.0)
        var m = 0.0
        for x in v {
            let d = Double(x)
            add(&s, d)
            add(&q, d * d)
            m = max(m, abs(d))
        }
        return (s.0 + s.1, q.0 + q.1, m)
    }

    /// `sum`, `sum_sq`, `max_abs` of `v` against a fixture checksum, each value allowed `perValue`.
    static func matches(_ v: [Float], _ c: JSONValue?, perValue: Double) -> Bool {
        let (s, q, m) = checksum(v)
        let n = Double(v.count)
        let sum = c?["sum"]?.double ?? .nan
        let sumSq = c?["sum_sq"]?.double ?? .nan
        let maxAbs = c?["max_abs"]?.double ?? .nan
        // numpy's pairwise sums are within log2(n) ulp-multiples of the exact sum: 1e-13 relative.
        return abs(s - sum) <= perValue * n + 1e-13 * abs(sum) && abs(q - sumSq) <= 2 * 256 * perValue * n + 1e-13 * abs(sumSq)
            && abs(m - maxAbs) <= perValue
    }

    @Test func picksItemsBoxesAndLabelsEqualPysotsTrkDatasetFromTheSameSeed() throws {
        let json = try Self.fixture()
        var random = NumPyRandomState(seed: UInt32(json["seed"]!.int))
        let dataset = try Self.dataset(&random)
        let subPicks = (json["sub_picks"]?.arrayValue ?? []).map { ($0.arrayValue ?? []).map(\.int) }
        #expect(dataset.subsets.map(\.pick) == subPicks)
        #expect(dataset.pick == (json["pick"]?.arrayValue ?? []).map(\.int))
        #expect(dataset.count == 21)
        let items = try #require(json["items"]?.arrayValue)
        var negatives = 0
        var grays = 0
        var blurred = 0
        for (i, expected) in items.enumerated() {
            let plan = try dataset.plan(i, random: &random)
            let relative = { (u: URL) in String(u.path.dropFirst(Self.root.path.count + 1)) }
            #expect(relative(plan.template.path) == expected["template_file"]?.stringValue, "item \(i)")
            #expect(relative(plan.search.path) == expected["search_file"]?.stringValue, "item \(i)")
            #expect(close(plan.bbox.values, expected["bbox"]!.doubles, relative: 1e-12), "item \(i)")
            let pos = plan.labelCls.indices.filter { plan.labelCls[$0] == 1 }
            let neg = plan.labelCls.indices.filter { plan.labelCls[$0] == 0 }
            #expect(pos == (expected["label_cls_pos"]?.arrayValue ?? []).map(\.int), "item \(i)")
            #expect(neg == (expected["label_cls_neg"]?.arrayValue ?? []).map(\.int), "item \(i)")
            #expect(Self.matches(plan.labelLoc, expected["label_loc"], perValue: 0), "item \(i)")
            #expect(Self.matches(plan.labelLocWeight ?? [], expected["label_loc_weight"], perValue: 0), "item \(i)")
            let item = try dataset.render(plan)
            #expect(Self.matches(item.template, expected["template"], perValue: 0), "item \(i) template")
            let searchBlurred = plan.searchDraws.contains { if case .choice = $0 { return true } else { return false } }
            #expect(Self.matches(item.search, expected["search"], perValue: searchBlurred ? 1e-4 : 0), "item \(i) search")
            #expect(item.template.prefix(8).map(Double.init) == expected["template_first_pixels"]!.doubles, "item \(i)")
            negatives += plan.negative ? 1 : 0
            grays += plan.gray ? 1 : 0
            blurred += searchBlurred ? 1 : 0
        }
        // The run exercises negative pairs, gray pairs and the search blur.
        #expect(negatives == 5 && grays > 0 && blurred > 0, "\(negatives) negative, \(grays) gray, \(blurred) blurred")
        #expect(random.next32() == UInt32(json["state_after"]!.int))
    }

    @Test func theLoaderGivesTheSameBatchesForAnyThreadCountAndEqualsTheSequentialItems() throws {
        let json = try Self.fixture()
        var reference: [[Float]] = []
        var finalState: UInt32 = 0
        // Rendered ahead on 1 and 3 threads, and on demand (between steps) on 2.
        for (threads, ahead) in [(1, true), (3, true), (2, false)] {
            var random = NumPyRandomState(seed: UInt32(json["seed"]!.int))
            let dataset = try Self.dataset(&random)
            let loader = BatchLoader(dataset: dataset, batchSize: 4, random: random, threads: threads, renderAhead: ahead)
            var batches: [[Float]] = []
            var starts: [Int] = []
            var last: NumPyRandomState?
            while let batch = try loader.next() {
                batches.append(batch.search + batch.labelLoc + batch.template)
                starts.append(batch.start)
                #expect(batch.labelCls.count == batch.items.count * 5 * 25 * 25)
                last = batch.randomAfter
            }
            #expect(starts == [0, 4, 8, 12, 16, 20])
            var after = try #require(last)
            finalState = after.next32()
            if reference.isEmpty { reference = batches } else { #expect(batches == reference, "threads \(threads), ahead \(ahead)") }
        }
        #expect(finalState == UInt32(json["state_after"]!.int))
        // Resuming at batch 3 from the state recorded after batch 2 continues the same stream.
        var random = NumPyRandomState(seed: UInt32(json["seed"]!.int))
        let dataset = try Self.dataset(&random)
        let first = BatchLoader(dataset: dataset, batchSize: 4, random: random, threads: 2)
        _ = try first.next()
        let second = try #require(try first.next())
        first.stop()
        let resumed = BatchLoader(
            dataset: dataset, batchSize: 4, startIndex: 8, random: second.randomAfter, threads: 2, renderAhead: false)
        let third = try #require(try resumed.next())
        #expect(third.start == 8)
        #expect(third.search + third.labelLoc + third.template == reference[2])
    }
}

/// The same pipeline with NanoTrack's `BANDataset` (PointTarget labels) against NanoTrack's own code
/// after `np.random.seed(9)` (`Tests/Fixtures/trk_dataset/ban_dataset.json`, README section 33).
@Suite struct PointTrackingDatasetTests {
    @Test func nanoTracksBANDatasetItemsAndPointLabelsFollowFromTheSeed() throws {
        let bytes = [UInt8](try Data(contentsOf: TrackingDatasetTests.root.appendingPathComponent("ban_dataset.json")))
        let json = try JSONValue.parse(bytes, 0..<bytes.count)
        let yaml = try String(
            contentsOf: TrainFixtures.fixtures.appendingPathComponent("training_v2/nanotrack_v3/configv3.yaml"), encoding: .utf8)
        var config = try NanoTrackTrainingConfig.read(yaml: yaml, source: "configv3.yaml").config
        config.dataset.names = ["GOT"]
        config.dataset.sources["GOT"] = DatasetSource(root: "crop511", anno: "train.json", frameRange: 3, numUse: 5)
        config.dataset.videosPerEpoch = 6
        config.dataset.neg = 0.4
        config.train.epoch = 2
        var random = NumPyRandomState(seed: UInt32(json["seed"]!.int))
        let dataset = try TrackingDataset(nanoTrack: config, base: TrackingDatasetTests.root, random: &random)
        #expect(dataset.pick == (json["pick"]?.arrayValue ?? []).map(\.int))
        let items = try #require(json["items"]?.arrayValue)
        #expect(items.count == 12)
        for (i, expected) in items.enumerated() {
            let plan = try dataset.plan(i, random: &random)
            let relative = { (u: URL) in String(u.path.dropFirst(TrackingDatasetTests.root.path.count + 1)) }
            #expect(relative(plan.template.path) == expected["template_file"]?.stringValue, "item \(i)")
            #expect(relative(plan.search.path) == expected["search_file"]?.stringValue, "item \(i)")
            #expect(close(plan.bbox.values, expected["bbox"]!.doubles, relative: 1e-12), "item \(i)")
            #expect(plan.labelCls.count == 15 * 15 && plan.labelLocWeight == nil)
            #expect(plan.labelCls.indices.filter { plan.labelCls[$0] == 1 } == (expected["label_cls_pos"]?.arrayValue ?? []).map(\.int), "item \(i)")
            #expect(plan.labelCls.indices.filter { plan.labelCls[$0] == 0 } == (expected["label_cls_neg"]?.arrayValue ?? []).map(\.int), "item \(i)")
            #expect(TrackingDatasetTests.matches(plan.labelLoc, expected["label_loc"], perValue: 0), "item \(i)")
            let item = try dataset.render(plan)
            let blurred = plan.searchDraws.contains { if case .choice = $0 { return true } else { return false } }
            #expect(TrackingDatasetTests.matches(item.template, expected["template"], perValue: 0), "item \(i) template")
            #expect(TrackingDatasetTests.matches(item.search, expected["search"], perValue: blurred ? 1e-4 : 0), "item \(i) search")
        }
        #expect(random.next32() == UInt32(json["state_after"]!.int))
    }
}

/// Inputs pysot would fail on (or loop on) are errors that name the key or file.
@Suite struct TrackingDatasetInputTests {
    static func build(_ edit: (inout DatasetConfig, inout TrainConfig) -> Void) throws -> TrackingDataset {
        var config = DatasetConfig()
        config.names = ["VID"]
        config.sources["VID"] = DatasetSource(root: "crop511", anno: "train.json", frameRange: 2, numUse: -1)
        var train = TrainConfig()
        edit(&config, &train)
        var random = NumPyRandomState(seed: 1)
        let target = TargetMaker.anchor(AnchorTarget(anchor: AnchorConfig(), train: train))
        return try TrackingDataset(dataset: config, train: train, target: target, base: TrackingDatasetTests.root, random: &random)
    }

    static func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return ""
        } catch {
            return "\(error)"
        }
    }

    @Test func aNameWithoutItsSectionASizeMismatchAndANegativeFrameRangeAreErrorsNamingTheKey() {
        let missingSection = Self.message { _ = try Self.build { c, _ in c.names = ["VID", "GOT"] } }
        let sizes = Self.message { _ = try Self.build { _, t in t.outputSize = 17 } }
        let range = Self.message { _ = try Self.build { c, _ in c.sources["VID"]?.frameRange = -1 } }
        let anno = Self.message { _ = try Self.build { c, _ in c.sources["VID"]?.anno = "missing.json" } }
        #expect(missingSection.contains("DATASET.GOT"), "\(missingSection)")
        #expect(sizes.contains("size not match"), "\(sizes)")
        #expect(range.contains("DATASET.VID.FRAME_RANGE"), "\(range)")
        #expect(anno.contains("missing.json"), "\(anno)")
    }

    @Test func aMissingCropIsAnErrorNamingTheFile() throws {
        let dataset = try Self.build { c, _ in c.sources["VID"]?.root = "no_such_folder" }
        var random = NumPyRandomState(seed: 2)
        let missing = Self.message { _ = try dataset.plan(0, random: &random) }
        #expect(missing.contains("no_such_folder"), "\(missing)")
    }
}
