// One entry point for graders: extract from both sides, grade, and report what was compared — the shape that
// `s1 grade` prints and that results.json stores per sample.

/// The outcome of grading one response against one gold answer.
public struct GradeVerdict: Codable, Equatable, Sendable {
    public var grader: GraderKind
    /// The answer extracted from the prediction.
    public var predicted: ExtractedAnswer
    /// The answer extracted from the gold string (usually the gold itself).
    public var gold: ExtractedAnswer
    public var correct: Bool

    public init(grader: GraderKind, predicted: ExtractedAnswer, gold: ExtractedAnswer, correct: Bool) {
        self.grader = grader
        self.predicted = predicted
        self.gold = gold
        self.correct = correct
    }
}

/// Extraction plus a grader.
public struct ResponseGrader: Sendable {
    public var grader: any AnswerGrader
    public var extractor: AnswerExtractor

    public init(kind: GraderKind, extractor: AnswerExtractor = AnswerExtractor()) {
        self.grader = kind.grader
        self.extractor = extractor
    }

    public init(grader: any AnswerGrader, extractor: AnswerExtractor = AnswerExtractor()) {
        self.grader = grader
        self.extractor = extractor
    }

    /// Grades a full response (thinking and answer, or a bare answer) against a gold answer.
    public func grade(response: String, gold: String, options: [String] = []) -> GradeVerdict {
        let predicted = extractor.extract(response)
        let goldAnswer = extractor.extract(gold)
        let correct = predicted.source != .empty
            && grader.isEquivalent(answer: predicted.text, gold: goldAnswer.text, options: options)
        return GradeVerdict(grader: grader.kind, predicted: predicted, gold: goldAnswer, correct: correct)
    }
}
