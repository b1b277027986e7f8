/// Where one named tensor lives inside the model's single contiguous parameter buffer.
public struct TensorSlot: Equatable, Hashable, Sendable {
    /// The Hugging Face tensor name, e.g. `model.layers.0.self_attn.q_proj.weight`.
    public let name: String
    /// Row-major shape, as in the safetensors file (`(out, in)` for linear weights).
    public let shape: [Int]
    /// Offset in floats from the start of the buffer.
    public let offset: Int
    /// Whether AdamW's decoupled weight decay applies (not to biases and norm gains, as in HF `Trainer`).
    public let decays: Bool
    public var count: Int { shape.reduce(1, *) }
}

/// Offsets (in floats) of one decoder layer's tensors inside the parameter buffer.
/// q/k/v weights are adjacent, so `qWeight` starts a (Hq·d + 2·Hk·d, C) matrix of all three projections and
/// `qBias` the matching bias; `gateWeight` starts the (2I, C) matrix [gate; up].
public struct LayerOffsets: Equatable, Sendable {
    public let inputNorm: Int        // (C)
    public let qWeight: Int          // (Hq*d, C)
    public let qBias: Int            // (Hq*d)
    public let kWeight: Int          // (Hk*d, C)
    public let kBias: Int            // (Hk*d)
    public let vWeight: Int          // (Hk*d, C)
    public let vBias: Int            // (Hk*d)
    public let oWeight: Int          // (C, Hq*d), no bias in Qwen2
    public let postAttentionNorm: Int // (C)
    public let gateWeight: Int       // (I, C)
    public let upWeight: Int         // (I, C)
    public let downWeight: Int       // (C, I)
}

/// The llm.c-style layout of every Qwen2 parameter in one fp32 buffer, in a fixed order, with HF names.
/// Gradients and optimiser moments use the same layout in buffers of the same size.
public struct ParameterLayout: Equatable, Sendable {
    public let config: Qwen2Config
    /// All tensors in buffer order.
    public let slots: [TensorSlot]
    public let layers: [LayerOffsets]
    public let embedding: Int       // (V, C)
    public let finalNorm: Int       // (C)
    /// Offset of the lm_head matrix (V, C): the embedding's offset when tied.
    public let lmHead: Int
    /// Total number of floats (the parameter count).
    public let count: Int

    public init(config: Qwen2Config) {
        self.config = config
        let C = config.hiddenSize, I = config.intermediateSize, V = config.vocabSize
        let qDim = config.queryDim, kvDim = config.keyValueDim
        var slots: [TensorSlot] = []
        var cursor = 0
        func add(_ name: String, _ shape: [Int], decays: Bool) -> Int {
            let slot = TensorSlot(name: name, shape: shape, offset: cursor, decays: decays)
            slots.append(slot)
            cursor += slot.count
            return slot.offset
        }
        embedding = add("model.embed_tokens.weight", [V, C], decays: true)
        var layers: [LayerOffsets] = []
        for l in 0..<config.numHiddenLayers {
            let p = "model.layers.\(l)."
            let inputNorm = add(p + "input_layernorm.weight", [C], decays: false)
            // q, k, v weights adjacent (then their biases) so that one GEMM computes all three projections.
            let qW = add(p + "self_attn.q_proj.weight", [qDim, C], decays: true)
            let kW = add(p + "self_attn.k_proj.weight", [kvDim, C], decays: true)
            let vW = add(p + "self_attn.v_proj.weight", [kvDim, C], decays: true)
            let qB = add(p + "self_attn.q_proj.bias", [qDim], decays: false)
            let kB = add(p + "self_attn.k_proj.bias", [kvDim], decays: false)
            let vB = add(p + "self_attn.v_proj.bias", [kvDim], decays: false)
            let oW = add(p + "self_attn.o_proj.weight", [C, qDim], decays: true)
            let postNorm = add(p + "post_attention_layernorm.weight", [C], decays: false)
            // gate and up adjacent: together one (2I, C) matrix, one GEMM.
            let gate = add(p + "mlp.gate_proj.weight", [I, C], decays: true)
            let up = add(p + "mlp.up_proj.weight", [I, C], decays: true)
            let down = add(p + "mlp.down_proj.weight", [C, I], decays: true)
            precondition(kW == qW + qDim * C && vW == kW + kvDim * C && kB == qB + qDim && vB == kB + kvDim
                         && up == gate + I * C, "ParameterLayout: fused q/k/v and gate/up blocks (internal)")
            layers.append(LayerOffsets(inputNorm: inputNorm, qWeight: qW, qBias: qB, kWeight: kW, kBias: kB,
                                       vWeight: vW, vBias: vB, oWeight: oW, postAttentionNorm: postNorm,
                                       gateWeight: gate, upWeight: up, downWeight: down))
        }
        finalNorm = add("model.norm.weight", [C], decays: false)
        lmHead = config.tieWordEmbeddings ? embedding : add("lm_head.weight", [V, C], decays: true)
        self.layers = layers
        self.slots = slots
        self.count = cursor
    }

    /// The slot with this HF name, if the layout has one.
    public func slot(named name: String) -> TensorSlot? { slots.first { $0.name == name } }
}

/// Read-only pointers to one decoder layer's weights, for kernels such as the generator's KV-cache decode.
/// Valid only while the owning `Qwen2Model` (its parameter buffer) is alive.
public struct LayerWeights {
    public let inputNorm: UnsafePointer<Float>        // (C)
    public let qWeight: UnsafePointer<Float>          // (Hq*d, C)
    public let qBias: UnsafePointer<Float>            // (Hq*d)
    public let kWeight: UnsafePointer<Float>          // (Hk*d, C)
    public let kBias: UnsafePointer<Float>            // (Hk*d)
    public let vWeight: UnsafePointer<Float>          // (Hk*d, C)
    public let vBias: UnsafePointer<Float>            // (Hk*d)
    public let oWeight: UnsafePointer<Float>          // (C, Hq*d)
    public let postAttentionNorm: UnsafePointer<Float> // (C)
    public let gateWeight: UnsafePointer<Float>       // (I, C)
    public let upWeight: UnsafePointer<Float>         // (I, C)
    public let downWeight: UnsafePointer<Float>       // (C, I)
    /// q, k and v projections stacked: (Hq·d + 2·Hk·d, C), and their biases (Hq·d + 2·Hk·d).
    public var qkvWeight: UnsafePointer<Float> { qWeight }
    public var qkvBias: UnsafePointer<Float> { qBias }
    /// gate and up projections stacked: (2I, C).
    public var gateUpWeight: UnsafePointer<Float> { gateWeight }

    init(base: UnsafeMutablePointer<Float>, offsets o: LayerOffsets) {
        let b = UnsafePointer(base)
        inputNorm = b + o.inputNorm; qWeight = b + o.qWeight; qBias = b + o.qBias
        kWeight = b + o.kWeight; kBias = b + o.kBias; vWeight = b + o.vWeight; vBias = b + o.vBias
        oWeight = b + o.oWeight; postAttentionNorm = b + o.postAttentionNorm
        gateWeight = b + o.gateWeight; upWeight = b + o.upWeight; downWeight = b + o.downWeight
    }
}
