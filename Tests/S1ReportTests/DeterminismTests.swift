import XCTest
import S1Report

final class DeterminismTests: XCTestCase {
    func testRenderingTwiceGivesIdenticalBytes() {
        let first = Sample.document(), second = Sample.document()
        XCTAssertEqual(Array(HTMLReport.render(first).utf8), Array(HTMLReport.render(second).utf8))
        XCTAssertEqual(Array(MarkdownReport.render(first).utf8), Array(MarkdownReport.render(first).utf8))
    }

    func testDifferentContentGivesDifferentOutput() {
        var changed = Sample.document()
        changed.cells[0].status = .fresh
        XCTAssertNotEqual(HTMLReport.render(Sample.document()), HTMLReport.render(changed))
        XCTAssertNotEqual(MarkdownReport.render(Sample.document()), MarkdownReport.render(changed))
    }

    func testSVGCoordinatesHaveAtMostFourSignificantDigits() {
        let html = HTMLReport.render(Sample.document())
        for attribute in ["cx", "cy", "x1", "y1", "x2", "y2", "width"] {
            for tag in ["<circle class=\"marker\"", "<line class=\"grid\"", "<rect class=\"bar\""] {
                let pattern = " \(attribute)=\""
                for chunk in html.components(separatedBy: tag).dropFirst() {
                    let head = chunk.prefix { $0 != ">" }
                    guard let range = head.range(of: pattern) else { continue }
                    let value = head[range.upperBound...].prefix { $0 != "\"" }
                    let digits = value.filter(\.isNumber).drop { $0 == "0" }
                    XCTAssertLessThanOrEqual(digits.count, 4, "\(attribute)=\(value)")
                }
            }
        }
    }
}
