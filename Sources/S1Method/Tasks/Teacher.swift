// The programmatic teacher: a worked trace per question, sometimes wrong, sometimes self-corrected after `Wait`.
import S1Engine

/// How often the teacher errs. The paper's s1K traces are only 53.6% correct; uncorrected errors keep that
/// realism, and corrected ones give the word "Wait" its learned meaning: re-check the last step.
public struct TeacherConfig: Codable, Equatable, Sendable {
    /// Fraction of traces with an error that is never corrected (the answer is then usually wrong).
    public var errorRate: Double
    /// Fraction of traces with an error noticed and corrected on a following line starting `Wait`.
    public var correctionRate: Double

    public init(errorRate: Double = 0.25, correctionRate: Double = 0.15) {
        self.errorRate = errorRate
        self.correctionRate = correctionRate
    }

    func validate() throws {
        for (name, value) in [("error_rate", errorRate), ("correction_rate", correctionRate)]
        where !(0...1).contains(value) {
            throw TaskError.badFraction(name: name, found: value)
        }
        if errorRate + correctionRate > 1 { throw TaskError.badFraction(name: "error_rate + correction_rate",
                                                                       found: errorRate + correctionRate) }
    }
}

/// A teacher's reasoning trace and answer for one question.
public struct TeacherTrace: Equatable, Sendable {
    /// Steps one per line, ending with the line `=ANSWER` (see `TraceFormat`).
    public var text: String
    /// The answer the trace reaches.
    public var answer: String
    /// Whether `answer` grades equal to the gold answer.
    public var correct: Bool
    /// Whether the trace contains a `Wait` self-correction.
    public var selfCorrected: Bool
}

/// The fixed, tokenizer-friendly trace format: one step per line; a correction is a line `Wait <step>` that
/// replaces the step before it; the last line is `=ANSWER`.
public enum TraceFormat {
    public static let stepSeparator: Character = "\n"
    public static let correctionPrefix = "Wait "
    public static let answerPrefix = "="

    /// The number of steps in a trace: its non-empty lines (corrections and the answer line included), which is
    /// what step-conditional control counts as the model writes.
    public static func stepCount(_ trace: String) -> Int {
        trace.split(separator: stepSeparator, omittingEmptySubsequences: true).count
    }

    /// The trace text of steps and an answer.
    public static func text(steps: [String], answer: String) -> String {
        (steps + [answerPrefix + answer]).joined(separator: String(stepSeparator))
    }
}

/// Writes teacher traces from the domains' own solvers.
public enum Teacher {
    /// The trace for `problem`: clean, with an uncorrected fault, or with a fault followed by a `Wait` line,
    /// as drawn from `rng` with the configured rates.
    public static func trace(for problem: TaskProblem, config: TeacherConfig, rng: inout CounterRNG) -> TeacherTrace {
        let generator = problem.domain.generator
        let clean = generator.solve(problem, fault: nil)
        let u = rng.nextUnit()
        let stepIndex = rng.nextIndex(below: max(clean.steps.count, 1))
        let delta = (rng.nextIndex(below: 2) == 0 ? -1 : 1) * (1 + rng.nextIndex(below: 2))
        let grader = problem.domain.graderKind.grader
        func finished(_ steps: [String], _ answer: String, corrected: Bool) -> TeacherTrace {
            TeacherTrace(text: TraceFormat.text(steps: steps, answer: answer), answer: answer,
                         correct: grader.isEquivalent(answer: answer, gold: problem.answer, options: problem.options),
                         selfCorrected: corrected)
        }
        guard u < config.errorRate + config.correctionRate, !clean.steps.isEmpty else {
            return finished(clean.steps, clean.answer, corrected: false)
        }
        let fault = TraceFault(step: stepIndex, delta: delta)
        let faulty = generator.solve(problem, fault: fault)
        // A fault that did not change the step (e.g. nothing else to pick) leaves a clean trace.
        guard stepIndex < faulty.steps.count, faulty.steps[stepIndex] != clean.steps[stepIndex] else {
            return finished(clean.steps, clean.answer, corrected: false)
        }
        if u < config.errorRate { return finished(faulty.steps, faulty.answer, corrected: false) }
        let steps = Array(faulty.steps[...stepIndex]) + [TraceFormat.correctionPrefix + clean.steps[stepIndex]]
            + clean.steps[(stepIndex + 1)...]
        return finished(steps, clean.answer, corrected: true)
    }
}
