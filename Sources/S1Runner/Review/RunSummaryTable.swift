import Foundation
import S1Method
import S1Report

/// The terminal view of a run's `results.json`: one row per method or sweep, one column per metric.
public enum RunSummaryTable {
    /// Nil when the run published no results (for example a run that stops after data selection).
    public static func render(_ run: RunDirectory) -> String? {
        let parts = [methodsTable(run), run.variantComparison().map(variantsTable)].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: "\n\n")
    }

    /// One row per configuration of an experiment with `variants:` (the report's side-by-side table).
    static func variantsTable(_ comparison: VariantComparison) -> String {
        let table = ReportTable.variantComparison(comparison)
        return aligned([table.header] + table.rows)
    }

    private static func methodsTable(_ run: RunDirectory) -> String? {
        guard let results = run.results() as? [String: Any] else { return nil }
        // Table 3 of the paper: one row per method (benchmark/sweep) with Control, Scaling and Performance.
        if let methods = results["methods"] as? [String: [String: Any]], !methods.isEmpty {
            let flattened = methods.mapValues { $0["metrics"] as? [String: Any] ?? [:] }
            return table(flattened)
        }
        guard let rows = results["results"] as? [String: Any], !rows.isEmpty else { return nil }
        return table(rows)
    }

    private static func table(_ rows: [String: Any]) -> String? {
        let names = rows.keys.sorted()
        var columns: [String] = []
        for name in names {
            guard let metrics = rows[name] as? [String: Any] else { continue }
            for (metric, value) in metrics where value is NSNumber && !columns.contains(metric) { columns.append(metric) }
        }
        columns.sort()
        var table = [["method"] + columns]
        for name in names {
            let metrics = rows[name] as? [String: Any] ?? [:]
            table.append([name] + columns.map { column in
                guard let number = metrics[column] as? NSNumber else { return "—" }
                return String(format: "%.3g", number.doubleValue)
            })
        }
        return aligned(table)
    }

    /// Rows as columns padded to their widest cell.
    private static func aligned(_ table: [[String]]) -> String {
        let widths = (0..<table[0].count).map { column in table.map { $0[column].count }.max() ?? 0 }
        return table.map { row in
            zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// `s1 show --json`: the run record and the results, as one JSON object with sorted keys.
    public static func json(_ run: RunDirectory) throws -> String {
        let record = try JSONSerialization.jsonObject(with: try StepRecord.encoder.encode(try run.record()))
        var object: [String: Any] = ["run_id": run.runID, "run": record]
        if let results = run.results() { object["results"] = results }
        if let data = try? Data(contentsOf: run.url.appendingPathComponent("variants.json")),
           let variants = try? JSONSerialization.jsonObject(with: data) {
            object["variants"] = variants
        }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
        return String(decoding: data, as: UTF8.self)
    }
}
