// The seam between the controller and a model: anything that can propose the next token and take appended tokens.
// The engine's generator implements it over its KV cache; tests implement it with a scripted model.

/// One sequence being generated, from the end of its prompt.
public protocol ForcingSession {
    /// The token the model produces next after the committed context, never one of `suppressed`. Must not change
    /// the committed context (the controller may discard the token).
    mutating func sample(suppressing suppressed: Set<Int>) -> Int
    /// Appends tokens to the context.
    mutating func commit(_ tokens: [Int])
}

/// A session whose whole state can be copied, so that a sweep can branch from a shared prefix.
/// The copy must continue exactly as the original would (same sampling noise per position).
public protocol ForkableSession: ForcingSession {
    func fork() -> Self
}

/// What a controlled generation produced after the prompt.
public struct ForcingTranscript: Codable, Equatable, Sendable {
    /// Thinking section as committed: kept thinking tokens and extension strings.
    public var thinking: [Int] = []
    /// Everything after thinking: the (forced) delimiter, any "Final Answer:" prefix and the sampled answer.
    public var answer: [Int] = []
    public var accounting = ForcingAccounting()

    public init() {}

    /// All committed tokens after the prompt.
    public var tokens: [Int] { thinking + answer }
}

/// Runs a controller against a session.
public enum ForcingDriver {
    /// Carries out one directive; returns false once the controller says stop.
    @discardableResult
    public static func step<S: ForcingSession>(_ controller: inout BudgetForcing, _ session: inout S,
                                               _ transcript: inout ForcingTranscript) -> Bool {
        let wasThinking = controller.phase == .thinking
        switch controller.next() {
        case .stop:
            transcript.accounting = controller.accounting
            return false
        case .force(let forced):
            session.commit(forced)
            // Extensions are forced while still thinking; the delimiter is forced after thinking ended.
            if wasThinking && controller.phase == .thinking {
                transcript.thinking += forced
            } else {
                transcript.answer += forced
            }
        case .sample(let suppressed):
            let token = session.sample(suppressing: suppressed)
            let phaseBefore = controller.phase
            if controller.consume(token) {
                session.commit([token])
                if phaseBefore == .thinking { transcript.thinking.append(token) } else { transcript.answer.append(token) }
            }
        }
        transcript.accounting = controller.accounting
        return true
    }

    /// Runs to completion.
    public static func run<S: ForcingSession>(_ controller: BudgetForcing, session: S) -> ForcingTranscript {
        var controller = controller
        var session = session
        var transcript = ForcingTranscript()
        while step(&controller, &session, &transcript) {}
        return transcript
    }
}
