// Ready-made report blocks from S1Method's results, so the Runner wires sweeps and metrics in one call each.
import S1Method

extension ChartSeries {
    /// A sweep as a series for "accuracy vs average thinking tokens": x = mean thinking tokens, y = accuracy (%),
    /// whiskers = the points' 95% bootstrap intervals. Points are sorted by x (then by point id) so the line is monotone.
    public init(name: String, sweep: [PointSummary]) {
        let sorted = sweep.sorted { ($0.meanThinkingTokens, $0.point) < ($1.meanThinkingTokens, $1.point) }
        self.init(name: name, points: sorted.map { summary in
            ChartPoint(x: summary.meanThinkingTokens, y: summary.accuracy,
                       ciLow: summary.accuracyInterval.lower, ciHigh: summary.accuracyInterval.upper)
        })
    }
}

extension LineChart {
    /// The paper's Figure 1 / 4 view: one series per sweep, log2 x-axis, accuracy 0–100%.
    public static func accuracyVsThinkingTokens(title: String, sweeps: [(name: String, points: [PointSummary])]) -> LineChart {
        LineChart(title: title, xLabel: "average thinking tokens", yLabel: "accuracy (%)", xScale: .log2,
                  series: sweeps.map { ChartSeries(name: $0.name, sweep: $0.points) }, yRange: 0...100)
    }
}

extension ReportTable {
    /// A Table-3-style table: Control, Scaling (both units) and Performance per method; `—` where undefined.
    public static func testTimeScaling(_ methods: [(method: String, summary: ScalingSummary)], caption: String? = nil) -> ReportTable {
        func cell(_ value: Double?) -> String { value.map { ReportNumber.significant($0) } ?? "—" }
        return ReportTable(
            header: ["method", "points", "Control (%)", "Scaling (pts / doubling)", "Scaling (pts / 1k tokens)", "Performance (%)"],
            rows: methods.map { method, summary in
                [method, "\(summary.points)", cell(summary.control), cell(summary.scalingPerDoubling),
                 cell(summary.scalingPerThousandTokens), cell(summary.performance)]
            },
            caption: caption)
    }

    /// What each method cost in decoded tokens: its points run one by one, and (for prefix-sharing sweeps) what
    /// the shared chains and forks actually decoded, with the ratio.
    public static func decodingCost(_ methods: [(method: String, result: MethodResult)], caption: String? = nil) -> ReportTable {
        ReportTable(
            header: ["method", "decoded tokens, points alone", "decoded tokens, shared", "shared / alone"],
            rows: methods.map { method, result in
                [method, "\(result.decodedTokensSeparate)", result.decodedTokensShared.map(String.init) ?? "—",
                 result.decodedTokensShared.map {
                     ReportNumber.significant(Double($0) / Double(max(result.decodedTokensSeparate, 1)))
                 } ?? "—"]
            },
            caption: caption,
            alignments: [.left, .right, .right, .right])
    }

    /// One row per sweep point, in the given order: what was asked, what came out, with the 95% interval.
    public static func sweepPoints(_ points: [PointSummary], caption: String? = nil) -> ReportTable {
        func bound(_ value: Int?) -> String { value.map(String.init) ?? "—" }
        return ReportTable(
            header: ["point", "min", "max", "samples", "avg thinking tokens", "accuracy (%)", "95% CI",
                     "in range", "forced stops", "ignored ends"],
            rows: points.map { p in
                [p.point, bound(p.requested.min), bound(p.requested.max), "\(p.samples)",
                 ReportNumber.significant(p.meanThinkingTokens), ReportNumber.significant(p.accuracy),
                 "\(ReportNumber.significant(p.accuracyInterval.lower)) – \(ReportNumber.significant(p.accuracyInterval.upper))",
                 p.withinRange ? "yes" : "no", "\(p.forcedStops)", "\(p.ignoredEnds)"]
            },
            caption: caption,
            alignments: [.left, .right, .right, .right, .right, .right, .right, .center, .right, .right])
    }
}

extension ReportTable {
    /// The ablation view of `variants:`: one row per configuration with its data, what the block size cut, the
    /// unforced model's accuracy and thinking length (Table 8's columns), and each method's Performance (Table 2).
    public static func variantComparison(_ comparison: VariantComparison, caption: String? = nil) -> ReportTable {
        let benchmarks = Set(comparison.rows.flatMap { $0.unforced.keys }).sorted()
        let methods = Set(comparison.rows.flatMap { $0.methods.keys }).sorted()
        func number(_ value: Double?) -> String { value.map { ReportNumber.significant($0) } ?? "—" }
        var header = ["variant", "overrides", "selected", "mean trace tokens", "samples cut", "loss tokens lost (%)"]
        for benchmark in benchmarks {
            header += ["\(benchmark) unforced accuracy (%)", "\(benchmark) unforced avg thinking tokens"]
        }
        header += methods.map { "\($0) Performance (%)" }
        let rows = comparison.rows.map { row -> [String] in
            var cells = [row.variant, row.overrides.isEmpty ? "(as written)" : row.overrides.joined(separator: "; "),
                         row.selected.map(String.init) ?? "—", number(row.meanTraceTokens),
                         row.truncation.map { "\($0.samplesCut) of \($0.samples)" } ?? "—",
                         number(row.truncation.map { 100 * $0.fractionOfLossTokensLost })]
            for benchmark in benchmarks {
                cells += [number(row.unforced[benchmark]?.accuracy), number(row.unforced[benchmark]?.meanThinkingTokens)]
            }
            cells += methods.map { number(row.methods[$0]?.performance) }
            return cells
        }
        return ReportTable(header: header, rows: rows, caption: caption,
                           alignments: [.left, .left] + Array(repeating: .right, count: header.count - 2))
    }
}
