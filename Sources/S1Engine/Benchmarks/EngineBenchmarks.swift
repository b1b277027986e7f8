import COpenBLAS
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
        let environment = EngineEnvironment.current()
        return "{\"engine\":\"s1-swift\",\"threads\":\(threads),\"batch\":\(batch),\"micro_batch\":\(microBatch ?? batch),"
            + "\"length\":\(length),\"steps\":\(steps),"
            + "\"tokens_per_second\":\(tokens / seconds),\"tokens_per_cpu_second\":\(tokens / cpu),"
            + "\"blas_core\":\"\(environment.blasCoreName)\",\"parameters\":\(model.parameterCount)}"
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

    /// GFLOP/s of the training step's largest matmul (the fused gate/up projection, (B·T, C)·(C, 2I), through
    /// `PanelGEMM` on weights packed once, as the step runs it), against OpenBLAS on the same shape and on a large
    /// square sgemm (the practical peak on this machine); best of 5 timings each.
    public static func largestMatmul(threads: Int) -> String {
        EngineEnvironment.configure(threads: threads)
        defer { EngineEnvironment.configure(threads: 1) }
        // x (rows, in) and w (out, in) with fixed values; best of 5 timings of `repeats` products into y (rows, out).
        func gflops(rows: Int, inFeatures: Int, outFeatures: Int, repeats: Int,
                    _ prepare: (_ weight: UnsafePointer<Float>) -> Void,
                    _ multiply: (_ out: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>, _ weight: UnsafePointer<Float>) -> Void) -> Double {
            let x = FloatBuffer(count: rows * inFeatures), w = FloatBuffer(count: outFeatures * inFeatures)
            let y = FloatBuffer(count: rows * outFeatures)
            for i in 0..<x.count { x.pointer[i] = Float(i % 7) * 0.1 }
            for i in 0..<w.count { w.pointer[i] = Float(i % 5) * 0.1 }
            prepare(w.pointer)
            multiply(y.pointer, x.pointer, w.pointer)
            var best = Double.infinity
            for _ in 0..<5 {
                let start = DispatchTime.now().uptimeNanoseconds
                for _ in 0..<repeats { multiply(y.pointer, x.pointer, w.pointer) }
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            return 2 * Double(rows * inFeatures * outFeatures * repeats) / best / 1e9
        }
        let (rows, C, gateUp) = (16 * 128, 128, 768)
        let panels = FloatBuffer(count: Linear.panelFloats(inFeatures: C, outFeatures: gateUp, for: .forward))
        let largest = gflops(rows: rows, inFeatures: C, outFeatures: gateUp, repeats: 20) { weight in
            Linear.pack(panels.pointer, weight: weight, inFeatures: C, outFeatures: gateUp, for: .forward)
        } _: { out, inp, _ in
            Linear.forward(out: out, inp: inp, panels: panels.pointer, bias: nil, rows: rows, inFeatures: C, outFeatures: gateUp)
        }
        // OpenBLAS on y = x·wᵀ, rows split over the threads as the engine splits them (one thread per call).
        func openBLAS(rows: Int, inFeatures: Int, outFeatures: Int, repeats: Int) -> Double {
            gflops(rows: rows, inFeatures: inFeatures, outFeatures: outFeatures, repeats: repeats) { _ in } _: { out, inp, weight in
                RowParallel.forEachChunk(rows: rows, minimumRowsPerTask: 64) { part in
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(part.count), Int32(outFeatures),
                                Int32(inFeatures), 1, inp + part.lowerBound * inFeatures, Int32(inFeatures), weight,
                                Int32(inFeatures), 0, out + part.lowerBound * outFeatures, Int32(outFeatures))
                }
            }
        }
        let sameShape = openBLAS(rows: rows, inFeatures: C, outFeatures: gateUp, repeats: 20)
        let peak = openBLAS(rows: 1024, inFeatures: 1024, outFeatures: 1024, repeats: 5)
        return "{\"engine\":\"s1-swift-gemm\",\"threads\":\(threads),\"largest_matmul_gflops\":\(largest),"
            + "\"largest_matmul_openblas_gflops\":\(sameShape),\"square_1024_gflops\":\(peak),\"efficiency\":\(largest / peak)}"
    }

    private static func cpuSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
