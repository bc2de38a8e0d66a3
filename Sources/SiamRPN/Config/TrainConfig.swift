// Mirrors pysot/core/config.py: __C.TRAIN (read by tools/train.py, pysot/datasets/, pysot/utils/lr_scheduler.py)

/// pysot's `cfg.TRAIN`: training hyper-parameters. Defaults are pysot's `config.py` values.
package struct TrainConfig: Sendable, Equatable {
    /// `TRAIN.THR_HIGH`, default 0.6: IoU at or above which an anchor is positive.
    package var thrHigh: Double = 0.6
    /// `TRAIN.THR_LOW`, default 0.3: IoU below which an anchor is negative.
    package var thrLow: Double = 0.3
    /// `TRAIN.NEG_NUM`, default 16: negatives sampled per image.
    package var negNum: Int = 16
    /// `TRAIN.POS_NUM`, default 16: positives sampled per image.
    package var posNum: Int = 16
    /// `TRAIN.TOTAL_NUM`, default 64: anchors sampled per image.
    package var totalNum: Int = 64
    /// `TRAIN.EXEMPLAR_SIZE`, default 127: template crop side, pixels.
    package var exemplarSize: Int = 127
    /// `TRAIN.SEARCH_SIZE`, default 255: search crop side, pixels.
    package var searchSize: Int = 255
    /// `TRAIN.BASE_SIZE`, default 8.
    package var baseSize: Int = 8
    /// `TRAIN.OUTPUT_SIZE`, default 25: score map side.
    package var outputSize: Int = 25
    /// `TRAIN.RESUME`, default "": snapshot to resume from.
    package var resume: String = ""
    /// `TRAIN.PRETRAINED`, default "": whole-model weights to start from.
    package var pretrained: String = ""
    /// `TRAIN.LOG_DIR`, default "./logs".
    package var logDir: String = "./logs"
    /// `TRAIN.SNAPSHOT_DIR`, default "./snapshot".
    package var snapshotDir: String = "./snapshot"
    /// `TRAIN.EPOCH`, default 20.
    package var epoch: Int = 20
    /// `TRAIN.START_EPOCH`, default 0.
    package var startEpoch: Int = 0
    /// `TRAIN.BATCH_SIZE`, default 32.
    package var batchSize: Int = 32
    /// `TRAIN.NUM_WORKERS`, default 1.
    package var numWorkers: Int = 1
    /// `TRAIN.MOMENTUM`, default 0.9 (SGD).
    package var momentum: Double = 0.9
    /// `TRAIN.WEIGHT_DECAY`, default 0.0001 (SGD).
    package var weightDecay: Double = 0.0001
    /// `TRAIN.CLS_WEIGHT`, default 1.0: classification loss weight.
    package var clsWeight: Double = 1.0
    /// `TRAIN.LOC_WEIGHT`, default 1.2: regression loss weight.
    package var locWeight: Double = 1.2
    /// `TRAIN.MASK_WEIGHT`, default 1. An integer in pysot (`= 1`), so yacs accepts only integers.
    package var maskWeight: Int = 1
    /// `TRAIN.PRINT_FREQ`, default 20: iterations between log lines.
    package var printFreq: Int = 20
    /// `TRAIN.LOG_GRADS`, default false.
    package var logGrads: Bool = false
    /// `TRAIN.GRAD_CLIP`, default 10.0: gradient norm clip.
    package var gradClip: Double = 10.0
    /// `TRAIN.BASE_LR`, default 0.005.
    package var baseLR: Double = 0.005
    /// `TRAIN.LR`: the learning-rate schedule after warm-up.
    package var lr = LRSchedule(type: "log")
    /// `TRAIN.LR_WARMUP`: the warm-up schedule.
    package var lrWarmup = LRWarmup()

    /// pysot's defaults.
    package init() {}
}

/// pysot `TRAIN.LR`: a scheduler name from pysot's `lr_scheduler.py` and its free-form arguments.
package struct LRSchedule: Sendable, Equatable {
    /// `TYPE`: "log" (default for `TRAIN.LR`), "step", "multi-step", "cos", "linear"...
    package var type: String
    /// `KWARGS`, default empty (e.g. `start_lr`, `end_lr`, `step`, `mult`).
    package var kwargs: [String: ConfigValue]

    package init(type: String, kwargs: [String: ConfigValue] = [:]) {
        self.type = type
        self.kwargs = kwargs
    }
}

/// pysot `TRAIN.LR_WARMUP`.
package struct LRWarmup: Sendable, Equatable {
    /// `WARMUP`, default true.
    package var warmup: Bool = true
    /// `TYPE`, default "step".
    package var type: String = "step"
    /// `EPOCH`, default 5: warm-up epochs.
    package var epoch: Int = 5
    /// `KWARGS`, default empty.
    package var kwargs: [String: ConfigValue] = [:]

    package init() {}
}

extension TrainConfig {
    /// Overrides the defaults with the keys of a `TRAIN:` mapping.
    mutating func merge(_ reader: inout ConfigMappingReader) throws {
        try reader.read("THR_HIGH", into: &thrHigh)
        try reader.read("THR_LOW", into: &thrLow)
        try reader.read("NEG_NUM", into: &negNum)
        try reader.read("POS_NUM", into: &posNum)
        try reader.read("TOTAL_NUM", into: &totalNum)
        try reader.read("EXEMPLAR_SIZE", into: &exemplarSize)
        try reader.read("SEARCH_SIZE", into: &searchSize)
        try reader.read("BASE_SIZE", into: &baseSize)
        try reader.read("OUTPUT_SIZE", into: &outputSize)
        try reader.read("RESUME", into: &resume)
        try reader.read("PRETRAINED", into: &pretrained)
        try reader.read("LOG_DIR", into: &logDir)
        try reader.read("SNAPSHOT_DIR", into: &snapshotDir)
        try reader.read("EPOCH", into: &epoch)
        try reader.read("START_EPOCH", into: &startEpoch)
        try reader.read("BATCH_SIZE", into: &batchSize)
        try reader.read("NUM_WORKERS", into: &numWorkers)
        try reader.read("MOMENTUM", into: &momentum)
        try reader.read("WEIGHT_DECAY", into: &weightDecay)
        try reader.read("CLS_WEIGHT", into: &clsWeight)
        try reader.read("LOC_WEIGHT", into: &locWeight)
        try reader.read("MASK_WEIGHT", into: &maskWeight)
        try reader.read("PRINT_FREQ", into: &printFreq)
        try reader.read("LOG_GRADS", into: &logGrads)
        try reader.read("GRAD_CLIP", into: &gradClip)
        try reader.read("BASE_LR", into: &baseLR)
        if var section = try reader.section("LR") {
            try section.read("TYPE", into: &lr.type)
            try section.read("KWARGS", into: &lr.kwargs)
            section.warnUnknownKeys()
        }
        if var section = try reader.section("LR_WARMUP") {
            try section.read("WARMUP", into: &lrWarmup.warmup)
            try section.read("TYPE", into: &lrWarmup.type)
            try section.read("EPOCH", into: &lrWarmup.epoch)
            try section.read("KWARGS", into: &lrWarmup.kwargs)
            section.warnUnknownKeys()
        }
        reader.warnUnknownKeys()
    }
}
