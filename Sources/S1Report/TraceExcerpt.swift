// A sample's generated text, split into plain and highlighted segments.

/// What a trace segment is.
public enum TraceSegmentKind: String, Equatable, Sendable {
    /// Text the model generated.
    case generated
    /// The prompt / question shown for context.
    case prompt
    /// "Final Answer:" forced by budget forcing.
    case forcedAnswer = "forced-answer"
    /// "Wait" (or another extension string) inserted after suppressing end-of-thinking.
    case wait
    /// The end-of-thinking delimiter.
    case endOfThinking = "end-of-thinking"

    /// True for the kinds drawn highlighted.
    public var isHighlighted: Bool { self != .generated && self != .prompt }

    /// Human-readable name for legends.
    public var title: String {
        switch self {
        case .generated: return "generated"
        case .prompt: return "prompt"
        case .forcedAnswer: return "forced answer"
        case .wait: return "inserted Wait"
        case .endOfThinking: return "end of thinking"
        }
    }
}

/// One run of text of a single kind.
public struct TraceSegment: Equatable, Sendable {
    /// The text.
    public var text: String
    /// Its kind.
    public var kind: TraceSegmentKind

    /// Creates a segment.
    public init(_ text: String, _ kind: TraceSegmentKind) {
        self.text = text
        self.kind = kind
    }
}

/// A highlighted range of a trace, in `Character` offsets from the start of the text.
public struct TraceHighlight: Equatable, Sendable {
    /// Character offsets, half-open.
    public var range: Range<Int>
    /// The kind of the highlighted text.
    public var kind: TraceSegmentKind

    /// Creates a highlight.
    public init(_ range: Range<Int>, _ kind: TraceSegmentKind) {
        self.range = range
        self.kind = kind
    }
}

/// A sample's trace with its insertions marked.
public struct TraceExcerpt: Equatable, Sendable {
    /// Heading, e.g. "test #17, budget 512 — correct".
    public var title: String
    /// The text as consecutive segments.
    public var segments: [TraceSegment]

    /// Creates an excerpt from segments.
    public init(title: String, segments: [TraceSegment]) {
        self.title = title
        self.segments = segments
    }

    /// Creates an excerpt from the whole text and highlighted ranges (Character offsets).
    /// Ranges are clipped to the text; a range overlapping an earlier one keeps only its non-overlapping part,
    /// so every character belongs to exactly one segment and the text is reproduced unchanged.
    public init(title: String, text: String, highlights: [TraceHighlight]) {
        let characters = Array(text)
        let sorted = highlights.enumerated().sorted {
            ($0.element.range.lowerBound, $0.offset) < ($1.element.range.lowerBound, $1.offset)
        }.map(\.element)
        var segments: [TraceSegment] = []
        var cursor = 0
        func emit(_ range: Range<Int>, _ kind: TraceSegmentKind) {
            guard !range.isEmpty else { return }
            segments.append(TraceSegment(String(characters[range]), kind))
        }
        for highlight in sorted {
            let lower = min(max(highlight.range.lowerBound, cursor), characters.count)
            let upper = min(max(highlight.range.upperBound, lower), characters.count)
            emit(cursor..<lower, .generated)
            emit(lower..<upper, highlight.kind)
            cursor = max(cursor, upper)
        }
        emit(cursor..<characters.count, .generated)
        self.init(title: title, segments: segments)
    }

    /// The full text, segments joined.
    public var text: String { segments.map(\.text).joined() }
}
