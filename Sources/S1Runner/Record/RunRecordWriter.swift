import Foundation
import S1Report
import S1Store

/// Writes `runs/<run-id>/` for a finished run: the resolved spec, the record, the environment, the step records
/// with every object they name, the published files, and last the manifest whose digest names the run.
public struct RunRecordWriter {
    public let storeRoot: URL

    public init(storeRoot: URL) {
        self.storeRoot = storeRoot
    }

    public struct Inputs {
        public let experiment: String
        public let specYAML: String
        public let rootSeed: UInt64
        public let code: CodeIdentity
        public let environment: ExecutionEnvironment
        public let outcomes: [StepOutcome]
        /// Input files named by the spec: path as written → digest.
        public let inputFiles: [String: Digest]
        public let published: [String: PublishedOutput]
        /// `until select`, `only train`; nil for a whole plan.
        public let selection: String?
        /// `html`, `md`: the report files to write.
        public let reportFormats: [String]

        public init(experiment: String, specYAML: String, rootSeed: UInt64, code: CodeIdentity,
                    environment: ExecutionEnvironment, outcomes: [StepOutcome], inputFiles: [String: Digest],
                    published: [String: PublishedOutput], selection: String? = nil, reportFormats: [String] = []) {
            self.experiment = experiment
            self.specYAML = specYAML
            self.rootSeed = rootSeed
            self.code = code
            self.environment = environment
            self.outcomes = outcomes
            self.inputFiles = inputFiles
            self.published = published
            self.selection = selection
            self.reportFormats = reportFormats
        }
    }

    /// Builds the run in a temporary folder and renames it into place, so `runs/` never holds half a run.
    public func write(_ inputs: Inputs, includeInputBytes: Bool = true) throws -> RunDirectory {
        let store = try ContentStore(root: storeRoot)
        let runs = storeRoot.appendingPathComponent("runs")
        let staging = storeRoot.appendingPathComponent("tmp").appendingPathComponent("run-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: staging) }

        let specData = Data(inputs.specYAML.utf8)
        try specData.write(to: staging.appendingPathComponent(RunDirectory.specFile))

        // The run's slice of the store: records, their outputs, logs and key materials.
        let runStore = try ContentStore(root: staging.appendingPathComponent(RunDirectory.storeFolder))
        let records = StepRecordStore(root: storeRoot)
        let runRecords = StepRecordStore(root: staging.appendingPathComponent(RunDirectory.storeFolder))
        for outcome in inputs.outcomes {
            guard let record = records.record(for: outcome.key) else {
                throw StepFailure(step: outcome.name, message: "its record vanished from the store while the run was written")
            }
            try runRecords.write(record)
            var objects = record.outputs.map(\.digest) + [record.keyMaterial]
            if let log = record.log { objects.append(log) }
            for digest in objects { try copyObject(digest, from: store, to: runStore) }
        }
        var runInputs: [RunInput] = []
        for (path, digest) in inputs.inputFiles.sorted(by: { $0.key < $1.key }) {
            let included = includeInputBytes && store.contains(digest)
            if included { try copyObject(digest, from: store, to: runStore) }
            runInputs.append(RunInput(path: path, digest: digest, included: included))
        }
        for (name, source) in inputs.published.sorted(by: { $0.key < $1.key }) {
            guard let outcome = inputs.outcomes.first(where: { $0.name == source.step }),
                  let output = outcome.outputs.first(where: { $0.path == source.file }) else { continue }
            try copyFile(store.path(for: output.digest), to: staging.appendingPathComponent(name))
        }

        let record = RunRecord(
            experiment: inputs.experiment, toolVersion: inputs.code.toolVersion, code: inputs.code,
            spec: ContentHasher.digest(of: specData), rootSeed: String(inputs.rootSeed), steps: inputs.outcomes,
            inputs: runInputs, published: inputs.published, selection: inputs.selection)
        try StepRecord.encoder.encode(record).write(to: staging.appendingPathComponent(RunDirectory.recordFile))
        try inputs.environment.described.canonicalJSON()
            .write(to: staging.appendingPathComponent(RunDirectory.environmentFile))

        // The notebook of the run, under the manifest like everything else.
        let report = RunReportBuilder(store: store, records: records).document(
            experiment: inputs.experiment, specDigest: record.spec, code: inputs.code, environment: inputs.environment,
            outcomes: inputs.outcomes)
        if inputs.reportFormats.contains("html") {
            try Data(HTMLReport.render(report).utf8).write(to: staging.appendingPathComponent("report.html"))
        }
        if inputs.reportFormats.contains("md") {
            try Data(MarkdownReport.render(report).utf8).write(to: staging.appendingPathComponent("report.md"))
        }

        let manifest = try Manifest.build(directory: staging)
        let manifestData = try manifest.encoded()
        try manifestData.write(to: staging.appendingPathComponent(RunDirectory.manifestFile))
        let runID = Manifest.runID(manifestBytes: manifestData)

        try FileManager.default.createDirectory(at: runs, withIntermediateDirectories: true)
        let final = runs.appendingPathComponent(runID)
        if FileManager.default.fileExists(atPath: final.path) {
            // Same manifest bytes, same content: the run is already recorded.
            return try RunDirectory(url: final)
        }
        try FileManager.default.moveItem(at: staging, to: final)
        return try RunDirectory(url: final)
    }

    private func copyObject(_ digest: Digest, from source: ContentStore, to destination: ContentStore) throws {
        let target = destination.path(for: digest)
        guard !FileManager.default.fileExists(atPath: target.path) else { return }
        try copyFile(source.path(for: digest), to: target)
    }

    /// Hard links where the file system allows (runs share bytes with the store), copies otherwise.
    private func copyFile(_ source: URL, to target: URL) throws {
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        if (try? FileManager.default.linkItem(at: source, to: target)) == nil {
            try FileManager.default.copyItem(at: source, to: target)
        }
    }
}
