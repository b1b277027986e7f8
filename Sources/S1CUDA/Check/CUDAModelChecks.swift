import Foundation
import S1Engine

/// Whole-model checks of the CUDA engine: logits and gradients on the Qwen2 fixture checkpoints against the
/// committed Hugging Face values and the CPU engine, and a 50-step training run against the CPU trainer, run
/// twice on the GPU to show it is bitwise reproducible.
/// Tolerances: bf16 GEMM operands give ~3·2⁻⁹ relative error per layer, so logits ≤ 2e-2 and per-tensor
/// gradients ≤ 5e-2; loss curves within 3% of the fp32 CPU run at every step (0.03 absolute below loss 1).
public enum CUDAModelChecks {
    public static func fixtures(backend: CUDABackend, fixtureRoot: URL) -> [CheckResult] {
        var results: [CheckResult] = []
        for name in ["qwen2-tied", "qwen2-untied"] {
            do {
                results += try fixture(backend: backend, folder: fixtureRoot.appendingPathComponent(name), name: name)
            } catch {
                results.append(.failed("fixture \(name)", error: error))
            }
        }
        return results
    }

    static func fixture(backend: CUDABackend, folder: URL, name: String) throws -> [CheckResult] {
        let model = try Qwen2Model.load(directory: folder)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("expected.json"))) as? [String: Any] ?? [:]
        guard let ids = json["input_ids"] as? [[Int]], let mask = json["loss_mask"] as? [[Bool]],
              let hfLoss = (json["loss"] as? NSNumber)?.doubleValue else {
            throw EngineError.invalidInput(reason: "\(folder.path)/expected.json: needs input_ids, loss_mask and loss")
        }
        let expected = try SafeTensorsFile(url: folder.appendingPathComponent("expected.safetensors"))
        let tokens = ids.map { $0.map(Int32.init) }
        let B = tokens.count, T = tokens[0].count
        let optimizer = AdamW(parameterCount: model.layout.count, beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 0)
        let device = try CUDATrainingDevice(ops: backend.ops, model: model, optimizer: optimizer)
        let flat = tokens.flatMap { $0 }
        let gpuLogits = try device.logits(tokens: flat, batch: B, length: T)
        let cpuLogits = try model.logits(tokens: tokens)
        var results = [
            CheckResult(name: "\(name) logits vs HF", value: relativeError(gpuLogits, try expected.floats("logits")), tolerance: 2e-2),
            CheckResult(name: "\(name) logits vs CPU engine", value: relativeError(gpuLogits, cpuLogits), tolerance: 2e-2),
        ]
        let targets = Qwen2Model.nextTokenTargets(tokens: tokens, lossMask: mask)
        let selected = targets.filter { $0 >= 0 }.count
        try device.zeroGradients()
        let lossSum = try device.accumulateGradients(tokens: flat, targets: targets, batch: B, length: T, gradScale: 1 / Float(selected))
        let loss = lossSum / Double(selected)
        results.append(CheckResult(name: "\(name) loss vs HF", metric: "relative difference", value: abs(loss - hfLoss) / hfLoss, tolerance: 1e-2))
        let gradients = try device.gradients.download(Float.self, count: model.layout.count)
        var worst = (name: "", error: 0.0)
        for slot in model.layout.slots {
            let gpu = Array(gradients[slot.offset..<(slot.offset + slot.count)])
            let error = relativeError(gpu, try expected.floats("grad." + slot.name))
            if error >= worst.error { worst = (slot.name, error) }
        }
        results.append(CheckResult(name: "\(name) gradients vs HF (worst tensor)", value: worst.error, tolerance: 5e-2,
                                   detail: worst.name))
        return results
    }

    /// 50 SFT steps of a small model on seeded random sequences: CPU (fp32) against the GPU twice.
    public static func training(backend: CUDABackend, steps: Int = 50) -> [CheckResult] {
        do {
            let config = Qwen2Config(hiddenSize: 64, intermediateSize: 160, numHiddenLayers: 2, numAttentionHeads: 4,
                                     numKeyValueHeads: 2, vocabSize: 300, maxPositionEmbeddings: 256)
            var random = RandomInputs(seed: 11)
            // Sequences that repeat a short random motif, so the loss has something to learn and falls.
            let examples: [TrainingExample] = (0..<(8 * steps / 5)).map { _ in
                let motif = (0..<4).map { _ in Int32(random.index(below: 300)) }
                let length = 24 + random.index(below: 40)
                let tokens = (0..<length).map { motif[$0 % motif.count] }
                return TrainingExample(tokens: tokens, lossMask: (0..<length).map { $0 >= length / 3 })
            }
            let training = TrainingConfig(epochs: 5, batchSize: 8, microBatchSize: 4, learningRate: 3e-3, blockSize: 256)
            func run(_ engine: any Backend) throws -> (TrainingResult, [Float]) {
                let model = try Qwen2Model.initialised(config: config, seed: 5)
                let trainer = try SFTTrainer(model: model, config: training, examples: examples, seed: 9, backend: engine)
                let result = try trainer.run(stopAfterStep: steps)
                return (result, model.parameters.toArray())
            }
            let (cpu, _) = try run(CPUBackend.shared)
            let (first, firstParameters) = try run(backend)
            let (second, secondParameters) = try run(backend)
            // |Δloss| relative to the CPU loss, or absolute once the loss is below 1 (late steps near zero loss
            // would otherwise turn rounding into large ratios).
            let worst = zip(first.lossCurve, cpu.lossCurve).map { abs($0 - $1) / max($1, 1) }.max() ?? .infinity
            let curve = { (r: TrainingResult) in r.lossCurve.map { String(format: "%.4f", $0) }.joined(separator: " ") }
            return [
                CheckResult(name: "training \(steps) steps: GPU loss curve vs CPU", metric: "max |Δloss| / max(cpu loss, 1) over steps",
                            value: worst, tolerance: 3e-2,
                            detail: "cpu first/last \(cpu.lossCurve.first ?? 0)/\(cpu.lossCurve.last ?? 0); gpu \(curve(first))"),
                .exact("training \(steps) steps: two GPU runs bitwise identical",
                       equal: first == second && firstParameters == secondParameters),
            ]
        } catch {
            return [.failed("training", error: error)]
        }
    }
}
