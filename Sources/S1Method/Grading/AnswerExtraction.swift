// Answer extraction per docs/METHOD.md §9: the answer section is the text after the end-of-thinking delimiter; within
// it the last `\boxed{…}` wins, else the last `Answer:` / `Final Answer:` line.

import Foundation

/// Where an extracted answer came from, so that a report can show how often models box their answers.
public enum AnswerSource: String, Codable, Sendable, CaseIterable {
    /// The content of the last `\boxed{…}`.
    case boxed
    /// The text after the last `Answer:` (which includes `Final Answer:`).
    case answerLine = "answer_line"
    /// Neither marker was present: the whole answer section, trimmed.
    case wholeText = "whole_text"
    /// The answer section was empty.
    case empty
}

/// An answer pulled out of a model response (or a gold string).
public struct ExtractedAnswer: Codable, Equatable, Sendable {
    /// The answer text, trimmed.
    public var text: String
    public var source: AnswerSource

    public init(text: String, source: AnswerSource) {
        self.text = text
        self.source = source
    }
}

/// Pulls the final answer out of a response.
public struct AnswerExtractor: Sendable, Equatable {
    /// End of thinking / start of answer (Qwen2.5: `<|im_start|>answer`). When absent from a response the whole
    /// response is the answer section, so plain answers (`--pred "42"`) extract to themselves.
    public var answerStart: String?
    /// End of the answer (Qwen2.5: `<|im_end|>`); text after it is ignored.
    public var answerEnd: String?

    public init(answerStart: String? = "<|im_start|>answer", answerEnd: String? = "<|im_end|>") {
        self.answerStart = answerStart
        self.answerEnd = answerEnd
    }

    /// The answer section: after the last answer-start delimiter, before the following answer end.
    public func answerSection(of response: String) -> String {
        var section = Substring(response)
        if let start = answerStart, !start.isEmpty, let range = section.range(of: start, options: .backwards) {
            section = section[range.upperBound...]
        }
        if let end = answerEnd, !end.isEmpty, let range = section.range(of: end) {
            section = section[..<range.lowerBound]
        }
        return String(section)
    }

    /// The final answer of `response`.
    public func extract(_ response: String) -> ExtractedAnswer {
        let section = answerSection(of: response)
        if let boxed = LatexText.lastBoxed(in: section) {
            return ExtractedAnswer(text: LatexText.trimmed(boxed), source: .boxed)
        }
        if let line = Self.afterLastAnswerMarker(section) {
            return ExtractedAnswer(text: line, source: .answerLine)
        }
        let whole = LatexText.trimmed(section)
        return ExtractedAnswer(text: whole, source: whole.isEmpty ? .empty : .wholeText)
    }

    /// The rest of the line after the last `answer:` (case-insensitive), or the next non-empty line when the marker
    /// ends its line ("Final Answer:\n42"). Nil when there is no marker or nothing after it.
    static func afterLastAnswerMarker(_ section: String) -> String? {
        let chars = Array(section)
        let lower = chars.map { Character($0.lowercased()) }
        let marker = Array("answer:")
        var at = -1
        var i = lower.count - marker.count
        while i >= 0 {
            if LatexText.hasPrefix(lower, marker, at: i) {
                at = i
                break
            }
            i -= 1
        }
        guard at >= 0 else { return nil }
        let rest = String(chars[(at + marker.count)...])
        for line in rest.split(separator: "\n", omittingEmptySubsequences: false) {
            let t = LatexText.trimmed(String(line))
            if !t.isEmpty { return t }
        }
        return nil
    }
}
