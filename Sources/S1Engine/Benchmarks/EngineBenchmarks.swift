import Foundation

/// Throughput measurements for `make bench` (through `s1 bench`), never for the timed test suite.
/// Each returns one JSON line that `scripts/bench-engine.sh` compares with PyTorch eager on the same shape.
public enum EngineBenchmarks {
    /// One SFT training step (forward, masked cross-entropy, backward, AdamW) on the s1-mini shape (DESIGN: hidden
    /// 128, 4 layers, 4 heads, 2 KV heads, intermediate 384, byte vocabulary, tied): wall and CPU tokens/s.
    /// `microBatch` (default: the whole batch in one pass) splits each step into passes with gradient accumulation.
    public static func trainingStep(threads: Int, batch: Int, length: Int, steps: Int, microBatch: Int? = nil) throws -> String {
        EngineEnvironment.configure(threads: threads)
        defer { EngineEnvironment.configure(threads: 1) }
        let config = Qwen2Config(hiddenSize: 128, intermediateSize: 384, numHiddenLayers: 4, numAttentionHeads: 4,
                                 numKeyValueHeads: 2, vocabSize: 272, tieWordEmbeddings: true)
        let model = try Qwen2Model.initialised(config: config, seed: 1)
        var rng = CounterRNG(key: 2)
        let examples = (0..<(batch * (steps + 1))).map { _ in
            TrainingExample(tokens: (0..<length).map { _ in Int32(rng.nextIndex(below: 256)) },
                            lossMask: (0..<length).map { $0 > 0 })
        }
        let trainer = try SFTTrainer(model: model, config: TrainingConfig(epochs: 1, batchSize: batch, microBatchSize: microBatch ?? batch,
                                                                          learningRate: 1e-3, blockSize: length),
                                     examples: examples, seed: 3)
        try trainer.run(stopAfterStep: 1)  // warm-up
        // Process CPU time as well as wall time: on a shared machine CPU time is the steadier comparison.
        let start = DispatchTime.now().uptimeNanoseconds, cpuStart = cpuSeconds()
        try trainer.run(stopAfterStep: 1 + steps)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, cpu = cpuSeconds() - cpuStart
        let tokens = Double(steps * batch * length)
        return "{\"engine\":\"s1-swift\",\"threads\":\(threads),\"batch\":\(batch),\"micro_batch\":\(microBatch ?? batch),"
            + "\"length\":\(length),\"steps\":\(steps),"
            + "\"tokens_per_second\":\(tokens / seconds),\"tokens_per_cpu_second\":\(tokens / cpu),"
            + "\"kernel_version\":\"\(EngineEnvironment.kernelVersion)\",\"parameters\":\(model.parameterCount)}"
    }

    /// Greedy KV-cache decoding on the same shape: `newTokens` new tokens after a `prompt`-token random prompt for
    /// each of `batch` sequences decoded together, prompt feeding included; wall and CPU tokens/s.
    public static func decoding(batch: Int, prompt: Int, newTokens: Int, threads: Int = 1) throws -> String {
        EngineEnvironment.configure(threads: threads)
        defer { EngineEnvironment.configure(threads: 1) }
        let config = Qwen2Config(hiddenSize: 128, intermediateSize: 384, numHiddenLayers: 4, numAttentionHeads: 4,
                                 numKeyValueHeads: 2, vocabSize: 272, tieWordEmbeddings: true)
        let model = try Qwen2Model.initialised(config: config, seed: 1)
        let generator = Generator(model: model, maxBatchSize: batch)
        // Seeded random prompt ids (the Python peer draws its own; the timing does not depend on the ids).
        func requests() -> [GenerationRequest] {
            (0..<batch).map { b in
                var rng = CounterRNG(key: CounterRNG.derive(5, UInt64(b)))
                return GenerationRequest(id: UInt64(b), promptTokens: (0..<prompt).map { _ in Int32(rng.nextIndex(below: 256)) },
                                         policy: StopPolicy(maxNewTokens: newTokens))
            }
        }
        _ = try generator.generate(requests: requests())  // warm-up: scratch buffers
        let start = DispatchTime.now().uptimeNanoseconds, cpuStart = cpuSeconds()
        let results = try generator.generate(requests: requests())
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, cpu = cpuSeconds() - cpuStart
        let generated = Double(results.reduce(0) { $0 + $1.tokens.count })
        return "{\"engine\":\"s1-swift-decode\",\"threads\":\(threads),\"batch\":\(batch),\"prompt\":\(prompt),\"new_tokens\":\(newTokens),"
            + "\"tokens_per_second\":\(generated / seconds),\"tokens_per_cpu_second\":\(generated / cpu)}"
    }

    /// GFLOP/s of the training step's largest matmul, the fused gate/up projection (B·T, C)·(C, 2I), in its three
    /// products as the step runs them through `PanelGEMM`: the forward on weights packed once, the input gradient,
    /// and the weight gradient (activations packed per call); best of 5 timings each. The peer for the whole step
    /// is PyTorch (`scripts/bench-engine.sh`).
    public static func largestMatmul(threads: Int) -> String {
        EngineEnvironment.configure(threads: threads)
        defer { EngineEnvironment.configure(threads: 1) }
        let (rows, C, gateUp) = (16 * 128, 128, 768)
        let x = FloatBuffer(count: rows * C), w = FloatBuffer(count: gateUp * C), dy = FloatBuffer(count: rows * gateUp)
        let y = FloatBuffer(count: rows * gateUp), dx = FloatBuffer(count: rows * C), dw = FloatBuffer(count: gateUp * C)
        for i in 0..<x.count { x.pointer[i] = Float(i % 7) * 0.1 }
        for i in 0..<w.count { w.pointer[i] = Float(i % 5) * 0.1 }
        for i in 0..<dy.count { dy.pointer[i] = Float(i % 3) * 0.01 }
        let forwardPanels = FloatBuffer(count: Linear.panelFloats(inFeatures: C, outFeatures: gateUp, for: .forward))
        let gradientPanels = FloatBuffer(count: Linear.panelFloats(inFeatures: C, outFeatures: gateUp, for: .inputGradient))
        Linear.pack(forwardPanels.pointer, weight: w.pointer, inFeatures: C, outFeatures: gateUp, for: .forward)
        Linear.pack(gradientPanels.pointer, weight: w.pointer, inFeatures: C, outFeatures: gateUp, for: .inputGradient)
        // Best of 5 timings of `repeats` calls of `product`.
        func gflops(repeats: Int, _ product: () -> Void) -> Double {
            product()
            var best = Double.infinity
            for _ in 0..<5 {
                let start = DispatchTime.now().uptimeNanoseconds
                for _ in 0..<repeats { product() }
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            return 2 * Double(rows * C * gateUp * repeats) / best / 1e9
        }
        let forward = gflops(repeats: 20) {
            Linear.forward(out: y.pointer, inp: x.pointer, panels: forwardPanels.pointer, bias: nil, rows: rows,
                           inFeatures: C, outFeatures: gateUp)
        }
        let inputGradient = gflops(repeats: 20) {
            RowParallel.forEachChunk(rows: rows, minimumRowsPerTask: Linear.minimumRowsPerTask) { part in
                Linear.inputGradient(dinp: dx.pointer, accumulate: false, dout: dy.pointer, panels: gradientPanels.pointer,
                                     rows: part, inFeatures: C, outFeatures: gateUp)
            }
        }
        let weightGradient = gflops(repeats: 20) {
            Linear.weightGradient(dweight: dw.pointer, dbias: nil, dout: dy.pointer, inp: x.pointer, rows: rows,
                                  inFeatures: C, outFeatures: gateUp)
        }
        return "{\"engine\":\"s1-swift-gemm\",\"threads\":\(threads),\"forward_gflops\":\(forward),"
            + "\"input_gradient_gflops\":\(inputGradient),\"weight_gradient_gflops\":\(weightGradient)}"
    }

    private static func cpuSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
