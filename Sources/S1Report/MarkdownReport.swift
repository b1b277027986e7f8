// Renders a ReportDocument as GitHub-flavoured Markdown: pipe tables, charts as tables of their data.
import Foundation

/// The Markdown renderer.
public enum MarkdownReport {
    /// The complete Markdown document. `htmlName` is the file the chart notes point to (the HTML report next to it).
    /// Deterministic: the same document gives byte-identical output.
    public static func render(_ document: ReportDocument, htmlName: String = "report.html") -> String {
        var md = "# \(Escape.markdownInline(document.title))\n\n"
        md += "Run \(code(document.runID)) · spec \(code(document.specHash)) · \(document.cells.count) steps\n\n"
        if !document.cells.isEmpty {
            md += table(ReportTable(
                header: ["#", "step", "kind", "key", "status", "duration"],
                rows: document.cells.enumerated().map { index, cell in
                    ["\(index + 1)", cell.step, cell.kind, cell.shortKey, cell.status.rawValue,
                     ReportNumber.duration(cell.durationSeconds)]
                },
                alignments: [.right, .left, .left, .left, .left, .right]))
            md += "\n"
        }
        for (index, cell) in document.cells.enumerated() {
            md += renderCell(cell, number: index + 1, htmlName: htmlName)
        }
        md += "## Provenance\n\n"
        md += table(ReportTable(header: ["field", "value"], rows: document.footerRows.map { [$0.key, $0.value] }))
        return md
    }

    static func renderCell(_ cell: ReportCell, number: Int, htmlName: String) -> String {
        var md = "## \(number). \(Escape.markdownInline(cell.step))\n\n"
        md += "\(Escape.markdownInline(cell.kind)) · key \(code(cell.shortKey)) · **\(cell.status.rawValue)** · "
            + "\(ReportNumber.duration(cell.durationSeconds))\n\n"
        if !cell.parameters.isEmpty {
            md += "<details><summary>Parameters</summary>\n\n"
            switch cell.parameters {
            case .rows(let rows): md += table(ReportTable(header: ["parameter", "value"], rows: rows.map { [$0.key, $0.value] }))
            case .table(let parameters): md += table(parameters)
            }
            md += "\n</details>\n\n"
        }
        for block in cell.outputs { md += renderBlock(block, htmlName: htmlName) + "\n" }
        return md
    }

    static func renderBlock(_ block: ReportBlock, htmlName: String) -> String {
        switch block {
        case .table(let value): return table(value)
        case .lineChart(let chart):
            var rows: [[String]] = []
            for series in chart.series {
                for point in series.points {
                    let interval = point.ciLow.flatMap { low in
                        point.ciHigh.map { "\(ReportNumber.significant(low)) – \(ReportNumber.significant($0))" }
                    } ?? ""
                    rows.append([series.name, ReportNumber.significant(point.x), ReportNumber.significant(point.y), interval])
                }
            }
            let hasCI = rows.contains { !$0[3].isEmpty }
            let header = ["series", chart.xLabel, chart.yLabel] + (hasCI ? ["95% CI"] : [])
            return "**\(Escape.markdownInline(chart.title))** (line chart\(chart.xScale == .log2 ? ", log2 x-axis" : "");"
                + " plotted in [\(Escape.markdownInline(htmlName))](\(htmlName)))\n\n"
                + table(ReportTable(header: header, rows: rows.map { hasCI ? $0 : Array($0.prefix(3)) },
                                    alignments: [.left, .right, .right, .right]))
        case .barChart(let chart):
            return "**\(Escape.markdownInline(chart.title))** (bar chart; plotted in [\(Escape.markdownInline(htmlName))](\(htmlName)))\n\n"
                + table(ReportTable(header: ["", chart.valueLabel],
                                    rows: chart.bars.map { [$0.label, ReportNumber.significant($0.value)] },
                                    alignments: [.left, .right]))
        case .text(let text):
            return paragraphs(text).map { Escape.markdownInline($0) + "\n" }.joined(separator: "\n")
        case .trace(let trace): return traceBlock(trace)
        case .keyValues(let title, let rows):
            return (title.map { "**\(Escape.markdownInline($0))**\n\n" } ?? "")
                + table(ReportTable(header: ["", ""], rows: rows.map { [$0.key, $0.value] }))
        }
    }

    /// A GFM pipe table: every line has the same number of cells, cells are escaped (pipes, newlines, HTML).
    static func table(_ table: ReportTable) -> String {
        guard table.columnCount > 0 else { return "" }
        var md = table.caption.map { "*\(Escape.markdownInline($0))*\n\n" } ?? ""
        func line(_ cells: [String]) -> String {
            "| " + cells.map { $0.isEmpty ? " " : Escape.markdownInline($0) }.joined(separator: " | ") + " |\n"
        }
        md += line(table.paddedHeader)
        md += "|" + table.resolvedAlignments.map { alignment -> String in
            switch alignment {
            case .left: return " --- "
            case .right: return " ---: "
            case .center: return " :---: "
            }
        }.joined(separator: "|") + "|\n"
        for row in table.paddedRows { md += line(row) }
        return md
    }

    /// A trace as a fenced code block (text verbatim) with insertions marked `⟦kind: text⟧`.
    static func traceBlock(_ trace: TraceExcerpt) -> String {
        var body = ""
        for segment in trace.segments {
            body += segment.kind.isHighlighted ? "⟦\(segment.kind.rawValue): \(segment.text)⟧" : segment.text
        }
        // The fence must be longer than any backtick run inside the text.
        var longest = 0, current = 0
        for character in body {
            current = character == "`" ? current + 1 : 0
            longest = max(longest, current)
        }
        let fence = String(repeating: "`", count: max(3, longest + 1))
        var md = "**\(Escape.markdownInline(trace.title))**\n\n\(fence)text\n\(body)\n\(fence)\n"
        let kinds = TraceLegend.kinds(in: trace)
        if !kinds.isEmpty {
            md += "\nMarked: " + kinds.map { "⟦\($0.rawValue): …⟧ = \($0.title)" }.joined(separator: "; ") + "\n"
        }
        return md
    }

    /// An inline code span, or escaped text when the value contains a backtick.
    static func code(_ text: String) -> String {
        text.contains("`") || text.contains("\n") ? Escape.markdownInline(text) : "`\(text)`"
    }
}
