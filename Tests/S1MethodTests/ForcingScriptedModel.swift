import S1Engine
import S1Method

/// Token ids of the scripted vocabulary used by the forcing tests.
enum Tok {
    static let newline = 10, imStart = 20, answer = 21, imEnd = 22, final = 23, answerColon = 24
    static let wait = 30, hmm = 31, step = 40
    static let tokens = ForcingTokens(endOfThinking: [imStart, answer], forcedAnswerPrefix: [newline, final, answerColon],
                                      newline: [newline], thinkingStops: [imStart, imEnd], answerStops: [imEnd],
                                      stepDelimiters: [step], endsWithNewline: { $0 == 10 })
}

/// A deterministic stand-in for a model: the next token is a pure function of the committed context (and, for
/// "sampling", of a seed and the position, as the engine keys its noise), so forks continue exactly like fresh runs.
struct ScriptedModel: ForkableSession {
    /// Thinking tokens per round before the model wants to end thinking (counted from the start or the last
    /// extension string).
    var thinkLength: Int
    /// Emit a step delimiter every this many tokens (nil: never).
    var stepEvery: Int? = nil
    /// Nil: a fixed digit pattern ("greedy"); else digits drawn from CounterRNG(seed, position) ("temperature > 0").
    var seed: UInt64? = nil
    var context: [Int] = []

    func digit(at position: Int) -> Int {
        if let seed { return Int(CounterRNG.draw(key: seed, counter: UInt64(position)) % 11) }  // 10 = newline
        return [3, 1, 4, 1, 5, 9, 2, 6, 10][position % 9]
    }

    mutating func sample(suppressing suppressed: Set<Int>) -> Int {
        if let start = context.lastIndex(of: Tok.answer) {
            // Answer: two digits that depend on how long the thinking was, then the end.
            let written = context[(start + 1)...].filter { $0 < 10 }.count
            return written < 2 ? (start + written) % 10 : Tok.imEnd
        }
        let roundStart = (context.lastIndex { $0 == Tok.wait || $0 == Tok.hmm } ?? -1) + 1
        var token = context.count - roundStart >= thinkLength ? Tok.imStart : digit(at: context.count)
        if let every = stepEvery, token != Tok.imStart, context.count % every == every - 1 { token = Tok.step }
        if suppressed.contains(token) { token = digit(at: context.count) }
        return token
    }

    mutating func commit(_ tokens: [Int]) { context += tokens }

    func fork() -> ScriptedModel { self }
}

func runForcing(_ config: ForcingConfig, model: ScriptedModel, promptEndsWithNewline: Bool = false) -> ForcingTranscript {
    ForcingDriver.run(BudgetForcing(config: config, tokens: Tok.tokens, promptEndsWithNewline: promptEndsWithNewline),
                      session: model)
}
