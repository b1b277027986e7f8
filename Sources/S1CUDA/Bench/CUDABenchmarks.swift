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
    /// Dense bf16 tensor-core peak (FLOP/s) and HBM bandwidth (bytes/s) from NVIDIA's datasheets: H100 SXM
    /// 989 TFLOP/s and 3.35 TB/s; H200 SXM the same compute and 4.8 TB/s (the device tool lends either). MFU and
    /// bandwidth fractions use the device the numbers were measured on.
    public static func peaks(deviceName: String) -> (flops: Double, bandwidth: Double) {
        deviceName.contains("H200") ? (989e12, 4.8e12) : (989e12, 3.35e12)
    }

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

    /// One SFT step (forward, masked loss, backward, clip, AdamW) on `accumulation` micro-batches of
    /// batch × length random tokens (the paper's batch of 16 sequences is `accumulation: 16` at batch 1), with the
    /// given attention kernels (nil: the training default). Also times the phases alone (each synchronised):
    /// one micro-batch's forward, its forward + backward, and the optimizer (norm, clip, AdamW).
    public static func training(backend: CUDABackend, config: Qwen2Config = halfBillion, batch: Int = 1,
                                length: Int = 2048, accumulation: Int = 1, attention: TrainingAttentionKernel? = nil,
                                warmup: Int = 2, steps: Int = 5, profile: Bool = false) throws -> [String: Double] {
        let model = try randomModel(config: config, seed: 1)
        let optimizer = AdamW(parameterCount: model.layout.count, beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 1e-4)
        let device = try CUDATrainingDevice(ops: backend.ops, model: model, optimizer: optimizer, attention: attention)
        var random = RandomInputs(seed: 2)
        let tokens = (0..<(batch * length)).map { _ in Int32(random.index(below: config.vocabSize)) }
        let targets = (0..<(batch * length)).map { $0 % length == length - 1 ? Int32(-1) : tokens[$0 + 1] }
        let gradScale = 1 / Float(accumulation * batch * (length - 1))
        func microBatch() throws {
            _ = try device.accumulateGradients(tokens: tokens, targets: targets, batch: batch, length: length,
                                               gradScale: gradScale)
        }
        func step() throws {
            try device.zeroGradients()
            for _ in 0..<accumulation { try microBatch() }
            _ = try device.clipAndStep(maxNorm: 1, learningRate: 1e-5)
            try backend.context.synchronize()
        }
        func median(_ body: () throws -> Void) throws -> Double {
            var times: [Double] = []
            for _ in 0..<steps { times.append(try seconds { try body(); try backend.context.synchronize() }) }
            return times.sorted()[times.count / 2]
        }
        for _ in 0..<warmup { try step() }
        let stepTime = try median(step)
        let forwardTime = try median {
            let a = try device.activations(batch: batch, length: length)
            try a.tokens.upload(tokens)
            try device.forward(a, batch: batch, length: length)
        }
        let microBatchTime = try median(microBatch)
        let optimizerTime = try median { _ = try device.clipAndStep(maxNorm: 1, learningRate: 1e-5) }
        var report: [String: Double] = [:]
        if profile {
            report = try profiled(backend, label: "profile") {
                try device.zeroGradients()
                try microBatch()
                _ = try device.clipAndStep(maxNorm: 1, learningRate: 1e-5)
            }
        }
        let tokensPerStep = Double(accumulation * batch * length)
        let flops = 6 * Double(model.parameterCount) * tokensPerStep
            + 12 * Double(config.numHiddenLayers * config.hiddenSize) * Double(length * length * batch * accumulation)
        let peakFlops = peaks(deviceName: backend.context.deviceName).flops
        return report.merging(["step_ms": stepTime * 1e3, "tokens_per_s": tokensPerStep / stepTime, "mfu": flops / stepTime / peakFlops,
                "parameters": Double(model.parameterCount), "batch": Double(batch), "length": Double(length),
                "accumulation": Double(accumulation), "flash_attention": device.attentionKernel == .flash ? 1 : 0,
                "forward_ms": forwardTime * 1e3, "forward_backward_ms": microBatchTime * 1e3,
                "optimizer_ms": optimizerTime * 1e3]) { $1 }
    }

    /// GPU milliseconds per operation of one run of `body` (`OpProfiler`), as "<label>_ms.<operation>" (the 30
    /// largest) and "<label>_total_ms". Memsets are not operations: their time lands on the operation after them.
    static func profiled(_ backend: CUDABackend, label: String, _ body: () throws -> Void) throws -> [String: Double] {
        let profiler = OpProfiler(context: backend.context)
        try backend.context.synchronize()
        backend.ops.profiler = profiler
        defer { backend.ops.profiler = nil }
        try profiler.begin(on: backend.ops.stream)
        try body()
        let totals = try profiler.totals()
        var report = ["\(label)_total_ms": totals.reduce(0) { $0 + $1.milliseconds }]
        for entry in totals.prefix(30) {
            report["\(label)_ms.\(entry.name) (×\(entry.count))"] = entry.milliseconds
        }
        return report
    }

    /// Greedy decoding of `newTokens` after a `prompt`-token random prompt at each batch size, argmax on the
    /// device, with the decoder's batch-invariant GEMM pinning and (for the cost of invariance) the heuristic's
    /// choice for each row count, both replayed as CUDA graphs, and the pinned GEMMs launched one by one.
    public static func decoding(backend: CUDABackend, config: Qwen2Config = halfBillion, batches: [Int] = [1, 64],
                                prompt: Int = 32, newTokens: Int = 128, profile: Bool = false) throws -> [String: Double] {
        let model = try randomModel(config: config, seed: 1)
        let decoder = try CUDADecoder(ops: backend.ops, model: model)
        let ids = try backend.context.allocate(bytes: (batches.max() ?? 1) * 4)
        let peakBandwidth = peaks(deviceName: backend.context.deviceName).bandwidth
        var report: [String: Double] = ["peak_bandwidth": peakBandwidth]
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
                if profile && !graphs {
                    report.merge(try profiled(backend, label: "profile_b\(B)", step)) { $1 }
                }
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
