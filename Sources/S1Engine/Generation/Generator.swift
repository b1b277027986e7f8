/// KV-cache decoding of independent sequences on a `Qwen2Model`, batched, batch-invariant and deterministic.
///
/// Each round, every running sequence asks its policy what to do until it needs the model (forced tokens are
/// appended without sampling); then the tokens not yet in each sequence's cache go through one batched
/// `IncrementalForward`, and each sequence samples its next token from its own logits and lets its policy review
/// it. Because every row is computed by row-wise code, a sequence's logits and tokens are bitwise the same
/// alone or in any batch, and forking a snapshot continues exactly as an uninterrupted run would.
public final class Generator {
    public let model: Qwen2Model
    /// Sequences per batched forward call.
    public var maxBatchSize: Int
    /// Tokens of one sequence per forward call (longer prompts are fed in chunks; chunking changes no bit).
    public var maxChunkTokens: Int
    private let forward: any IncrementalDecoder
    private var sampler = TokenSampler()
    private var logits = FloatBuffer(count: 0)

    /// A generator decoding on the CPU reference engine.
    public init(model: Qwen2Model, maxBatchSize: Int = 16, maxChunkTokens: Int = 256) {
        self.model = model
        self.maxBatchSize = max(1, maxBatchSize)
        self.maxChunkTokens = max(1, maxChunkTokens)
        forward = IncrementalForward(model: model)
    }

    /// A generator decoding on `backend` (which may fail to set up, e.g. no GPU).
    public init(model: Qwen2Model, maxBatchSize: Int = 16, maxChunkTokens: Int = 256, backend: any Backend) throws {
        self.model = model
        self.maxBatchSize = max(1, maxBatchSize)
        self.maxChunkTokens = max(1, maxChunkTokens)
        forward = try backend.makeDecoder(model: model)
    }

    private var vocabularySize: Int { model.config.vocabSize }
    private var maxPositions: Int { model.config.maxPositionEmbeddings }

    private func checkTokens<S: Sequence>(_ tokens: S, request: UInt64, what: String) throws where S.Element == Int32 {
        for (i, id) in tokens.enumerated() where id < 0 || Int(id) >= vocabularySize {
            throw EngineError.invalidInput(reason: "request \(request): \(what) token \(i) has id \(id), outside the vocabulary 0..<\(vocabularySize)")
        }
    }

    /// A sequence ready to run (its prompt is fed on the first `run`).
    public func start(_ request: GenerationRequest) throws -> DecodingSequence {
        guard !request.promptTokens.isEmpty else {
            throw EngineError.invalidInput(reason: "request \(request.id): empty prompt; a prompt needs at least one token")
        }
        guard request.promptTokens.count <= maxPositions else {
            throw EngineError.invalidInput(reason: "request \(request.id): prompt of \(request.promptTokens.count) tokens exceeds the model's context of \(maxPositions)")
        }
        guard request.sampling.temperature >= 0, request.sampling.topP > 0 else {
            throw EngineError.invalidInput(reason: "request \(request.id): temperature must be ≥ 0 and top_p > 0, found \(request.sampling.temperature) and \(request.sampling.topP)")
        }
        try checkTokens(request.promptTokens, request: request.id, what: "prompt")
        let cache = try forward.makeCache(capacity: max(64, request.promptTokens.count + 64))
        return DecodingSequence(request: request, cache: cache, vocabularySize: vocabularySize)
    }

    /// A new sequence continuing from `snapshot`, with its policy state or a replacement `policy`.
    public func fork(_ snapshot: SequenceSnapshot, policy: (any DecodingPolicy)? = nil) throws -> DecodingSequence {
        try DecodingSequence(snapshot: snapshot, policy: policy)
    }

    /// Runs each request to its end; results in request order.
    public func generate(requests: [GenerationRequest]) throws -> [GenerationResult] {
        let sequences = try requests.map { try start($0) }
        try run(sequences)
        return sequences.map { $0.result! }
    }

    /// Decodes `sequences` (batched) until each is finished or, when `pauseWhen` returns true for it before a
    /// step, paused. Paused sequences resume on the next `run` (pass a predicate that no longer holds).
    public func run(_ sequences: [DecodingSequence], pauseWhen: ((DecodingSequence) -> Bool)? = nil) throws {
        for s in sequences where s.state == .paused { s.state = .running }
        while true {
            var sampling: [DecodingSequence] = []
            for s in sequences where s.state == .running {
                try advance(s, pauseWhen: pauseWhen)
                if s.state == .running { sampling.append(s) }
            }
            if sampling.isEmpty { return }
            try feed(sampling)
            for s in sampling { try sampleAndReview(s) }
        }
    }

    /// Policy steps until the sequence needs a sampled token (state stays `.running`), stops or pauses.
    private func advance(_ s: DecodingSequence, pauseWhen: ((DecodingSequence) -> Bool)?) throws {
        while true {
            if let pauseWhen, pauseWhen(s) {
                s.state = .paused
                return
            }
            // Every token must get a position the model can feed.
            guard s.tokens.count < maxPositions else { return s.finish(.contextFull) }
            switch s.policy.nextStep() {
            case .sample(let suppressed):
                s.pendingSuppressed = suppressed
                return
            case .force(let forced):
                try appendForced(forced, to: s)
                if s.isFinished { return }
            case .stop(let reason):
                return s.finish(reason)
            }
        }
    }

    private func appendForced(_ forced: [Int32], to s: DecodingSequence) throws {
        guard !forced.isEmpty else {
            throw EngineError.invalidInput(reason: "request \(s.id): the decoding policy forced an empty token sequence")
        }
        try checkTokens(forced, request: s.id, what: "forced")
        for token in forced {
            guard s.tokens.count < maxPositions else { return s.finish(.contextFull) }
            s.append(token, forced: true)
        }
    }

    /// Feeds every sequence's unfed tokens, in groups of `maxBatchSize` and chunks of `maxChunkTokens`.
    private func feed(_ sequences: [DecodingSequence]) throws {
        let V = vocabularySize
        if logits.count < maxBatchSize * V { logits = FloatBuffer(count: maxBatchSize * V) }
        var start = 0
        while start < sequences.count {
            let group = sequences[start..<min(start + maxBatchSize, sequences.count)]
            start += group.count
            while true {
                let active = group.filter { $0.fed < $0.tokens.count }
                if active.isEmpty { break }
                let chunks = active.map { Array($0.tokens[$0.fed..<min($0.tokens.count, $0.fed + maxChunkTokens)]) }
                try forward.run(caches: active.map(\.cache), tokens: chunks, logits: logits.pointer, allRows: false)
                for (i, s) in active.enumerated() {
                    s.markFed(chunks[i].count, logits: logits.pointer + i * V, vocabularySize: V)
                }
            }
        }
    }

    private func sampleAndReview(_ s: DecodingSequence) throws {
        s.recordStepLogits()
        var suppressed = s.pendingSuppressed
        // A policy may reject the sampled token and ask for another at the same position; every round suppresses
        // more ids, so the loop ends (at the latest when all are suppressed).
        while true {
            let chosen = s.lastLogits.withUnsafeBufferPointer {
                sampler.sample(logits: $0.baseAddress!, vocabularySize: vocabularySize, suppressed: suppressed,
                               parameters: s.sampling, requestID: s.id, position: s.tokens.count)
            }
            guard let token = chosen else { return s.finish(.allTokensSuppressed) }
            switch s.policy.review(sampled: token) {
            case .accept:
                s.append(token, forced: false)
            case .replace(let forced):
                try appendForced(forced, to: s)
            case .resample(let more):
                let grown = Set(suppressed + more)
                guard grown.count > Set(suppressed).count || !grown.contains(token) else {
                    throw EngineError.invalidInput(reason: "request \(s.id): the decoding policy rejected token \(token) without suppressing it")
                }
                suppressed = Array(grown).sorted()
                continue
            case .stop(let reason):
                s.finish(reason)
            case .acceptAndStop(let reason):
                s.append(token, forced: false)
                s.finish(reason)
            }
            return
        }
    }

    /// Logits (T, V) of every position of `tokens`, computed through the KV cache `chunkSize` tokens at a time
    /// (the decoding path; compare with `Qwen2Model.logits(tokens:)`).
    public func incrementalLogits(tokens: [Int32], chunkSize: Int = 1) throws -> [Float] {
        guard !tokens.isEmpty, tokens.count <= maxPositions else {
            throw EngineError.invalidInput(reason: "incremental logits need 1...\(maxPositions) tokens, found \(tokens.count)")
        }
        try checkTokens(tokens, request: 0, what: "input")
        let V = vocabularySize, step = max(1, chunkSize)
        let cache = try forward.makeCache(capacity: tokens.count)
        let buffer = FloatBuffer(count: step * V)
        var out: [Float] = []
        out.reserveCapacity(tokens.count * V)
        var start = 0
        while start < tokens.count {
            let chunk = Array(tokens[start..<min(start + step, tokens.count)])
            try forward.run(caches: [cache], tokens: [chunk], logits: buffer.pointer, allRows: true)
            out += UnsafeBufferPointer(start: buffer.pointer, count: chunk.count * V)
            start += chunk.count
        }
        return out
    }
}
