/// The reference backend: the engine's own Swift kernels, fp32 throughout.
public final class CPUBackend: Backend, @unchecked Sendable {
    public static let shared = CPUBackend()

    public init() {}

    public var name: String { "cpu" }

    /// The kernels' arithmetic version and the reference instruction set: all that can change float results here.
    public var kernelFacts: [String: String] {
        Dictionary(uniqueKeysWithValues: EngineEnvironment.current().fingerprint.map { ($0.key, $0.value) })
    }

    /// The thread count and the CPU's SIMD features: recorded, never keyed (they cannot change a bit).
    public var recordedFacts: [String: String] {
        Dictionary(uniqueKeysWithValues: EngineEnvironment.current().recordedFacts.map { ($0.key, $0.value) })
    }

    public func makeTrainingDevice(model: Qwen2Model, optimizer: AdamW, maxRows: Int) throws -> any TrainingDevice {
        CPUTrainingDevice(model: model, optimizer: optimizer, maxRows: maxRows)
    }

    public func makeDecoder(model: Qwen2Model) throws -> any IncrementalDecoder {
        IncrementalForward(model: model)
    }
}

/// Training on the host: the model's own parameter buffer, an fp32 gradient buffer in the same layout, and the
/// optimiser's host moments, so synchronising copies nothing (re-reading the host only repacks the weights).
final class CPUTrainingDevice: TrainingDevice {
    let model: Qwen2Model
    let optimizer: AdamW
    private let gradients: FloatBuffer
    private let activations: Activations

    init(model: Qwen2Model, optimizer: AdamW, maxRows: Int) {
        self.model = model
        self.optimizer = optimizer
        gradients = FloatBuffer(count: model.layout.count)
        activations = Activations(config: model.config, capacityRows: max(1, maxRows))
        // The weights change only in `clipAndStep` and `synchronizeFromHost`, which say so: the micro-batches of
        // one step share one packing of them.
        activations.reusesPackedWeights = true
    }

    func zeroGradients() { gradients.zero() }

    func accumulateGradients(tokens: [Int32], targets: [Int32], batch: Int, length: Int, gradScale: Float) throws -> Double {
        tokens.withUnsafeBufferPointer { x in
            targets.withUnsafeBufferPointer { y in
                model.accumulateGradients(tokens: x.baseAddress!, targets: y.baseAddress!, batch: batch, length: length,
                                          gradScale: gradScale, gradients: gradients, activations: activations)
            }
        }
    }

    func clipAndStep(maxNorm: Double?, learningRate: Double) -> Double {
        let norm = maxNorm.map { clipGradientNorm(gradients, maxNorm: $0) } ?? globalNorm(gradients)
        optimizer.step(parameters: model.parameters, gradients: gradients, layout: model.layout, learningRate: learningRate)
        activations.weightsChanged()
        return norm
    }

    func synchronizeToHost() {}
    func synchronizeFromHost() { activations.weightsChanged() }
}

extension KVCache: DecoderCache {
    func copy() throws -> any DecoderCache { copy() as KVCache }
}

extension IncrementalForward: IncrementalDecoder {
    func makeCache(capacity: Int) -> any DecoderCache {
        KVCache(layers: model.config.numHiddenLayers, width: model.config.keyValueDim, capacity: capacity)
    }

    func run(caches: [any DecoderCache], tokens: [[Int32]], logits: UnsafeMutablePointer<Float>, allRows: Bool) throws {
        let hostCaches = caches.map { cache -> KVCache in
            guard let hostCache = cache as? KVCache else {
                preconditionFailure("IncrementalForward: a cache from another backend (internal)")
            }
            return hostCache
        }
        run(caches: hostCaches, tokens: tokens, logits: logits, allRows: allRows)
    }
}
