// Parallel scaling (docs/METHOD.md §4): majority voting over n samples (maj@n) and coverage (pass@n).

/// The vote over one question's samples.
public struct VoteOutcome: Equatable, Sendable {
    /// The winning answer (its first occurrence's text), nil when no sample had an answer.
    public var majorityAnswer: String?
    /// How many samples voted for it.
    public var votes: Int
    /// maj@n: the winning answer is correct.
    public var majorityCorrect: Bool
    /// pass@n: at least one sample is correct.
    public var anyCorrect: Bool

    public init(majorityAnswer: String?, votes: Int, majorityCorrect: Bool, anyCorrect: Bool) {
        self.majorityAnswer = majorityAnswer
        self.votes = votes
        self.majorityCorrect = majorityCorrect
        self.anyCorrect = anyCorrect
    }
}

public enum MajorityVote {
    /// Votes over `answers` (extracted answers in sample order). Answers the grader deems equivalent form one
    /// group (compared against each group's first member). The largest group wins; a tie goes to the group whose
    /// first member came earliest, so the outcome depends only on the sample order, never on hashing. Empty
    /// answers do not vote.
    public static func vote(answers: [String], gold: String, grader: any AnswerGrader,
                            options: [String] = []) -> VoteOutcome {
        var groups: [(representative: String, count: Int)] = []
        var anyCorrect = false
        for answer in answers where !LatexText.trimmed(answer).isEmpty {
            if grader.isEquivalent(answer: answer, gold: gold, options: options) { anyCorrect = true }
            if let g = groups.firstIndex(where: { grader.isEquivalent(answer: answer, gold: $0.representative, options: options) }) {
                groups[g].count += 1
            } else {
                groups.append((answer, 1))
            }
        }
        var best: (representative: String, count: Int)? = nil
        for g in groups where best == nil || g.count > best!.count { best = g }  // strict >: earliest wins ties
        guard let winner = best else {
            return VoteOutcome(majorityAnswer: nil, votes: 0, majorityCorrect: false, anyCorrect: false)
        }
        return VoteOutcome(majorityAnswer: winner.representative, votes: winner.count,
                           majorityCorrect: grader.isEquivalent(answer: winner.representative, gold: gold, options: options),
                           anyCorrect: anyCorrect)
    }

    /// maj@n and pass@n for each n in `sizes`, over the first n samples.
    public static func curve(answers: [String], sizes: [Int], gold: String, grader: any AnswerGrader,
                             options: [String] = []) -> [Int: VoteOutcome] {
        var out: [Int: VoteOutcome] = [:]
        for n in sizes where n > 0 {
            out[n] = vote(answers: Array(answers.prefix(n)), gold: gold, grader: grader, options: options)
        }
        return out
    }
}
