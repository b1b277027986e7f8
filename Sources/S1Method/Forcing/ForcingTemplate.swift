// The strings budget forcing writes and watches for. Defaults are the Qwen2.5 strings of docs/METHOD.md §2; every one
// can be overridden from the experiment's `template` section.

/// Delimiters and forced strings, as text.
public struct ForcingTemplate: Codable, Equatable, Sendable {
    /// Starts the thinking section (the prompt ends with it).
    public var thinkStart: String
    /// End of thinking = start of the answer.
    public var endOfThinking: String
    /// Appended after `endOfThinking` when the budget ran out, so the model answers at once.
    public var forcedAnswerPrefix: String
    /// Ends the answer.
    public var answerEnd: String
    /// Strings whose (single) token ends thinking when sampled. The official code stops on `<|im_start|>` (the
    /// first token of the delimiter, so the stop is seen in one step) and on `<|im_end|>`.
    public var thinkingStops: [String]
    /// The newline appended before a forced end of thinking when the text does not already end with one.
    public var newline: String
    /// Delimits steps for step-conditional control (SCC); must be one token when step budgets are used.
    public var stepDelimiter: String

    public init(thinkStart: String = "<|im_start|>think\n", endOfThinking: String = "<|im_start|>answer",
                forcedAnswerPrefix: String = "\nFinal Answer:", answerEnd: String = "<|im_end|>",
                thinkingStops: [String] = ["<|im_start|>", "<|im_end|>"], newline: String = "\n",
                stepDelimiter: String = "<|im_start|>step") {
        self.thinkStart = thinkStart
        self.endOfThinking = endOfThinking
        self.forcedAnswerPrefix = forcedAnswerPrefix
        self.answerEnd = answerEnd
        self.thinkingStops = thinkingStops
        self.newline = newline
        self.stepDelimiter = stepDelimiter
    }

    /// The Qwen2.5 strings used by s1.
    public static let qwen25 = ForcingTemplate()

    enum CodingKeys: String, CodingKey {
        case thinkStart = "think_start"
        case endOfThinking = "end_of_thinking"
        case forcedAnswerPrefix = "forced_answer_prefix"
        case answerEnd = "answer_end"
        case thinkingStops = "thinking_stops"
        case newline
        case stepDelimiter = "step_delimiter"
    }
}

/// Errors turning a template into token ids.
public enum ForcingError: Error, Equatable, CustomStringConvertible {
    /// A stop string must be one token, or the stop could not be seen in one decoding step.
    case stopNotSingleToken(field: String, string: String, tokens: [Int])
    /// A budget sweep shares prefixes only without ignored ends (the ignore rule depends on the budget).
    case sharingNeedsNoIgnores

    public var description: String {
        switch self {
        case let .stopNotSingleToken(field, string, tokens):
            return "template.\(field): expected \"\(string)\" to be one token of the model's tokenizer, found "
                + "\(tokens.count) tokens \(tokens); add it as a special token or choose a string that is one token"
        case .sharingNeedsNoIgnores:
            return "forcing: a shared budget sweep needs ignore_end = 0; run points with ignored ends separately"
        }
    }
}

/// A template encoded with the model's tokenizer: what the controller actually compares and appends.
public struct ForcingTokens: Sendable {
    public var endOfThinking: [Int]
    public var forcedAnswerPrefix: [Int]
    public var newline: [Int]
    /// Token ids that end thinking when sampled.
    public var thinkingStops: Set<Int>
    /// Token ids that end the answer when sampled.
    public var answerStops: Set<Int>
    /// Token ids that delimit steps (empty when the template's delimiter is not one token).
    public var stepDelimiters: Set<Int>
    /// Whether a token's text ends with a newline (decides whether a forced stop first appends `newline`).
    public var endsWithNewline: @Sendable (Int) -> Bool

    public init(endOfThinking: [Int], forcedAnswerPrefix: [Int], newline: [Int], thinkingStops: Set<Int>,
                answerStops: Set<Int>, stepDelimiters: Set<Int> = [], endsWithNewline: @escaping @Sendable (Int) -> Bool) {
        self.endOfThinking = endOfThinking
        self.forcedAnswerPrefix = forcedAnswerPrefix
        self.newline = newline
        self.thinkingStops = thinkingStops
        self.answerStops = answerStops
        self.stepDelimiters = stepDelimiters
        self.endsWithNewline = endsWithNewline
    }

    /// Encodes `template` with `encode` (the model's tokenizer, special tokens recognised); `decode` gives one
    /// token's text, used only to tell whether it ends with a newline.
    public init(template: ForcingTemplate, encode: (String) -> [Int],
                decode: @escaping @Sendable (Int) -> String) throws {
        func single(_ field: String, _ string: String) throws -> Int {
            let ids = encode(string)
            guard ids.count == 1 else { throw ForcingError.stopNotSingleToken(field: field, string: string, tokens: ids) }
            return ids[0]
        }
        var stops = Set<Int>()
        for s in template.thinkingStops { stops.insert(try single("thinking_stops", s)) }
        let step = encode(template.stepDelimiter)
        self.init(endOfThinking: encode(template.endOfThinking), forcedAnswerPrefix: encode(template.forcedAnswerPrefix),
                  newline: encode(template.newline), thinkingStops: stops,
                  answerStops: [try single("answer_end", template.answerEnd)],
                  stepDelimiters: step.count == 1 ? [step[0]] : [],
                  endsWithNewline: { decode($0).hasSuffix("\n") })
    }
}
