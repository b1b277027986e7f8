import Dispatch
import Foundation
import S1Engine

/// Throughput of the CUDA engine on a Qwen2.5-0.5B-shaped model (random init), for `make bench`-style side-by-side
/// comparison with PyTorch on the same GPU (scripts/cuda-peer-bench.py uses the same shapes and formulas).
public enum CUDABenchmarks {
    /// Qwen2.5-0.5B's shape: 24 layers, hidden 896, 14 heads / 2 KV heads, intermediate 4864, vocab 151936, tied.
    public static let halfBillion = Qwen2Config(hiddenSize: 896, intermediateSize: 4864, numHiddenLayers: 24,
                                                numAttentionHeads: 14, numKeyValueHeads: 2, vocabSize: 151_936,
                                                ropeTheta: 1_000_000, rmsNormEps: 1e-6, tieWordEmbeddings: true,
                                                maxPositionEmbeddings: 32_768)
    /// H100 SXM dense bf16 tensor-core peak (FLOP/s) and HBM3 bandwidth (bytes/s), from NVIDIA's datasheet.
    public static let peakFlops = 989e12
    public static let peakBandwidth = 3.35e12

    /// A random model for timing: linear weights and embeddings uniform with HF's init standard deviation
    /// (0.02), norm gains 1, biases 0, drawn in parallel chunks from the counter RNG. The values do not change
    /// the timings; `Qwen2Model.initialised`'s serial Box–Muller would take longer than the benchmark here.
    static func randomModel(config: Qwen2Config, seed: UInt64) throws -> Qwen2Model {
        let model = try Qwen2Model(config: config)
        let p = model.parameters.pointer
        let halfWidth = Float(0.02 * 3.0.squareRoot())
        let chunk = 1 << 20
        for slot in model.layout.slots {
            if slot.name.hasSuffix("norm.weight") { (p + slot.offset).update(repeating: 1, count: slot.count); continue }
            if slot.name.hasSuffix(".bias") { continue }
            let chunks = (slot.count + chunk - 1) / chunk
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                var rng = CounterRNG(key: CounterRNG.derive(seed, UInt64(slot.offset), UInt64(c)))
                let start = c * chunk, end = min(slot.count, start + chunk)
                for i in start..<end { (p + slot.offset)[i] = halfWidth * Float(2 * rng.nextUnit() - 1) }
            }
        }
        return model
    }

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// One SFT step (forward, masked loss, backward, clip, AdamW) on batch × length random tokens.
    public static func training(backend: CUDABackend, config: Qwen2Config = halfBillion, batch: Int = 1,
                                length: Int = 2048, warmup: Int = 2, steps: Int = 5) throws -> [String: Double] {
        let model = try randomModel(config: config, seed: 1)
        let optimizer = AdamW(parameterCount: model.layout.count, beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 1e-4)
        let device = try CUDATrainingDevice(ops: backend.ops, model: model, optimizer: optimizer)
        var random = RandomInputs(seed: 2)
        let tokens = (0..<(batch * length)).map { _ in Int32(random.index(below: config.vocabSize)) }
        let targets = (0..<(batch * length)).map { $0 % length == length - 1 ? Int32(-1) : tokens[$0 + 1] }
        func step() throws {
            try device.zeroGradients()
            _ = try device.accumulateGradients(tokens: tokens, targets: targets, batch: batch, length: length,
                                               gradScale: 1 / Float(batch * (length - 1)))
            _ = try device.clipAndStep(maxNorm: 1, learningRate: 1e-5)
            try backend.context.synchronize()
        }
        for _ in 0..<warmup { try step() }
        var times: [Double] = []
        for _ in 0..<steps { times.append(try seconds(step)) }
        let median = times.sorted()[times.count / 2]
        let tokensPerStep = Double(batch * length)
        let flops = 6 * Double(model.parameterCount) * tokensPerStep
            + 12 * Double(config.numHiddenLayers * config.hiddenSize) * Double(length * length * batch)
        return ["step_ms": median * 1e3, "tokens_per_s": tokensPerStep / median, "mfu": flops / median / peakFlops,
                "parameters": Double(model.parameterCount), "batch": Double(batch), "length": Double(length)]
    }

    /// Greedy decoding of `newTokens` after a `prompt`-token random prompt at each batch size, argmax on the
    /// device, with the decoder's batch-invariant GEMM pinning and (for the cost of invariance) the heuristic's
    /// choice for each row count, both replayed as CUDA graphs, and the pinned GEMMs launched one by one.
    public static func decoding(backend: CUDABackend, config: Qwen2Config = halfBillion, batches: [Int] = [1, 64],
                                prompt: Int = 32, newTokens: Int = 128) throws -> [String: Double] {
        let model = try randomModel(config: config, seed: 1)
        let decoder = try CUDADecoder(ops: backend.ops, model: model)
        let ids = try backend.context.allocate(bytes: (batches.max() ?? 1) * 4)
        var report: [String: Double] = [:]
        var random = RandomInputs(seed: 4)
        let configurations: [(String, MatmulAlgorithmPolicy, Bool)] = [
            ("invariant", .rowInvariant(referenceN: 64), true), ("heuristic", .pinnedPerProblem, true),
            ("invariant_no_graphs", .rowInvariant(referenceN: 64), false),
        ]
        for (label, policy, graphs) in configurations {
            decoder.policy = policy
            decoder.usesGraphs = graphs
            for B in batches {
                let caches = try (0..<B).map { _ in try decoder.makeCache(capacity: prompt + newTokens) }
                var next = (0..<B).map { _ in (0..<prompt).map { _ in Int32(random.index(below: config.vocabSize)) } }
                func step() throws {
                    let (logits, rows) = try decoder.forward(caches: caches, tokens: next, allRows: false)
                    try backend.ops.argmax(ids: DevicePointer(ids), logits: DevicePointer(logits), rows: rows, vocabulary: config.vocabSize)
                    next = try ids.download(Int32.self, count: rows).map { [$0] }
                }
                try step()  // prefill (and warm-up of the pinned algorithms)
                try step()  // the first one-token step; the next one is captured as a graph
                try backend.context.synchronize()
                let time = try seconds { for _ in 2..<newTokens { try step() } }
                let steps = Double(newTokens - 2)
                let perStep = time / steps
                let averageLength = Double(prompt) + Double(newTokens) / 2
                let kvBytes = 2 * Double(config.numHiddenLayers * config.keyValueDim) * 2 * averageLength * Double(B)
                let weightBytes = 2 * Double(model.parameterCount)
                report["\(label)_b\(B)_tokens_per_s"] = Double(B) * steps / time
                report["\(label)_b\(B)_step_ms"] = perStep * 1e3
                report["\(label)_b\(B)_bandwidth_fraction"] = (weightBytes + kvBytes) / perStep / peakBandwidth
            }
        }
        for B in batches {
            if let pinned = report["invariant_b\(B)_step_ms"], let free = report["heuristic_b\(B)_step_ms"] {
                report["invariance_cost_b\(B)"] = pinned / free - 1
            }
        }
        return report
    }
}
