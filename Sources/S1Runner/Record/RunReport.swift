import Foundation
import S1Method
import S1Report
import S1Store

/// Builds the notebook of a run: one cell per step in pipeline order, with its key, cached or fresh, duration,
/// parameters and what its outputs say (the selection funnel, training curves, accuracy against thinking tokens).
///
/// The report lives inside the run directory, under the manifest whose digest is the run id, so it cannot name
/// that id (nor the archive's): its footer says where to find them instead.
struct RunReportBuilder {
    let store: ContentStore
    let records: StepRecordStore

    func document(experiment: String, specDigest: Digest, code: CodeIdentity, environment: ExecutionEnvironment,
                  outcomes: [StepOutcome]) -> ReportDocument {
        let cells = outcomes.map { cell(for: $0) }
        let machine = environment.descriptiveFacts.sorted { $0.key < $1.key }.map { KeyValue($0.key, $0.value) }
        let kernels = environment.kernelFacts.sorted { $0.key < $1.key }.map { KeyValue($0.key, $0.value) }
        return ReportDocument(
            title: experiment, runID: "(SHA-256 prefix of manifest.json beside this file)",
            archiveID: "(printed by `s1 archive`: SHA-256 of the uncompressed tar)",
            specHash: specDigest.description, codeIdentity: "s1 \(code.toolVersion), \(code.compiler), \(code.configuration), sources \(code.sourceDigest.prefix(16))",
            environment: [KeyValue("backend", environment.backend), KeyValue("architecture", environment.architecture)]
                + kernels + machine,
            cells: cells)
    }

    private func cell(for outcome: StepOutcome) -> ReportCell {
        let record = records.record(for: outcome.key)
        var blocks: [ReportBlock] = []
        if let label = outcome.pointLabel { blocks.append(.keyValues(title: "sweep point", rows: [KeyValue("point", label)])) }
        blocks += outputBlocks(outcome)
        blocks.append(.table(ReportTable(
            header: ["output", "bytes", "sha256"],
            rows: outcome.outputs.map { [$0.path, String($0.size), $0.digest.short] }, caption: "files")))
        if let log = record?.log, let text = try? store.data(for: log) {
            blocks.append(.text(String(decoding: text, as: UTF8.self)))
        }
        return ReportCell(step: outcome.name, kind: outcome.kind, shortKey: outcome.key.short,
                          status: outcome.cached ? .cached : .fresh,
                          durationSeconds: outcome.cached ? (record?.seconds ?? 0) : outcome.seconds,
                          parameters: .rows(parameterRows(record)), outputs: blocks)
    }

    /// The resolved parameters the step read, flattened to `key.path: value` rows.
    private func parameterRows(_ record: StepRecord?) -> [KeyValue] {
        guard let record, let data = try? store.data(for: record.keyMaterial),
              let material = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let parameters = material["parameters"] else { return [] }
        var rows: [KeyValue] = []
        func walk(_ value: Any, _ path: String) {
            if let object = value as? [String: Any], !object.isEmpty {
                for key in object.keys.sorted() { walk(object[key]!, path.isEmpty ? key : "\(path).\(key)") }
            } else if let list = value as? [Any], list.contains(where: { $0 is [String: Any] }) {
                for (index, item) in list.enumerated() { walk(item, "\(path)[\(index)]") }
            } else {
                rows.append(KeyValue(path, JSONDifference.render(value)))
            }
        }
        walk(parameters, "")
        return rows
    }

    /// What a reader wants to see of each kind's outputs.
    private func outputBlocks(_ outcome: StepOutcome) -> [ReportBlock] {
        func json(_ file: String) -> [String: Any]? {
            guard let output = outcome.outputs.first(where: { $0.path == file }),
                  let data = try? store.data(for: output.digest) else { return nil }
            return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        }
        var blocks: [ReportBlock] = []
        if let summary = json("summary.json") {
            if let stages = summary["stages"] as? [[String: Any]] {
                blocks.append(.barChart(BarChart(
                    title: "Selection funnel", valueLabel: "records",
                    bars: stages.map { BarItem($0["stage"] as? String ?? "?", ($0["records"] as? NSNumber)?.doubleValue ?? 0) })))
            }
            if let histogram = summary["domainHistogram"] as? [String: Any] {
                blocks.append(.barChart(BarChart(
                    title: "Selected records per domain", valueLabel: "records",
                    bars: histogram.keys.sorted().map { BarItem($0, (histogram[$0] as? NSNumber)?.doubleValue ?? 0) })))
            }
        }
        if let training = json("training.json") {
            for (key, title) in [("loss_curve", "Training loss"), ("lr_curve", "Learning rate"),
                                 ("lossCurve", "Training loss"), ("learningRateCurve", "Learning rate")] {
                guard let curve = training[key] as? [NSNumber], !curve.isEmpty else { continue }
                blocks.append(.lineChart(LineChart(
                    title: title, xLabel: "optimizer step", yLabel: title.lowercased(),
                    series: [ChartSeries(name: title, points: curve.enumerated().map {
                        ChartPoint(x: Double($0.offset + 1), y: $0.element.doubleValue)
                    })])))
            }
        }
        if let output = outcome.outputs.first(where: { $0.path == "variants.json" }),
           let data = try? store.data(for: output.digest),
           let comparison = try? JSONDecoder().decode(VariantComparison.self, from: data) {
            blocks.append(.table(ReportTable.variantComparison(
                comparison, caption: "Variants side by side (the paper's Tables 2 and 8: data and block-size ablations)")))
        }
        if let output = outcome.outputs.first(where: { $0.path == "results.json" }),
           let data = try? store.data(for: output.digest) {
            blocks += ResultsBlocks.blocks(data)
        }
        return blocks
    }
}

/// Renders `results.json` as the paper's views: accuracy against average thinking tokens per sweep (log2 axis,
/// 95% intervals), the Control / Scaling / Performance table, and each sweep's points.
enum ResultsBlocks {
    static func blocks(_ data: Data) -> [ReportBlock] {
        guard let document = try? JSONDecoder().decode(ResultsDocument.self, from: data) else { return [] }
        var bySweep: [String: [PointSummary]] = [:]
        for (task, summary) in document.results {
            guard let config = document.configs[task] else { continue }
            bySweep["\(config.benchmark)/\(config.sweep)", default: []].append(summary)
        }
        let sweeps = bySweep.keys.sorted().map { (name: $0, points: bySweep[$0]!) }
        var blocks: [ReportBlock] = [
            .lineChart(LineChart.accuracyVsThinkingTokens(title: "Accuracy vs average thinking tokens", sweeps: sweeps)),
            .table(ReportTable.testTimeScaling(document.methods.keys.sorted().map { ($0, document.methods[$0]!.metrics) },
                                               caption: "Control / Scaling / Performance (Table 3 of the paper)")),
            .table(ReportTable.decodingCost(document.methods.keys.sorted().map { ($0, document.methods[$0]!) },
                                            caption: "Decoding cost: every point alone against prefix sharing")),
        ]
        blocks += forcingVerdicts(document)
        for sweep in sweeps {
            blocks.append(.table(ReportTable.sweepPoints(sweep.points.sorted { $0.meanThinkingTokens < $1.meanThinkingTokens },
                                                         caption: sweep.name)))
        }
        return blocks + sampleTraces(document)
    }

    /// Per benchmark, whether the best budget-forcing point beats thinking without intervention (the paper's claim),
    /// said in words with both numbers, whichever way it comes out.
    static func forcingVerdicts(_ document: ResultsDocument) -> [ReportBlock] {
        var lines: [String] = []
        for benchmark in Set(document.configs.values.map(\.benchmark)).sorted() {
            let tasks = document.configs.filter { $0.value.benchmark == benchmark }
            let unforced = tasks.first { $0.value.sweep == ResultsDocument.unforcedSweep }.flatMap { document.results[$0.key] }
            let forced = tasks.filter { $0.value.parameters["method"] == "forcing" && $0.value.parameters["max_thinking_tokens"] != nil }
                .compactMap { task in document.results[task.key].map { (task: task.key, summary: $0) } }
                .max { ($0.summary.accuracy, $1.task) < ($1.summary.accuracy, $0.task) }
            guard let unforced, let forced else { continue }
            let difference = forced.summary.accuracy - unforced.accuracy
            let verdict = difference > 0 ? "beats" : difference == 0 ? "ties" : "falls short of"
            lines.append("\(benchmark): the best budget-forcing point (\(forced.task), \(ReportNumber.significant(forced.summary.accuracy))% "
                + "at \(ReportNumber.significant(forced.summary.meanThinkingTokens)) thinking tokens) \(verdict) no forcing "
                + "(\(ReportNumber.significant(unforced.accuracy))% at \(ReportNumber.significant(unforced.meanThinkingTokens)) tokens)"
                + (difference == 0 ? "." : " by \(ReportNumber.significant(abs(difference))) points."))
        }
        return lines.isEmpty ? [] : [.text(lines.joined(separator: "\n"))]
    }

    /// A forced stop and an ignored end as the model saw them: the first traced sample (tasks in name order) where
    /// the budget ran out, and the first where an end of thinking was replaced by the extension.
    static func sampleTraces(_ document: ResultsDocument) -> [ReportBlock] {
        func kind(_ span: TraceSpan.Kind) -> TraceSegmentKind {
            switch span {
            case .generated: return .generated
            case .forcedAnswer: return .forcedAnswer
            case .wait: return .wait
            case .endOfThinking: return .endOfThinking
            }
        }
        var blocks: [ReportBlock] = []
        for (label, wanted) in [("budget spent, answer forced", { (r: SampleRecord) in r.forcedStops > 0 }),
                                ("end of thinking ignored", { (r: SampleRecord) in r.ignoredEnds > 0 })] {
            let found = document.samples.keys.sorted().lazy.compactMap { task -> (String, SampleRecord)? in
                document.samples[task]?.first { $0.trace != nil && wanted($0) }.map { (task, $0) }
            }.first
            guard let (task, record) = found, let trace = record.trace else { continue }
            blocks.append(.trace(TraceExcerpt(title: "\(task), question \(record.questionID): \(label)",
                                              segments: trace.map { TraceSegment($0.text, kind($0.kind)) })))
        }
        return blocks
    }
}
