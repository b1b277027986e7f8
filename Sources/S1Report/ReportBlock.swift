// The kinds of output a cell can show.
import Foundation

/// One output block of a cell.
public enum ReportBlock: Equatable, Sendable {
    /// A table.
    case table(ReportTable)
    /// A line chart (e.g. accuracy vs average thinking tokens, loss curves).
    case lineChart(LineChart)
    /// A bar chart (e.g. the selection funnel).
    case barChart(BarChart)
    /// A paragraph of plain text (escaped when rendered; blank lines separate paragraphs).
    case text(String)
    /// A sample's generated text with highlighted insertions.
    case trace(TraceExcerpt)
    /// Key/value rows with an optional heading.
    case keyValues(title: String?, rows: [KeyValue])
}

/// Horizontal alignment of a table column.
public enum ColumnAlignment: String, Equatable, Sendable {
    case left, right, center
}

/// A table of already formatted cells.
public struct ReportTable: Equatable, Sendable {
    /// Column titles.
    public var header: [String]
    /// Rows; a row shorter than the widest is padded with empty cells when rendered.
    public var rows: [[String]]
    /// Optional caption shown above the table.
    public var caption: String?
    /// Explicit alignment per column; `nil` means right for numeric columns, left otherwise.
    public var alignments: [ColumnAlignment]?

    /// Creates a table.
    public init(header: [String], rows: [[String]], caption: String? = nil, alignments: [ColumnAlignment]? = nil) {
        self.header = header
        self.rows = rows
        self.caption = caption
        self.alignments = alignments
    }

    /// The number of columns every rendered row has: the widest of the header and the rows.
    public var columnCount: Int {
        rows.reduce(header.count) { max($0, $1.count) }
    }

    /// The header padded to `columnCount`.
    public var paddedHeader: [String] { Self.pad(header, to: columnCount) }

    /// The rows padded to `columnCount`.
    public var paddedRows: [[String]] { rows.map { Self.pad($0, to: columnCount) } }

    /// The alignment of each column: the explicit one when given, else right for columns whose
    /// non-empty cells all read as numbers (so digits line up), left otherwise.
    public var resolvedAlignments: [ColumnAlignment] {
        (0..<columnCount).map { column in
            if let alignments, column < alignments.count { return alignments[column] }
            let cells = rows.compactMap { column < $0.count ? $0[column] : nil }.filter { !$0.isEmpty }
            return !cells.isEmpty && cells.allSatisfy(Self.looksNumeric) ? .right : .left
        }
    }

    /// True for cells such as `12`, `-0.5`, `56.7%`, `1.2e-3`, `0.61 ± 0.03`, `—`.
    public static func looksNumeric(_ cell: String) -> Bool {
        let trimmed = cell.trimmingCharacters(in: .whitespaces)
        if trimmed == "—" || trimmed == "-" { return true }
        let parts = trimmed.components(separatedBy: "±").map { $0.trimmingCharacters(in: .whitespaces) }
        return parts.allSatisfy { part in
            var core = Substring(part)
            if core.hasSuffix("%") { core = core.dropLast() }
            return !core.isEmpty && Double(core) != nil
        }
    }

    private static func pad(_ row: [String], to count: Int) -> [String] {
        row.count >= count ? row : row + Array(repeating: "", count: count - row.count)
    }
}
