// Renders the sample report in headless Chromium and asserts the plots are laid out and non-empty.
// Needs Chromium (Debian package `chromium`, installed by `make test`). Set S1_REPORT_BROWSER_OUT=<dir> to keep
// the rendered HTML and a screenshot there for a look by eye.
import Foundation
import XCTest
import S1Report

final class BrowserRenderTests: XCTestCase {
    /// Measures every chart in the live page (layout box, polyline bounding boxes, markers, drawn bars) and
    /// writes one line per chart into `<pre id="browser-check">`. Injected into a test copy only: the report has no scripts.
    private static let probe = """
    <script>
    const rows = [];
    for (const svg of document.querySelectorAll('svg.chart')) {
      const box = svg.getBoundingClientRect();
      const lines = [...svg.querySelectorAll('polyline.series-line')];
      const drawnLines = lines.filter(p => { const b = p.getBBox(); return b.width > 0 || b.height > 0; }).length;
      const markers = [...svg.querySelectorAll('circle.marker')].filter(c => c.getBBox().width > 0).length;
      const bars = [...svg.querySelectorAll('rect.bar')].filter(r => r.getBBox().width > 0).length;
      rows.push([svg.classList[1], Math.round(box.width), Math.round(box.height), lines.length, drawnLines, markers, bars].join(','));
    }
    const pre = document.createElement('pre');
    pre.id = 'browser-check';
    pre.textContent = rows.join(';');
    document.body.appendChild(pre);
    </script>
    """

    private func chromium() -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            for name in ["chromium", "chromium-browser"] {
                let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            }
        }
        return nil
    }

    /// Runs Chromium headless with `arguments`, returning its stdout; fails the test after 90 s.
    private func run(_ executable: URL, _ arguments: [String], in directory: URL) throws -> String {
        let output = directory.appendingPathComponent("stdout.txt")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        let process = Process()
        process.executableURL = executable
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                             "--user-data-dir=\(directory.appendingPathComponent("profile").path)"] + arguments
        process.standardOutput = handle
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(90)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            XCTFail("chromium did not finish within 90 s")
        }
        try handle.close()
        return try String(contentsOf: output, encoding: .utf8)
    }

    func testPlotsArePresentAndNonEmptyInHeadlessChromium() throws {
        guard let chromium = chromium() else {
            // `make test` installs it; a missing browser is a broken setup, not a reason to pass.
            return XCTFail("chromium is not installed: run `make test` (it installs the Debian package `chromium`)")
        }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("s1-report-browser-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let html = HTMLReport.render(Sample.document())
        let page = directory.appendingPathComponent("report-probe.html")
        try html.replacingOccurrences(of: "</body>", with: Self.probe + "\n</body>").write(to: page, atomically: true, encoding: .utf8)
        let dom = try run(chromium, ["--dump-dom", page.absoluteString], in: directory)

        let start = try XCTUnwrap(dom.range(of: "<pre id=\"browser-check\">"), "probe output missing: \(dom.prefix(300))")
        let rows = dom[start.upperBound...].prefix { $0 != "<" }.split(separator: ";").map { $0.split(separator: ",") }
        // Sample: a bar chart (4 bars), the loss curve (1 series, 20 points), the sweep (2 series, 5 + 2 points).
        let expected: [(kind: String, lines: Int, markers: Int, bars: Int)] =
            [("bar-chart", 0, 0, 4), ("line-chart", 1, 20, 0), ("line-chart", 2, 7, 0)]
        XCTAssertEqual(rows.count, expected.count, "\(rows)")
        for (row, want) in zip(rows, expected) {
            XCTAssertEqual(String(row[0]), want.kind)
            let numbers = row.dropFirst().compactMap { Int($0) }
            XCTAssertEqual(numbers.count, 6, "\(row)")
            guard numbers.count == 6 else { continue }
            XCTAssertGreaterThanOrEqual(numbers[0], 300, "laid-out width \(row)")
            XCTAssertGreaterThanOrEqual(numbers[1], 100, "laid-out height \(row)")
            XCTAssertEqual(numbers[2], want.lines, "polylines \(row)")
            XCTAssertEqual(numbers[3], want.lines, "non-degenerate polylines \(row)")
            XCTAssertEqual(numbers[4], want.markers, "drawn markers \(row)")
            XCTAssertEqual(numbers[5], want.bars, "drawn bars \(row)")
        }

        if let keep = ProcessInfo.processInfo.environment["S1_REPORT_BROWSER_OUT"] {
            let out = URL(fileURLWithPath: keep)
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            let report = out.appendingPathComponent("report.html")
            try html.write(to: report, atomically: true, encoding: .utf8)
            try (MarkdownReport.render(Sample.document())).write(to: out.appendingPathComponent("report.md"), atomically: true, encoding: .utf8)
            _ = try run(chromium, ["--window-size=1000,2600", "--screenshot=\(out.appendingPathComponent("report.png").path)",
                                   report.absoluteString], in: directory)
        }
    }
}
