// Shared helpers: a sample document shaped like an s1 run, a tag-balance checker, SVG attribute extraction.
import Foundation
import S1Report

enum Sample {
    /// A document with every block kind, and hostile text in the places users control.
    static func document(title: String = "s1-mini") -> ReportDocument {
        let budgets = [32.0, 64, 128, 256, 512]
        let sweep = LineChart(
            title: "Accuracy vs average thinking tokens", xLabel: "average thinking tokens", yLabel: "accuracy",
            xScale: .log2,
            series: [
                ChartSeries(name: "budget forcing", points: budgets.enumerated().map { i, b in
                    ChartPoint(x: b * 0.9, y: 0.2 + 0.1 * Double(i), ciLow: 0.15 + 0.1 * Double(i), ciHigh: 0.25 + 0.1 * Double(i))
                }),
                ChartSeries(name: "Wait ×k", points: [ChartPoint(x: 200, y: 0.41), ChartPoint(x: 300, y: 0.45)]),
            ],
            yRange: 0...1)
        let loss = LineChart(
            title: "Training loss", xLabel: "step", yLabel: "loss",
            series: [ChartSeries(name: "loss", points: (0..<20).map { ChartPoint(x: Double($0), y: 3 / Double($0 + 1)) })])
        let funnel = BarChart(title: "Selection funnel", valueLabel: "questions",
                              bars: [BarItem("pool", 5000), BarItem("quality", 4200), BarItem("difficulty", 1900), BarItem("s1K", 1000)])
        let trace = TraceExcerpt(
            title: "test #3 <budget 64>",
            segments: [TraceSegment("Q: 2+2?\n", .prompt), TraceSegment("think think", .generated),
                       TraceSegment("Wait", .wait), TraceSegment(" more `code`", .generated),
                       TraceSegment("<|end_think|>", .endOfThinking), TraceSegment("Final Answer:", .forcedAnswer),
                       TraceSegment(" 4", .generated)])
        let metrics = ReportTable(
            header: ["method", "Control", "Scaling", "Performance"],
            rows: [["BF", "100%", "15", "56.7"], ["TCC | tokens", "40%", "-24", "40.0"], ["RS"]],
            caption: "Table 3 <style>")
        return ReportDocument(
            title: title, runID: "run-0123abcd", archiveID: nil, specHash: "9f8e7d6c5b4a",
            codeIdentity: "git 1234abc (clean)",
            environment: [KeyValue("backend", "cpu"), KeyValue("blas.threads", "1")],
            cells: [
                ReportCell(step: "select", kind: "select", shortKey: "a1b2c3d4", status: .cached, durationSeconds: 0.0123,
                           parameters: .rows([KeyValue("size", "1000"), KeyValue("note", "a|b <i>")]),
                           outputs: [.barChart(funnel), .text("Dropped what either base model solves.\n\nSecond paragraph * _ #")]),
                ReportCell(step: "train", kind: "sft", shortKey: "e5f6a7b8", status: .fresh, durationSeconds: 245,
                           parameters: .table(ReportTable(header: ["epochs", "lr"], rows: [["5", "1e-5"]])),
                           outputs: [.lineChart(loss), .keyValues(title: "final", rows: [KeyValue("loss", "0.31")])]),
                ReportCell(step: "evaluate.budget", kind: "evaluate", shortKey: "c9d0e1f2", status: .fresh, durationSeconds: 7620,
                           outputs: [.lineChart(sweep), .table(metrics), .trace(trace)]),
            ],
            provenance: [KeyValue("swift", "6.3")])
    }
}

/// Checks that every opened HTML/SVG element closes, in order. Returns the problems found (empty when balanced).
func tagBalanceProblems(_ html: String) -> [String] {
    let voids: Set<String> = ["meta", "br", "hr", "img", "input", "link", "area", "base", "col", "embed", "source", "track", "wbr"]
    var stack: [String] = []
    var problems: [String] = []
    let chars = Array(html.unicodeScalars)
    var i = 0
    func starts(_ s: String, at index: Int) -> Bool {
        let p = Array(s.unicodeScalars)
        return index + p.count <= chars.count && Array(chars[index..<index + p.count]) == p
    }
    while i < chars.count {
        guard chars[i] == "<" else { i += 1; continue }
        if starts("<!--", at: i) {
            while i < chars.count && !starts("-->", at: i) { i += 1 }
            i += 3
            continue
        }
        var j = i + 1
        while j < chars.count && chars[j] != ">" { j += 1 }
        guard j < chars.count else { problems.append("unterminated tag at \(i)"); break }
        let inner = String(String.UnicodeScalarView(chars[(i + 1)..<j]))
        i = j + 1
        if inner.hasPrefix("!") { continue }  // <!DOCTYPE html>
        if inner.hasPrefix("/") {
            let name = String(inner.dropFirst()).trimmingCharacters(in: .whitespaces).lowercased()
            if stack.last == name { stack.removeLast() } else { problems.append("</\(name)> closes <\(stack.last ?? "nothing")>") }
            continue
        }
        let name = String(inner.prefix { !$0.isWhitespace && $0 != "/" }).lowercased()
        if name.isEmpty || !name.first!.isLetter { problems.append("bad tag <\(inner)>"); continue }
        if inner.hasSuffix("/") || voids.contains(name) { continue }
        stack.append(name)
    }
    if !stack.isEmpty { problems.append("unclosed: \(stack)") }
    return problems
}

/// Every value of `attribute` on elements matching `prefix` (e.g. `<circle class="marker"`).
func attributeValues(_ svg: String, element prefix: String, attribute: String) -> [Double] {
    svg.components(separatedBy: prefix).dropFirst().compactMap { rest in
        let tag = rest.prefix { $0 != ">" }
        guard let range = tag.range(of: " \(attribute)=\"") else { return nil }
        return Double(tag[range.upperBound...].prefix { $0 != "\"" })
    }
}

/// The viewBox width and height of the first `<svg` in `svg`.
func viewBox(_ svg: String) -> (width: Double, height: Double)? {
    guard let range = svg.range(of: "viewBox=\"0 0 ") else { return nil }
    let parts = svg[range.upperBound...].prefix { $0 != "\"" }.split(separator: " ").compactMap { Double($0) }
    return parts.count == 2 ? (parts[0], parts[1]) : nil
}

func occurrences(of needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

/// Number of unescaped `|` in a Markdown line.
func unescapedPipes(_ line: Substring) -> Int {
    var count = 0, escaped = false
    for character in line {
        if escaped { escaped = false; continue }
        if character == "\\" { escaped = true } else if character == "|" { count += 1 }
    }
    return count
}
