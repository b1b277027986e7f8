import Foundation
import S1Spec
import S1Store

/// `s1 rerun ARCHIVE [--set k=v]… [--recompute]`: restore a run into the local store, rerun what changed (or
/// everything), and say per step whether the result is identical and per metric what moved.
extension Workspace {
    public struct RerunReport {
        public let original: RunRecord
        public let rerun: RunDirectory
        public let steps: [StepComparison]
        public let metrics: [JSONDifference]
    }

    public struct StepComparison: Equatable {
        public enum Verdict: String { case identical, diverged, added, removed }
        public let name: String
        public let verdict: Verdict
        /// True when this invocation executed the step (rather than reusing a stored result).
        public let executed: Bool
    }

    /// Brings a run's store slice (records, outputs, inputs) into the local store, so unchanged steps are cached.
    public func restore(_ run: RunDirectory) throws {
        let source = try ContentStore(root: run.store)
        let target = try ContentStore(root: storeRoot)
        let lock = try StoreLock.acquire(root: storeRoot, exclusive: true, wait: true)
        defer { lock.close() }
        for digest in try source.allObjects() where !target.contains(digest) {
            let stored = try target.put(fileAt: source.path(for: digest))
            guard stored == digest else {
                throw RunArchiveProblem.corrupt("object \(digest) in the run's store hashes to \(stored)")
            }
        }
        let sourceRecords = StepRecordStore(root: run.store), targetRecords = StepRecordStore(root: storeRoot)
        for keyHex in sourceRecords.allRecordKeys() {
            guard let key = Digest(parsing: "sha256:" + keyHex), let record = sourceRecords.record(for: key) else { continue }
            if targetRecords.record(for: key) == nil { try targetRecords.write(record) }
        }
    }

    /// Verifies and extracts an archive (or takes a run folder), restores it, and reruns it with the overrides.
    public func rerun(_ reference: String, overrides: [String], recompute: Bool, sink: ProgressSink) throws -> RerunReport {
        let original = try openRun(reference)
        defer { original.cleanup() }
        try restore(original.run)
        let record = try original.run.record()

        var inputLocations: [String: URL] = [:]
        let archived = try ContentStore(root: original.run.store)
        for input in record.inputs where input.included {
            inputLocations[input.path] = archived.path(for: input.digest)
        }
        let spec = try SpecLoader.load(text: try original.run.specText(), fileName: "\(original.run.runID)/spec.yaml",
                                       baseDirectory: FileManager.default.currentDirectoryPath, overrides: overrides)
        var prepared = try prepare(spec: spec)
        prepared = Prepared(spec: prepared.spec, experimentPlan: prepared.experimentPlan,
                            context: PlanContext(experimentName: prepared.context.experimentName,
                                                 baseDirectory: prepared.context.baseDirectory,
                                                 seeds: prepared.context.seeds, inputLocations: inputLocations),
                            environment: prepared.environment)
        let result = try run(prepared, selection: StepSelection(recorded: record.selection), recompute: recompute, sink: sink)
        guard let newRun = result.run else { throw StepFailure(step: "rerun", message: "the rerun wrote no run record") }
        let newRecord = try newRun.record()
        return RerunReport(original: record, rerun: newRun,
                           steps: Self.compareSteps(old: record, new: newRecord),
                           metrics: JSONDifference.between(original.run.results(), newRun.results()))
    }

    static func compareSteps(old: RunRecord, new: RunRecord) -> [StepComparison] {
        var comparisons: [StepComparison] = []
        for step in new.steps {
            let executed = !step.cached
            guard let before = old.step(named: step.name) else {
                comparisons.append(StepComparison(name: step.name, verdict: .added, executed: executed))
                continue
            }
            let same = before.outputs.map(\.digest) == step.outputs.map(\.digest)
                && before.outputs.map(\.path) == step.outputs.map(\.path)
            comparisons.append(StepComparison(name: step.name, verdict: same ? .identical : .diverged, executed: executed))
        }
        for step in old.steps where new.step(named: step.name) == nil {
            comparisons.append(StepComparison(name: step.name, verdict: .removed, executed: false))
        }
        return comparisons
    }

    /// A run given as an id, a folder, or an archive file (extracted to a scratch folder after verification).
    public struct OpenedRun {
        public let run: RunDirectory
        let scratch: URL?
        func cleanup() { if let scratch { try? FileManager.default.removeItem(at: scratch) } }
    }

    public func openRun(_ reference: String) throws -> OpenedRun {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: reference, isDirectory: &isDirectory), !isDirectory.boolValue else {
            return OpenedRun(run: try findRun(reference), scratch: nil)
        }
        let archive = URL(fileURLWithPath: reference)
        let verification = try RunArchive.verify(archive)
        guard verification.isValid else {
            throw RunArchiveProblem.corrupt("\(reference) fails verification:\n\(verification)")
        }
        let scratch = storeRoot.appendingPathComponent("tmp").appendingPathComponent("open-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        do {
            let roots = try RunArchive.extract(archive, into: scratch)
            let rootNames = Set(roots.compactMap { $0.split(separator: "/").first.map(String.init) })
            guard rootNames.count == 1, let root = rootNames.first else {
                throw RunArchiveProblem.corrupt("\(reference) should hold one run folder, found: \(rootNames.sorted())")
            }
            return OpenedRun(run: try RunDirectory(url: scratch.appendingPathComponent(root)), scratch: scratch)
        } catch {
            try? FileManager.default.removeItem(at: scratch)
            throw error
        }
    }
}

public enum RunArchiveProblem: Error, CustomStringConvertible {
    case corrupt(String)
    public var description: String {
        switch self {
        case .corrupt(let message): return message
        }
    }
}
