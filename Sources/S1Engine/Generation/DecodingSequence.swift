/// A request to the generator: one independent sequence.
public struct GenerationRequest: Sendable {
    /// Keys the sampling noise together with the seed and the position; use the same id to regenerate.
    public var id: UInt64
    public var promptTokens: [Int32]
    public var policy: any DecodingPolicy
    public var sampling: SamplingParameters

    public init(id: UInt64, promptTokens: [Int32], policy: any DecodingPolicy, sampling: SamplingParameters = .greedy) {
        self.id = id
        self.promptTokens = promptTokens
        self.policy = policy
        self.sampling = sampling
    }
}

/// Tokens appended while a policy was in one phase.
public struct PhaseCount: Sendable, Hashable, Codable {
    /// Sampled and kept.
    public var sampled: Int = 0
    /// Appended by `force` or `replace`.
    public var forced: Int = 0
    public var total: Int { sampled + forced }

    public init(sampled: Int = 0, forced: Int = 0) {
        self.sampled = sampled
        self.forced = forced
    }
}

/// What a request produced.
public struct GenerationResult: Sendable, Equatable {
    public let id: UInt64
    /// New tokens (after the prompt), sampled and forced, in order.
    public let tokens: [Int32]
    /// Per phase index (`phaseCounts[i]` for phase i).
    public let phaseCounts: [PhaseCount]
    public let stopReason: StopReason
    /// Tokens the model decoded for this request (prompt included): the cost of producing it.
    public let decodedTokens: Int
    /// forced[i]: tokens[i] was appended by the policy (a forced string), not sampled.
    public let forced: [Bool]
}

/// A sequence's complete decoding state, frozen: tokens, KV cache, last logits, policy state.
/// `Generator.fork(_:policy:)` continues from it any number of times, bitwise as if never interrupted.
public struct SequenceSnapshot: @unchecked Sendable {  // the cache copy is never mutated
    let id: UInt64
    let sampling: SamplingParameters
    let promptLength: Int
    let tokens: [Int32]
    let fed: Int
    let cache: any DecoderCache
    let lastLogits: [Float]
    let phaseCounts: [PhaseCount]
    let decodedTokens: Int
    let forcedNew: [Bool]
    public let policy: any DecodingPolicy
    /// All tokens so far (prompt included).
    public var allTokens: [Int32] { tokens }
    public var newTokens: ArraySlice<Int32> { tokens[promptLength...] }
}

/// One sequence being decoded by a `Generator`; run it with `Generator.run`, snapshot or fork it between runs.
public final class DecodingSequence {
    public enum State: Sendable, Equatable {
        case running
        /// Stopped by `run`'s `pauseWhen`; running it again continues.
        case paused
        case finished(StopReason)
    }

    public let id: UInt64
    public let sampling: SamplingParameters
    public let promptLength: Int
    /// Prompt and generated tokens.
    public private(set) var tokens: [Int32]
    public var policy: any DecodingPolicy
    public internal(set) var state: State = .running
    public private(set) var phaseCounts: [PhaseCount]
    /// Tokens fed to the model so far (prompt included).
    public private(set) var decodedTokens: Int
    /// For each new token: appended by the policy (true) or sampled.
    private(set) var forcedNew: [Bool] = []
    /// When true, the logits of every sampling step are kept in `stepLogits` (for tests and inspection).
    public var recordsLogits = false
    public private(set) var stepLogits: [[Float]] = []

    // tokens[0..<fed] are in the cache; `lastLogits` are the logits after tokens[fed - 1].
    var fed: Int
    let cache: any DecoderCache
    var lastLogits: [Float]
    /// The suppressed ids of the pending sampling step.
    var pendingSuppressed: [Int32] = []

    init(request: GenerationRequest, cache: any DecoderCache, vocabularySize: Int) {
        id = request.id
        sampling = request.sampling
        promptLength = request.promptTokens.count
        tokens = request.promptTokens
        policy = request.policy
        phaseCounts = []
        decodedTokens = 0
        fed = 0
        self.cache = cache
        lastLogits = [Float](repeating: 0, count: vocabularySize)
    }

    init(snapshot: SequenceSnapshot, policy: (any DecodingPolicy)?) throws {
        id = snapshot.id
        sampling = snapshot.sampling
        promptLength = snapshot.promptLength
        tokens = snapshot.tokens
        self.policy = policy ?? snapshot.policy
        phaseCounts = snapshot.phaseCounts
        decodedTokens = snapshot.decodedTokens
        fed = snapshot.fed
        forcedNew = snapshot.forcedNew
        cache = try snapshot.cache.copy()
        lastLogits = snapshot.lastLogits
    }

    /// The frozen state, to fork from (any number of times).
    public func snapshot() throws -> SequenceSnapshot {
        SequenceSnapshot(id: id, sampling: sampling, promptLength: promptLength, tokens: tokens, fed: fed,
                         cache: try cache.copy(), lastLogits: lastLogits, phaseCounts: phaseCounts,
                         decodedTokens: decodedTokens, forcedNew: forcedNew, policy: policy)
    }

    public var newTokens: [Int32] { Array(tokens[promptLength...]) }

    public var isFinished: Bool { if case .finished = state { return true } else { return false } }

    public var result: GenerationResult? {
        guard case .finished(let reason) = state else { return nil }
        return GenerationResult(id: id, tokens: newTokens, phaseCounts: phaseCounts, stopReason: reason,
                                decodedTokens: decodedTokens, forced: forcedNew)
    }

    func append(_ token: Int32, forced: Bool) {
        let phase = max(0, policy.phase)
        if phaseCounts.count <= phase { phaseCounts += Array(repeating: PhaseCount(), count: phase + 1 - phaseCounts.count) }
        if forced { phaseCounts[phase].forced += 1 } else { phaseCounts[phase].sampled += 1 }
        tokens.append(token)
        forcedNew.append(forced)
        policy.didAppend(token, forced: forced)
    }

    /// Tokens not yet fed to the model.
    var pending: ArraySlice<Int32> { tokens[fed...] }

    /// `count` more tokens are in the cache; `logits` (V) follow the last of them.
    func markFed(_ count: Int, logits: UnsafePointer<Float>, vocabularySize: Int) {
        decodedTokens += count
        fed += count
        lastLogits.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: logits, count: vocabularySize) }
    }

    func finish(_ reason: StopReason) { state = .finished(reason) }

    func recordStepLogits() { if recordsLogits { stepLogits.append(lastLogits) } }
}
