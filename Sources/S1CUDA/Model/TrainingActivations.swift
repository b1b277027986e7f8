import S1Engine

/// Device buffers of one training forward/backward for up to `rows` tokens (N = B·T) and `savedElements` of
/// attention state per layer (`TrainingAttentionKernel.savedElements`): what the backward pass reads per layer,
/// plus scratch shared by all layers.
/// Sizes in elements; each buffer is its own plain allocation.
final class TrainingActivations {
    struct Layer {
        let input: DeviceMemory        // (N, C) fp32: the residual stream entering the layer
        let norm1: DeviceMemory        // (N, C) bf16
        let rstd1: DeviceMemory        // (N) fp32
        let q: DeviceMemory            // (B, Hq, T, d) bf16, after RoPE
        let k: DeviceMemory            // (B, Hq, T, d) bf16, after RoPE, repeated per query head
        let v: DeviceMemory            // (B, Hq, T, d) bf16, repeated per query head
        let attentionSaved: DeviceMemory // flash: log-sum-exp (B·Hq, T) fp32; materialised: P (B·Hq, T, T) bf16
        let attention: DeviceMemory    // (N, Hq·d) bf16
        let mid: DeviceMemory          // (N, C) fp32: residual after attention
        let norm2: DeviceMemory        // (N, C) bf16
        let rstd2: DeviceMemory        // (N) fp32
        let gateUp: DeviceMemory       // (N, 2I) bf16
        let hidden: DeviceMemory       // (N, I) bf16
    }

    let rows: Int
    let savedElements: Int
    let layers: [Layer]
    let output: DeviceMemory           // (N, C) fp32: residual after the last layer
    let finalNorm: DeviceMemory        // (N, C) bf16
    let finalRstd: DeviceMemory        // (N) fp32
    let logits: DeviceMemory           // (N, V) fp32
    let logitGradient: DeviceMemory    // (N, V) bf16
    let losses: DeviceMemory           // (N) fp32
    let tokens: DeviceMemory           // (N) int32
    let targets: DeviceMemory          // (N) int32
    let embeddingUnique: DeviceMemory, embeddingStarts: DeviceMemory, embeddingRows: DeviceMemory // CSR, int32
    // Scratch shared by the layers.
    let qkv: DeviceMemory              // (N, Hq·d + 2·Hk·d) fp32 (forward) / its gradient (backward)
    let qkvGradient16: DeviceMemory    // (N, Hq·d + 2·Hk·d) bf16
    let attentionScratch: DeviceMemory // `AttentionBuffers.scratch`
    let scoreGradient: DeviceMemory    // materialised: (B·Hq, T, T) bf16
    let headsF32: DeviceMemory         // (B, Hq, T, d) fp32: attention output, then ∂L/∂q
    let headsKGradient: DeviceMemory   // (B, Hq, T, d) fp32
    let headsVGradient: DeviceMemory   // (B, Hq, T, d) fp32
    let headsGradient16: DeviceMemory  // (B, Hq, T, d) bf16: ∂L/∂(attention output) by heads
    let residualGradient: DeviceMemory // (N, C) fp32
    let residualGradient16: DeviceMemory // (N, C) bf16
    let normGradient: DeviceMemory     // (N, C) fp32
    let hiddenGradient: DeviceMemory   // (N, max(I, Hq·d)) fp32
    let gateUpGradient: DeviceMemory   // (N, 2I) bf16
    let reductionScratch: DeviceMemory // (⌈N/32⌉, max(C, qkvDim)) fp32: partial column sums

    init(context: CUDAContext, config: Qwen2Config, batch B: Int, length T: Int, attention: TrainingAttentionKernel) throws {
        let N = B * T, BH = B * config.numAttentionHeads
        let S = attention.savedElements(batchHeads: BH, length: T)
        rows = N
        savedElements = S
        let C = config.hiddenSize, I = config.intermediateSize, V = config.vocabSize
        let qDim = config.queryDim, qkvDim = qDim + 2 * config.keyValueDim
        func f32(_ count: Int) throws -> DeviceMemory { try context.allocate(bytes: max(count, 1) * 4) }
        func b16(_ count: Int) throws -> DeviceMemory { try context.allocate(bytes: max(count, 1) * 2) }
        layers = try (0..<config.numHiddenLayers).map { _ in
            Layer(input: try f32(N * C), norm1: try b16(N * C), rstd1: try f32(N), q: try b16(N * qDim),
                  k: try b16(N * qDim), v: try b16(N * qDim), attentionSaved: try context.allocate(bytes: max(S, 1) * attention.savedElementBytes), attention: try b16(N * qDim),
                  mid: try f32(N * C), norm2: try b16(N * C), rstd2: try f32(N), gateUp: try b16(N * 2 * I),
                  hidden: try b16(N * I))
        }
        output = try f32(N * C); finalNorm = try b16(N * C); finalRstd = try f32(N)
        logits = try f32(N * V); logitGradient = try b16(N * V); losses = try f32(N)
        tokens = try f32(N); targets = try f32(N)
        embeddingUnique = try f32(N); embeddingStarts = try f32(N + 1); embeddingRows = try f32(N)
        qkv = try f32(N * qkvDim); qkvGradient16 = try b16(N * qkvDim)
        attentionScratch = try f32(TrainingAttention.scratchElements(attention, batchHeads: BH, length: T))
        scoreGradient = try b16(attention == .materialized ? BH * T * T : 1)
        headsF32 = try f32(N * qDim); headsKGradient = try f32(N * qDim); headsVGradient = try f32(N * qDim)
        headsGradient16 = try b16(N * qDim)
        residualGradient = try f32(N * C); residualGradient16 = try b16(N * C); normGradient = try f32(N * C)
        hiddenGradient = try f32(N * max(I, qDim)); gateUpGradient = try b16(N * 2 * I)
        reductionScratch = try f32(DeviceOps.reductionScratch(rows: N, columns: max(C, qkvDim)))
    }
}
