// Mirrors NanoTrack nanotrack/core/config.py: __C.TRAIN, __C.DATASET, __C.BACKBONE (the trainer's keys and
// defaults, read by bin/train.py and nanotrack/datasets/dataset.py)
import Yams

/// The training sections of a NanoTrack `config.yaml` over NanoTrack's own defaults, in pysot's
/// types (NanoTrack's trainer is pysot's, with a point head): `TRAIN`, `DATASET`, `BACKBONE`,
/// `ADJUST.ADJUST` and `POINT.STRIDE`. The tracker's sections are read by `NanoTrackConfig.read(yaml:source:)`.
///
/// NanoTrack's defaults differ from pysot's: `TRAIN.OUTPUT_SIZE` 25, `NUM_WORKERS` 8,
/// `LOC_WEIGHT` 1.0, `TRAIN.NUM_CONVS` 4 (a NanoTrack key), `BACKBONE.TRAIN_LAYERS` [],
/// `DATASET.NAMES` (VID, YOUTUBEBB, DET, COCO, GOT, LASOT) with NUM_USE 100000 each and empty
/// ROOT / ANNO except GOT's. Keys NanoTrack does not declare are returned as warnings, except
/// pysot's TRAIN keys (`THR_HIGH`, `THR_LOW`, `MASK_WEIGHT`), which are read without complaint.
package struct NanoTrackTrainingConfig: Sendable, Equatable {
    package var train: TrainConfig
    package var dataset: DatasetConfig
    package var backbone: BackboneConfig
    /// `TRAIN.NUM_CONVS`, default 4 (declared by NanoTrack; its head does not read it).
    package var numConvs: Int = 4
    /// `ADJUST.ADJUST`, default true: the neck exists (and gets an optimizer group).
    package var adjust: Bool = true
    /// `POINT.STRIDE`, default 8 (NanoTrack's config.py; V3's config sets 16).
    package var pointStride: Int = 8

    /// NanoTrack's defaults.
    package init() {
        train = TrainConfig()
        train.outputSize = 25
        train.numWorkers = 8
        train.locWeight = 1.0
        dataset = DatasetConfig()
        dataset.names = ["VID", "YOUTUBEBB", "DET", "COCO", "GOT", "LASOT"]
        var sources: [String: DatasetSource] = [:]
        for (name, range) in [("VID", 100), ("YOUTUBEBB", 3), ("COCO", 1), ("DET", 1), ("GOT", 100), ("LASOT", 100)] {
            sources[name] = DatasetSource(root: "", anno: "", frameRange: range, numUse: 100000)
        }
        sources["GOT"]?.root = "data/GOT-10k/crop511"
        sources["GOT"]?.anno = "data/GOT-10k/train.json"
        dataset.sources = sources
        backbone = BackboneConfig()
        backbone.type = "mobilenetv3_small_v3"
        backbone.trainLayers = []
    }

    /// Reads the training sections of a NanoTrack config's text; the other sections are left to
    /// `NanoTrackConfig.read` (and not checked here).
    ///
    /// - Throws: `ConfigError` naming the key and line of a value of the wrong type.
    package static func read(yaml: String, source: String) throws -> (config: NanoTrackTrainingConfig, warnings: [String]) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml, .basic)
        } catch {
            throw ConfigError.invalidYAML(source: source, detail: "invalid YAML: \(error)")
        }
        var config = NanoTrackTrainingConfig()
        guard let root else { return (config, []) }
        let context = ConfigParseContext(source: source, declaredBy: "NanoTrack's config.py")
        var reader = try ConfigMappingReader(node: root, path: "", context: context)
        if var section = try reader.section("TRAIN") {
            try section.read("NUM_CONVS", into: &config.numConvs)
            try config.train.merge(&section)
        }
        if var section = try reader.section("DATASET") { try config.dataset.merge(&section) }
        if var section = try reader.section("BACKBONE") { try config.backbone.merge(&section) }
        if var section = try reader.section("ADJUST") {
            try section.read("ADJUST", into: &config.adjust)
            for key in ["TYPE", "KWARGS"] { _ = section.take(key) }
            section.warnUnknownKeys()
        }
        if var section = try reader.section("POINT") {
            try section.read("STRIDE", into: &config.pointStride)
            section.warnUnknownKeys()
        }
        return (config, context.warnings)
    }
}
