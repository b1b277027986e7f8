import XCTest
import S1Method

final class GradingMathGraderTests: XCTestCase {
    let grader = MathGrader()

    func same(_ a: String, _ b: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(grader.isEquivalent(answer: a, gold: b, options: []), "\(a) should equal \(b)", file: file, line: line)
    }

    func differ(_ a: String, _ b: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(grader.isEquivalent(answer: a, gold: b, options: []), "\(a) should differ from \(b)", file: file, line: line)
    }

    func testNormalisation() {
        XCTAssertEqual(MathNormalization.normalize("$\\left( \\dfrac{1}{2} \\right).$").text, "( \\frac{1}{2} )")
        XCTAssertEqual(MathNormalization.normalize("12\\,\\text{ cm}").text, "12")
        XCTAssertEqual(MathNormalization.normalize("\\text{12}").text, "12")
        XCTAssertEqual(MathNormalization.normalize("1{,}234{,}567").text, "1234567")
        XCTAssertEqual(MathNormalization.normalize("-1,234,567.5").text, "-1234567.5")
        XCTAssertEqual(MathNormalization.normalize("4, -1").text, "4, -1")
        XCTAssertEqual(MathNormalization.normalize("45^{\\circ}").text, "45")
        XCTAssertEqual(MathNormalization.normalize("50\\%"), NormalizedMathAnswer(text: "50", isPercent: true))
    }

    func testNumbers() {
        same("\\tfrac{3}{6}", "0.5")
        same("2\\frac{1}{4}", "2.25")        // mixed number
        same("1.5\\times10^{-2}", "0.015")   // scientific notation
        same("\\sqrt[3]{-8}", "-2")
        same("\\frac{\\sqrt{6}}{2}", "\\sqrt{\\frac{3}{2}}")
        same("\\pi/3", "\\frac{\\pi}{3}")
        same("0.33333333", "\\frac13")
        differ("0.33", "\\frac13")
        differ("2\\frac{1}{4}", "\\frac{1}{2}")
        differ("1.000002", "1")
        same("4!", "24")
        same("\\binom{6}{3}", "20")
        same("|{-2}|", "2")
    }

    func testShapes() {
        same("(1, -\\frac12)", "\\left(1,-0.5\\right)")
        differ("(1,2)", "(2,1)")
        same("[-2, \\infty)", "[-2,\\infty)")
        differ("[-2, \\infty)", "(-2,\\infty)")
        same("\\{3, 1\\}", "1, 3")
        differ("\\{3, 1\\}", "\\{3, 1, 2\\}")
        same("(-\\infty,1)\\cup(2,3]", "(-\\infty, 1) \\cup (2, 3]")
        differ("(-\\infty,1)\\cup(2,3]", "(-\\infty, 1) \\cup (2, 3)")
        same("x = -4", "-4")
        same("y=\\frac{1}{2}x+3", "y = 3 + 0.5x")
        differ("y=3", "x=3")
    }

    func testExpressionsByEvaluation() {
        same("(a+b)^3", "a^3+3a^2b+3ab^2+b^3")
        same("\\frac{t^2-4}{t+2}", "t-2")
        same("2\\sin x\\cos x", "\\sin(2x)")
        differ("(a+b)^3", "a^3+b^3")
        differ("x_1+x_2", "x_1+x_3")
        same("\\alpha+\\beta", "\\beta+\\alpha")
    }

    func testDecorationsAndText() {
        same("\\$1,000", "1000")
        same("25\\%", "0.25")
        same("25\\%", "25")
        same("\\text{No}", "no")
        differ("\\text{odd}", "even")
        same("90^\\circ", "90")
        differ("", "0")
    }

    func testPairLines() throws {
        let grader = ResponseGrader(kind: .math)
        let out = try PairGrading.gradeLines("{\"pred\": \"Answer: \\\\frac{1}{2}\", \"gold\": \"0.5\"}\n\n{\"pred\":\"3\",\"gold\":\"4\"}\n",
                                             path: "p.jsonl", grader: grader)
        XCTAssertEqual(out.count, 2)
        XCTAssertEqual(out[0], #"{"correct":true,"gold":"0.5","gold_extracted":"0.5","grader":"math","line":1,"pred":"Answer: \\frac{1}{2}","pred_extracted":"\\frac{1}{2}","pred_source":"answer_line"}"#)
        XCTAssertTrue(out[1].contains("\"correct\":false"))
        XCTAssertThrowsError(try PairGrading.gradeLines("{\"pred\": 1}\n", path: "p.jsonl", grader: grader)) { error in
            XCTAssertEqual("\(error)".hasPrefix("p.jsonl:1: expected"), true)
        }
    }
}

final class GradingMathRobustnessTests: XCTestCase {
    func testGarbageFailsWithoutCrashing() {
        let grader = MathGrader()
        XCTAssertFalse(grader.isEquivalent(answer: String(repeating: "(", count: 5000) + "1", gold: "1", options: []))
        XCTAssertFalse(grader.isEquivalent(answer: String(repeating: "-", count: 5000) + "1", gold: "1", options: []))
        XCTAssertFalse(grader.isEquivalent(answer: String(repeating: "x^", count: 3000) + "2", gold: "1", options: []))
        XCTAssertFalse(grader.isEquivalent(answer: String(repeating: "1+", count: 3000) + "1", gold: "3001", options: []))
        XCTAssertTrue(grader.isEquivalent(answer: "--3", gold: "3", options: []))
        XCTAssertFalse(grader.isEquivalent(answer: "\\frac{1}{", gold: "1", options: []))
        XCTAssertFalse(grader.isEquivalent(answer: "}{", gold: "}{1", options: []))
    }
}
