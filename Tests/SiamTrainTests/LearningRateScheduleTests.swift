import Foundation
import SiamRPN
import SiamTrain
import Testing

/// pysot's `build_lr_scheduler` and `build_opt_lr` against pysot's own scheduler run at dev time
/// (`Tests/Fixtures/lr_scheduler/lr_schedules.json`) and NanoTrack's trainer
/// (`training_v2/nanotrack_v3/step.json`), Tests/Fixtures/README.md section 32. Tolerances (section
/// 32): values from numpy's array `power` (the `log` and `step` types) within 1 ulp, a group's lr within 4 ulp;
/// `cos` within 1 float32 ulp; every other value exact.
@Suite struct LearningRateScheduleTests {
    static func json(_ path: String) throws -> JSONValue {
        let bytes = [UInt8](try Data(contentsOf: TrainFixtures.fixtures.appendingPathComponent(path)))
        return try JSONValue.parse(bytes, 0..<bytes.count)
    }

    static func configValue(_ v: JSONValue) -> ConfigValue {
        switch v {
        case .integer(let i): return .int(i)
        case .number(let d): return .double(d)
        case .array(let items): return .list(items.map(configValue))
        case .string(let s): return .string(s)
        default: return .null
        }
    }

    static func kwargs(_ v: JSONValue?) -> [String: ConfigValue] {
        guard case .object(let members)? = v else { return [:] }
        return Dictionary(uniqueKeysWithValues: members.map { ($0.name, configValue($0.value)) })
    }

    /// |a - t| <= ulps * ulp(t).
    static func within(_ a: Double, _ t: Double, ulps: Double) -> Bool { abs(a - t) <= ulps * t.ulp }

    @Test func everySchedulerTypeWithAndWithoutWarmUpGivesPysotsRatesPerEpochAndGroup() throws {
        let cases = try #require(try Self.json("lr_scheduler/lr_schedules.json")["cases"]?.arrayValue)
        #expect(cases.count == 9)
        var checked = 0
        for c in cases {
            let name = c["name"]!.stringValue!
            var train = TrainConfig()
            train.epoch = c["epochs"]!.int
            train.lr = LRSchedule(type: c["LR"]!["TYPE"]!.stringValue!, kwargs: Self.kwargs(c["LR"]?["KWARGS"]))
            if let warm = c["LR_WARMUP"], warm != .null {
                train.lrWarmup.warmup = true
                train.lrWarmup.type = warm["TYPE"]!.stringValue!
                train.lrWarmup.epoch = warm["EPOCH"]!.int
                train.lrWarmup.kwargs = Self.kwargs(warm["KWARGS"])
            } else {
                train.lrWarmup.warmup = false
            }
            let schedule = try LearningRateSchedule(train: train)
            // numpy's array `power` makes the log and step values (SVML on AVX512 builds, not libm).
            let isLog = ["log", "step"].contains(train.lr.type) || (train.lrWarmup.warmup && train.lrWarmup.type == "step")
            let isCos = train.lr.type == "cos"
            func agrees(_ a: Double, _ t: Double, groupValue: Bool) -> Bool {
                if isCos { return abs(a - t) <= Double(Float(t).ulp) * (groupValue ? 2 : 1) }
                if isLog { return Self.within(a, t, ulps: groupValue ? 4 : 1) }
                return a == t
            }
            let spaces = c["lr_spaces"]!.doubles
            #expect(schedule.lrSpaces.count == spaces.count, "\(name)")
            #expect(zip(schedule.lrSpaces, spaces).allSatisfy { agrees($0, $1, groupValue: false) }, "\(name): \(schedule.lrSpaces) vs \(spaces)")
            #expect(agrees(schedule.startLR, c["start_lr"]!.double, groupValue: false), "\(name)")
            let initial = c["group_initial_lr"]!.doubles
            for e in c["per_epoch"]?.arrayValue ?? [] {
                let epoch = e["epoch"]!.int
                #expect(agrees(schedule.currentLR(epoch: epoch), e["cur_lr"]!.double, groupValue: false), "\(name) epoch \(epoch)")
                for (g, lr) in e["group_lr"]!.doubles.enumerated() {
                    #expect(agrees(schedule.groupLR(initialLR: initial[g], epoch: epoch), lr, groupValue: true), "\(name) epoch \(epoch)")
                    checked += 1
                }
            }
        }
        #expect(checked == 2 * (20 + 50 + 12 + 30 + 30 + 25 + 25 + 15 + 20))
    }

    @Test func anUnknownSchedulerTypeIsAnErrorNamingTheKey() {
        var train = TrainConfig()
        train.lr = LRSchedule(type: "exp")
        #expect(throws: ConfigError.self) { try LearningRateSchedule(train: train) }
        train.lr = LRSchedule(type: "log")
        train.lrWarmup.epoch = train.epoch
        #expect(throws: ConfigError.self) { try LearningRateSchedule(train: train) }
    }

    /// NanoTrackV3's parameter names (`docs/weight-keys/nanotrackv3.txt` without the BatchNorm buffers)
    /// and its BatchNorm modules.
    static func nanoTrackV3() throws -> (parameters: [String], batchNorms: [String]) {
        let url = TrainFixtures.fixtures.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/weight-keys/nanotrackv3.txt")
        let keys = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").compactMap { $0.split(separator: "\t").first.map(String.init) }
        let buffers = [".running_mean", ".running_var", ".num_batches_tracked"]
        let parameters = keys.filter { k in !buffers.contains { k.hasSuffix($0) } }
        let batchNorms = keys.filter { $0.hasSuffix(".running_mean") }.map { String($0.dropLast(".running_mean".count)) }
        return (parameters, batchNorms)
    }

    @Test func nanoTrackV3sTrainerGroupsRatesAndBatchNormModesInBothPhasesEqualTheRecordedStep() throws {
        let yaml = try String(
            contentsOf: TrainFixtures.fixtures.appendingPathComponent("training_v2/nanotrack_v3/configv3.yaml"), encoding: .utf8)
        let config = try NanoTrackTrainingConfig.read(yaml: yaml, source: "configv3.yaml").config
        #expect(config.backbone.trainLayers == ["features"] && config.backbone.trainEpoch == 10 && config.adjust)
        let schedule = try LearningRateSchedule(train: config.train)
        let (parameters, batchNorms) = try Self.nanoTrackV3()
        let variants = try #require(try Self.json("training_v2/nanotrack_v3/step.json")["variants"])
        for name in ["backbone_trainable_epoch10", "backbone_frozen_epoch0"] {
            let v = try #require(variants[name])
            let epoch = v["start_epoch"]!.int
            let recorded = v["lr_scheduler"]!["lr_spaces"]!.doubles
            #expect(schedule.lrSpaces.count == recorded.count)
            #expect(zip(schedule.lrSpaces, recorded).allSatisfy { Self.within($0, $1, ulps: 1) }, "\(name)")
            let groups = OptimizerGroups(
                parameters: parameters, backbone: config.backbone, train: config.train, adjust: config.adjust, head: "ban_head", epoch: epoch)
            let expected = try #require(v["param_groups"]?.arrayValue)
            #expect(groups.groups.map(\.module) == ["backbone", "neck", "ban_head"])
            #expect(groups.groups.count == expected.count)
            for (g, e) in zip(groups.groups, expected) {
                #expect(g.parameters.count == e["num_params"]!.int, "\(name) \(g.module)")
                #expect(g.initialLR == e["initial_lr"]!.double, "\(name) \(g.module)")
                #expect(Self.within(schedule.groupLR(initialLR: g.initialLR, epoch: epoch), e["lr"]!.double, ulps: 4), "\(name) \(g.module)")
                if let first = e["first_param"]?.stringValue, let last = e["last_param"]?.stringValue {
                    #expect(g.parameters.contains(first) && g.parameters.contains(last), "\(name) \(g.module)")
                }
            }
            let frozen = (v["requires_grad_false"]?.arrayValue ?? []).compactMap(\.stringValue)
            #expect(groups.frozen.sorted() == frozen.sorted(), "\(name)")
            let trainModes = (v["bn_modes_during_step"]?["train"]?.arrayValue ?? []).compactMap(\.stringValue)
            let ours = batchNorms.filter { OptimizerGroups.batchNormTrains($0, backbone: config.backbone, epoch: epoch) }
            #expect(ours.sorted() == trainModes.sorted(), "\(name)")
        }
    }
}

/// `OptimizerGroups` for pysot's SiamRPN++ ResNet-50 (8-gpu config) against pysot's own
/// `build_opt_lr` (`Tests/Fixtures/lr_scheduler/build_opt_lr_r50.json`, README section 32).
@Suite struct PysotOptimizerGroupsTests {
    @Test func resNet50sGroupsFrozenParametersAndBatchNormModesEqualPysotsAtEveryPhase() throws {
        let json = try LearningRateScheduleTests.json("lr_scheduler/build_opt_lr_r50.json")
        let config = try PysotConfig.load(
            contentsOf: TrainFixtures.fixtures.appendingPathComponent("lr_scheduler/siamrpn_r50_l234_dwxcorr_8gpu.yaml"))
        #expect(config.backbone.trainLayers == ["layer2", "layer3", "layer4"] && config.backbone.trainEpoch == 10)
        let schedule = try LearningRateSchedule(train: config.train)
        let parameters = (json["parameters"]?.arrayValue ?? []).compactMap(\.stringValue)
        let batchNorms = (json["batch_norms"]?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(parameters.count == 236)
        let names = { (v: JSONValue?) in (v?.arrayValue ?? []).compactMap(\.stringValue) }
        for epoch in [0, 9, 10, 15] {
            let expected = try #require(json["epochs"]?["\(epoch)"])
            let groups = OptimizerGroups(
                parameters: parameters, backbone: config.backbone, train: config.train, adjust: config.adjust.adjust, head: "rpn_head",
                epoch: epoch)
            let recorded = try #require(expected["groups"]?.arrayValue)
            #expect(groups.groups.map(\.module) == ["backbone", "neck", "rpn_head"])
            #expect(groups.groups.count == recorded.count)
            for (g, e) in zip(groups.groups, recorded) {
                #expect(g.parameters == names(e["params"]), "epoch \(epoch) \(g.module)")
                #expect(g.initialLR == e["initial_lr"]!.double, "epoch \(epoch) \(g.module)")
                #expect(
                    LearningRateScheduleTests.within(schedule.groupLR(initialLR: g.initialLR, epoch: epoch), e["lr"]!.double, ulps: 4),
                    "epoch \(epoch) \(g.module)")
            }
            #expect(groups.frozen == names(expected["frozen"]), "epoch \(epoch)")
            let train = batchNorms.filter { OptimizerGroups.batchNormTrains($0, backbone: config.backbone, epoch: epoch) }
            #expect(train == names(expected["bn_train"]), "epoch \(epoch)")
            #expect(LearningRateScheduleTests.within(schedule.currentLR(epoch: epoch), expected["cur_lr"]!.double, ulps: 1))
        }
    }
}
