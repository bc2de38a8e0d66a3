import Foundation
import SiamRPN
import Testing

// Expected values come from the YAML files in Tests/Fixtures/configs/ (Tests/Fixtures/README.md
// section 9) and from pysot's pysot/core/config.py defaults and constructor signatures.

private func fixture(_ name: String) throws -> PysotConfig {
    try PysotConfig.load(contentsOf: Fixtures.url("configs/\(name)"))
}

/// Builds a config from YAML text and returns the error `modelSpec()` throws.
private func modelSpecError(_ yaml: String) throws -> ConfigError? {
    let config = try PysotConfig(yaml: yaml)
    return #expect(throws: ConfigError.self) { try config.modelSpec() }
}

/// A valid ResNet-50 layout whose parts the error tests change one at a time.
private func r50(
    usedLayers: String = "[2, 3, 4]", neckIn: String = "[512, 1024, 2048]",
    neckOut: String = "[256, 256, 256]", rpnIn: String = "[256, 256, 256]",
    anchorNum: Int = 5, anchorSection: String = ""
) -> String {
    """
    BACKBONE:
        TYPE: "resnet50"
        KWARGS:
            used_layers: \(usedLayers)
    ADJUST:
        ADJUST: true
        TYPE: "AdjustAllLayer"
        KWARGS:
            in_channels: \(neckIn)
            out_channels: \(neckOut)
    RPN:
        TYPE: 'MultiRPN'
        KWARGS:
            anchor_num: \(anchorNum)
            in_channels: \(rpnIn)
            weighted: true
    \(anchorSection)
    """
}

private func alex(
    type: String = "alexnetlegacy", kwargs: String = "width_mult: 1.0",
    rpn: String = "TYPE: 'DepthwiseRPN'\n    KWARGS: {anchor_num: 5, in_channels: 256, out_channels: 256}"
)
    -> String
{
    """
    BACKBONE:
        TYPE: "\(type)"
        KWARGS: {\(kwargs)}
    ADJUST:
        ADJUST: False
    RPN:
        \(rpn)
    """
}

// MARK: - the fixture configs

@Test func r50ConfigGivesItsModelSpecAndTrackConfig() throws {
    let config = try fixture("siamrpn_r50_l234_dwxcorr.yaml")
    #expect(config.warnings.isEmpty)
    #expect(config.metaArc == "siamrpn_r50_l234_dwxcorr")
    #expect(
        try config.modelSpec()
            == ModelSpec(
                backbone: .resnet(depth: 50, usedLayers: [2, 3, 4]),
                neck: .adjustAllLayer(inChannels: [512, 1024, 2048], outChannels: [256, 256, 256], centerSize: 7),
                head: .multi(anchorNum: 5, inChannels: [256, 256, 256], weighted: true)))
    #expect(
        config.track
            == TrackConfig(
                type: .siamRPN, penaltyK: 0.05, windowInfluence: 0.42, lr: 0.38, exemplarSize: 127,
                instanceSize: 255, baseSize: 8, contextAmount: 0.5, lostInstanceSize: 831,
                confidenceLow: 0.85, confidenceHigh: 0.998, maskThreshold: 0.30, maskOutputSize: 127))
    #expect(config.anchor.stride == 8)
    #expect(config.anchor.ratios == [0.33, 0.5, 1, 2, 3])
    #expect(config.anchor.scales == [8])
    #expect(config.anchor.anchorNum == 5)
}

@Test func mobileNetV2ConfigGivesItsModelSpecAndTrackConfig() throws {
    let config = try fixture("siamrpn_mobilev2_l234_dwxcorr.yaml")
    #expect(config.warnings.isEmpty)
    let spec = try config.modelSpec()
    #expect(
        spec
            == ModelSpec(
                backbone: .mobileNetV2(widthMult: 1.4, usedLayers: [3, 5, 7]),
                neck: .adjustAllLayer(inChannels: [44, 134, 448], outChannels: [256, 256, 256], centerSize: 7),
                head: .multi(anchorNum: 5, inChannels: [256, 256, 256], weighted: false)))
    #expect(spec.backboneOutputChannels == [44, 134, 448])
    #expect(spec.headInputChannels == [256, 256, 256])
    #expect(
        config.track
            == TrackConfig(
                type: .siamRPN, penaltyK: 0.04, windowInfluence: 0.4, lr: 0.5, instanceSize: 255, baseSize: 8))
}

@Test func alexConfigGivesItsModelSpecAndTrackConfig() throws {
    let config = try fixture("siamrpn_alex_dwxcorr.yaml")
    #expect(config.warnings.isEmpty)
    let spec = try config.modelSpec()
    #expect(
        spec
            == ModelSpec(
                backbone: .alexNetLegacy(widthMult: 1.0), neck: .none,
                head: .depthwise(anchorNum: 5, inChannels: 256, outChannels: 256)))
    #expect(spec.headInputChannels == [256])
    #expect(
        config.track
            == TrackConfig(
                type: .siamRPN, penaltyK: 0.16, windowInfluence: 0.40, lr: 0.30, exemplarSize: 127,
                instanceSize: 287, baseSize: 0, contextAmount: 0.5))
}

@Test func longTermConfigGivesItsTrackConfigAndThreeUnknownKeyWarnings() throws {
    let config = try fixture("siamrpn_r50_l234_dwxcorr_lt.yaml")
    #expect(
        config.warnings == [
            "unknown key BACKBONE.CHANNELS (ignored; pysot's config.py does not declare it)",
            "unknown key ADJUST.ADJUST_CHANNEL (ignored; pysot's config.py does not declare it)",
            "unknown key RPN.WEIGHTED (ignored; pysot's config.py does not declare it)"
        ])
    #expect(
        config.track
            == TrackConfig(
                type: .siamRPNLongTerm, penaltyK: 0.05, windowInfluence: 0.28, lr: 0.22, exemplarSize: 127,
                instanceSize: 255, baseSize: 8, contextAmount: 0.5, lostInstanceSize: 831,
                confidenceLow: 0.8, confidenceHigh: 0.998))
    #expect(
        try config.modelSpec()
            == ModelSpec(
                backbone: .resnet(depth: 50, usedLayers: [2, 3, 4]),
                neck: .adjustAllLayer(inChannels: [512, 1024, 2048], outChannels: [128, 256, 512], centerSize: 7),
                head: .multi(anchorNum: 5, inChannels: [128, 256, 512], weighted: true)))
}

@Test func smallAlexConfigGivesItsModelSpecAndTrainValues() throws {
    let config = try fixture("small_alex_dw.yaml")
    #expect(config.warnings.isEmpty)
    let spec = try config.modelSpec()
    #expect(
        spec
            == ModelSpec(
                backbone: .alexNetLegacy(widthMult: 0.2), neck: .none,
                head: .depthwise(anchorNum: 5, inChannels: 51, outChannels: 32)))
    #expect(spec.backboneOutputChannels == [51])  // int(256 * 0.2)
    #expect(config.track.instanceSize == 255)
    #expect(config.track.baseSize == 0)
    let train = config.train
    #expect(train.exemplarSize == 127)
    #expect(train.searchSize == 255)
    #expect(train.baseSize == 0)
    #expect(train.outputSize == 17)
    #expect(train.clsWeight == 1.0)
    #expect(train.locWeight == 1.2)
    #expect(train.baseLR == 0.005)
    #expect(train.momentum == 0.9)
    #expect(train.weightDecay == 0.0001)
    #expect(train.gradClip == 10.0)
    #expect(train.epoch == 20)  // not in the file: pysot's default
}

@Test func loadedConfigRemembersItsFile() throws {
    let url = Fixtures.url("configs/small_alex_dw.yaml")
    #expect(try PysotConfig.load(contentsOf: url).source == url.path)
    #expect(try PysotConfig(yaml: "").source == "<yaml string>")
}

// MARK: - defaults

@Test func emptyYAMLGivesPysotDefaults() throws {
    var config = try PysotConfig(yaml: "")
    #expect(config.warnings.isEmpty)
    config.source = PysotConfig().source
    #expect(config == PysotConfig())
    #expect(config.metaArc == "siamrpn_r50_l234_dwxcorr")
    #expect(config.cuda == true)
    #expect(config.train.baseLR == 0.005)
    #expect(config.train.maskWeight == 1)
    #expect(config.train.lr == LRSchedule(type: "log"))
    #expect(config.train.lrWarmup.warmup == true)
    #expect(config.train.lrWarmup.type == "step")
    #expect(config.train.lrWarmup.epoch == 5)
    #expect(config.anchor.ratios == [0.33, 0.5, 1, 2, 3])
    #expect(config.anchor.scales == [8])
    #expect(config.anchor.anchorNum == 5)
    #expect(config.track == TrackConfig())
    #expect(config.track.type == .siamRPN)
    #expect(config.track.penaltyK == 0.04)
    #expect(config.track.windowInfluence == 0.44)
    #expect(config.track.lr == 0.4)
    #expect(config.track.contextAmount == 0.5)
    #expect(config.track.lostInstanceSize == 831)
    #expect(config.track.confidenceLow == 0.85)
    #expect(config.track.confidenceHigh == 0.998)
    #expect(config.track.maskThreshold == 0.30)
    #expect(config.backbone.type == "res50")
    #expect(config.backbone.trainLayers == ["layer2", "layer3", "layer4"])
    #expect(config.backbone.layersLR == 0.1)
    #expect(config.adjust.adjust == true)
    #expect(config.adjust.type == "AdjustAllLayer")
    #expect(config.rpn.type == "MultiRPN")
    #expect(config.mask.mask == false)
    #expect(config.refine.refine == false)
    #expect(config.dataset.names == ["VID", "COCO", "DET", "YOUTUBEBB"])
    #expect(config.dataset.template.shift == 4)
    #expect(config.dataset.search.scale == 0.18)
    #expect(
        config.dataset.sources["VID"]
            == DatasetSource(
                root: "training_dataset/vid/crop511", anno: "training_dataset/vid/train.json",
                frameRange: 100, numUse: 100000))
    #expect(config.dataset.sources["YOUTUBEBB"]?.frameRange == 3)
    #expect(config.dataset.videosPerEpoch == 600000)
}

@Test func pysotDefaultBackboneTypeBuildsNoModel() throws {
    // pysot's default BACKBONE.TYPE "res50" is not in its BACKBONES table.
    let error = try modelSpecError("")
    #expect(error?.keyPath == "BACKBONE.TYPE")
    #expect(error?.description.contains("'res50'") == true)
    #expect(error?.description.contains("alexnetlegacy, alexnet, mobilenetv2, resnet18, resnet34, resnet50") == true)
}

@Test func constructorDefaultsFillMissingKeywordArguments() throws {
    let mobile = try PysotConfig(
        yaml: """
            BACKBONE: {TYPE: mobilenetv2}
            ADJUST: {TYPE: AdjustAllLayer, KWARGS: {in_channels: [32, 96, 320], out_channels: [256, 256, 256]}}
            RPN: {TYPE: MultiRPN, KWARGS: {anchor_num: 5, in_channels: [256, 256, 256]}}
            """
    ).modelSpec()
    #expect(
        mobile
            == ModelSpec(
                backbone: .mobileNetV2(widthMult: 1.0, usedLayers: [3, 5, 7]),
                neck: .adjustAllLayer(inChannels: [32, 96, 320], outChannels: [256, 256, 256], centerSize: 7),
                head: .multi(anchorNum: 5, inChannels: [256, 256, 256], weighted: false)))

    let alexAdjust = try PysotConfig(
        yaml: """
            BACKBONE: {TYPE: alexnet}
            ADJUST: {TYPE: AdjustLayer, KWARGS: {in_channels: 256, out_channels: 128, center_size: 5}}
            RPN: {TYPE: DepthwiseRPN, KWARGS: {in_channels: 128}}
            """
    ).modelSpec()
    #expect(
        alexAdjust
            == ModelSpec(
                backbone: .alexNet(widthMult: 1),
                neck: .adjustLayer(inChannels: 256, outChannels: 128, centerSize: 5),
                head: .depthwise(anchorNum: 5, inChannels: 128, outChannels: 256)))

    let upChannel = try PysotConfig(yaml: alex(rpn: "TYPE: UPChannelRPN")).modelSpec()
    #expect(upChannel.head == .upChannel(anchorNum: 5, featureIn: 256))
}

@Test func backboneOutputChannelsFollowPysotConstructors() {
    func channels(_ backbone: BackboneSpec) -> [Int] {
        ModelSpec(backbone: backbone, neck: .none, head: .depthwise(anchorNum: 5, inChannels: 1, outChannels: 1))
            .backboneOutputChannels
    }
    #expect(channels(.resnet(depth: 50, usedLayers: [2, 3, 4])) == [512, 1024, 2048])
    #expect(channels(.resnet(depth: 50, usedLayers: [0, 1, 2, 3])) == [64, 256, 512, 1024])
    // layer3 not built: layer4 follows layer2 directly.
    #expect(channels(.resnet(depth: 50, usedLayers: [2, 4])) == [512, 2048])
    #expect(channels(.resnet(depth: 18, usedLayers: [2, 3, 4])) == [128, 256, 512])
    #expect(channels(.resnet(depth: 34, usedLayers: [1])) == [64])
    #expect(channels(.mobileNetV2(widthMult: 1.4, usedLayers: [3, 5, 7])) == [44, 134, 448])
    #expect(channels(.mobileNetV2(widthMult: 1.0, usedLayers: [0, 1, 2, 4, 6])) == [32, 16, 24, 64, 160])
    #expect(channels(.alexNet(widthMult: 0.5)) == [128])
    #expect(channels(.alexNetLegacy(widthMult: 0.2)) == [51])
}

// MARK: - YAML reading

@Test func unknownKeysWarnAndNeverFail() throws {
    let config = try PysotConfig(
        yaml: """
            EXTRA: 1
            TRACK:
                LR: 0.3
                REFINE_OUTPUT_SIZE: 127
            DATASET:
                TEMPLATE: {SHIFT: 8, SHARPEN: 0.1}
            """)
    #expect(config.track.lr == 0.3)
    #expect(config.dataset.template.shift == 8)
    #expect(
        config.warnings == [  // in file order
            "unknown key EXTRA (ignored; pysot's config.py does not declare it)",
            "unknown key TRACK.REFINE_OUTPUT_SIZE (ignored; pysot's config.py does not declare it)",
            "unknown key DATASET.TEMPLATE.SHARPEN (ignored; pysot's config.py does not declare it)"
        ])
}

@Test func integerIsAcceptedForFloatKey() throws {
    let config = try PysotConfig(yaml: "TRACK: {LR: 1, PENALTY_K: 0}\nANCHOR: {RATIOS: [1, 2]}")
    #expect(config.track.lr == 1.0)
    #expect(config.track.penaltyK == 0.0)
    #expect(config.anchor.ratios == [1.0, 2.0])
}

@Test func floatIsRejectedForIntegerKey() throws {
    let error = #expect(throws: ConfigError.self) { try PysotConfig(yaml: "TRACK:\n  INSTANCE_SIZE: 255.5") }
    #expect(error?.keyPath == "TRACK.INSTANCE_SIZE")
    #expect(error?.description.contains("expected an integer") == true)
}

@Test func stringForNumberKeyNamesFileKeyAndExpectation() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("siamrpn-config-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let url = dir.appendingPathComponent("config.yaml")
    try "TRACK:\n    TYPE: 'SiamRPNTracker'\n    LR: \"fast\"\n".write(to: url, atomically: true, encoding: .utf8)

    let error = #expect(throws: ConfigError.self) { try PysotConfig.load(contentsOf: url) }
    #expect(
        error
            == .wrongType(
                source: url.path, keyPath: "TRACK.LR", line: 3,
                expected: "a number (a float; an integer is accepted)",
                found: "'fast' (a string)"))
    let message = error?.description ?? ""
    #expect(message.contains(url.path))
    #expect(message.contains("TRACK.LR"))
    #expect(message.contains("expected a number"))
}

@Test func numbersWrittenAsPythonLiteralsAreAcceptedLikeYacs() throws {
    // PyYAML reads `1e-4` and quoted numbers as strings; yacs literal_evals them into numbers.
    let config = try PysotConfig(
        yaml: """
            TRAIN: {WEIGHT_DECAY: 1e-4, BASE_LR: '0.01', EPOCH: '30', LOG_GRADS: yes}
            CUDA: off
            """)
    #expect(config.train.weightDecay == 0.0001)
    #expect(config.train.baseLR == 0.01)
    #expect(config.train.epoch == 30)
    #expect(config.train.logGrads == true)
    #expect(config.cuda == false)
}

@Test func freeFormValuesDecodeLikePyYAMLThenYacs() throws {
    // YAML 1.1 implicit types first (hex, octal, underscores, yes/no, ~), then literal_eval of
    // whatever stayed a string (`1e5`, quoted numbers); a repeated key: the last one wins.
    let config = try PysotConfig(
        yaml: """
            BACKBONE:
                KWARGS: {a: 0x10, b: 010, c: 1_000, d: .5, e: -.5, f: 1., g: 1e5, h: '7', i: ~,
                         j: [1, 'x', yes], k: {n: off}, m: 019, s: resnet, a: 17}
            """)
    #expect(
        config.backbone.kwargs == [
            "a": .int(17), "b": .int(8), "c": .int(1000), "d": .double(0.5), "e": .double(-0.5),
            "f": .double(1), "g": .double(100000), "h": .int(7), "i": .null,
            "j": .list([.int(1), .string("x"), .bool(true)]), "k": .map(["n": .bool(false)]),
            "m": .string("019"), "s": .string("resnet")
        ])
}

@Test func wrongTypesForListsSectionsAndStringsAreErrors() throws {
    let cases: [(String, String)] = [
        ("ANCHOR: {RATIOS: [0.5, one]}", "ANCHOR.RATIOS"),
        ("DATASET: {NAMES: VID}", "DATASET.NAMES"),
        ("TRACK: 5", "TRACK"),
        ("BACKBONE: {TYPE: 50}", "BACKBONE.TYPE"),
        ("BACKBONE: {KWARGS: [1]}", "BACKBONE.KWARGS"),
        ("MASK: {MASK: 'maybe'}", "MASK.MASK"),
        ("TRACK: {TYPE: SiamFCTracker}", "TRACK.TYPE")
    ]
    for (yaml, keyPath) in cases {
        let error = #expect(throws: ConfigError.self, "\(yaml)") { try PysotConfig(yaml: yaml) }
        #expect(error?.keyPath == keyPath, "\(yaml)")
        #expect(error?.description.contains(keyPath) == true, "\(yaml)")
    }
}

@Test func yamlSyntaxErrorIsTypedAndNamesTheSource() throws {
    let error = #expect(throws: ConfigError.self) { try PysotConfig(yaml: "TRACK: [1, 2\n", source: "broken.yaml") }
    guard case .invalidYAML(let source, _) = error else {
        Issue.record("expected invalidYAML, got \(String(describing: error))")
        return
    }
    #expect(source == "broken.yaml")
    #expect(error?.description.hasPrefix("broken.yaml") == true)

    let notMapping = #expect(throws: ConfigError.self) { try PysotConfig(yaml: "- 1\n- 2\n") }
    #expect(notMapping?.description.contains("top level must be a mapping") == true)
}

@Test func missingFileIsTypedAndNamesThePath() throws {
    let url = URL(fileURLWithPath: "/nonexistent/siamrpn/config.yaml")
    let error = #expect(throws: ConfigError.self) { try PysotConfig.load(contentsOf: url) }
    #expect(error == .unreadableFile(path: url.path, reason: "no such file"))
    #expect(error?.description.contains("/nonexistent/siamrpn/config.yaml") == true)
}

@Test func addedDatasetInNamesNeedsAllFourFields() throws {
    let config = try PysotConfig(
        yaml: """
            DATASET:
                NAMES: ['VID', 'GOT10K']
                GOT10K: {ROOT: got/crop511, ANNO: got/train.json, FRAME_RANGE: 50, NUM_USE: 200000}
                VID: {NUM_USE: 5}
            """)
    #expect(config.warnings.isEmpty)
    #expect(
        config.dataset.sources["GOT10K"]
            == DatasetSource(
                root: "got/crop511", anno: "got/train.json", frameRange: 50, numUse: 200000))
    #expect(config.dataset.sources["VID"]?.numUse == 5)
    #expect(config.dataset.sources["VID"]?.frameRange == 100)

    let error = #expect(throws: ConfigError.self) {
        try PysotConfig(yaml: "DATASET:\n    NAMES: [LASOT]\n    LASOT: {ROOT: a, ANNO: b, FRAME_RANGE: 1}")
    }
    #expect(error?.keyPath == "DATASET.LASOT.NUM_USE")

    // Not used by NAMES and incomplete: pysot would keep it unread; we skip it with a warning.
    let unused = try PysotConfig(yaml: "DATASET:\n    LASOT: {ROOT: a, ANNO: b, FRAME_RANGE: 1}")
    #expect(unused.dataset.sources["LASOT"] == nil)
    #expect(unused.warnings.count == 1)
    #expect(unused.warnings.first?.hasPrefix("unknown key DATASET.LASOT") == true)
}

// MARK: - model consistency errors

@Test func unknownBackboneTypeListsTheValidOnes() throws {
    let error = try modelSpecError(alex(type: "vgg16"))
    #expect(
        error
            == .invalidValue(
                source: "<yaml string>", keyPath: "BACKBONE.TYPE", found: "'vgg16'",
                expected: "one of alexnetlegacy, alexnet, mobilenetv2, resnet18, resnet34, resnet50"))
}

@Test func unknownKeywordArgumentIsNamed() throws {
    let backbone = try modelSpecError(r50(usedLayers: "[2, 3, 4]\n        depth: 50"))
    #expect(backbone?.keyPath == "BACKBONE.KWARGS.depth")
    #expect(backbone?.description.contains("used_layers") == true)  // what it accepts

    let head = try modelSpecError(alex(rpn: "TYPE: DepthwiseRPN\n    KWARGS: {hidden: 256}"))
    #expect(head?.keyPath == "RPN.KWARGS.hidden")
    guard case .unknownArgument(_, _, _, let accepted) = head else {
        Issue.record("expected unknownArgument, got \(String(describing: head))")
        return
    }
    #expect(accepted == ["anchor_num", "in_channels", "out_channels"])
}

@Test func resnetRequiresUsedLayers() throws {
    let error = try modelSpecError("BACKBONE: {TYPE: resnet50}")
    #expect(error?.keyPath == "BACKBONE.KWARGS.used_layers")
    guard case .missingKey = error else {
        Issue.record("expected missingKey, got \(String(describing: error))")
        return
    }
}

@Test func usedLayersOutOfRangeIsAnError() throws {
    let error = try modelSpecError(r50(usedLayers: "[2, 3, 5]"))
    #expect(error?.keyPath == "BACKBONE.KWARGS.used_layers")
}

@Test func neckOutputMustMatchRPNInput() throws {
    let error = try modelSpecError(r50(rpnIn: "[256, 256, 128]"))
    #expect(error?.keyPath == "RPN.KWARGS.in_channels")
    #expect(error?.description.contains("[256, 256, 256]") == true)
}

@Test func neckInputCountMustMatchUsedLayers() throws {
    let error = try modelSpecError(r50(usedLayers: "[3, 4]"))
    #expect(error?.keyPath == "ADJUST.KWARGS.in_channels")
    #expect(error?.description.contains("2 feature maps") == true)
}

@Test func neckInputMustMatchBackboneChannels() throws {
    let error = try modelSpecError(
        """
        BACKBONE: {TYPE: mobilenetv2, KWARGS: {width_mult: 1.0}}
        ADJUST: {TYPE: AdjustAllLayer, KWARGS: {in_channels: [44, 134, 448], out_channels: [256, 256, 256]}}
        RPN: {TYPE: MultiRPN, KWARGS: {anchor_num: 5, in_channels: [256, 256, 256]}}
        """)
    #expect(error?.keyPath == "ADJUST.KWARGS.in_channels")
    #expect(error?.description.contains("[32, 96, 320]") == true)
}

@Test func withoutNeckRPNInputMustMatchBackboneChannels() throws {
    let error = try modelSpecError(alex(kwargs: "width_mult: 0.2"))
    #expect(error?.keyPath == "RPN.KWARGS.in_channels")
    #expect(error?.description.contains("51") == true)
}

@Test func multiRPNNeedsOneInputPerLevel() throws {
    let error = try modelSpecError(r50(rpnIn: "[256, 256]"))
    #expect(error?.keyPath == "RPN.KWARGS.in_channels")
    #expect(error?.description.contains("3 feature levels") == true)
}

@Test func singleLevelHeadRejectsSeveralLevels() throws {
    let error = try modelSpecError(
        """
        BACKBONE: {TYPE: resnet50, KWARGS: {used_layers: [2, 3, 4]}}
        ADJUST: {ADJUST: false}
        RPN: {TYPE: DepthwiseRPN}
        """)
    #expect(error?.keyPath == "RPN.TYPE")
}

@Test func anchorNumMustMatchRatiosTimesScales() throws {
    let error = try modelSpecError(r50(anchorSection: "ANCHOR: {RATIOS: [0.5, 1, 2]}"))
    #expect(error?.keyPath == "ANCHOR.ANCHOR_NUM")
    #expect(error?.description.contains("= 3") == true)
}

@Test func rpnAnchorNumMustMatchAnchorSection() throws {
    let error = try modelSpecError(r50(anchorNum: 3))
    #expect(error?.keyPath == "RPN.KWARGS.anchor_num")
}

@Test func siamMaskIsRejected() throws {
    let mask = try modelSpecError(r50() + "\nMASK: {MASK: true}")
    #expect(mask?.keyPath == "MASK.MASK")
    #expect(mask?.description.contains("SiamMask is not supported") == true)
    let refine = try modelSpecError(r50() + "\nREFINE: {REFINE: true}")
    #expect(refine?.keyPath == "REFINE.REFINE")
    #expect(refine?.description.contains("SiamMask is not supported") == true)
}
