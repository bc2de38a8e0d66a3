// Mirrors one iteration of NanoTrack's bin/train.py train(): forward, loss.backward(), clip_grad_norm_, optimizer.step()
import Foundation
import SiamNN
import SiamRPN
import SiamTrain

extension TrainStep {
    /// The config's text when it describes a NanoTrack model (as `TrackingModel.load` decides:
    /// `META_ARC: nanotrack` or a `mobilenetv3_small*` backbone); nil otherwise or when it
    /// cannot be read (pysot's loader then reports that).
    func nanoTrackConfigText() -> String? {
        guard let text = try? String(contentsOf: URL(fileURLWithPath: cfg), encoding: .utf8), NanoTrackConfig.describes(text) else {
            return nil
        }
        return text
    }

    /// `train-step` for NanoTrackV3: the batch of `NanoTrackTrainingBatch`, NanoTrack's losses,
    /// the same outputs as pysot's step.
    func runNanoTrack(configText: String) throws {
        let configURL = URL(fileURLWithPath: cfg)
        let (config, warnings) = try NanoTrackTrainingConfig.read(yaml: configText, source: cfg)
        for warning in warnings { printError("warning: \(cfg): \(warning)") }
        let weights = try StateDict.load(contentsOf: URL(fileURLWithPath: snapshot))
        let model: NanoTrackTrainingModel
        do {
            model = try NanoTrackTrainingModel(stateDict: weights, frozenBackbone: frozenBackbone)
        } catch let error as TrainingModelError {
            throw CLIError("\(snapshot) and \(cfg): \(error)")
        }
        let batchURL = URL(fileURLWithPath: batch, isDirectory: true)
        let data: NanoTrackTrainingBatch
        do {
            data = try NanoTrackTrainingBatch(directory: batchURL)
            try model.check(data)
        } catch let error as TrainingBatchError {
            throw CLIError("\(error) (in '\(batch)')")
        }
        let dir = URL(fileURLWithPath: output, isDirectory: true)
        let outputs = ["losses.json", "gradients.safetensors", "updated.safetensors"].map { dir.appendingPathComponent($0) }
        try refuseOverwritingInputs(
            outputs: outputs,
            inputs: [("config", configURL), ("snapshot", URL(fileURLWithPath: snapshot))]
                + NanoTrackTrainingBatch.fileNames.map { ("batch", batchURL.appendingPathComponent($0)) })

        let start = Date()
        model.zeroGradients()
        let loss: NanoTrackLoss
        do {
            loss = try model.step(data, clsWeight: config.train.clsWeight, locWeight: config.train.locWeight)
        } catch let error as NanoTrackLossError {
            throw CLIError("\(batch): \(error)")
        }
        let gradients = model.weights.gradients()
        let valid = loss.totalLoss.isFinite && loss.totalLoss <= 1e4
        let clip = valid ? clippedUpdate(model.parameters, train: config.train) : nil
        if !valid {
            printError("warning: total loss \(loss.totalLoss) is not finite or above 1e4; like NanoTrack's trainer, the step is skipped")
        }
        let seconds = Date().timeIntervalSince(start)

        try writeStepOutputs(
            outputs, clsLoss: loss.clsLoss, locLoss: loss.locLoss, totalLoss: loss.totalLoss, clip: clip, updated: valid,
            gradients: gradients, weights: model.weights.stateDict())
        print(
            "cls_loss \(loss.clsLoss) loc_loss \(loss.locLoss) total_loss \(loss.totalLoss)"
                + " (\(gradients.keys.count) gradients, \(String(format: "%.0f", seconds * 1000)) ms) -> \(dir.path)")
    }
}
