/// Where the model's arithmetic runs. The CPU engine (`CPUBackend`) is the reference; other backends (CUDA) are
/// tested against it op by op and plug into the same `SFTTrainer` and `Generator`.
///
/// A backend makes two kinds of worker for a model whose weights live on the host (`Qwen2Model.parameters`):
/// a `TrainingDevice` that owns gradients and optimiser arithmetic for `SFTTrainer`, and an `IncrementalDecoder`
/// that feeds tokens through KV caches for `Generator`.
public protocol Backend: AnyObject {
    /// "cpu", "cuda", ... (recorded in run environments).
    var name: String { get }
    /// What can change float results on this backend (device, kernel set, library versions): hashed into the
    /// step keys of every step that computes with it.
    var kernelFacts: [String: String] { get }
    /// What describes the run but cannot change a result (thread count, CPU features): recorded in
    /// `environment.json`, never hashed.
    var recordedFacts: [String: String] { get }
    /// A training worker for `model`, holding at most `maxRows` token rows (micro-batch × length) at once.
    /// The device reads the host parameters and `optimizer` moments now; call `synchronizeToHost()` before
    /// reading them back (checkpoints, the end of training).
    func makeTrainingDevice(model: Qwen2Model, optimizer: AdamW, maxRows: Int) throws -> any TrainingDevice
    /// A decoder for `model` (weights read now; later host changes are not seen).
    func makeDecoder(model: Qwen2Model) throws -> any IncrementalDecoder
}

extension Backend {
    public var recordedFacts: [String: String] { [:] }
}

/// The gradient and optimiser half of one SFT step, on some device.
public protocol TrainingDevice: AnyObject {
    /// Sets every gradient accumulator to zero (start of an optimiser step).
    func zeroGradients() throws
    /// Forward, masked cross-entropy and backward over tokens (B, T) with next-token targets (B, T) (−1 =
    /// ignored); adds `gradScale`·∂(Σ token losses)/∂θ to the gradients and returns the unscaled Σ token losses.
    func accumulateGradients(tokens: [Int32], targets: [Int32], batch: Int, length: Int, gradScale: Float) throws -> Double
    /// Global gradient norm (fixed-order reduction), clipping to `maxNorm` when given, then one AdamW update at
    /// `learningRate`. Returns the norm before clipping.
    func clipAndStep(maxNorm: Double?, learningRate: Double) throws -> Double
    /// Copies the device's parameters and optimiser moments into the host model and optimiser.
    func synchronizeToHost() throws
    /// Re-reads the host parameters and optimiser moments (after a checkpoint was loaded into them).
    func synchronizeFromHost() throws
}

/// The KV cache of one sequence on some decoder. Forking copies it; a copy is never shared between sequences.
public protocol DecoderCache: AnyObject {
    /// Positions filled.
    var count: Int { get }
    /// A deep copy of the filled positions.
    func copy() throws -> any DecoderCache
}

/// KV-cache decoding of several sequences at once, batch-invariant: a row's logits depend only on its own
/// sequence's tokens, never on the other rows of the call.
public protocol IncrementalDecoder: AnyObject {
    /// An empty cache with room for `capacity` positions (it grows when needed).
    func makeCache(capacity: Int) throws -> any DecoderCache
    /// Feeds `tokens[i]` to `caches[i]` (appending their keys and values) and writes the logits (V) of each
    /// chunk's last row to `logits + i·V` (or of every row, chunk after chunk, when `allRows`).
    /// Token ids must be valid and every chunk non-empty; caches must come from this decoder.
    func run(caches: [any DecoderCache], tokens: [[Int32]], logits: UnsafeMutablePointer<Float>, allRows: Bool) throws
}
