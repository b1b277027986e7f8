import XCTest
import S1Report

final class MarkdownReportTests: XCTestCase {
    /// Groups consecutive `|` lines into tables.
    private func tables(_ md: String) -> [[Substring]] {
        var result: [[Substring]] = [], current: [Substring] = []
        for line in md.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("|") { current.append(line) } else if !current.isEmpty { result.append(current); current = [] }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    func testTablesHaveConsistentColumnCounts() {
        let md = MarkdownReport.render(Sample.document(title: "a | b"))
        let found = tables(md)
        XCTAssertGreaterThanOrEqual(found.count, 8)
        for table in found {
            let counts = Set(table.map(unescapedPipes))
            XCTAssertEqual(counts.count, 1, "\(table)")
            XCTAssertTrue(table[1].allSatisfy { "|-: ".contains($0) }, "delimiter row: \(table[1])")
        }
    }

    func testChartsBecomeDataTablesWithAReferenceToTheHTML() {
        let md = MarkdownReport.render(Sample.document())
        XCTAssertTrue(md.contains("**Accuracy vs average thinking tokens** (line chart, log2 x-axis; plotted in [report.html](report.html))"))
        XCTAssertTrue(md.contains("| series | average thinking tokens | accuracy | 95% CI |"))
        XCTAssertTrue(md.contains("| budget forcing | 28.8 | 0.2 | 0.15 – 0.25 |"))
        XCTAssertTrue(md.contains("| s1K | 1000 |"))
        XCTAssertTrue(md.contains("| ---: | ---: |") || md.contains("| --- | ---: |"))
    }

    func testCellsAppearInOrderWithStatusAndDuration() {
        let md = MarkdownReport.render(Sample.document())
        let a = md.range(of: "## 1. select")!.lowerBound, b = md.range(of: "## 2. train")!.lowerBound
        let c = md.range(of: "## 3. evaluate.budget")!.lowerBound
        XCTAssertLessThan(a, b)
        XCTAssertLessThan(b, c)
        XCTAssertTrue(md.contains("select · key `a1b2c3d4` · **cached** · 0.0123 s"))
        XCTAssertTrue(md.contains("## Provenance"))
    }

    func testTraceIsAFencedBlockWithMarkedInsertions() {
        let md = MarkdownReport.render(Sample.document())
        // The text holds a backtick run, so the fence stays at the minimum three.
        XCTAssertTrue(md.contains("```text\nQ: 2+2?\nthink think⟦wait: Wait⟧ more `code`⟦end-of-thinking: <|end_think|>⟧"
            + "⟦forced-answer: Final Answer:⟧ 4\n```\n"))
        let longFence = TraceExcerpt(title: "t", segments: [TraceSegment("a ```` b", .generated)])
        var document = Sample.document()
        document.cells = [ReportCell(step: "s", kind: "k", shortKey: "0", status: .fresh, durationSeconds: 1,
                                     outputs: [.trace(longFence)])]
        XCTAssertTrue(MarkdownReport.render(document).contains("`````text\na ```` b\n`````\n"))
    }
}
