// The document model of a run's notebook: one cell per pipeline step, in pipeline order.
// The Runner fills it from run records; the renderers only read it, so rendering never touches files.

/// One key/value row (parameters, environment, provenance). Order is kept as given: callers sort keys
/// when the order must not depend on dictionary iteration.
public struct KeyValue: Equatable, Sendable {
    /// The key, e.g. `train.lr`.
    public var key: String
    /// The value as already formatted text.
    public var value: String

    /// Creates a row.
    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
}

/// A whole report: header, cells in pipeline order, provenance footer.
public struct ReportDocument: Equatable, Sendable {
    /// Title shown at the top (e.g. the experiment name).
    public var title: String
    /// The run id.
    public var runID: String
    /// The archive id, when the run has been archived (a report inside its own archive cannot name it).
    public var archiveID: String?
    /// Hash of the resolved spec.
    public var specHash: String
    /// Identity of the code that ran (e.g. git commit + dirty flag, or a source hash).
    public var codeIdentity: String
    /// The determinism-relevant environment (backend, device, BLAS threads, ...).
    public var environment: [KeyValue]
    /// One cell per step, in pipeline order.
    public var cells: [ReportCell]
    /// Extra provenance rows for the footer, after the fixed ones.
    public var provenance: [KeyValue]

    /// Creates a document.
    public init(
        title: String, runID: String, archiveID: String? = nil, specHash: String, codeIdentity: String,
        environment: [KeyValue] = [], cells: [ReportCell] = [], provenance: [KeyValue] = []
    ) {
        self.title = title
        self.runID = runID
        self.archiveID = archiveID
        self.specHash = specHash
        self.codeIdentity = codeIdentity
        self.environment = environment
        self.cells = cells
        self.provenance = provenance
    }

    /// The footer rows in display order: the fixed identity rows, then `provenance`, then the environment.
    public var footerRows: [KeyValue] {
        var rows = [KeyValue("spec hash", specHash), KeyValue("run id", runID)]
        rows.append(KeyValue("archive id", archiveID ?? "(not archived)"))
        rows.append(KeyValue("code", codeIdentity))
        rows += provenance
        rows += environment.map { KeyValue("env \($0.key)", $0.value) }
        return rows
    }
}

/// Whether a step's result came from the store or was computed in this run.
public enum CellStatus: String, Equatable, Sendable {
    /// Reused from a complete record in the store.
    case cached
    /// Computed in this run.
    case fresh
}

/// The parameters a step read: a list of rows, or a small table (e.g. a sweep grid).
public enum ReportParameters: Equatable, Sendable {
    /// Key/value rows.
    case rows([KeyValue])
    /// A small table.
    case table(ReportTable)

    /// True when there is nothing to show.
    public var isEmpty: Bool {
        switch self {
        case .rows(let rows): return rows.isEmpty
        case .table(let table): return table.rows.isEmpty && table.header.isEmpty
        }
    }
}

/// One step of the pipeline as a notebook cell.
public struct ReportCell: Equatable, Sendable {
    /// Step name, e.g. `evaluate.budget`.
    public var step: String
    /// Step kind, e.g. `evaluate`.
    public var kind: String
    /// Short form of the step key (a hex prefix).
    public var shortKey: String
    /// Cached or fresh.
    public var status: CellStatus
    /// Duration in seconds: of this run for fresh steps, of the original run for cached ones.
    public var durationSeconds: Double
    /// The parameters the step read.
    public var parameters: ReportParameters
    /// The outputs, top to bottom.
    public var outputs: [ReportBlock]

    /// Creates a cell.
    public init(
        step: String, kind: String, shortKey: String, status: CellStatus, durationSeconds: Double,
        parameters: ReportParameters = .rows([]), outputs: [ReportBlock] = []
    ) {
        self.step = step
        self.kind = kind
        self.shortKey = shortKey
        self.status = status
        self.durationSeconds = durationSeconds
        self.parameters = parameters
        self.outputs = outputs
    }
}
