// A sample's generated text as spans, so a report can show where budget forcing intervened.

import S1Engine

/// One stretch of a generation: text the model sampled, or a string budget forcing appended.
public struct TraceSpan: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable {
        case generated
        /// The end-of-thinking delimiter (and the newline before it) with "Final Answer:" after a spent budget.
        case forcedAnswer = "forced-answer"
        /// An extension string ("Wait") appended in place of an ignored end of thinking.
        case wait
        /// The delimiter appended when the model ended thinking itself.
        case endOfThinking = "end-of-thinking"
    }

    public var text: String
    public var kind: Kind

    public init(text: String, kind: Kind) {
        self.text = text
        self.kind = kind
    }

    /// The spans of a generation: runs of sampled tokens are `generated`; each run of forced tokens is named by
    /// what it holds (`finalAnswer` → forced answer, `extensionText` → wait, otherwise the delimiter).
    public static func spans(tokens: [Int32], forced: [Bool], tokenizer: any TextTokenizer,
                             finalAnswer: String, extensionText: String) -> [TraceSpan] {
        var spans: [TraceSpan] = []
        var start = 0
        while start < tokens.count {
            let isForced = start < forced.count && forced[start]
            var end = start
            while end < tokens.count, (end < forced.count && forced[end]) == isForced { end += 1 }
            let text = tokenizer.decode(Array(tokens[start..<end]))
            let kind: Kind
            if !isForced { kind = .generated }
            else if !finalAnswer.isEmpty && text.contains(finalAnswer) { kind = .forcedAnswer }
            else if !extensionText.isEmpty && text.contains(extensionText) { kind = .wait }
            else { kind = .endOfThinking }
            spans.append(TraceSpan(text: text, kind: kind))
            start = end
        }
        return spans
    }
}
