// Renders a ReportDocument as ONE self-contained HTML file: inline CSS, inline SVG, no scripts, no external resources.
import Foundation

/// The HTML renderer.
public enum HTMLReport {
    /// The complete HTML document. Deterministic: the same document gives byte-identical output.
    public static func render(_ document: ReportDocument) -> String {
        var html = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(Escape.html(document.title))</title>
        <style>
        \(HTMLStyle.css)
        </style>
        </head>
        <body>
        <header class="doc-head">
        <h1>\(Escape.html(document.title))</h1>
        <p class="meta">run <code>\(Escape.html(document.runID))</code> · spec <code>\(Escape.html(document.specHash))</code> · \(document.cells.count) steps</p>
        </header>

        """
        if !document.cells.isEmpty {
            html += "<nav class=\"toc\"><ol>\n"
            for (index, cell) in document.cells.enumerated() {
                html += "<li><a href=\"#cell-\(index + 1)\">\(Escape.html(cell.step))</a> "
                    + "<span class=\"status \(cell.status.rawValue)\">\(cell.status.rawValue)</span></li>\n"
            }
            html += "</ol></nav>\n"
        }
        html += "<main>\n"
        for (index, cell) in document.cells.enumerated() {
            html += renderCell(cell, number: index + 1)
        }
        html += "</main>\n<footer class=\"provenance\">\n<h2>Provenance</h2>\n"
        html += keyValueTable(document.footerRows)
        html += "</footer>\n</body>\n</html>\n"
        return html
    }

    static func renderCell(_ cell: ReportCell, number: Int) -> String {
        var html = "<section class=\"cell\" id=\"cell-\(number)\">\n<header class=\"cell-head\">"
        html += "<span class=\"cell-index\">[\(number)]</span>"
        html += "<span class=\"step\">\(Escape.html(cell.step))</span>"
        html += "<span class=\"kind\">\(Escape.html(cell.kind))</span>"
        html += "<code class=\"key\">\(Escape.html(cell.shortKey))</code>"
        html += "<span class=\"status \(cell.status.rawValue)\">\(cell.status.rawValue)</span>"
        html += "<span class=\"duration\">\(Escape.html(ReportNumber.duration(cell.durationSeconds)))</span>"
        html += "</header>\n"
        if !cell.parameters.isEmpty {
            html += "<details class=\"params\"><summary>Parameters</summary>\n"
            switch cell.parameters {
            case .rows(let rows): html += keyValueTable(rows)
            case .table(let table): html += tableHTML(table)
            }
            html += "</details>\n"
        }
        html += "<div class=\"outputs\">\n"
        for block in cell.outputs { html += "<div class=\"block\">\n\(renderBlock(block))\n</div>\n" }
        html += "</div>\n</section>\n"
        return html
    }

    static func renderBlock(_ block: ReportBlock) -> String {
        switch block {
        case .table(let table): return tableHTML(table)
        case .lineChart(let chart): return SVGLineChart.render(chart)
        case .barChart(let chart): return SVGBarChart.render(chart)
        case .text(let text):
            return paragraphs(text).map { "<p>\(Escape.html($0))</p>" }.joined(separator: "\n")
        case .trace(let trace): return traceHTML(trace)
        case .keyValues(let title, let rows):
            return (title.map { "<h4>\(Escape.html($0))</h4>\n" } ?? "") + keyValueTable(rows)
        }
    }

    static func tableHTML(_ table: ReportTable) -> String {
        let alignments = table.resolvedAlignments
        func cellClass(_ column: Int) -> String {
            switch alignments[column] {
            case .left: return ""
            case .right: return " class=\"num\""
            case .center: return " class=\"center\""
            }
        }
        var html = "<table>\n"
        if let caption = table.caption { html += "<caption>\(Escape.html(caption))</caption>\n" }
        if !table.header.isEmpty {
            html += "<thead><tr>"
            for (column, title) in table.paddedHeader.enumerated() {
                html += "<th\(cellClass(column))>\(Escape.html(title))</th>"
            }
            html += "</tr></thead>\n"
        }
        html += "<tbody>\n"
        for row in table.paddedRows {
            html += "<tr>"
            for (column, value) in row.enumerated() { html += "<td\(cellClass(column))>\(Escape.html(value))</td>" }
            html += "</tr>\n"
        }
        html += "</tbody>\n</table>\n"
        return html
    }

    static func keyValueTable(_ rows: [KeyValue]) -> String {
        var html = "<table class=\"kv\">\n<tbody>\n"
        for row in rows {
            html += "<tr><th>\(Escape.html(row.key))</th><td><code>\(Escape.html(row.value))</code></td></tr>\n"
        }
        html += "</tbody>\n</table>\n"
        return html
    }

    static func traceHTML(_ trace: TraceExcerpt) -> String {
        var html = "<h4>\(Escape.html(trace.title))</h4>\n<pre class=\"trace\">"
        for segment in trace.segments {
            let text = Escape.html(segment.text)
            switch segment.kind {
            case .generated: html += text
            case .prompt: html += "<span class=\"seg-prompt\">\(text)</span>"
            default:
                html += "<mark class=\"seg-\(segment.kind.rawValue)\" title=\"\(segment.kind.title)\">\(text)</mark>"
            }
        }
        html += "</pre>\n"
        let kinds = TraceLegend.kinds(in: trace)
        if !kinds.isEmpty {
            html += "<p class=\"legend-line-text\">Highlighted: "
            html += kinds.map { "<mark class=\"seg-\($0.rawValue)\">\($0.title)</mark>" }.joined(separator: " ")
            html += "</p>"
        }
        return html
    }
}

/// Splits text into paragraphs at blank lines, dropping empty ones.
func paragraphs(_ text: String) -> [String] {
    text.replacingOccurrences(of: "\r\n", with: "\n")
        .components(separatedBy: "\n\n")
        .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        .filter { !$0.isEmpty }
}

/// The highlighted kinds a trace uses, in a fixed order (for legends).
enum TraceLegend {
    static let order: [TraceSegmentKind] = [.forcedAnswer, .wait, .endOfThinking]

    static func kinds(in trace: TraceExcerpt) -> [TraceSegmentKind] {
        order.filter { kind in trace.segments.contains { $0.kind == kind } }
    }
}
