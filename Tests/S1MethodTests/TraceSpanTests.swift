import S1Engine
import S1Method
import XCTest

/// Spans of a generation: sampled runs are `generated`, forced runs are named by what they hold.
final class TraceSpanTests: XCTestCase {
    func testForcedRunsAreNamedByTheirText() {
        let tokenizer = ByteTokenizer()
        let pieces: [(String, Bool)] = [("3+4", false), ("Wait", true), (" 3+4=7\n", false),
                                        ("<|im_start|>answer\nFinal Answer:", true), (" 7", false), ("<|im_end|>", true)]
        var tokens: [Int32] = [], forced: [Bool] = []
        for (text, isForced) in pieces {
            let ids = tokenizer.encode(text)
            tokens += ids
            forced += Array(repeating: isForced, count: ids.count)
        }
        let spans = TraceSpan.spans(tokens: tokens, forced: forced, tokenizer: tokenizer, finalAnswer: "Final Answer:",
                                    extensionText: "Wait")
        XCTAssertEqual(spans.map(\.kind), [.generated, .wait, .generated, .forcedAnswer, .generated, .endOfThinking])
        XCTAssertEqual(spans.map(\.text).joined(), pieces.map(\.0).joined())
        XCTAssertEqual(TraceSpan.spans(tokens: [], forced: [], tokenizer: tokenizer, finalAnswer: "F", extensionText: "W"), [])
    }
}
