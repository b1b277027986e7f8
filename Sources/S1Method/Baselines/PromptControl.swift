// The prompt-based baselines of docs/METHOD.md §4: token-conditional (TCC), step-conditional (SCC) and class-conditional
// (CCC) control only change the question text; combined with budget forcing they reuse `BudgetForcing`.

/// How a baseline asks the model to control its thinking.
public enum PromptControl: Codable, Equatable, Sendable {
    /// TCC: "Think for up to N tokens."
    case tokens(Int)
    /// SCC: "Think for up to N steps." (steps counted by the template's step delimiter).
    case steps(Int)
    /// CCC: a generic instruction to think briefly.
    case short
    /// CCC: a generic instruction to think at length.
    case long
}

/// The instruction texts; `{N}` is replaced by the count. Every string can be overridden from the experiment.
public struct PromptControlTemplate: Codable, Equatable, Sendable {
    public var tokens: String
    public var steps: String
    public var short: String
    public var long: String
    /// Between the question and the instruction.
    public var separator: String

    public init(tokens: String = "Think for up to {N} tokens.", steps: String = "Think for up to {N} steps.",
                short: String = "Think briefly: use only a few reasoning steps before answering.",
                long: String = "Think at length: reason carefully and check your work before answering.",
                separator: String = "\n\n") {
        self.tokens = tokens
        self.steps = steps
        self.short = short
        self.long = long
        self.separator = separator
    }

    /// The question with the control instruction appended.
    public func question(_ question: String, control: PromptControl) -> String {
        let instruction: String
        switch control {
        case .tokens(let n): instruction = tokens.replacingAll("{N}", with: String(n))
        case .steps(let n): instruction = steps.replacingAll("{N}", with: String(n))
        case .short: instruction = short
        case .long: instruction = long
        }
        return question + separator + instruction
    }
}

/// Counts the steps of a delimited thinking trace (SCC): the non-empty segments between step delimiters.
public enum StepCounter {
    public static func steps(in thinking: String, delimiter: String) -> Int {
        guard !delimiter.isEmpty else { return LatexText.trimmed(thinking).isEmpty ? 0 : 1 }
        var count = 0
        var rest = Substring(thinking)
        while true {
            if let r = rest.range(of: delimiter) {
                if !LatexText.trimmed(String(rest[..<r.lowerBound])).isEmpty { count += 1 }
                rest = rest[r.upperBound...]
            } else {
                if !LatexText.trimmed(String(rest)).isEmpty { count += 1 }
                return count
            }
        }
    }
}
