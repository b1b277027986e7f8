// The value every synthetic domain produces: a question, its gold answer, and the solver's steps.
import S1Engine

/// One generated question of a synthetic domain, with the correct worked solution.
public struct TaskProblem: Equatable, Sendable {
    public var domain: TaskDomain
    /// The difficulty dial it was generated at (1 = easiest).
    public var difficulty: Int
    public var question: String
    /// The gold answer, in the form the domain's grader expects (a letter for choice domains).
    public var answer: String
    /// Multiple-choice options in letter order (A, B, …); empty for other domains.
    public var options: [String]

    public init(domain: TaskDomain, difficulty: Int, question: String, answer: String, options: [String] = []) {
        self.domain = domain
        self.difficulty = difficulty
        self.question = question
        self.answer = answer
        self.options = options
    }
}

/// A deliberate mistake the teacher makes at one step: the step's result is shifted by `delta` (or, for domains
/// whose steps pick an element, the `delta`-th other candidate is picked) and the solver carries on from the
/// wrong value, so the error propagates as a real one would.
public struct TraceFault: Equatable, Sendable {
    /// Index of the faulty step among the solution steps (not counting the final `=answer` line).
    public var step: Int
    /// Non-zero shift of the step's value.
    public var delta: Int

    public init(step: Int, delta: Int) {
        self.step = step
        self.delta = delta
    }
}

/// The steps a domain's solver writes, and the answer they reach.
public struct WorkedSolution: Equatable, Sendable {
    /// One line per step, without the final `=answer` line.
    public var steps: [String]
    public var answer: String

    public init(steps: [String], answer: String) {
        self.steps = steps
        self.answer = answer
    }
}

/// A procedural domain: generates questions at a difficulty and solves them step by step.
///
/// The solver takes an optional fault so that the teacher's mistakes are the solver's own mistakes carried
/// forward, not text edits: a wrong carry really changes the later digits.
public protocol TaskGenerator: Sendable {
    var domain: TaskDomain { get }
    func problem(difficulty: Int, rng: inout CounterRNG) -> TaskProblem
    /// The worked solution; with `fault`, the step `fault.step` is wrong and later steps follow from it.
    /// `problem` must come from this domain's `problem(difficulty:rng:)` (the solver re-reads its question text);
    /// to judge arbitrary text, e.g. a model's trace, use `TraceRecheck`, which accepts any input.
    func solve(_ problem: TaskProblem, fault: TraceFault?) -> WorkedSolution
}

extension CounterRNG {
    /// Uniform integer in `range` (closed), through this generator's own unbiased draw.
    mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + nextIndex(below: range.upperBound - range.lowerBound + 1)
    }

    /// A number with exactly `digits` decimal digits (no leading zero).
    mutating func number(digits: Int) -> Int {
        let low = digits <= 1 ? 0 : power10(digits - 1)
        return int(in: low...(power10(digits) - 1))
    }
}

func power10(_ n: Int) -> Int {
    var p = 1
    for _ in 0..<n { p *= 10 }
    return p
}

/// Decimal digits of a non-negative number, least significant first.
func digitsLSF(_ n: Int, count: Int) -> [Int] {
    var out: [Int] = []
    var x = n
    for _ in 0..<count {
        out.append(x % 10)
        x /= 10
    }
    return out
}
