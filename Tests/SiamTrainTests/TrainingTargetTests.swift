import Foundation
import SiamNN
import SiamRPN
import SiamTrain
import Testing

/// pysot's `AnchorTarget` and NanoTrack's `PointTarget` from a `NumPyRandomState` seeded as the
/// fixtures were (Tests/Fixtures/README.md section 31): labels, deltas, weights and overlaps must be
/// EXACT — the subsampling is numpy's shuffle, which the seed reproduces.
@Suite struct TrainingTargetTests {
    static func npy(_ path: String) throws -> NumPyArray {
        try NumPyArray(contentsOf: TrainFixtures.fixtures.appendingPathComponent(path))
    }

    static func json(_ path: String) throws -> JSONValue {
        let bytes = [UInt8](try Data(contentsOf: TrainFixtures.fixtures.appendingPathComponent(path)))
        return try JSONValue.parse(bytes, 0..<bytes.count)
    }

    static func config(_ name: String) throws -> PysotConfig {
        try PysotConfig.load(contentsOf: TrainFixtures.fixtures.appendingPathComponent("configs/\(name)"))
    }

    /// The values of item `item` of a batch array (the leading axis).
    static func slice(_ a: NumPyArray, item: Int) -> [Double] {
        let n = a.count / a.shape[0]
        return Array(a.doubles()[(item * n)..<((item + 1) * n)])
    }

    static func doubles(_ v: [Float]) -> [Double] { v.map(Double.init) }
    static func doubles(_ v: [Int]) -> [Double] { v.map(Double.init) }

    /// The positions where `a` and `b` differ (`-1` for a length mismatch), so a failure prints a count.
    static func differing(_ a: [Double], _ b: [Double]) -> Int {
        a.count == b.count ? zip(a, b).filter { $0 != $1 }.count : -1
    }

    @Test func trainingAnchorsEqualPysotsGenerateAllAnchorsBitForBit() throws {
        let anchors = TrainingAnchors(stride: 8, ratios: [0.33, 0.5, 1, 2, 3], scales: [8], imageCenter: 127, size: 25)
        #expect(Self.differing(Self.doubles(anchors.corner), (try Self.npy("anchor_target/all_anchors_corner.npy")).doubles()) == 0)
        #expect(Self.differing(Self.doubles(anchors.center), (try Self.npy("anchor_target/all_anchors_center.npy")).doubles()) == 0)
    }

    @Test func anchorTargetReproducesEverySeededCaseExactly() throws {
        let json = try Self.json("anchor_target/anchor_target.json")
        let target = AnchorTarget(anchor: AnchorConfig(), train: TrainConfig())
        let cases = try #require(json["cases"]?.arrayValue)
        #expect(cases.count == 7)
        for (k, c) in cases.enumerated() {
            let b = c["box_x1y1x2y2"]!.doubles
            let negative = c["neg"] == .bool(true)
            var random = NumPyRandomState(seed: UInt32(c["seed"]!.int))
            let labels = target(Corner(b[0], b[1], b[2], b[3]), negative: negative, random: &random)
            #expect(Self.differing(Self.doubles(labels.cls), (try Self.npy("anchor_target/case\(k)_cls.npy")).doubles()) == 0, "case \(k)")
            #expect(
                Self.differing(Self.doubles(labels.deltaWeight), (try Self.npy("anchor_target/case\(k)_delta_weight.npy")).doubles()) == 0,
                "case \(k)")
            if negative {
                let candidates = try Self.npy("anchor_target/case\(k)_neg_candidates.npy").doubles()
                let kept = labels.cls.indices.filter { labels.cls[$0] == 0 }
                #expect(kept.allSatisfy { candidates[$0] == 1 } && kept.count == 16, "case \(k)")
                #expect(labels.delta.allSatisfy { $0 == 0 } && labels.overlap.allSatisfy { $0 == 0 })
            } else {
                #expect(Self.differing(Self.doubles(labels.delta), (try Self.npy("anchor_target/case\(k)_delta.npy")).doubles()) == 0, "case \(k)")
                #expect(
                    Self.differing(Self.doubles(labels.overlap), (try Self.npy("anchor_target/case\(k)_overlap.npy")).doubles()) == 0, "case \(k)")
            }
            let counts = c["label_counts"]
            #expect(labels.cls.filter { $0 == 1 }.count == (counts?["pos"]?.int ?? 0), "case \(k)")
            #expect(labels.cls.filter { $0 == 0 }.count == counts?["neg"]?.int, "case \(k)")
        }
    }

    @Test func theSmallModelsBatchLabelsFollowFromSeed7ItemAfterItem() throws {
        let config = try Self.config("small_alex_dw.yaml")
        #expect(config.train.outputSize == 17)
        let target = AnchorTarget(anchor: config.anchor, train: config.train)
        let targets = try #require(try Self.json("training/training.json")["targets"]?.arrayValue)
        let cls = try Self.npy("training/label_cls.npy")
        let loc = try Self.npy("training/label_loc.npy")
        let weight = try Self.npy("training/label_loc_weight.npy")
        let overlap = try Self.npy("training/overlap.npy")
        var random = NumPyRandomState(seed: 7)
        for (item, t) in targets.enumerated() {
            let b = t["box_x1y1x2y2"]!.doubles
            let labels = target(Corner(b[0], b[1], b[2], b[3]), negative: t["neg"] == .bool(true), random: &random)
            #expect(Self.differing(Self.doubles(labels.cls), Self.slice(cls, item: item)) == 0, "item \(item)")
            #expect(Self.differing(Self.doubles(labels.delta), Self.slice(loc, item: item)) == 0, "item \(item)")
            #expect(Self.differing(Self.doubles(labels.deltaWeight), Self.slice(weight, item: item)) == 0, "item \(item)")
            #expect(Self.differing(Self.doubles(labels.overlap), Self.slice(overlap, item: item)) == 0, "item \(item)")
        }
    }

    @Test func theFullItemsAnchorLabelsFollowFromSeed11() throws {
        let json = try Self.json("training_v2/pysot_data/augmentation/augmentation.json")
        let b = try #require(json["full_item"]?["search_bbox_out"]?.doubles)
        let target = AnchorTarget(anchor: AnchorConfig(), train: TrainConfig())
        var random = NumPyRandomState(seed: 11)
        let labels = target(Corner(b[0], b[1], b[2], b[3]), negative: false, random: &random)
        let root = "training_v2/pysot_data/augmentation/"
        #expect(Self.differing(Self.doubles(labels.cls), (try Self.npy(root + "item_label_cls.npy")).doubles()) == 0)
        #expect(Self.differing(Self.doubles(labels.delta), (try Self.npy(root + "item_label_loc.npy")).doubles()) == 0)
        #expect(Self.differing(Self.doubles(labels.deltaWeight), (try Self.npy(root + "item_label_loc_weight.npy")).doubles()) == 0)
    }

    @Test func pointTargetReproducesNanoTrackV3sLabelsFromEachItemsSeed() throws {
        let yaml = try String(contentsOf: TrainFixtures.fixtures.appendingPathComponent("training_v2/nanotrack_v3/configv3.yaml"), encoding: .utf8)
        let config = try NanoTrackTrainingConfig.read(yaml: yaml, source: "configv3.yaml").config
        #expect(config.pointStride == 16 && config.train.outputSize == 15)
        let target = PointTarget(stride: config.pointStride, train: config.train)
        #expect(Self.differing(Self.doubles(target.points), (try Self.npy("training_v2/nanotrack_v3/points.npy")).doubles()) == 0)
        let items = try #require(try Self.json("training_v2/nanotrack_v3/step.json")["batch"]?["items"]?.arrayValue)
        let boxes = try Self.npy("training_v2/nanotrack_v3/bbox.npy")
        let cls = try Self.npy("training_v2/nanotrack_v3/label_cls.npy")
        let loc = try Self.npy("training_v2/nanotrack_v3/label_loc.npy")
        #expect(items.count == 3)
        for (i, item) in items.enumerated() {
            let b = Self.slice(boxes, item: i)
            var random = NumPyRandomState(seed: UInt32(item["label_seed"]!.int))
            let labels = target(Corner(b[0], b[1], b[2], b[3]), negative: item["neg"] == .bool(true), random: &random)
            #expect(Self.differing(Self.doubles(labels.cls), Self.slice(cls, item: i)) == 0, "item \(i)")
            #expect(Self.differing(Self.doubles(labels.delta), Self.slice(loc, item: i)) == 0, "item \(i)")
            let counts = item["label_counts"]
            #expect(labels.cls.filter { $0 == 1 }.count == counts?["pos"]?.int, "item \(i)")
            #expect(labels.cls.filter { $0 == 0 }.count == counts?["neg"]?.int, "item \(i)")
        }
    }
}
