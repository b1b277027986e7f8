/// Training passes: masked cross-entropy loss and the backward pass of every op, llm.c style.
extension Qwen2Model {
    /// Next-token targets for a batch (B, T): targets[b][t] = tokens[b][t+1] where lossMask[b][t+1], else −1
    /// (ignored); the last position has no target. This is HF's `labels` with −100 for masked tokens, shifted.
    public static func nextTokenTargets(tokens: [[Int32]], lossMask: [[Bool]]) -> [Int32] {
        var targets: [Int32] = []
        for (row, mask) in zip(tokens, lossMask) {
            for t in 0..<row.count {
                targets.append(t + 1 < row.count && mask[t + 1] ? row[t + 1] : -1)
            }
        }
        return targets
    }

    /// Forward, masked cross-entropy and backward over tokens (B, T) with targets (B, T) (−1 = ignored).
    /// Adds `gradScale`·∂(Σ token losses)/∂θ into `gradients` (same layout as `parameters`) and returns the
    /// unscaled Σ of the selected tokens' losses. Use gradScale = 1/(number of selected tokens in the whole
    /// effective batch) to get the gradient of the mean loss across micro-batches.
    public func accumulateGradients(tokens: UnsafePointer<Int32>, targets: UnsafePointer<Int32>,
                                    batch B: Int, length T: Int, gradScale: Float,
                                    gradients: FloatBuffer, activations a: Activations) -> Double {
        forward(tokens: tokens, batch: B, length: T, activations: a, attention: .blocked)
        let N = B * T, V = config.vocabSize
        let lossSum = CrossEntropy.forwardBackward(logits: a.logits, targets: targets, rows: N, vocabulary: V,
                                                   gradScale: gradScale)
        backward(tokens: tokens, batch: B, length: T, activations: a, gradients: gradients)
        return lossSum
    }

    /// Backward from dlogits (in `activations.logits`, N × V) to `gradients` (+=).
    func backward(tokens: UnsafePointer<Int32>, batch B: Int, length T: Int, activations a: Activations,
                  gradients: FloatBuffer) {
        let N = B * T
        let C = config.hiddenSize, I = config.intermediateSize, V = config.vocabSize
        let Hq = config.numAttentionHeads, Hk = config.numKeyValueHeads, d = config.headDim
        let qDim = config.queryDim, kvDim = config.keyValueDim, half = d / 2, qkvDim = qDim + 2 * kvDim
        let g = gradients.pointer
        let panels = a.packedWeights(.inputGradient, from: self)
        // lm_head: logits (N,V) = finalNorm (N,C) · lmHead (V,C)ᵀ
        Linear.backward(dinp: a.dNorm, accumulate: false, dweight: g + layout.lmHead, dbias: nil, dout: a.logits,
                        inp: a.finalNorm, panels: panels.lmHead, rows: N, inFeatures: C, outFeatures: V)
        a.dResidual.update(repeating: 0, count: N * C)
        RMSNorm.backward(dinp: a.dResidual, dweight: g + layout.finalNorm, dout: a.dNorm, inp: a.residualOut,
                         weight: finalNormWeights, rstd: a.finalRstd, rows: N, channels: C)
        let (cosTable, sinTable) = a.rotaryTables(rotary, positions: T)
        cosTable.withUnsafeBufferPointer { cosines in
            sinTable.withUnsafeBufferPointer { sines in
                for l in stride(from: config.numHiddenLayers - 1, through: 0, by: -1) {
                    let w = layerWeights(l), p = panels.layers[l], x = a.layers[l], o = layout.layers[l]
                    // dResidual = ∂L/∂(layer output); output = residualMid + down(hidden). The weight gradients
                    // sum over all rows; the rest runs in the forward's row chunks, so a chunk's dHidden and
                    // dGateUp rows are still in L2 when SwiGLU's backward and the next GEMM read them.
                    Linear.weightGradient(dweight: g + o.downWeight, dbias: nil, dout: a.dResidual, inp: x.hidden,
                                          rows: N, inFeatures: I, outFeatures: C)
                    RowParallel.forEachFixedChunk(rows: N, chunkRows: Self.rowChunk) { rows in
                        Linear.inputGradient(dinp: a.dHidden, accumulate: false, dout: a.dResidual, panels: p.down,
                                             rows: rows, inFeatures: I, outFeatures: C)
                        for n in rows {
                            let row = x.gateUp + n * 2 * I, drow = a.dGateUp + n * 2 * I
                            SwiGLU.backward(dgate: drow, dup: drow + I, dout: a.dHidden + n * I, gate: row, up: row + I, count: I)
                        }
                        // [gate; up] as one (2I, C) matrix: one GEMM each for dNorm and the weight gradient.
                        Linear.inputGradient(dinp: a.dNorm, accumulate: false, dout: a.dGateUp, panels: p.gateUp,
                                             rows: rows, inFeatures: C, outFeatures: 2 * I)
                    }
                    Linear.weightGradient(dweight: g + o.gateWeight, dbias: nil, dout: a.dGateUp, inp: x.norm2,
                                          rows: N, inFeatures: C, outFeatures: 2 * I)
                    RMSNorm.backward(dinp: a.dResidual, dweight: g + o.postAttentionNorm, dout: a.dNorm, inp: x.residualMid,
                                     weight: w.postAttentionNorm, rstd: x.rstd2, rows: N, channels: C)
                    // dResidual = ∂L/∂residualMid; residualMid = residualIn + o_proj(attention)
                    Linear.backward(dinp: a.dAttention, accumulate: false, dweight: g + o.oWeight, dbias: nil,
                                    dout: a.dResidual, inp: x.attention, panels: p.o, rows: N, inFeatures: qDim, outFeatures: C)
                    // dq, dk, dv straight into their parts of dQKV; RoPE's backward rotates dq, dk there.
                    let q = UnsafePointer(x.qkv), k = q + qDim, v = k + kvDim
                    BlockedCausalAttention.backward(dq: a.dQKV, dk: a.dQKV + qDim, dv: a.dQKV + qDim + kvDim,
                                                    dout: a.dAttention, q: q, k: k, v: v, out: x.attention, lse: x.lse,
                                                    batch: B, length: T, heads: Hq, kvHeads: Hk, headDim: d,
                                                    inputRowStride: qkvDim, gradientRowStride: qkvDim,
                                                    saved: a.savedAttentionProbabilities(layer: l, batch: B, length: T))
                    RowParallel.forEachChunk(rows: N) { rows in
                        for n in rows {
                            let row = a.dQKV + n * qkvDim, t = n % T
                            let c = cosines.baseAddress! + t * half, s = sines.baseAddress! + t * half
                            RotaryEmbedding.applyBackward(row, heads: Hq, headDim: d, cos: c, sin: s)
                            RotaryEmbedding.applyBackward(row + qDim, heads: Hk, headDim: d, cos: c, sin: s)
                        }
                    }
                    // q, k, v stacked as one (Hq·d + 2·Hk·d, C) matrix with a stacked bias.
                    Linear.backward(dinp: a.dNorm, accumulate: false, dweight: g + o.qWeight, dbias: g + o.qBias,
                                    dout: a.dQKV, inp: x.norm1, panels: p.qkv, rows: N, inFeatures: C, outFeatures: qkvDim)
                    RMSNorm.backward(dinp: a.dResidual, dweight: g + o.inputNorm, dout: a.dNorm, inp: x.residualIn,
                                     weight: w.inputNorm, rstd: x.rstd1, rows: N, channels: C)
                }
            }
        }
        Embedding.backward(dtable: g + layout.embedding, dout: a.dResidual, tokens: tokens, rows: N, channels: C)
    }

    /// Mean masked next-token loss and its gradient (layout order) for a rectangular batch, as HF computes
    /// `Qwen2ForCausalLM(input_ids, labels=…)`. Convenience for tests and inspection.
    public func lossAndGradients(tokens: [[Int32]], lossMask: [[Bool]]) throws -> (loss: Double, gradients: [Float]) {
        let (B, T) = try validate(tokens: tokens)
        guard lossMask.count == B, lossMask.allSatisfy({ $0.count == T }) else {
            throw EngineError.invalidInput(reason: "lossMask must have the tokens' shape (\(B), \(T))")
        }
        let targets = Self.nextTokenTargets(tokens: tokens, lossMask: lossMask)
        let selected = targets.filter { $0 >= 0 }.count
        guard selected > 0 else { throw EngineError.invalidInput(reason: "the loss mask selects no target token") }
        let gradients = FloatBuffer(count: layout.count)
        let activations = Activations(config: config, capacityRows: B * T)
        let flat = tokens.flatMap { $0 }
        let lossSum = flat.withUnsafeBufferPointer { t in
            targets.withUnsafeBufferPointer { y in
                accumulateGradients(tokens: t.baseAddress!, targets: y.baseAddress!, batch: B, length: T,
                                    gradScale: 1 / Float(selected), gradients: gradients, activations: activations)
            }
        }
        return (lossSum / Double(selected), gradients.toArray())
    }
}
