import XCTest
import S1Report

final class HTMLReportTests: XCTestCase {
    func testEveryOpenedTagCloses() {
        let html = HTMLReport.render(Sample.document())
        XCTAssertEqual(tagBalanceProblems(html), [])
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
    }

    func testTagCheckerCatchesUnbalancedMarkup() {
        XCTAssertFalse(tagBalanceProblems("<div><p>x</div>").isEmpty)
        XCTAssertFalse(tagBalanceProblems("<div>").isEmpty)
        XCTAssertEqual(tagBalanceProblems("<div><br><circle/></div>"), [])
    }

    func testSelfContained() {
        let html = HTMLReport.render(Sample.document())
        for forbidden in ["<script", "<link", "src=", "url(", "@import", "<img", "<iframe"] {
            XCTAssertFalse(html.lowercased().contains(forbidden), forbidden)
        }
        // The only URL is the SVG namespace name, which is never fetched.
        XCTAssertEqual(occurrences(of: "http", in: html), occurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", in: html))
    }

    func testEachCellIsACardWithHeaderParametersAndOutputs() {
        let html = HTMLReport.render(Sample.document())
        XCTAssertEqual(occurrences(of: "<section class=\"cell\"", in: html), 3)
        XCTAssertEqual(occurrences(of: "<details class=\"params\">", in: html), 2)  // the third cell has no parameters
        XCTAssertTrue(html.contains("<code class=\"key\">a1b2c3d4</code><span class=\"status cached\">cached</span><span class=\"duration\">0.0123 s</span>"))
        XCTAssertTrue(html.contains("<span class=\"status fresh\">fresh</span><span class=\"duration\">4 min 05 s</span>"))
        XCTAssertEqual(occurrences(of: "<svg ", in: html), 3)
        // Cells keep pipeline order.
        let select = html.range(of: "id=\"cell-1\"")!.lowerBound, train = html.range(of: "id=\"cell-2\"")!.lowerBound
        XCTAssertLessThan(select, train)
        XCTAssertLessThan(html.range(of: ">select</span>")!.lowerBound, html.range(of: ">train</span>")!.lowerBound)
    }

    func testNumericColumnsAreRightAligned() {
        let html = HTMLReport.render(Sample.document())
        XCTAssertTrue(html.contains("<tr><td>BF</td><td class=\"num\">100%</td><td class=\"num\">15</td><td class=\"num\">56.7</td></tr>"))
        // The short row is padded to the header width.
        XCTAssertTrue(html.contains("<tr><td>RS</td><td class=\"num\"></td><td class=\"num\"></td><td class=\"num\"></td></tr>"))
        XCTAssertEqual(ReportTable(header: ["a"], rows: [["1"], ["x"]]).resolvedAlignments, [.left])
        XCTAssertEqual(ReportTable(header: ["a"], rows: [["0.61 ± 0.03"], ["-1e-3"], ["—"]]).resolvedAlignments, [.right])
    }

    func testProvenanceFooter() {
        let html = HTMLReport.render(Sample.document())
        let footer = String(html[html.range(of: "<footer class=\"provenance\">")!.lowerBound...])
        for needle in ["9f8e7d6c5b4a", "run-0123abcd", "(not archived)", "git 1234abc (clean)", "env blas.threads", "swift"] {
            XCTAssertTrue(footer.contains(needle), needle)
        }
    }

    func testTraceHighlightsInsertions() {
        let html = HTMLReport.render(Sample.document())
        XCTAssertTrue(html.contains("<mark class=\"seg-wait\" title=\"inserted Wait\">Wait</mark>"))
        XCTAssertTrue(html.contains("<mark class=\"seg-forced-answer\" title=\"forced answer\">Final Answer:</mark>"))
        XCTAssertTrue(html.contains("<mark class=\"seg-end-of-thinking\" title=\"end of thinking\">&lt;|end_think|&gt;</mark>"))
        XCTAssertTrue(html.contains("<span class=\"seg-prompt\">Q: 2+2?\n</span>"))
    }
}
