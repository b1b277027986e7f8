import S1Engine

/// Decoding checks: a sequence decoded alone equals the same sequence inside a batch of 64 (tokens and every
/// step's logits, bitwise), chunked prompt feeding changes no bit, and greedy tokens against the CPU engine.
public enum CUDAGenerationChecks {
    public static func run(backend: CUDABackend) -> [CheckResult] {
        do {
            let config = Qwen2Config(hiddenSize: 64, intermediateSize: 160, numHiddenLayers: 2, numAttentionHeads: 4,
                                     numKeyValueHeads: 2, vocabSize: 300, maxPositionEmbeddings: 256)
            let model = try Qwen2Model.initialised(config: config, seed: 21, standardDeviation: 0.2)
            var random = RandomInputs(seed: 3)
            let requests = (0..<64).map { i in
                GenerationRequest(id: UInt64(i), promptTokens: (0..<(3 + random.index(below: 40))).map { _ in Int32(random.index(below: 300)) },
                                  policy: StopPolicy(maxNewTokens: 32),
                                  sampling: i % 2 == 0 ? .greedy : SamplingParameters(temperature: 0.8, topP: 0.95, seed: UInt64(i)))
            }
            func decode(_ batch: [GenerationRequest], chunk: Int = 256) throws -> [DecodingSequence] {
                let generator = try Generator(model: model, maxBatchSize: 64, maxChunkTokens: chunk, backend: backend)
                let sequences = try batch.map { request -> DecodingSequence in
                    let sequence = try generator.start(request)
                    sequence.recordsLogits = true
                    return sequence
                }
                try generator.run(sequences)
                return sequences
            }
            let batch = try decode(requests)
            var invariant = true, chunked = true
            for index in [0, 1, 37] {
                let alone = try decode([requests[index]])[0]
                invariant = invariant && alone.tokens == batch[index].tokens && alone.stepLogits == batch[index].stepLogits
                let pieces = try decode([requests[index]], chunk: 3)[0]
                chunked = chunked && pieces.tokens == alone.tokens && pieces.stepLogits == alone.stepLogits
            }
            let cpu = try Generator(model: model, maxBatchSize: 64).generate(requests: requests.filter { $0.sampling == .greedy })
            let gpuGreedy = batch.filter { $0.sampling == .greedy }.map(\.newTokens)
            var agreeing = 0, total = 0
            for (gpu, reference) in zip(gpuGreedy, cpu.map(\.tokens)) {
                // Greedy paths agree until the first near-tie that bf16 rounding flips; count the shared prefix.
                let prefix = zip(gpu, reference).prefix { $0 == $1 }.count
                agreeing += prefix
                total += max(gpu.count, reference.count)
            }
            // The KV-cache path (decode_qkv_store, decode_attention) against the CPU engine's, every position.
            let sequence = (0..<48).map { _ in Int32(random.index(below: 300)) }
            let gpuLogits = try Generator(model: model, backend: backend).incrementalLogits(tokens: sequence, chunkSize: 7)
            let cpuLogits = try Generator(model: model).incrementalLogits(tokens: sequence, chunkSize: 7)
            return [
                CheckResult(name: "decode logits (KV cache, chunks of 7) vs CPU engine", value: relativeError(gpuLogits, cpuLogits),
                            tolerance: 2e-2),
                .exact("decode batch invariance: alone = in a batch of 64 (tokens and logits)", equal: invariant),
                .exact("decode chunk invariance: prompt fed 3 tokens at a time", equal: chunked),
                CheckResult(name: "greedy tokens vs CPU engine (shared prefix)", metric: "fraction of tokens outside the shared prefix",
                            value: 1 - Double(agreeing) / Double(max(total, 1)), tolerance: 0.5,
                            detail: "\(agreeing) of \(total) tokens before the first divergence"),
            ]
        } catch {
            return [.failed("generation", error: error)]
        }
    }
}
