import XCTest
import S1Report

final class TraceExcerptTests: XCTestCase {
    func testRangesBecomeSegmentsThatReproduceTheText() {
        let text = "think Wait more Final Answer: 42"
        let trace = TraceExcerpt(title: "t", text: text, highlights: [
            TraceHighlight(16..<29, .forcedAnswer), TraceHighlight(6..<10, .wait),
        ])
        XCTAssertEqual(trace.text, text)
        XCTAssertEqual(trace.segments, [
            TraceSegment("think ", .generated), TraceSegment("Wait", .wait), TraceSegment(" more ", .generated),
            TraceSegment("Final Answer:", .forcedAnswer), TraceSegment(" 42", .generated),
        ])
    }

    func testOverlappingAndOutOfBoundsRangesAreClipped() {
        let trace = TraceExcerpt(title: "t", text: "abcdef", highlights: [
            TraceHighlight(1..<4, .wait), TraceHighlight(2..<5, .forcedAnswer), TraceHighlight(5..<99, .endOfThinking),
        ])
        XCTAssertEqual(trace.text, "abcdef")
        XCTAssertEqual(trace.segments, [
            TraceSegment("a", .generated), TraceSegment("bcd", .wait), TraceSegment("e", .forcedAnswer),
            TraceSegment("f", .endOfThinking),
        ])
    }

    func testOffsetsCountCharactersNotBytes() {
        let trace = TraceExcerpt(title: "t", text: "é🙂Wait", highlights: [TraceHighlight(2..<6, .wait)])
        XCTAssertEqual(trace.segments, [TraceSegment("é🙂", .generated), TraceSegment("Wait", .wait)])
    }
}
