import XCTest
import S1Method

final class BaselinesTests: XCTestCase {
    func testPromptControlTexts() {
        let t = PromptControlTemplate()
        XCTAssertEqual(t.question("What is 2+2?", control: .tokens(1024)), "What is 2+2?\n\nThink for up to 1024 tokens.")
        XCTAssertEqual(t.question("Q", control: .steps(16)), "Q\n\nThink for up to 16 steps.")
        XCTAssertNotEqual(t.question("Q", control: .short), t.question("Q", control: .long))
        var custom = t
        custom.tokens = "Budget: {N} tokens; {N} max."
        custom.separator = " "
        XCTAssertEqual(custom.question("Q", control: .tokens(8)), "Q Budget: 8 tokens; 8 max.")
    }

    func testStepCounter() {
        XCTAssertEqual(StepCounter.steps(in: "a<s>b<s>c", delimiter: "<s>"), 3)
        XCTAssertEqual(StepCounter.steps(in: "<s>a<s> <s>b<s>", delimiter: "<s>"), 2)
        XCTAssertEqual(StepCounter.steps(in: "  ", delimiter: "<s>"), 0)
    }

    func testRejectionSamplingStopsAtFirstFitAndAtItsCap() {
        // Try i thinks for 10 − 2i tokens: with budget 5 the fourth try (6 − ... = 4 tokens) is the first to fit.
        var tried: [Int] = []
        let fit = RejectionSampling.run(maxTries: 10) { i -> ForcingTranscript in
            tried.append(i)
            return runForcing(RejectionSampling.tryConfig(maxThinkingTokens: 5, maxAnswerTokens: 4), model: ScriptedModel(thinkLength: 10 - 2 * i))
        }
        XCTAssertEqual(tried, [0, 1, 2, 3])
        XCTAssertTrue(fit.accepted)
        XCTAssertEqual(fit.tries, 4)
        XCTAssertEqual(fit.transcript.accounting.thinkingTokens, 4)
        XCTAssertEqual(fit.sampledTokens, 5 + 5 + 5 + (4 + 1 + 3))  // three abandoned tries, then the accepted one
        let capped = RejectionSampling.run(maxTries: 3) { _ in
            runForcing(RejectionSampling.tryConfig(maxThinkingTokens: 5, maxAnswerTokens: 4), model: ScriptedModel(thinkLength: 50))
        }
        XCTAssertFalse(capped.accepted)
        XCTAssertEqual(capped.tries, 3)
        XCTAssertEqual(capped.sampledTokens, 15)
    }

    func testMajorityVoteTiesAndEquivalence() {
        let integer = IntegerGrader()
        let tie = MajorityVote.vote(answers: ["3", "4", "4", "3"], gold: "4", grader: integer)
        XCTAssertEqual(tie.majorityAnswer, "3")  // 2–2: the answer seen first wins
        XCTAssertFalse(tie.majorityCorrect)
        XCTAssertTrue(tie.anyCorrect)
        let reversed = MajorityVote.vote(answers: ["4", "3", "3", "4"], gold: "4", grader: integer)
        XCTAssertEqual(reversed.majorityAnswer, "4")
        XCTAssertTrue(reversed.majorityCorrect)
        let math = MajorityVote.vote(answers: ["3", "0.5", "\\frac{1}{2}", "", ""], gold: "1/2", grader: MathGrader())
        XCTAssertEqual(math.majorityAnswer, "0.5")
        XCTAssertEqual(math.votes, 2)
        XCTAssertTrue(math.majorityCorrect)
        XCTAssertEqual(MajorityVote.vote(answers: ["", " "], gold: "1", grader: integer),
                       VoteOutcome(majorityAnswer: nil, votes: 0, majorityCorrect: false, anyCorrect: false))
        let curve = MajorityVote.curve(answers: ["7", "5", "5", "7", "7"], sizes: [1, 2, 4, 5], gold: "5", grader: integer)
        XCTAssertEqual(curve[1]?.majorityCorrect, false)
        XCTAssertEqual(curve[2]?.anyCorrect, true)
        XCTAssertEqual(curve[2]?.majorityAnswer, "7")
        XCTAssertEqual(curve[4]?.majorityAnswer, "7")  // 2–2 tie, 7 came first
        XCTAssertEqual(curve[5]?.votes, 3)
    }
}
