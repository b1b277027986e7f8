import XCTest
import S1Method

final class GradingExtractionTests: XCTestCase {
    let extractor = AnswerExtractor()

    func testBoxedAfterDelimiterWins() {
        let response = "<|im_start|>think\nmaybe \\boxed{7}\n<|im_start|>answer\nSo \\boxed{12} or rather \\boxed{13}.<|im_end|>"
        XCTAssertEqual(extractor.extract(response), ExtractedAnswer(text: "13", source: .boxed))
    }

    func testNestedBracesAndEscapedBraces() {
        XCTAssertEqual(extractor.extract("\\boxed{\\frac{1}{2}}").text, "\\frac{1}{2}")
        XCTAssertEqual(extractor.extract("\\boxed{\\{1, 2\\}}").text, "\\{1, 2\\}")
        XCTAssertEqual(extractor.extract("$\\boxed{\\dfrac{\\sqrt{3}}{2}}$").text, "\\dfrac{\\sqrt{3}}{2}")
    }

    func testUnbalancedLastBoxedFallsBackToEarlierOne() {
        XCTAssertEqual(extractor.extract("\\boxed{4} then \\boxed{5").text, "4")
    }

    func testBoxedWithoutBraces() {
        XCTAssertEqual(extractor.extract("thus \\boxed 5 done").text, "5")
        XCTAssertNotEqual(extractor.extract("\\boxedx").source, .boxed)
    }

    func testAnswerLine() {
        let forced = "<|im_start|>think\nlong\n<|im_start|>answer\nFinal Answer: 42\nbecause<|im_end|>"
        XCTAssertEqual(extractor.extract(forced), ExtractedAnswer(text: "42", source: .answerLine))
        XCTAssertEqual(extractor.extract("Answer: 1\nAnswer: 2").text, "2")
        XCTAssertEqual(extractor.extract("Final Answer:\n\n  $x=3$  \n").text, "$x=3$")
        XCTAssertEqual(extractor.extract("final answer: B").text, "B")
    }

    func testWholeTextAndEmpty() {
        XCTAssertEqual(extractor.extract("  17 \n"), ExtractedAnswer(text: "17", source: .wholeText))
        XCTAssertEqual(extractor.extract("<|im_start|>think\nhm<|im_start|>answer\n<|im_end|>").source, .empty)
        XCTAssertEqual(extractor.extract("Answer:").source, .wholeText)
    }

    func testTextAfterAnswerEndIgnoredAndDelimitersOverridable() {
        XCTAssertEqual(extractor.extract("<|im_start|>answer\n5<|im_end|>\\boxed{6}").text, "5")
        let custom = AnswerExtractor(answerStart: "</think>", answerEnd: nil)
        XCTAssertEqual(custom.extract("<think>\\boxed{1}</think>Answer: 9").text, "9")
    }
}
