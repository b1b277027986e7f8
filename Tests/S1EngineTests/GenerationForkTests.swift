import Foundation
import S1Engine
import XCTest

/// Budget forcing written as a `DecodingPolicy` (a test double of the Method layer's controller, showing the
/// hook can express it): think until the end-of-thinking delimiter or the budget; when the budget is spent,
/// force "\n" (unless the text ends with one) and the answer prefix; replace the delimiter by "Wait" the first
/// `ignoreEnd` times; then answer until `<|im_end|>` or `maxAnswerTokens`.
struct ThinkingBudgetPolicy: DecodingPolicy {
    let delimiter: Int32
    let newline: Int32
    let answerPrefix: [Int32]
    let wait: [Int32]
    let answerEnd: Int32
    var thinkingBudget: Int
    var ignoreEnd: Int
    let maxAnswerTokens: Int
    private(set) var phase = 0
    private(set) var thinkingTokens = 0
    private(set) var answerTokens = 0
    private var last: Int32? = nil

    init(tokenizer: ByteTokenizer, delimiter: Int32, thinkingBudget: Int, ignoreEnd: Int, maxAnswerTokens: Int) {
        self.delimiter = delimiter
        newline = tokenizer.encode("\n")[0]
        answerPrefix = tokenizer.encode("<|im_start|>answer\nFinal Answer:")
        wait = tokenizer.encode("Wait")
        answerEnd = tokenizer.specialTokenID("<|im_end|>")!
        self.thinkingBudget = thinkingBudget
        self.ignoreEnd = ignoreEnd
        self.maxAnswerTokens = maxAnswerTokens
    }

    mutating func nextStep() -> DecodingStep {
        if phase == 0 && thinkingTokens >= thinkingBudget {
            phase = 1
            return .force((last == newline ? [] : [newline]) + answerPrefix)
        }
        if phase == 1 && answerTokens >= maxAnswerTokens { return .stop(.maxNewTokens(phase: 1)) }
        return .sample(suppressing: [])
    }

    mutating func review(sampled token: Int32) -> TokenDecision {
        if phase == 0 && token == delimiter {
            if ignoreEnd > 0 {
                ignoreEnd -= 1
                return .replace(with: wait)
            }
            phase = 1
            return .replace(with: (last == newline ? [] : [newline]) + answerPrefix)
        }
        if phase == 1 && token == answerEnd { return .acceptAndStop(.stopToken(token)) }
        return .accept
    }

    mutating func didAppend(_ token: Int32, forced: Bool) {
        if phase == 0 { thinkingTokens += 1 } else if !forced { answerTokens += 1 }
        last = token
    }
}

final class GenerationForkTests: XCTestCase {
    typealias F = GenerationFixtures
    let sampling = SamplingParameters(temperature: 1.0, topP: 0.95, seed: 2024)
    let prompt = F.prompt("What is 17+25?") + F.tokenizer.encode("<|im_start|>assistant\n<|im_start|>think\n")

    func policy(delimiter: Int32, budget: Int) -> ThinkingBudgetPolicy {
        ThinkingBudgetPolicy(tokenizer: F.tokenizer, delimiter: delimiter, thinkingBudget: budget, ignoreEnd: 1, maxAnswerTokens: 6)
    }

    func run(_ generator: Generator, _ policy: ThinkingBudgetPolicy) throws -> DecodingSequence {
        let s = try generator.start(GenerationRequest(id: 77, promptTokens: prompt, policy: policy, sampling: sampling))
        s.recordsLogits = true
        try generator.run([s])
        return s
    }

    func testBudgetForcingPolicyAndForkEqualsRegeneration() throws {
        let generator = Generator(model: F.model)
        // A delimiter the model actually samples: the 4th token of an unconstrained chain.
        let free = try generator.generate(requests: [GenerationRequest(id: 77, promptTokens: prompt, policy: StopPolicy(maxNewTokens: 60), sampling: sampling)])[0].tokens
        let delimiter = free[3]
        let firstDelimiter = free.firstIndex(of: delimiter)!

        // The long chain: thinking ends at the second delimiter or at 40 tokens.
        let long = try run(generator, policy(delimiter: delimiter, budget: 40))
        guard case .finished = long.state else { return XCTFail("not finished") }
        let thinking = long.phaseCounts[0].total
        let waitTokens = F.tokenizer.encode("Wait")
        // The first delimiter was replaced by "Wait", forced (counted as forced, in phase 0).
        XCTAssertEqual(Array(long.newTokens[firstDelimiter..<(firstDelimiter + waitTokens.count)]), waitTokens)
        XCTAssertEqual(long.phaseCounts[0].forced, waitTokens.count)
        XCTAssertEqual(long.phaseCounts[1].forced >= F.tokenizer.encode("<|im_start|>answer\nFinal Answer:").count, true)
        XCTAssertGreaterThan(thinking, firstDelimiter + waitTokens.count + 2)

        // Budgets inside the chain, past the "Wait": regenerate each from scratch, and fork each from one chain.
        let budgets = [firstDelimiter + waitTokens.count + 1, (firstDelimiter + waitTokens.count + thinking) / 2, thinking - 1]
        let chain = try generator.start(GenerationRequest(id: 77, promptTokens: prompt, policy: policy(delimiter: delimiter, budget: Int.max), sampling: sampling))
        for budget in budgets {
            let scratch = try run(generator, policy(delimiter: delimiter, budget: budget))
            XCTAssertEqual(scratch.phaseCounts[0].total, budget)

            try generator.run([chain]) { $0.phaseCounts.first?.total == budget }
            XCTAssertEqual(chain.state, .paused)
            let snapshot = try chain.snapshot()
            var forkPolicy = snapshot.policy as! ThinkingBudgetPolicy
            forkPolicy.thinkingBudget = budget
            let fork = try generator.fork(snapshot, policy: forkPolicy)
            fork.recordsLogits = true
            try generator.run([fork])
            XCTAssertEqual(fork.tokens, scratch.tokens, "budget \(budget)")
            XCTAssertEqual(fork.result!.stopReason, scratch.result!.stopReason)
            XCTAssertEqual(fork.phaseCounts, scratch.phaseCounts)
            // Bitwise equal logits for every step after the fork point.
            XCTAssertEqual(fork.stepLogits, Array(scratch.stepLogits.suffix(fork.stepLogits.count)), "budget \(budget)")
            XCTAssertFalse(fork.stepLogits.isEmpty)
            // A second fork of the same snapshot gives the same again (the snapshot is not consumed).
            let again = try generator.fork(snapshot, policy: forkPolicy)
            try generator.run([again])
            XCTAssertEqual(again.tokens, fork.tokens)
            // The budget-B thinking is the prefix of the long chain's thinking.
            XCTAssertEqual(Array(scratch.newTokens.prefix(budget)), Array(long.newTokens.prefix(budget)))
        }
        // The answer's forced prefix follows the thinking, with a newline unless the thinking ended in one.
        let scratch = try run(generator, policy(delimiter: delimiter, budget: budgets[0]))
        let afterThinking = Array(scratch.newTokens[budgets[0]...])
        let prefix = F.tokenizer.encode("<|im_start|>answer\nFinal Answer:")
        let endsWithNewline = scratch.newTokens[budgets[0] - 1] == F.tokenizer.encode("\n")[0]
        XCTAssertEqual(Array(afterThinking.prefix(prefix.count + (endsWithNewline ? 0 : 1))), (endsWithNewline ? [] : F.tokenizer.encode("\n")) + prefix)
    }
}
