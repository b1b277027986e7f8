import S1Engine

/// One sequence's keys and values on the device (bf16): layer l's keys at rows ((2l)·capacity + position), its
/// values at ((2l + 1)·capacity + position), each row Hk·d wide. Grows by doubling; a copy is a new allocation.
final class DeviceKVCache: DecoderCache {
    let decoder: CUDADecoder
    private(set) var memory: DeviceMemory
    private(set) var capacity: Int
    var count = 0

    init(decoder: CUDADecoder, capacity: Int) throws {
        self.decoder = decoder
        self.capacity = max(1, capacity)
        memory = try decoder.allocateCache(positions: self.capacity)
    }

    deinit { decoder.releaseCache(positions: capacity) }

    /// Room for `positions` in total, keeping the filled ones.
    func reserve(_ positions: Int) throws {
        guard positions > capacity else { return }
        var grown = capacity
        while grown < positions { grown *= 2 }
        let bigger = try decoder.allocateCache(positions: grown)
        let row = decoder.bytesPerRow
        for slab in 0..<(2 * decoder.layers) where count > 0 {
            try bigger.copy(from: memory, bytes: count * row, sourceOffset: slab * capacity * row, offset: slab * grown * row)
        }
        decoder.releaseCache(positions: capacity)
        memory = bigger
        capacity = grown
    }

    func copy() throws -> any DecoderCache {
        let other = try DeviceKVCache(decoder: decoder, capacity: max(count, 1))
        let row = decoder.bytesPerRow
        for slab in 0..<(2 * decoder.layers) where count > 0 {
            try other.memory.copy(from: memory, bytes: count * row, sourceOffset: slab * capacity * row,
                                  offset: slab * other.capacity * row)
        }
        other.count = count
        return other
    }
}

/// Per-row inputs of one decode call on the device.
struct DecodeRows {
    let count: Int
    let positions: DevicePointer<Int32>
    let cacheBases: DevicePointer<UInt64>
    let capacities: DevicePointer<Int32>
}

/// KV-cache decoding on the GPU. Every op is row-wise (embedding, RMSNorm, RoPE, per-row attention over the
/// row's own cache in a fixed order) and every GEMM uses the one cuBLASLt algorithm pinned for its shape class
/// whatever the number of rows, so a sequence's logits are bitwise the same alone or in any batch.
final class CUDADecoder: IncrementalDecoder {
    let ops: DeviceOps
    let model: Qwen2Model
    let weights: DeviceWeights
    let rope: RopeTables
    let budget: KVCacheBudget
    let layers: Int
    let bytesPerRow: Int
    /// GEMM policy of every decode GEMM (the row-invariant pinning unless a benchmark asks otherwise).
    var policy: MatmulAlgorithmPolicy = .rowInvariant(referenceN: 64) { didSet { forgetGraphs() } }
    /// Replay each step's kernels and GEMMs as one CUDA graph (captured the second time a shape is seen), which
    /// removes the per-launch host cost that otherwise bounds decoding. The graph runs the very same kernels with
    /// the same arguments, so the bits do not change.
    var usesGraphs = true
    private var positionsInUse = 0
    private var scratch: DecodeScratch?
    private let stream: CUDAStream
    private struct GraphKey: Hashable { let rows: Int, selected: Int }
    private var graphs: [GraphKey: CUDAGraph] = [:]
    private var seen: Set<GraphKey> = []

    private func forgetGraphs() {
        graphs.removeAll()
        seen.removeAll()
    }

    init(ops: DeviceOps, model: Qwen2Model) throws {
        self.ops = ops
        self.model = model
        let c = model.config
        weights = try DeviceWeights(context: ops.context, model: model)
        rope = try RopeTables(context: ops.context, rotary: model.rotary, positions: c.maxPositionEmbeddings)
        layers = c.numHiddenLayers
        bytesPerRow = c.keyValueDim * 2
        budget = KVCacheBudget(freeBytes: try ops.context.memoryInfo().free, layers: layers, keyValueDim: c.keyValueDim)
        stream = try CUDAStream(context: ops.context)
    }

    func allocateCache(positions: Int) throws -> DeviceMemory {
        try budget.check(inUse: positionsInUse, requested: positions)
        let memory = try ops.context.allocate(bytes: 2 * layers * positions * bytesPerRow)
        positionsInUse += positions
        return memory
    }

    func releaseCache(positions: Int) { positionsInUse -= positions }

    func makeCache(capacity: Int) throws -> any DecoderCache { try DeviceKVCache(decoder: self, capacity: capacity) }

    private func scratch(rows: Int, longest: Int) throws -> DecodeScratch {
        if let current = scratch, current.rows >= rows, current.longest >= longest { return current }
        // Grow geometrically: sequences lengthen one token per step.
        let grownRows = max(rows, scratch?.rows ?? 0), grownLongest = max(longest, 2 * (scratch?.longest ?? 128))
        scratch = nil  // free the old buffers first (and the graphs that point into them)
        forgetGraphs()
        let fresh = try DecodeScratch(context: ops.context, config: model.config, rows: grownRows, longest: grownLongest)
        scratch = fresh
        return fresh
    }

    func run(caches: [any DecoderCache], tokens: [[Int32]], logits: UnsafeMutablePointer<Float>, allRows: Bool) throws {
        let deviceLogits = try forward(caches: caches, tokens: tokens, allRows: allRows)
        try deviceLogits.memory.download(into: logits, bytes: deviceLogits.rows * model.config.vocabSize * 4)
    }

    /// Feeds the chunks and leaves the selected rows' logits (rows, V) fp32 on the device.
    func forward(caches: [any DecoderCache], tokens: [[Int32]], allRows: Bool) throws -> (memory: DeviceMemory, rows: Int) {
        let deviceCaches = caches.map { cache -> DeviceKVCache in
            guard let deviceCache = cache as? DeviceKVCache, deviceCache.decoder === self else {
                preconditionFailure("CUDADecoder: a cache from another decoder (internal)")
            }
            return deviceCache
        }
        var tokenRows: [Int32] = [], positions: [Int32] = [], bases: [UInt64] = [], capacities: [Int32] = []
        var selected: [Int32] = []
        var longest = 0
        for (i, chunk) in tokens.enumerated() {
            let cache = deviceCaches[i]
            try cache.reserve(cache.count + chunk.count)
            for (t, token) in chunk.enumerated() {
                if allRows || t == chunk.count - 1 { selected.append(Int32(tokenRows.count)) }
                tokenRows.append(token)
                positions.append(Int32(cache.count + t))
                bases.append(cache.memory.address)
                capacities.append(Int32(cache.capacity))
            }
            longest = max(longest, cache.count + chunk.count)
        }
        let N = tokenRows.count, M = selected.count
        let s = try scratch(rows: N, longest: longest)
        try s.tokens.upload(tokenRows); try s.positions.upload(positions); try s.bases.upload(bases)
        try s.capacities.upload(capacities); try s.selected.upload(selected)
        ops.stream = stream
        defer { ops.stream = nil }
        let key = GraphKey(rows: N, selected: M)
        if !usesGraphs {
            try compute(s, rows: N, selected: M)
        } else if let graph = graphs[key] {
            try graph.launch(on: stream)
        } else if seen.contains(key) {
            // Second time: every kernel is resolved and every GEMM algorithm pinned, so capture and replay.
            let graph = try stream.capture { try compute(s, rows: N, selected: M) }
            graphs[key] = graph
            try graph.launch(on: stream)
        } else {
            try compute(s, rows: N, selected: M)
            seen.insert(key)
        }
        for (i, chunk) in tokens.enumerated() { deviceCaches[i].count += chunk.count }
        return (s.logits, M)
    }

    /// The decode step's device work for N rows whose inputs are in `s`: every layer, then the selected rows'
    /// final norm and logits (M, V) into `s.logits`. Issues only kernels and GEMMs (no copies), so it can be
    /// captured as a graph.
    private func compute(_ s: DecodeScratch, rows N: Int, selected M: Int) throws {
        let c = model.config, layout = model.layout, shape = AttentionShape(c)
        let C = c.hiddenSize, I = c.intermediateSize, V = c.vocabSize, eps = Float(c.rmsNormEps)
        let qDim = shape.queryDim, qkvDim = qDim + 2 * shape.keyValueDim
        let rows = DecodeRows(count: N, positions: DevicePointer(s.positions), cacheBases: DevicePointer(s.bases),
                              capacities: DevicePointer(s.capacities))
        let w32 = weights.f32, w16 = weights.bf16
        let x = DevicePointer<Float>(s.x), mid = DevicePointer<Float>(s.mid), norm = DevicePointer<BF16>(s.norm)
        try ops.embedding(out: x, tokens: DevicePointer(s.tokens), table: w32 + layout.embedding, rows: N, channels: C)
        for l in 0..<layers {
            let o = layout.layers[l]
            // Attention block: norm (N,C) → qkv (N, qkvDim) → q (N,Hq·d), k/v into the caches → attention (N,Hq·d)
            try ops.rmsNorm(out: norm, rstd: nil, input: x, weight: w32 + o.inputNorm, rows: N, channels: C, eps: eps)
            try ops.linear(out: DevicePointer(s.wide), input: norm, weight: w16 + o.qWeight, rows: N, inFeatures: C,
                           outFeatures: qkvDim, policy: policy)
            try ops.decodeQKVStore(q: DevicePointer(s.q), qkv: DevicePointer(s.wide), bias: w32 + o.qBias, rope: rope,
                                   rows: rows, layer: l, shape: shape)
            try ops.decodeAttention(out: DevicePointer(s.attention), scores: DevicePointer(s.scores), scoreStride: s.longest,
                                    q: DevicePointer(s.q), rows: rows, layer: l, shape: shape)
            // mid (N,C) = x + o_proj(attention)
            try ops.linear(out: mid, input: DevicePointer(s.attention), weight: w16 + o.oWeight, residual: x, rows: N,
                           inFeatures: qDim, outFeatures: C, policy: policy)
            // MLP block: norm (N,C) → gateUp (N,2I) → hidden (N,I) → x (N,C) = mid + down(hidden)
            try ops.rmsNorm(out: norm, rstd: nil, input: mid, weight: w32 + o.postAttentionNorm, rows: N, channels: C, eps: eps)
            try ops.linear(out: DevicePointer(s.wide), input: norm, weight: w16 + o.gateWeight, rows: N, inFeatures: C,
                           outFeatures: 2 * I, policy: policy)
            try ops.swiGLU(out: DevicePointer(s.hidden), gateUp: DevicePointer<Float>(s.wide), rows: N, intermediate: I)
            try ops.linear(out: x, input: DevicePointer(s.hidden), weight: w16 + o.downWeight, residual: mid, rows: N,
                           inFeatures: I, outFeatures: C, policy: policy)
        }
        // Head: the selected rows only → final norm → lm_head (M, V).
        try ops.gatherRows(out: mid, input: x, rows: DevicePointer(s.selected), count: M, channels: C)
        try ops.rmsNorm(out: norm, rstd: nil, input: mid, weight: w32 + layout.finalNorm, rows: M, channels: C, eps: eps)
        try ops.linear(out: DevicePointer(s.logits), input: norm, weight: w16 + layout.lmHead, rows: M, inFeatures: C,
                       outFeatures: V, policy: policy)
    }
}

/// Device buffers of one decode call for up to `rows` rows whose sequences are at most `longest` long.
final class DecodeScratch {
    let rows: Int, longest: Int
    let x: DeviceMemory, mid: DeviceMemory, norm: DeviceMemory, wide: DeviceMemory, q: DeviceMemory
    let attention: DeviceMemory, hidden: DeviceMemory, scores: DeviceMemory, logits: DeviceMemory
    let tokens: DeviceMemory, positions: DeviceMemory, bases: DeviceMemory, capacities: DeviceMemory, selected: DeviceMemory

    init(context: CUDAContext, config c: Qwen2Config, rows N: Int, longest: Int) throws {
        rows = N
        self.longest = longest
        let C = c.hiddenSize, I = c.intermediateSize, qDim = c.queryDim, qkvDim = qDim + 2 * c.keyValueDim
        func bytes(_ count: Int, _ size: Int) throws -> DeviceMemory { try context.allocate(bytes: max(count, 1) * size) }
        x = try bytes(N * C, 4); mid = try bytes(N * C, 4); norm = try bytes(N * C, 2)
        wide = try bytes(N * max(qkvDim, 2 * I), 4); q = try bytes(N * qDim, 4); attention = try bytes(N * qDim, 2)
        hidden = try bytes(N * I, 2); scores = try bytes(N * c.numAttentionHeads * longest, 4)
        logits = try bytes(N * c.vocabSize, 4)
        tokens = try bytes(N, 4); positions = try bytes(N, 4); bases = try bytes(N, 8); capacities = try bytes(N, 4)
        selected = try bytes(N, 4)
    }
}
