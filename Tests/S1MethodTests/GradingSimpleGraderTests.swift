import XCTest
import S1Method

final class GradingSimpleGraderTests: XCTestCase {
    func testIntegerPositives() {
        let g = IntegerGrader()
        for (a, gold) in [("033", "33"), ("1,000", "1000"), ("$42$", "42"), ("42.", "42"), ("\\$42", "42"),
                          ("x = 42", "42"), ("\\boxed{7}", "007"), ("0", "000"), ("12.00", "12"), ("-5", "-05"),
                          ("1{,}024", "1024"), ("\\text{204}", "204"), ("+8", "8"), ("90^\\circ", "90")] {
            XCTAssertTrue(g.isEquivalent(answer: a, gold: gold, options: []), "\(a) vs \(gold)")
        }
    }

    func testIntegerNegatives() {
        let g = IntegerGrader()
        for (a, gold) in [("34", "33"), ("1,2", "12"), ("12.5", "12"), ("", "0"), ("x", "1"), ("3, 5", "35"),
                          ("-5", "5"), ("xy = 3", "3"), ("1,0000", "10000"), ("\\frac{4}{2}", "2")] {
            XCTAssertFalse(g.isEquivalent(answer: a, gold: gold, options: []), "\(a) vs \(gold)")
        }
        XCTAssertEqual(IntegerGrader.canonicalInteger("123456789012345678901234567890"),
                       "123456789012345678901234567890")
    }

    func testChoiceForms() {
        let g = ChoiceGrader()
        for a in ["B", "(B)", "\\boxed{B}", "B.", "B) 3.2 eV", "(B) 3.2 eV", "The answer is (B)", "option B",
                  "\\text{B}", "$B$"] {
            XCTAssertTrue(g.isEquivalent(answer: a, gold: "B", options: []), a)
        }
        for a in ["A", "(C)", "E", "Based on this", "b", "", "AB"] {
            XCTAssertFalse(g.isEquivalent(answer: a, gold: "B", options: []), a)
        }
    }

    func testChoiceOptionText() {
        let g = ChoiceGrader()
        let options = ["1.2 eV", "3.2 eV", "Cyclohexane", "none of these"]
        XCTAssertTrue(g.isEquivalent(answer: "3.2 eV", gold: "B", options: options))
        XCTAssertTrue(g.isEquivalent(answer: "cyclohexane.", gold: "Cyclohexane", options: options))
        XCTAssertFalse(g.isEquivalent(answer: "1.2 eV", gold: "B", options: options))
        // With 4 options, E is no letter.
        XCTAssertNil(ChoiceGrader.letter(of: "E", options: options))
        // With 6 options it is.
        XCTAssertEqual(ChoiceGrader.letter(of: "E", options: options + ["x", "y"]), "E")
    }

    func testExact() {
        let g = ExactGrader()
        XCTAssertTrue(g.isEquivalent(answer: "$\\text{Paris}$.", gold: "paris", options: []))
        XCTAssertTrue(g.isEquivalent(answer: "New   York", gold: "new york", options: []))
        XCTAssertFalse(g.isEquivalent(answer: "Newyork", gold: "new york", options: []))
    }

    func testResponseGraderAndKinds() throws {
        let grader = ResponseGrader(kind: try GraderKind.named("integer"))
        let v = grader.grade(response: "<|im_start|>think\n1+1\n<|im_start|>answer\nAnswer: 002<|im_end|>", gold: "2")
        XCTAssertTrue(v.correct)
        XCTAssertEqual(v.predicted, ExtractedAnswer(text: "002", source: .answerLine))
        XCTAssertFalse(grader.grade(response: "<|im_start|>answer\n<|im_end|>", gold: "0").correct)
        XCTAssertThrowsError(try GraderKind.named("integr")) { error in
            XCTAssertTrue("\(error)".contains("integer"))
        }
    }
}
