/// Buffers of one forward/backward pass, carved from a single allocation, sized for up to `capacityRows`
/// token rows (N = B·T). Any batch with B·T ≤ capacityRows reuses them: every buffer is row-major in N.
public final class Activations: @unchecked Sendable {
    public struct Layer {
        public let residualIn: UnsafeMutablePointer<Float>  // (N, C) input of the layer
        public let norm1: UnsafeMutablePointer<Float>       // (N, C)
        public let rstd1: UnsafeMutablePointer<Float>       // (N)
        public let qkv: UnsafeMutablePointer<Float>         // (N, Hq·d + 2·Hk·d): row n = [q | k | v], q and k rotated
        public let attention: UnsafeMutablePointer<Float>   // (N, Hq·d) before o_proj
        public let lse: UnsafeMutablePointer<Float>         // (N, Hq)
        public let residualMid: UnsafeMutablePointer<Float> // (N, C) after the attention block
        public let norm2: UnsafeMutablePointer<Float>       // (N, C)
        public let rstd2: UnsafeMutablePointer<Float>       // (N)
        public let gateUp: UnsafeMutablePointer<Float>      // (N, 2I): row n = [gate (I), up (I)]
        public let hidden: UnsafeMutablePointer<Float>      // (N, I) silu(gate)·up
    }

    public let capacityRows: Int
    public let layers: [Layer]
    public let residualOut: UnsafeMutablePointer<Float> // (N, C) output of the last layer
    public let finalNorm: UnsafeMutablePointer<Float>   // (N, C)
    public let finalRstd: UnsafeMutablePointer<Float>   // (N)
    public let logits: UnsafeMutablePointer<Float>      // (N, V); dlogits after the loss
    // Backward scratch.
    let dResidual: UnsafeMutablePointer<Float>  // (N, C)
    let dNorm: UnsafeMutablePointer<Float>      // (N, C)
    let dQKV: UnsafeMutablePointer<Float>       // (N, Hq·d + 2·Hk·d): [dq | dk | dv]
    let dAttention: UnsafeMutablePointer<Float> // (N, Hq·d)
    let dHidden: UnsafeMutablePointer<Float>    // (N, I)
    let dGateUp: UnsafeMutablePointer<Float>    // (N, 2I)
    private let storage: FloatBuffer
    /// Per layer, the blocked attention's saved probabilities (allocated on first use, grown when a batch needs more).
    private var attentionProbabilities: [FloatBuffer?]
    private let attentionHeads: Int
    private var cachedRotaryTables: (rotary: RotaryEmbedding, positions: Int, tables: (cos: [Float], sin: [Float]))?
    /// Floats each token row takes in one layer's buffers above.
    private let layerFloatsPerRow: Int
    private let config: Qwen2Config
    /// The linear weights packed for `PanelGEMM`, per direction (allocated on first use), and the model they hold
    /// while they are current (see `reusesPackedWeights`).
    private var packedPanels: [Linear.PanelDirection: (panels: WeightPanels, current: ObjectIdentifier?)] = [:]
    /// false (the default): every pass packs the weights again, so changes to them are always seen. true: a pass
    /// reuses the panels packed from the same model until `weightsChanged()`; the owner must call it after every
    /// change to the weights (the CPU training device does, after each optimiser step and each restore), which
    /// saves the packing in every micro-batch after a step's first.
    var reusesPackedWeights = false

    public init(config: Qwen2Config, capacityRows N: Int) {
        capacityRows = N
        self.config = config
        let C = config.hiddenSize, I = config.intermediateSize, V = config.vocabSize
        let qDim = config.queryDim, kvDim = config.keyValueDim, Hq = config.numAttentionHeads
        let qkvDim = qDim + 2 * kvDim
        layerFloatsPerRow = 4 * C + 2 + qkvDim + qDim + Hq + 3 * I
        attentionHeads = Hq
        attentionProbabilities = Array(repeating: nil, count: config.numHiddenLayers)
        let perLayer = N * layerFloatsPerRow
        let total = config.numHiddenLayers * perLayer + N * (2 * C + 1 + V) + N * (2 * C + qkvDim + qDim + 3 * I)
        storage = FloatBuffer(count: total)
        var cursor = storage.pointer
        func take(_ count: Int) -> UnsafeMutablePointer<Float> {
            defer { cursor += count }
            return cursor
        }
        layers = (0..<config.numHiddenLayers).map { _ in
            Layer(residualIn: take(N * C), norm1: take(N * C), rstd1: take(N), qkv: take(N * qkvDim),
                  attention: take(N * qDim), lse: take(N * Hq), residualMid: take(N * C),
                  norm2: take(N * C), rstd2: take(N), gateUp: take(N * 2 * I), hidden: take(N * I))
        }
        residualOut = take(N * C)
        finalNorm = take(N * C)
        finalRstd = take(N)
        logits = take(N * V)
        dResidual = take(N * C)
        dNorm = take(N * C)
        dQKV = take(N * qkvDim)
        dAttention = take(N * qDim)
        dHidden = take(N * I)
        dGateUp = take(N * 2 * I)
        precondition(cursor == storage.pointer + total, "Activations: layout arithmetic (internal)")
    }

    /// `model`'s linear weights packed for `direction`: a pass calls this once at its start, so the panels hold the
    /// weights the pass reads (packed now, unless `reusesPackedWeights` and they are current).
    func packedWeights(_ direction: Linear.PanelDirection, from model: Qwen2Model) -> WeightPanels {
        let identity = ObjectIdentifier(model)
        let entry = packedPanels[direction] ?? (WeightPanels(config: config, direction: direction), nil)
        if !reusesPackedWeights || entry.current != identity { entry.panels.pack(from: model) }
        packedPanels[direction] = (entry.panels, identity)
        return entry.panels
    }

    /// The weights changed: the next pass packs them again.
    func weightsChanged() {
        for direction in packedPanels.keys { packedPanels[direction]?.current = nil }
    }

    /// RoPE's cos and sin tables (T, d/2) for positions 0..<T, made once per length: the forward and the backward of
    /// every step at that length read the same ones.
    func rotaryTables(_ rotary: RotaryEmbedding, positions T: Int) -> (cos: [Float], sin: [Float]) {
        if let cached = cachedRotaryTables, cached.positions == T, cached.rotary == rotary { return cached.tables }
        let tables = rotary.table(positions: T)
        cachedRotaryTables = (rotary, T, tables)
        return tables
    }

    /// Layer `layer`'s store for `BlockedCausalAttention`'s probabilities of a (B, T) batch, or nil when the store
    /// would be larger than the layer's other activations (long sequences: the backward then recomputes them, so
    /// memory stays O(T) per row). The same (layer, B, T) gives the same store until a larger batch grows it.
    func savedAttentionProbabilities(layer: Int, batch B: Int, length T: Int) -> UnsafeMutablePointer<Float>? {
        let count = BlockedCausalAttention.savedProbabilityCount(batch: B, length: T, heads: attentionHeads)
        guard count <= B * T * layerFloatsPerRow else { return nil }
        if let store = attentionProbabilities[layer], store.count >= count { return store.pointer }
        let store = FloatBuffer(count: count)
        attentionProbabilities[layer] = store
        return store.pointer
    }
}
