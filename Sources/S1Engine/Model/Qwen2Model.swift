import Foundation

/// Which causal-attention kernel a full-sequence forward uses.
public enum AttentionKernel: Sendable {
    /// `CausalAttention`: one query row at a time, the same code as KV-cache decoding (bitwise consistent).
    case rowwise
    /// `BlockedCausalAttention`: blocks of query rows through GEMM (faster; used for training).
    case blocked
}

/// A Qwen2 causal LM (`Qwen2ForCausalLM`) on the CPU, fp32, with every parameter in one contiguous buffer.
///
/// A decoder block reads like the math:
///   h = x + o_proj(attention(rope(q,k), v) of input_layernorm(x))
///   y = h + down_proj(silu(gate_proj(n)) * up_proj(n)),  n = post_attention_layernorm(h)
/// and the head is `lm_head(norm(y))`, with `lm_head` = `embed_tokens` when the embeddings are tied.
public final class Qwen2Model: @unchecked Sendable {
    public let config: Qwen2Config
    public let layout: ParameterLayout
    /// All parameters, in `layout` order.
    public let parameters: FloatBuffer
    public let rotary: RotaryEmbedding

    /// A model with all parameters zero (load or initialise them next).
    public init(config: Qwen2Config) throws {
        try config.validate()
        self.config = config
        layout = ParameterLayout(config: config)
        parameters = FloatBuffer(count: layout.count)
        rotary = RotaryEmbedding(headDim: config.headDim, theta: config.ropeTheta)
    }

    /// A freshly initialised model as HF's `_init_weights` does it: linear weights and embeddings ~ N(0, std),
    /// biases 0, norm gains 1. Normal draws come from `CounterRNG(key: seed)` by Box–Muller, tensor by tensor in
    /// layout order, so the same seed gives the same model everywhere.
    public static func initialised(config: Qwen2Config, seed: UInt64, standardDeviation: Double = 0.02) throws -> Qwen2Model {
        let model = try Qwen2Model(config: config)
        let p = model.parameters.pointer
        for slot in model.layout.slots {
            var rng = CounterRNG(key: CounterRNG.derive(seed, UInt64(slot.offset)))
            let target = p + slot.offset
            if slot.name.hasSuffix("norm.weight") {
                target.update(repeating: 1, count: slot.count)
            } else if slot.name.hasSuffix(".bias") {
                target.update(repeating: 0, count: slot.count)
            } else {
                for i in 0..<slot.count {
                    let u1 = max(rng.nextUnit(), 0x1.0p-60), u2 = rng.nextUnit()
                    target[i] = Float(standardDeviation * (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
                }
            }
        }
        return model
    }

    /// Number of parameters (tied embeddings counted once).
    public var parameterCount: Int { layout.count }

    /// Pointers to layer `index`'s weights (valid while this model lives).
    public func layerWeights(_ index: Int) -> LayerWeights {
        LayerWeights(base: parameters.pointer, offsets: layout.layers[index])
    }
    /// embed_tokens (V, C).
    public var embeddingWeights: UnsafePointer<Float> { UnsafePointer(parameters.pointer + layout.embedding) }
    /// model.norm (C).
    public var finalNormWeights: UnsafePointer<Float> { UnsafePointer(parameters.pointer + layout.finalNorm) }
    /// lm_head (V, C); the embedding when tied.
    public var lmHeadWeights: UnsafePointer<Float> { UnsafePointer(parameters.pointer + layout.lmHead) }

    /// A copy of the tensor with this HF name.
    public func tensor(named name: String) -> [Float]? {
        guard let slot = layout.slot(named: name) else { return nil }
        return Array(UnsafeBufferPointer(start: parameters.pointer + slot.offset, count: slot.count))
    }

    /// Checks that every token id is inside the vocabulary and the batch is rectangular; returns (B, T).
    public func validate(tokens: [[Int32]]) throws -> (batch: Int, length: Int) {
        guard let first = tokens.first, !first.isEmpty else {
            throw EngineError.invalidInput(reason: "empty token batch")
        }
        for (b, row) in tokens.enumerated() {
            guard row.count == first.count else {
                throw EngineError.invalidInput(reason: "row \(b) has \(row.count) tokens, row 0 has \(first.count); rows must have equal length")
            }
            if let bad = row.firstIndex(where: { $0 < 0 || Int($0) >= config.vocabSize }) {
                throw EngineError.invalidInput(reason: "row \(b) position \(bad): token id \(row[bad]) outside the vocabulary 0..<\(config.vocabSize)")
            }
        }
        return (tokens.count, first.count)
    }

    /// Token rows per chunk of the row-by-row work (the forward between attentions, the backward's MLP): a chunk's
    /// gateUp (rows, 2I), hidden (rows, I) and smaller intermediates stay in a core's L2 cache between the GEMM
    /// that writes them and the kernels that read them. (The backward's other row-by-row steps in chunks too
    /// measured no faster when each chunk's OpenBLAS calls packed the weights again; see BENCHMARKS.md.)
    static let rowChunk = 256

    /// Full-sequence forward pass (the reference for every decoder): logits (B, T, V), flattened.
    ///
    /// A KV-cache decoder agrees bitwise with `rowInvariant: true` when it runs, per row and layer, exactly this
    /// sequence: `RMSNorm.forward` → `Linear.forwardRowInvariant` with the fused `qkvWeight`/`qkvBias` →
    /// `RotaryEmbedding.apply` with `rotary.angles(position:)` → `CausalAttention.attendRow` over the cached k, v
    /// → `o_proj` → residual add → `RMSNorm` → fused `gateUpWeight` → `SwiGLU.forward` → `down_proj` → residual
    /// add; then `model.norm` and `lm_head`, all linear layers through `Linear.forwardRowInvariant`.
    /// Both paths give a sequence the same logits bits whatever else is in the batch (`PanelGEMM`'s chains are per
    /// element); `rowInvariant` runs every linear layer one row at a time through OpenBLAS
    /// (`Linear.forwardRowInvariant`), the kernels a reference KV-cache decoder can mirror exactly
    /// (`Linear.forwardRowInvariant`, `CausalAttention.attendRow`).
    public func logits(tokens: [[Int32]], rowInvariant: Bool = false) throws -> [Float] {
        let (B, T) = try validate(tokens: tokens)
        let activations = Activations(config: config, capacityRows: B * T)
        let flat = tokens.flatMap { $0 }
        flat.withUnsafeBufferPointer {
            forward(tokens: $0.baseAddress!, batch: B, length: T, activations: activations, rowInvariant: rowInvariant)
        }
        return Array(UnsafeBufferPointer(start: activations.logits, count: B * T * config.vocabSize))
    }

    /// Forward over tokens (B, T) at positions 0..<T; fills `activations` up to `activations.logits` (N, V).
    /// Token ids must be valid (see `validate(tokens:)`). `attention` picks the row-by-row kernel (bitwise equal
    /// to KV-cache decoding, the default) or the GEMM-blocked one (training).
    ///
    /// Everything between two attentions is row by row (projections, norms, RoPE, the MLP), so it runs in fixed
    /// chunks of `rowChunk` token rows: one chunk goes from a layer's attention output through its MLP to the
    /// next layer's rotated q, k, v while its rows are still in the core's L2 cache, and the chunks are spread
    /// over the threads (their boundaries, and so the bits, do not depend on the thread count).
    public func forward(tokens: UnsafePointer<Int32>, batch B: Int, length T: Int, activations a: Activations,
                        attention: AttentionKernel = .rowwise, rowInvariant: Bool = false) {
        let N = B * T
        precondition(N <= a.capacityRows, "Qwen2Model.forward: activations too small (internal)")
        let C = config.hiddenSize, I = config.intermediateSize, V = config.vocabSize, L = config.numHiddenLayers
        let Hq = config.numAttentionHeads, Hk = config.numKeyValueHeads, d = config.headDim
        let qDim = config.queryDim, kvDim = config.keyValueDim, eps = Float(config.rmsNormEps)
        let qkvDim = qDim + 2 * kvDim
        let (cosTable, sinTable) = a.rotaryTables(rotary, positions: T)
        let half = d / 2
        let panels = a.packedWeights(.forward, from: self)
        // out = inp·weightᵀ (+ bias), plus `residual` when given, for the given rows. The batched path multiplies
        // the packed weight with chains that start from the residual (no copy or add pass); the row-invariant path
        // computes every row with the same one-row OpenBLAS call and adds the residual afterwards, as the
        // reference KV-cache decoder does.
        func linear(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                    packed: UnsafePointer<Float>, bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>? = nil,
                    rows: Range<Int>, inFeatures K: Int, outFeatures M: Int) {
            let first = rows.lowerBound * M, count = rows.count * M
            if rowInvariant {
                Linear.forwardRowInvariant(out: out + first, inp: inp + rows.lowerBound * K, weight: weight, bias: bias,
                                           rows: rows.count, inFeatures: K, outFeatures: M)
                if let residual {
                    for i in first..<(first + count) { out[i] += residual[i] }
                }
            } else {
                Linear.forward(out: out, inp: inp, panels: packed, bias: bias, residual: residual, rows: rows,
                               inFeatures: K, outFeatures: M)
            }
        }
        Embedding.forward(out: a.layers.first?.residualIn ?? a.residualOut, tokens: tokens, table: embeddingWeights,
                          rows: N, channels: C)
        cosTable.withUnsafeBufferPointer { cosines in
            sinTable.withUnsafeBufferPointer { sines in
                // Layer l's attention inputs for these rows: norm1 (rows, C) → qkv (rows, Hq·d + 2·Hk·d) in one
                // GEMM → RoPE on its q and k parts in place (attention reads q, k, v there, row stride qkvDim).
                func attentionInputs(layer l: Int, rows: Range<Int>) {
                    let w = layerWeights(l), p = panels.layers[l], x = a.layers[l]
                    RMSNorm.forward(out: x.norm1, rstd: x.rstd1, inp: x.residualIn, weight: w.inputNorm, rows: rows,
                                    channels: C, eps: eps)
                    linear(out: x.qkv, inp: x.norm1, weight: w.qkvWeight, packed: p.qkv, bias: w.qkvBias, rows: rows,
                           inFeatures: C, outFeatures: qkvDim)
                    for n in rows {
                        let row = x.qkv + n * qkvDim, t = n % T
                        let c = cosines.baseAddress! + t * half, s = sines.baseAddress! + t * half
                        RotaryEmbedding.apply(row, heads: Hq, headDim: d, cos: c, sin: s)
                        RotaryEmbedding.apply(row + qDim, heads: Hk, headDim: d, cos: c, sin: s)
                    }
                }
                // The rest of layer l for these rows: residualMid = residualIn + o_proj(attention), then the MLP
                // block norm2 (rows, C) → gateUp (rows, 2I) → hidden (rows, I) → next = residualMid + down(hidden).
                func layerOutput(layer l: Int, rows: Range<Int>) {
                    let w = layerWeights(l), p = panels.layers[l], x = a.layers[l]
                    let next = l + 1 < L ? a.layers[l + 1].residualIn : a.residualOut
                    linear(out: x.residualMid, inp: x.attention, weight: w.oWeight, packed: p.o, bias: nil, residual: x.residualIn,
                           rows: rows, inFeatures: qDim, outFeatures: C)
                    RMSNorm.forward(out: x.norm2, rstd: x.rstd2, inp: x.residualMid, weight: w.postAttentionNorm,
                                    rows: rows, channels: C, eps: eps)
                    linear(out: x.gateUp, inp: x.norm2, weight: w.gateUpWeight, packed: p.gateUp, bias: nil, rows: rows,
                           inFeatures: C, outFeatures: 2 * I)
                    for n in rows {
                        let row = x.gateUp + n * 2 * I
                        SwiGLU.forward(out: x.hidden + n * I, gate: row, up: row + I, count: I)
                    }
                    linear(out: next, inp: x.hidden, weight: w.downWeight, packed: p.down, bias: nil, residual: x.residualMid,
                           rows: rows, inFeatures: I, outFeatures: C)
                }
                RowParallel.forEachFixedChunk(rows: N, chunkRows: Self.rowChunk) { attentionInputs(layer: 0, rows: $0) }
                for l in 0..<L {
                    let x = a.layers[l]
                    let q = UnsafePointer(x.qkv), k = q + qDim, v = k + kvDim
                    switch attention {
                    case .rowwise:
                        CausalAttention.forward(out: x.attention, lse: x.lse, q: q, k: k, v: v, batch: B, length: T,
                                                heads: Hq, kvHeads: Hk, headDim: d, inputRowStride: qkvDim)
                    case .blocked:
                        BlockedCausalAttention.forward(out: x.attention, lse: x.lse, q: q, k: k, v: v,
                                                       batch: B, length: T, heads: Hq, kvHeads: Hk, headDim: d,
                                                       inputRowStride: qkvDim,
                                                       saved: a.savedAttentionProbabilities(layer: l, batch: B, length: T))
                    }
                    RowParallel.forEachFixedChunk(rows: N, chunkRows: Self.rowChunk) { rows in
                        layerOutput(layer: l, rows: rows)
                        if l + 1 < L {
                            attentionInputs(layer: l + 1, rows: rows)
                        } else {
                            // The head: norm (rows, C) → logits (rows, V)
                            RMSNorm.forward(out: a.finalNorm, rstd: a.finalRstd, inp: a.residualOut, weight: finalNormWeights,
                                            rows: rows, channels: C, eps: eps)
                            linear(out: a.logits, inp: a.finalNorm, weight: lmHeadWeights, packed: panels.lmHead, bias: nil, rows: rows,
                                   inFeatures: C, outFeatures: V)
                        }
                    }
                }
            }
        }
    }
}
