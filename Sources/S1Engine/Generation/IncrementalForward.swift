import Foundation

/// The Qwen2 forward pass for decoding: new tokens of several sequences, each against its own KV cache.
///
/// Every quantity of a row (a token at a position of a sequence) is computed by row-wise code only
/// (`PackedLinear`, `RMSNorm`, `RotaryEmbedding.angles`, `CausalAttention.attendRow`, elementwise
/// activations), so a row's bits depend only on its sequence's tokens up to it: not on the batch, on how the
/// tokens were split into chunks, or on whether they came from the prompt, sampling or a forced append.
/// The attention is the very function the full-sequence forward uses; the projections differ from it
/// (OpenBLAS there) only by rounding.
final class IncrementalForward {
    let model: Qwen2Model
    /// The model's projections in decoding's panel layout (packed when the decoder is made).
    private struct LayerProjections {
        let qkv: PackedLinear, o: PackedLinear, gateUp: PackedLinear, down: PackedLinear
    }
    private let layers: [LayerProjections]
    private let lmHead: PackedLinear
    private var capacityRows = 0
    private var scratch = FloatBuffer(count: 0)
    private var scores = FloatBuffer(count: 0)
    // Views into `scratch`, each (capacityRows, width).
    private var x: UnsafeMutablePointer<Float>!, norm: UnsafeMutablePointer<Float>!, qkv: UnsafeMutablePointer<Float>!
    private var attention: UnsafeMutablePointer<Float>!, mid: UnsafeMutablePointer<Float>!
    private var gateUp: UnsafeMutablePointer<Float>!, hidden: UnsafeMutablePointer<Float>!
    private var cosines: UnsafeMutablePointer<Float>!, sines: UnsafeMutablePointer<Float>!
    private var rowPositions: [Int] = [], rowCaches: [Int] = []

    init(model: Qwen2Model) {
        self.model = model
        let c = model.config
        let C = c.hiddenSize, I = c.intermediateSize, qDim = c.queryDim, kvDim = c.keyValueDim
        layers = (0..<c.numHiddenLayers).map { l in
            let w = model.layerWeights(l)
            return LayerProjections(
                qkv: PackedLinear(weight: w.qkvWeight, bias: w.qkvBias, inFeatures: C, outFeatures: qDim + 2 * kvDim),
                o: PackedLinear(weight: w.oWeight, bias: nil, inFeatures: qDim, outFeatures: C),
                gateUp: PackedLinear(weight: w.gateUpWeight, bias: nil, inFeatures: C, outFeatures: 2 * I),
                down: PackedLinear(weight: w.downWeight, bias: nil, inFeatures: I, outFeatures: C))
        }
        lmHead = PackedLinear(weight: model.lmHeadWeights, bias: nil, inFeatures: C, outFeatures: c.vocabSize)
    }

    private func reserveRows(_ rows: Int) {
        guard rows > capacityRows else { return }
        let c = model.config
        let C = c.hiddenSize, I = c.intermediateSize, qDim = c.queryDim, kvDim = c.keyValueDim, half = c.headDim / 2
        capacityRows = max(rows, 2 * capacityRows)
        let N = capacityRows
        scratch = FloatBuffer(count: N * (3 * C + 2 * qDim + 2 * kvDim + 3 * I + 2 * half))
        var cursor = scratch.pointer
        func take(_ width: Int) -> UnsafeMutablePointer<Float> { defer { cursor += N * width }; return cursor }
        x = take(C); norm = take(C); mid = take(C); qkv = take(qDim + 2 * kvDim); attention = take(qDim)
        gateUp = take(2 * I); hidden = take(I); cosines = take(half); sines = take(half)
    }

    /// Feeds `tokens[i]` to `caches[i]` (appending their keys and values) and writes logits (V) of each
    /// chunk's last row to `logits + i·V` (or of every row, chunk after chunk, when `allRows`).
    /// Tokens must be valid ids and every chunk non-empty.
    func run(caches: [KVCache], tokens: [[Int32]], logits: UnsafeMutablePointer<Float>, allRows: Bool = false) {
        let c = model.config
        let C = c.hiddenSize, I = c.intermediateSize
        let Hq = c.numAttentionHeads, Hk = c.numKeyValueHeads, d = c.headDim, group = Hq / Hk
        let qDim = c.queryDim, kvDim = c.keyValueDim, eps = Float(c.rmsNormEps), half = d / 2
        let scale = 1 / Float(d).squareRoot()
        let N = tokens.reduce(0) { $0 + $1.count }
        reserveRows(N)
        rowPositions.removeAll(keepingCapacity: true)
        rowCaches.removeAll(keepingCapacity: true)
        var longest = 0
        for (i, chunk) in tokens.enumerated() {
            let cache = caches[i]
            cache.reserve(cache.count + chunk.count)
            for t in 0..<chunk.count { rowPositions.append(cache.count + t); rowCaches.append(i) }
            longest = max(longest, cache.count + chunk.count)
        }
        if scores.count < longest { scores = FloatBuffer(count: max(longest, 2 * scores.count)) }
        let scoreRow = scores.pointer
        // Locals, not stored properties, inside the loops (class property access blocks vectorisation).
        let x = self.x!, norm = self.norm!, qkv = self.qkv!, attention = self.attention!
        let mid = self.mid!, gateUp = self.gateUp!, hidden = self.hidden!
        let cosines = self.cosines!, sines = self.sines!
        let rowPositions = self.rowPositions, rowCaches = self.rowCaches
        let qkvDim = qDim + 2 * kvDim

        // x (N, C) = embeddings; cos, sin (N, d/2) per row position.
        var n = 0
        for chunk in tokens {
            for token in chunk {
                (x + n * C).update(from: model.embeddingWeights + Int(token) * C, count: C)
                model.rotary.angles(position: rowPositions[n], cos: cosines + n * half, sin: sines + n * half)
                n += 1
            }
        }
        for l in 0..<c.numHiddenLayers {
            let w = model.layerWeights(l), projections = layers[l]
            // Attention block: norm (N,C) → qkv (N, Hq·d + 2·Hk·d) → rope on q, k → cache → attention (N,Hq·d)
            RMSNorm.forward(out: norm, rstd: nil, inp: x, weight: w.inputNorm, rows: N, channels: C, eps: eps)
            projections.qkv.forward(out: qkv, inp: norm, rows: N)
            for row in 0..<N {
                let q = qkv + row * qkvDim, k = q + qDim, v = k + kvDim
                RotaryEmbedding.apply(q, heads: Hq, headDim: d, cos: cosines + row * half, sin: sines + row * half)
                RotaryEmbedding.apply(k, heads: Hk, headDim: d, cos: cosines + row * half, sin: sines + row * half)
                let cache = caches[rowCaches[row]], position = rowPositions[row]
                (cache.keys(l) + position * kvDim).update(from: k, count: kvDim)
                (cache.values(l) + position * kvDim).update(from: v, count: kvDim)
            }
            RowParallel.forEachChunk(rows: N, minimumRowsPerTask: PackedLinear.minimumRowsPerTask) { rows in
                // The first chunk uses the shared scratch; others their own (each row's result is its own).
                let scratch = rows.lowerBound == 0 ? scoreRow : UnsafeMutablePointer<Float>.allocate(capacity: longest)
                defer { if scratch != scoreRow { scratch.deallocate() } }
                for row in rows {
                    let cache = caches[rowCaches[row]], count = rowPositions[row] + 1
                    let keys = cache.keys(l), values = cache.values(l)
                    for h in 0..<Hq {
                        let g = h / group
                        _ = CausalAttention.attendRow(out: attention + row * qDim + h * d, query: qkv + row * qkvDim + h * d,
                                                      keys: keys + g * d, values: values + g * d, rowStride: kvDim,
                                                      count: count, headDim: d, scale: scale, scores: scratch)
                    }
                }
            }
            // mid (N,C) = o_proj(attention) + x
            projections.o.forward(out: mid, inp: attention, rows: N)
            for i in 0..<(N * C) { mid[i] += x[i] }
            // MLP block: norm (N,C) → gateUp (N,2I) → hidden (N,I) → x (N,C) = down(hidden) + mid
            RMSNorm.forward(out: norm, rstd: nil, inp: mid, weight: w.postAttentionNorm, rows: N, channels: C, eps: eps)
            projections.gateUp.forward(out: gateUp, inp: norm, rows: N)
            for row in 0..<N {
                let gate = gateUp + row * 2 * I
                SwiGLU.forward(out: hidden + row * I, gate: gate, up: gate + I, count: I)
            }
            projections.down.forward(out: x, inp: hidden, rows: N)
            for i in 0..<(N * C) { x[i] += mid[i] }
        }
        for (i, chunk) in tokens.enumerated() { caches[i].count += chunk.count }

        // Head: final norm and lm_head of the rows whose logits are wanted (compacted into `norm` first).
        var selected = 0, end = 0
        for chunk in tokens {
            end += chunk.count
            let first = allRows ? end - chunk.count : end - 1
            for row in first..<end {
                (mid + selected * C).update(from: x + row * C, count: C)
                selected += 1
            }
        }
        RMSNorm.forward(out: norm, rstd: nil, inp: mid, weight: model.finalNormWeights, rows: selected, channels: C, eps: eps)
        lmHead.forward(out: logits, inp: norm, rows: selected)
    }
}
