import Foundation
import S1Spec
import S1Store

/// The operations behind the CLI, on one store (`artifacts/` by default): plan, run, and the review commands.
public struct Workspace {
    public let storeRoot: URL
    public let registry: StepRegistry

    public init(storeRoot: URL, registry: StepRegistry = StandardSteps.registry) {
        self.storeRoot = storeRoot
        self.registry = registry
    }

    /// A spec with its plan and the context its steps run in.
    public struct Prepared {
        public let spec: ResolvedSpec
        public let experimentPlan: ExperimentPlan
        public let context: PlanContext
        public let environment: ExecutionEnvironment
    }

    public func prepare(spec: ResolvedSpec) throws -> Prepared {
        let experimentPlan = try ExperimentPlanner.plan(spec)
        let context = PlanContext(
            experimentName: spec.experiment.name, baseDirectory: URL(fileURLWithPath: spec.baseDirectory),
            seeds: SeedTree(root: UInt64(bitPattern: Int64(spec.experiment.seed))))
        return Prepared(spec: spec, experimentPlan: experimentPlan, context: context,
                        environment: try EnvironmentProbe.environment(backend: spec.experiment.backend.rawValue))
    }

    public func executor(for prepared: Prepared, sink: ProgressSink) throws -> RunExecutor {
        try RunExecutor(storeRoot: storeRoot, registry: registry, code: CodeIdentity.current(),
                        environment: prepared.environment, sink: sink)
    }

    /// `s1 run`: executes the selected steps, then records the run (when the whole plan ran).
    public func run(_ prepared: Prepared, selection: StepSelection, recompute: Bool,
                    sink: ProgressSink) throws -> RunResult {
        let executor = try executor(for: prepared, sink: sink)
        let plan = prepared.experimentPlan.plan
        let outcomes = try executor.execute(plan, context: prepared.context, selection: selection, recompute: recompute)
        var inputFiles: [String: Digest] = [:]
        let store = try ContentStore(root: storeRoot)
        let executed = Set(outcomes.map(\.name))
        for path in prepared.experimentPlan.inputFiles where readers(of: path, in: prepared).contains(where: executed.contains) {
            let url = prepared.context.resolve(path)
            // Inputs join the store so the run can carry them; `archive --inputs digest-only` leaves them out.
            inputFiles[path] = try store.put(fileAt: url)
        }
        let writer = RunRecordWriter(storeRoot: storeRoot)
        let run = try writer.write(.init(
            experiment: prepared.spec.experiment.name, specYAML: prepared.spec.canonicalYAML(),
            rootSeed: UInt64(bitPattern: Int64(prepared.spec.experiment.seed)), code: executor.code, environment: prepared.environment,
            outcomes: outcomes, inputFiles: inputFiles,
            published: prepared.experimentPlan.published.filter { executed.contains($0.value.step) },
            selection: selection.recorded,
            reportFormats: prepared.spec.experiment.report.formats.map(\.rawValue)))
        return RunResult(outcomes: outcomes, run: run)
    }

    /// The steps that read a user file.
    private func readers(of path: String, in prepared: Prepared) -> [String] {
        prepared.experimentPlan.plan.steps.filter { step in
            step.inputs.values.contains { source in
                if case .file(let file) = source { return file == path }
                return false
            }
        }.map(\.name)
    }

    public struct RunResult {
        public let outcomes: [StepOutcome]
        public let run: RunDirectory?
    }

    // MARK: - finding runs

    public var runsDirectory: URL { storeRoot.appendingPathComponent("runs") }

    /// Run ids in the store, oldest first by modification time of their record (ties by id).
    public func runIDs() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: runsDirectory.path)) ?? []
        let dated = names.compactMap { name -> (String, Date)? in
            let record = runsDirectory.appendingPathComponent(name).appendingPathComponent(RunDirectory.recordFile)
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: record.path),
                  let date = attributes[.modificationDate] as? Date else { return nil }
            return (name, date)
        }
        return dated.sorted { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }.map(\.0)
    }

    /// A run by id, unique id prefix, `latest`, or a path to a run folder.
    public func findRun(_ reference: String) throws -> RunDirectory {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: reference, isDirectory: &isDirectory), isDirectory.boolValue {
            return try RunDirectory(url: URL(fileURLWithPath: reference))
        }
        let ids = runIDs()
        if reference == "latest", let last = ids.last {
            return try RunDirectory(url: runsDirectory.appendingPathComponent(last))
        }
        let matches = ids.filter { $0.hasPrefix(reference) }
        guard matches.count == 1 else {
            if matches.count > 1 {
                throw RunLookupError.unreadable(reference, "the prefix matches \(matches.count) runs; give more characters")
            }
            throw RunLookupError.noSuchRun(reference, available: ids)
        }
        return try RunDirectory(url: runsDirectory.appendingPathComponent(matches[0]))
    }
}
