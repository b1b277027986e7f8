import Foundation

/// The trainer state beside the weights and optimiser moments in a checkpoint folder.
struct TrainerState: Codable, Equatable {
    var formatVersion: Int
    var step: Int
    var optimizerSteps: Int
    var seed: UInt64
    /// Data position: the next step's epoch and batch index (its order is derived from (seed, epoch)).
    var epoch: Int
    var batchInEpoch: Int
    var dataFingerprint: String
    var config: TrainingConfig
    var result: TrainingResult
}

/// Checkpoints: `model.safetensors` + `config.json` (fp32 weights), `optimizer.safetensors` (AdamW moments
/// `exp_avg`, `exp_avg_sq` in the parameter layout) and `trainer_state.json` (step, data position, seed, curves).
/// Written into a `.partial` folder and renamed when complete, so a crash never leaves a half checkpoint.
extension SFTTrainer {
    public func saveCheckpoint(to directory: URL) throws {
        let manager = FileManager.default
        let partial = directory.deletingLastPathComponent().appendingPathComponent(".\(directory.lastPathComponent).partial")
        try? manager.removeItem(at: partial)
        try model.save(directory: partial, dtype: .f32)
        let count = model.layout.count
        try SafeTensorsWriter.write([
            SafeTensorRecord(name: "exp_avg", shape: [count], values: UnsafeBufferPointer(start: optimizer.firstMoment.pointer, count: count)),
            SafeTensorRecord(name: "exp_avg_sq", shape: [count], values: UnsafeBufferPointer(start: optimizer.secondMoment.pointer, count: count)),
        ], metadata: ["step": "\(optimizer.stepCount)"], to: partial.appendingPathComponent("optimizer.safetensors"))
        let state = TrainerState(formatVersion: 1, step: step, optimizerSteps: optimizer.stepCount, seed: seed,
                                 epoch: step / stepsPerEpoch, batchInEpoch: step % stepsPerEpoch,
                                 dataFingerprint: dataFingerprint, config: config, result: result)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        // A diverged run (inf/nan loss) must still be checkpointable for inspection.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try SafeTensorsWriter.writeAtomically(try encoder.encode(state), to: partial.appendingPathComponent("trainer_state.json"))
        do {
            if manager.fileExists(atPath: directory.path) { try manager.removeItem(at: directory) }
            try manager.moveItem(at: partial, to: directory)
        } catch {
            throw EngineError.writeFailed(path: directory.path, reason: "\(error)")
        }
    }

    /// The completed checkpoint with the highest step in `directory` (folders `step-NNNNNN`; unfinished
    /// `.partial` folders are ignored), or nil when there is none.
    public static func latestCheckpoint(in directory: URL) -> URL? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return nil }
        let steps = names.compactMap { name -> (Int, String)? in
            guard name.hasPrefix("step-"), let step = Int(name.dropFirst(5)),
                  FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).appendingPathComponent("trainer_state.json").path)
            else { return nil }
            return (step, name)
        }
        return steps.max { $0.0 < $1.0 }.map { directory.appendingPathComponent($0.1) }
    }

    /// Restores weights, optimiser moments, step and curves from a checkpoint written by `saveCheckpoint`.
    /// Refuses a checkpoint of other data, seed or hyperparameters, since resuming would not be the same run.
    public func restore(from directory: URL) throws {
        let statePath = directory.appendingPathComponent("trainer_state.json")
        guard let data = try? Data(contentsOf: statePath) else { throw EngineError.fileNotFound(path: statePath.path) }
        let state: TrainerState
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do { state = try decoder.decode(TrainerState.self, from: data) } catch {
            throw EngineError.corruptHeader(path: statePath.path, reason: "\(error)")
        }
        guard state.dataFingerprint == dataFingerprint, state.seed == seed, state.config == config else {
            throw EngineError.invalidInput(reason: "\(statePath.path): checkpoint was written for other data, seed or training config; start a fresh run instead")
        }
        let savedConfig = try Qwen2Config.load(from: directory.appendingPathComponent("config.json"))
        guard savedConfig == model.config else {
            throw EngineError.invalidConfig(path: directory.appendingPathComponent("config.json").path,
                                            problems: ["checkpoint model configuration differs from the model being trained"])
        }
        try model.loadWeights(directory: directory)
        let optimizerFile = try SafeTensorsFile(url: directory.appendingPathComponent("optimizer.safetensors"))
        try optimizerFile.read("exp_avg", expectedShape: [model.layout.count], into: optimizer.firstMoment.pointer)
        try optimizerFile.read("exp_avg_sq", expectedShape: [model.layout.count], into: optimizer.secondMoment.pointer)
        optimizer.stepCount = state.optimizerSteps
        try restoreProgress(step: state.step, result: state.result)
    }
}
