/// The model's linear weights packed for `PanelGEMM`, one copy per direction:
/// - `.forward`: panels of Wᵀ (in, out), for y = x·Wᵀ;
/// - `.inputGradient`: panels of W (out, in), for dx = dy·W.
///
/// A pass packs them from the parameters when it starts (`Activations.packedWeights`), so an optimiser step in
/// between is always seen (the training device, which knows when the weights change, packs once per optimiser
/// step instead); the copy costs one read of the weights, where OpenBLAS packed them again for every 256-row chunk.
/// Memory: one more copy of the linear weights per direction used.
final class WeightPanels {
    /// One layer's panels: q, k, v stacked and gate, up stacked, as the forward multiplies them.
    struct Layer {
        let qkv: UnsafePointer<Float>
        let o: UnsafePointer<Float>
        let gateUp: UnsafePointer<Float>
        let down: UnsafePointer<Float>
    }

    let direction: Linear.PanelDirection
    let layers: [Layer]
    let lmHead: UnsafePointer<Float>
    private let storage: FloatBuffer
    /// Every matrix as (its panels, its weight's offset in the parameters, out features, in features).
    private let matrices: [(panels: UnsafeMutablePointer<Float>, offset: Int, outFeatures: Int, inFeatures: Int)]

    init(config: Qwen2Config, direction: Linear.PanelDirection) {
        self.direction = direction
        let C = config.hiddenSize, I = config.intermediateSize, V = config.vocabSize
        let qDim = config.queryDim, qkvDim = qDim + 2 * config.keyValueDim
        func floats(out: Int, in inFeatures: Int) -> Int {
            Linear.panelFloats(inFeatures: inFeatures, outFeatures: out, for: direction)
        }
        let perLayer = floats(out: qkvDim, in: C) + floats(out: C, in: qDim) + floats(out: 2 * I, in: C)
            + floats(out: C, in: I)
        storage = FloatBuffer(count: config.numHiddenLayers * perLayer + floats(out: V, in: C))
        var cursor = storage.pointer
        var matrices: [(UnsafeMutablePointer<Float>, Int, Int, Int)] = []
        func take(_ offset: Int, out: Int, in inFeatures: Int) -> UnsafePointer<Float> {
            defer { cursor += floats(out: out, in: inFeatures) }
            matrices.append((cursor, offset, out, inFeatures))
            return UnsafePointer(cursor)
        }
        let layout = ParameterLayout(config: config)
        // q, k, v and gate, up are adjacent in the layout: one stacked matrix each (see `LayerWeights`).
        layers = layout.layers.map { o in
            Layer(qkv: take(o.qWeight, out: qkvDim, in: C), o: take(o.oWeight, out: C, in: qDim),
                  gateUp: take(o.gateWeight, out: 2 * I, in: C), down: take(o.downWeight, out: C, in: I))
        }
        lmHead = take(layout.lmHead, out: V, in: C)
        precondition(cursor == storage.pointer + storage.count, "WeightPanels: layout arithmetic (internal)")
        self.matrices = matrices
    }

    /// Packs every matrix from the model's current weights, the matrices spread over the engine's threads.
    func pack(from model: Qwen2Model) {
        let matrices = self.matrices, direction = self.direction, parameters = UnsafePointer(model.parameters.pointer)
        RowParallel.forEachChunk(rows: matrices.count, minimumRowsPerTask: 1) { range in
            for (panels, offset, out, inFeatures) in matrices[range] {
                Linear.pack(panels, weight: parameters + offset, inFeatures: inFeatures, outFeatures: out, for: direction)
            }
        }
    }
}
