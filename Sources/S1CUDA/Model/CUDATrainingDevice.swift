import Foundation
import S1Engine

/// SFT on the GPU: fp32 master weights, gradients and AdamW moments on the device, bf16 GEMM operands with fp32
/// accumulation, every reduction in a fixed order, so two runs of the same steps are bitwise identical.
/// The forward and backward follow `Qwen2Model.forward` / `Qwen2Model.backward` op for op.
final class CUDATrainingDevice: TrainingDevice {
    let ops: DeviceOps
    let model: Qwen2Model
    let optimizer: AdamW
    let weights: DeviceWeights
    let gradients: DeviceMemory
    let firstMoment: DeviceMemory
    let secondMoment: DeviceMemory
    /// 1 where AdamW's weight decay applies (per parameter, from the layout's slots).
    let decays: DeviceMemory
    let rope: RopeTables
    /// The attention kernels of the training path (flash wherever the head size has them).
    let attentionKernel: TrainingAttentionKernel
    private var activations: TrainingActivations?
    private let normChunk = 1 << 16
    private let normPartials: DeviceMemory

    /// `attention` overrides the kernel choice (benchmarks compare both); training leaves it nil.
    init(ops: DeviceOps, model: Qwen2Model, optimizer: AdamW, attention: TrainingAttentionKernel? = nil) throws {
        self.ops = ops
        attentionKernel = attention ?? .preferred(headDim: model.config.headDim)
        self.model = model
        self.optimizer = optimizer
        let context = ops.context, count = model.layout.count
        weights = try DeviceWeights(context: context, model: model)
        gradients = try context.allocate(bytes: count * 4)
        firstMoment = try context.allocate(bytes: count * 4)
        secondMoment = try context.allocate(bytes: count * 4)
        decays = try context.allocate(bytes: count)
        var flags = [UInt8](repeating: 0, count: count)
        for slot in model.layout.slots where slot.decays {
            for i in slot.offset..<(slot.offset + slot.count) { flags[i] = 1 }
        }
        try decays.upload(flags)
        rope = try RopeTables(context: context, rotary: model.rotary, positions: model.config.maxPositionEmbeddings)
        normPartials = try context.allocate(bytes: ((count + normChunk - 1) / normChunk) * 8)
        try synchronizeFromHost()
    }

    func synchronizeFromHost() throws {
        try weights.upload(from: model)
        let bytes = model.layout.count * 4
        try firstMoment.upload(from: optimizer.firstMoment.pointer, bytes: bytes)
        try secondMoment.upload(from: optimizer.secondMoment.pointer, bytes: bytes)
    }

    func synchronizeToHost() throws {
        try ops.context.synchronize()
        try weights.download(into: model)
        let bytes = model.layout.count * 4
        try firstMoment.download(into: optimizer.firstMoment.pointer, bytes: bytes)
        try secondMoment.download(into: optimizer.secondMoment.pointer, bytes: bytes)
    }

    func zeroGradients() throws { try gradients.fill(byte: 0) }

    /// Buffers for (B, T), reused while they are large enough.
    func activations(batch B: Int, length T: Int) throws -> TrainingActivations {
        let saved = attentionKernel.savedElements(batchHeads: B * model.config.numAttentionHeads, length: T)
        if let current = activations, current.rows >= B * T, current.savedElements >= saved { return current }
        activations = nil  // free the old buffers before allocating larger ones
        let fresh = try TrainingActivations(context: ops.context, config: model.config, batch: B, length: T,
                                            attention: attentionKernel)
        activations = fresh
        return fresh
    }

    func accumulateGradients(tokens: [Int32], targets: [Int32], batch B: Int, length T: Int, gradScale: Float) throws -> Double {
        let a = try activations(batch: B, length: T)
        let N = B * T
        try a.tokens.upload(tokens)
        try a.targets.upload(targets)
        try forward(a, batch: B, length: T)
        try ops.crossEntropy(losses: DevicePointer(a.losses), logitGradient: DevicePointer(a.logitGradient),
                             logits: DevicePointer(a.logits), targets: DevicePointer(a.targets), rows: N,
                             vocabulary: model.config.vocabSize, gradScale: gradScale)
        try backward(a, tokens: tokens, batch: B, length: T)
        // Σ of the row losses in row order, on the host: a fixed order.
        let losses = try a.losses.download(Float.self, count: N)
        return losses.reduce(0.0) { $0 + Double($1) }
    }

    /// Logits (B·T, V) of a full forward pass (for conformance checks).
    func logits(tokens: [Int32], batch B: Int, length T: Int) throws -> [Float] {
        let a = try activations(batch: B, length: T)
        try a.tokens.upload(tokens)
        try forward(a, batch: B, length: T)
        return try a.logits.download(Float.self, count: B * T * model.config.vocabSize)
    }

    /// The attention buffers of layer `x` within `a`.
    private func buffers(_ a: TrainingActivations, _ x: TrainingActivations.Layer) -> AttentionBuffers {
        AttentionBuffers(q: DevicePointer(x.q), k: DevicePointer(x.k), v: DevicePointer(x.v), output: DevicePointer(x.attention),
                         saved: x.attentionSaved.address, scratch: DevicePointer(a.attentionScratch),
                         scoreGradient: DevicePointer(a.scoreGradient), headsF32: DevicePointer(a.headsF32))
    }

    func forward(_ a: TrainingActivations, batch B: Int, length T: Int) throws {
        let c = model.config, layout = model.layout, shape = AttentionShape(c)
        let attention = TrainingAttention(kernel: attentionKernel, shape: shape, batch: B, length: T)
        let N = B * T, C = c.hiddenSize, I = c.intermediateSize, V = c.vocabSize, eps = Float(c.rmsNormEps)
        let qDim = shape.queryDim, qkvDim = qDim + 2 * shape.keyValueDim
        let w32 = weights.f32, w16 = weights.bf16
        try ops.embedding(out: DevicePointer(a.layers.first?.input ?? a.output), tokens: DevicePointer(a.tokens),
                          table: w32 + layout.embedding, rows: N, channels: C)
        for l in 0..<c.numHiddenLayers {
            let x = a.layers[l], o = layout.layers[l]
            let next = l + 1 < c.numHiddenLayers ? a.layers[l + 1].input : a.output
            // Attention block: norm1 (N,C) → qkv (N, qkvDim) → q, k, v heads (B,Hq,T,d) with RoPE
            try ops.rmsNorm(out: DevicePointer(x.norm1), rstd: DevicePointer(x.rstd1), input: DevicePointer(x.input),
                            weight: w32 + o.inputNorm, rows: N, channels: C, eps: eps)
            try ops.linear(out: DevicePointer(a.qkv), input: DevicePointer(x.norm1), weight: w16 + o.qWeight, rows: N,
                           inFeatures: C, outFeatures: qkvDim, policy: .pinnedPerProblem)
            try ops.qkvToHeads(q: DevicePointer(x.q), k: DevicePointer(x.k), v: DevicePointer(x.v), qkv: DevicePointer(a.qkv),
                               bias: w32 + o.qBias, rope: rope, rows: N, length: T, shape: shape)
            // attention rows (N, Hq·d) = causal softmax(q·kᵀ/√d)·v
            try attention.forward(ops, buffers(a, x))
            // mid (N,C) = input + o_proj(attention)
            try ops.linear(out: DevicePointer(x.mid), input: DevicePointer(x.attention), weight: w16 + o.oWeight,
                           residual: DevicePointer(x.input), rows: N, inFeatures: qDim, outFeatures: C, policy: .pinnedPerProblem)
            // MLP block: norm2 (N,C) → gateUp (N,2I) → hidden (N,I) → next (N,C) = mid + down(hidden)
            try ops.rmsNorm(out: DevicePointer(x.norm2), rstd: DevicePointer(x.rstd2), input: DevicePointer(x.mid),
                            weight: w32 + o.postAttentionNorm, rows: N, channels: C, eps: eps)
            try ops.linearBF16(out: DevicePointer(x.gateUp), input: DevicePointer(x.norm2), weight: w16 + o.gateWeight,
                               rows: N, inFeatures: C, outFeatures: 2 * I, policy: .pinnedPerProblem)
            try ops.swiGLU(out: DevicePointer(x.hidden), bf16GateUp: DevicePointer(x.gateUp), rows: N, intermediate: I)
            try ops.linear(out: DevicePointer(next), input: DevicePointer(x.hidden), weight: w16 + o.downWeight,
                           residual: DevicePointer(x.mid), rows: N, inFeatures: I, outFeatures: C, policy: .pinnedPerProblem)
        }
        try ops.rmsNorm(out: DevicePointer(a.finalNorm), rstd: DevicePointer(a.finalRstd), input: DevicePointer(a.output),
                        weight: w32 + layout.finalNorm, rows: N, channels: C, eps: eps)
        try ops.linear(out: DevicePointer(a.logits), input: DevicePointer(a.finalNorm), weight: w16 + layout.lmHead,
                       rows: N, inFeatures: C, outFeatures: V, policy: .pinnedPerProblem)
    }

    /// From ∂L/∂logits (bf16, in `logitGradient`) to the gradients (+=), as `Qwen2Model.backward`.
    func backward(_ a: TrainingActivations, tokens: [Int32], batch B: Int, length T: Int) throws {
        let c = model.config, layout = model.layout, shape = AttentionShape(c)
        let attention = TrainingAttention(kernel: attentionKernel, shape: shape, batch: B, length: T)
        let N = B * T, C = c.hiddenSize, I = c.intermediateSize, V = c.vocabSize
        let qDim = shape.queryDim, qkvDim = qDim + 2 * shape.keyValueDim, H = shape.heads, d = shape.headDim
        let w32 = weights.f32, w16 = weights.bf16, g = DevicePointer<Float>(gradients)
        let dRes = DevicePointer<Float>(a.residualGradient), dRes16 = DevicePointer<BF16>(a.residualGradient16)
        let dNorm = DevicePointer<Float>(a.normGradient)
        // lm_head: logits (N,V) = finalNorm (N,C) · lmHead (V,C)ᵀ
        try ops.linearInputGradient(out: dNorm, outputGradient: DevicePointer(a.logitGradient), weight: w16 + layout.lmHead,
                                    rows: N, inFeatures: C, outFeatures: V)
        try ops.linearWeightGradient(accumulateInto: g + layout.lmHead, outputGradient: DevicePointer(a.logitGradient),
                                     input: DevicePointer(a.finalNorm), rows: N, inFeatures: C, outFeatures: V)
        try a.residualGradient.fill(byte: 0)
        try ops.rmsNormBackward(inputGradient: dRes, weightGradient: g + layout.finalNorm, outputGradient: dNorm,
                                input: DevicePointer(a.output), weight: w32 + layout.finalNorm, rstd: DevicePointer(a.finalRstd),
                                rows: N, channels: C, scratch: DevicePointer(a.reductionScratch))
        for l in stride(from: c.numHiddenLayers - 1, through: 0, by: -1) {
            let x = a.layers[l], o = layout.layers[l]
            // dRes = ∂L/∂(layer output); output = mid + down(hidden)
            try ops.toBF16(out: dRes16, input: dRes, count: N * C)
            try ops.linearInputGradient(out: DevicePointer(a.hiddenGradient), outputGradient: dRes16, weight: w16 + o.downWeight,
                                        rows: N, inFeatures: I, outFeatures: C)
            try ops.linearWeightGradient(accumulateInto: g + o.downWeight, outputGradient: dRes16, input: DevicePointer(x.hidden),
                                         rows: N, inFeatures: I, outFeatures: C)
            try ops.swiGLUBackward(gateUpGradient: DevicePointer(a.gateUpGradient), outputGradient: DevicePointer(a.hiddenGradient),
                                   gateUp: DevicePointer(x.gateUp), rows: N, intermediate: I)
            try ops.linearInputGradient(out: dNorm, outputGradient: DevicePointer(a.gateUpGradient), weight: w16 + o.gateWeight,
                                        rows: N, inFeatures: C, outFeatures: 2 * I)
            try ops.linearWeightGradient(accumulateInto: g + o.gateWeight, outputGradient: DevicePointer(a.gateUpGradient),
                                         input: DevicePointer(x.norm2), rows: N, inFeatures: C, outFeatures: 2 * I)
            try ops.rmsNormBackward(inputGradient: dRes, weightGradient: g + o.postAttentionNorm, outputGradient: dNorm,
                                    input: DevicePointer(x.mid), weight: w32 + o.postAttentionNorm, rstd: DevicePointer(x.rstd2),
                                    rows: N, channels: C, scratch: DevicePointer(a.reductionScratch))
            // dRes = ∂L/∂mid; mid = input + o_proj(attention)
            try ops.toBF16(out: dRes16, input: dRes, count: N * C)
            try ops.linearInputGradient(out: DevicePointer(a.hiddenGradient), outputGradient: dRes16, weight: w16 + o.oWeight,
                                        rows: N, inFeatures: qDim, outFeatures: C)
            try ops.linearWeightGradient(accumulateInto: g + o.oWeight, outputGradient: dRes16, input: DevicePointer(x.attention),
                                         rows: N, inFeatures: qDim, outFeatures: C)
            // Attention backward by heads: dO (B,Hq,T,d) → dq, dk, dv (B,Hq,T,d) fp32
            let dO16 = DevicePointer<BF16>(a.headsGradient16)
            try ops.rowsToHeads(out: dO16, rows: DevicePointer(a.hiddenGradient), rows: N, length: T, heads: H, headDim: d)
            try attention.backward(ops, buffers(a, x), outputGradient: dO16, dq: DevicePointer(a.headsF32),
                                   dk: DevicePointer(a.headsKGradient), dv: DevicePointer(a.headsVGradient))
            // dqkv (N, qkvDim): group sums of dk, dv, RoPE undone; then the bias and the fused q/k/v projection.
            try ops.headsToQKVBackward(qkvGradient: DevicePointer(a.qkv), q: DevicePointer(a.headsF32), k: DevicePointer(a.headsKGradient),
                                       v: DevicePointer(a.headsVGradient), rope: rope, rows: N, length: T, shape: shape)
            try ops.columnSum(accumulateInto: g + o.qBias, input: DevicePointer(a.qkv), rows: N, columns: qkvDim,
                              scratch: DevicePointer(a.reductionScratch))
            try ops.toBF16(out: DevicePointer(a.qkvGradient16), input: DevicePointer(a.qkv), count: N * qkvDim)
            try ops.linearInputGradient(out: dNorm, outputGradient: DevicePointer(a.qkvGradient16), weight: w16 + o.qWeight,
                                        rows: N, inFeatures: C, outFeatures: qkvDim)
            try ops.linearWeightGradient(accumulateInto: g + o.qWeight, outputGradient: DevicePointer(a.qkvGradient16),
                                         input: DevicePointer(x.norm1), rows: N, inFeatures: C, outFeatures: qkvDim)
            try ops.rmsNormBackward(inputGradient: dRes, weightGradient: g + o.inputNorm, outputGradient: dNorm,
                                    input: DevicePointer(x.input), weight: w32 + o.inputNorm, rstd: DevicePointer(x.rstd1),
                                    rows: N, channels: C, scratch: DevicePointer(a.reductionScratch))
        }
        // Embedding: rows grouped by token id on the host (sorted, stable), one block per distinct id.
        let csr = TokenRows(tokens: tokens)
        try a.embeddingUnique.upload(csr.unique)
        try a.embeddingStarts.upload(csr.starts)
        try a.embeddingRows.upload(csr.rows)
        try ops.embeddingGradient(table: g + layout.embedding, outputGradient: dRes, unique: DevicePointer(a.embeddingUnique),
                                  starts: DevicePointer(a.embeddingStarts), rows: DevicePointer(a.embeddingRows),
                                  uniqueCount: csr.unique.count, channels: C)
    }

    func clipAndStep(maxNorm: Double?, learningRate: Double) throws -> Double {
        let count = model.layout.count
        let blocks = (count + normChunk - 1) / normChunk
        try ops.sumOfSquares(partials: DevicePointer(normPartials), input: DevicePointer(gradients), count: count, chunk: normChunk)
        let partials = try normPartials.download(Double.self, count: blocks)
        let norm = partials.reduce(0.0, +).squareRoot()
        // Clipping scales the gradients by maxNorm / (norm + 1e-6) when that is below 1, as the CPU engine does;
        // the AdamW kernel applies the factor as it reads each gradient (one pass over them instead of two).
        var gradientScale: Float = 1
        if let maxNorm, maxNorm / (norm + 1e-6) < 1 { gradientScale = Float(maxNorm / (norm + 1e-6)) }
        optimizer.stepCount += 1
        let t = Double(optimizer.stepCount)
        let lr = Float(learningRate)
        let stepSize = lr / Float(1 - pow(Double(optimizer.beta1), t))
        let correction2 = Float(pow(1 - pow(Double(optimizer.beta2), t), 0.5))
        try ops.adamW(parameters: weights.f32, parameters16: weights.bf16, firstMoment: DevicePointer(firstMoment),
                      secondMoment: DevicePointer(secondMoment), gradients: DevicePointer(gradients),
                      decays: DevicePointer(decays), count: count, learningRate: lr, beta1: optimizer.beta1,
                      beta2: optimizer.beta2, epsilon: optimizer.epsilon, weightDecay: optimizer.weightDecay,
                      stepSize: stepSize, correction2: correction2, gradientScale: gradientScale)
        return norm
    }
}

/// Token ids → the rows holding each, for the embedding gradient: distinct ids ascending, their rows ascending.
public struct TokenRows: Equatable, Sendable {
    public let unique: [Int32]
    /// unique.count + 1 offsets into `rows`.
    public let starts: [Int32]
    public let rows: [Int32]

    public init(tokens: [Int32]) {
        let order = tokens.indices.sorted { (tokens[$0], $0) < (tokens[$1], $1) }
        var unique: [Int32] = [], starts: [Int32] = []
        for (position, row) in order.enumerated() where unique.last != tokens[row] {
            unique.append(tokens[row])
            starts.append(Int32(position))
        }
        starts.append(Int32(order.count))
        self.unique = unique
        self.starts = starts
        rows = order.map { Int32($0) }
    }
}
