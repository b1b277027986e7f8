import Foundation
import S1Store

/// Executes a plan against a content-addressed store: reuses every step whose key has a complete record, runs the
/// rest in topological order, and commits each result atomically so that a crash at any moment loses only the step
/// in flight.
public final class RunExecutor {
    public let store: ContentStore
    public let storeRoot: URL
    public let registry: StepRegistry
    public let code: CodeIdentity
    public let environment: ExecutionEnvironment
    public let sink: ProgressSink
    private let records: StepRecordStore
    /// Skips rehashing user files whose size, mtime and inode are unchanged (a 60 GB checkpoint, say).
    private let statCache: StatCache

    public init(storeRoot: URL, registry: StepRegistry, code: CodeIdentity, environment: ExecutionEnvironment,
                sink: ProgressSink) throws {
        self.storeRoot = storeRoot
        self.store = try ContentStore(root: storeRoot)
        self.registry = registry
        self.code = code
        self.environment = environment
        self.sink = sink
        self.records = StepRecordStore(root: storeRoot)
        self.statCache = StatCache(storeRoot: storeRoot)
    }

    /// What the run will do: per step, cached or why it will run.
    public func status(of plan: Plan, context: PlanContext) -> [StepStatus] {
        var resolvedOutputs: [String: StepRecord] = [:]
        var statuses: [StepStatus] = []
        let lastKeys = records.lastKeys(experiment: context.experimentName)
        for step in plan.steps {
            let material: StepKeyMaterial
            switch keyMaterial(for: step, context: context, upstream: resolvedOutputs) {
            case .failure(.waitingFor):
                // Name the latest unresolved upstream step in plan order: the one this step directly waits for.
                let pending = step.upstreamSteps.filter { resolvedOutputs[$0] == nil }
                let nearest = plan.steps.last { pending.contains($0.name) }?.name ?? pending.first ?? ""
                statuses.append(StepStatus(step: step, key: nil, state: .waitingFor(nearest)))
                continue
            case .failure(let blocked):
                statuses.append(StepStatus(step: step, key: nil, state: blocked))
                continue
            case .success(let computed):
                material = computed
            }
            guard let key = try? material.key() else {
                statuses.append(StepStatus(step: step, key: nil, state: .missingInput("its parameters hold a non-finite number")))
                continue
            }
            if let record = completeRecord(for: key) {
                resolvedOutputs[step.name] = record
                statuses.append(StepStatus(step: step, key: key, state: .cached))
            } else {
                let reason = MissExplanation.reason(step: step, newMaterial: material,
                                                    previousKey: lastKeys[step.name], records: records, store: store)
                statuses.append(StepStatus(step: step, key: key, state: .willRun(reason: reason)))
            }
        }
        try? statCache.save()
        return statuses
    }

    /// Runs the plan (or the part selected by `selection`) and returns the outcome of every step it touched.
    public func execute(_ plan: Plan, context: PlanContext, selection: StepSelection = .all,
                        recompute: Bool = false) throws -> [StepOutcome] {
        let lock = try StoreLock.acquire(root: storeRoot, exclusive: true, wait: true)
        defer { lock.close() }
        try removeAbandonedTemporaries()

        let wanted = try selection.stepNames(in: plan)
        var done: [String: StepRecord] = [:]
        var outcomes: [StepOutcome] = []
        var newKeys: [String: Digest] = [:]
        defer {
            try? records.updateLastKeys(experiment: context.experimentName, newKeys)
            try? statCache.save()
        }

        for step in plan.steps where wanted.contains(step.name) {
            let material: StepKeyMaterial
            let useIndex: Bool
            if case .only = selection { useIndex = true } else { useIndex = false }
            switch keyMaterial(for: step, context: context, upstream: done, useIndex: useIndex) {
            case .failure(let blocked):
                let message: String
                switch blocked {
                case .missingInput(let what): message = "missing input: \(what)"
                case .waitingFor(let upstream):
                    message = "its input step '\(upstream)' has no result; run it first (or drop --only)"
                default: message = "cannot run"
                }
                sink.event(.stepFailed(name: step.name, message: message))
                throw StepFailure(step: step.name, message: message)
            case .success(let computed):
                material = computed
            }
            let key = try material.key()
            newKeys[step.name] = key
            let started = Date()
            if !recompute, let record = completeRecord(for: key) {
                sink.event(.stepStarted(name: step.name, kind: step.kind, cached: true, reason: nil))
                sink.event(.stepFinished(name: step.name, cached: true, seconds: Date().timeIntervalSince(started)))
                done[step.name] = record
                outcomes.append(outcome(step, record, cached: true, seconds: Date().timeIntervalSince(started)))
                continue
            }
            let record = try runFresh(step, material: material, context: context, upstream: done)
            done[step.name] = record
            outcomes.append(outcome(step, record, cached: false, seconds: record.seconds))
        }
        return outcomes
    }

    // MARK: - one step

    private func runFresh(_ step: PlannedStep, material: StepKeyMaterial, context: PlanContext,
                          upstream: [String: StepRecord]) throws -> StepRecord {
        guard let executor = registry.executor(for: step.kind) else {
            let message = "no executor for step kind '\(step.kind)' in this build; known kinds: \(registry.kinds.joined(separator: ", "))"
            sink.event(.stepFailed(name: step.name, message: message))
            throw StepFailure(step: step.name, message: message)
        }
        sink.event(.stepStarted(name: step.name, kind: step.kind, cached: false, reason: nil))
        let started = Date()
        let scratch = storeRoot.appendingPathComponent("tmp")
            .appendingPathComponent("\(try material.key().hex.prefix(16))-\(getpid())")
        let outputDirectory = scratch.appendingPathComponent("out")
        try? FileManager.default.removeItem(at: scratch)
        try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }

        var logLines: [String] = []
        let logLock = NSLock()
        let stepContext = StepContext(
            step: step, seed: material.seed, inputs: try inputURLs(for: step, context: context, upstream: upstream),
            outputDirectory: outputDirectory, progress: StepProgress(name: step.name, sink: sink),
            backendName: environment.backend, log: { line in logLock.withLock { logLines.append(line) } })
        do {
            try executor.run(stepContext)
        } catch {
            sink.event(.stepFailed(name: step.name, message: "\(error)"))
            throw error
        }
        let seconds = Date().timeIntervalSince(started)

        // Outputs enter the store first; the record that makes them visible is written last.
        var outputs: [StepOutput] = []
        for relativePath in try regularFiles(under: outputDirectory, step: step.name) {
            let file = outputDirectory.appendingPathComponent(relativePath)
            let size = try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int64 ?? 0
            outputs.append(StepOutput(path: relativePath, digest: try store.put(fileAt: file), size: size))
        }
        let log = logLines.isEmpty ? nil : try store.put(data: Data((logLines.joined(separator: "\n") + "\n").utf8))
        let record = StepRecord(
            name: step.name, kind: step.kind, key: try material.key(),
            keyMaterial: try store.put(data: try material.canonical.canonicalJSON()),
            inputs: material.inputs, outputs: outputs, seed: String(material.seed), pointLabel: step.pointLabel,
            seconds: seconds, log: log)
        try records.write(record)
        sink.event(.stepFinished(name: step.name, cached: false, seconds: seconds))
        return record
    }

    /// The outcome under this plan's step name: a cached record may have been made by a step of another name
    /// (a variant's step equal to the base's, a renamed sweep) with the same key.
    private func outcome(_ step: PlannedStep, _ record: StepRecord, cached: Bool, seconds: Double) -> StepOutcome {
        StepOutcome(name: step.name, kind: record.kind, key: record.key, cached: cached, seconds: seconds,
                    seed: record.seed, pointLabel: step.pointLabel, outputs: record.outputs)
    }

    /// A record counts only when every object it names is present: a store damaged by hand is recomputed, not trusted.
    private func completeRecord(for key: Digest) -> StepRecord? {
        guard let record = records.record(for: key), record.key == key else { return nil }
        for output in record.outputs where !store.contains(output.digest) { return nil }
        return record
    }

    /// The units a step is built from: its kind's, and its backend's when it computes with one. A kind this build
    /// cannot execute is keyed by every unit (it fails when it runs anyway).
    private func codeUnits(of step: PlannedStep) -> [String] {
        guard let executor = registry.executor(for: step.kind) else { return code.units.keys.sorted() }
        return executor.codeUnits
            + (executor.usesComputeBackend ? ComputeBackends.codeUnits(backend: environment.backend) : [])
    }

    /// `useIndex`: with `--only`, upstream steps are not executed, so their latest results come from the index.
    /// Everywhere else an upstream step without a result in `upstream` has not run yet.
    private func keyMaterial(for step: PlannedStep, context: PlanContext, upstream: [String: StepRecord],
                             useIndex: Bool = false) -> Result<StepKeyMaterial, StepState> {
        var digests: [String: Digest] = [:]
        var waitingFor: String?
        // Sorted, so the reported reason never depends on dictionary order; a missing user file outranks waiting,
        // because no amount of running upstream steps will make it appear.
        for (name, source) in step.inputs.sorted(by: { $0.key < $1.key }) {
            switch resolveDigest(source, context: context, upstream: upstream, useIndex: useIndex) {
            case .success(let digest): digests[name] = digest
            case .failure(.waitingFor(let upstreamStep)): waitingFor = waitingFor ?? upstreamStep
            case .failure(let other): return .failure(other)
            }
        }
        if let waitingFor { return .failure(.waitingFor(waitingFor)) }
        return .success(StepKeyMaterial(
            kind: step.kind, parameters: step.parameters, inputs: digests,
            seed: context.seeds.seed(step: step.seedBranch), code: code.step(builtFrom: codeUnits(of: step)),
            environment: environment.keyed))
    }

    private func resolveDigest(_ source: StepInputSource, context: PlanContext, upstream: [String: StepRecord],
                               useIndex: Bool) -> Result<Digest, StepState> {
        switch source {
        case .output(let upstreamStep, let file):
            guard let record = upstream[upstreamStep]
                    ?? (useIndex ? lookupCompleted(upstreamStep, context: context) : nil) else {
                return .failure(.waitingFor(upstreamStep))
            }
            guard let output = record.output(file) else {
                return .failure(.missingInput("step '\(upstreamStep)' produced no file '\(file)'"))
            }
            return .success(output.digest)
        case .file(let path):
            let url = context.resolve(path)
            guard FileManager.default.fileExists(atPath: url.path) else {
                return .failure(.missingInput("\(path) (looked for \(url.path))"))
            }
            guard let digest = try? statCache.digest(ofFile: url.path) else {
                return .failure(.missingInput("\(path) could not be read"))
            }
            return .success(digest)
        case .directory(let path):
            let url = context.resolve(path)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                return .failure(.missingInput("\(path)/ (looked for the folder \(url.path))"))
            }
            guard let manifest = try? Manifest.build(directory: url, excluding: [], statCache: statCache),
                  let encoded = try? manifest.encoded() else {
                return .failure(.missingInput("\(path)/ could not be read"))
            }
            return .success(ContentHasher.digest(of: encoded))
        }
    }

    /// With `--only`, upstream steps are not executed; their results come from the store via the index.
    private func lookupCompleted(_ stepName: String, context: PlanContext) -> StepRecord? {
        guard let key = records.lastKeys(experiment: context.experimentName)[stepName] else { return nil }
        return completeRecord(for: key)
    }

    private func inputURLs(for step: PlannedStep, context: PlanContext,
                           upstream: [String: StepRecord]) throws -> [String: URL] {
        var urls: [String: URL] = [:]
        for (name, source) in step.inputs {
            switch source {
            case .output(let upstreamStep, let file):
                guard let record = upstream[upstreamStep] ?? lookupCompleted(upstreamStep, context: context),
                      let output = record.output(file) else {
                    throw StepFailure(step: step.name, message: "input '\(name)' from step '\(upstreamStep)' is missing")
                }
                urls[name] = store.path(for: output.digest)
            case .file(let path), .directory(let path):
                urls[name] = context.resolve(path)
            }
        }
        return urls
    }

    private func regularFiles(under directory: URL, step: String) throws -> [String] {
        var files: [String] = []
        let base = directory.standardizedFileURL.path
        guard let walker = FileManager.default.enumerator(atPath: base) else { return [] }
        while let relative = walker.nextObject() as? String {
            let attributes = try FileManager.default.attributesOfItem(atPath: base + "/" + relative)
            switch attributes[.type] as? FileAttributeType {
            case .typeRegular?: files.append(relative)
            case .typeDirectory?: continue
            default:
                throw StepFailure(step: step, message: "output '\(relative)' is not a regular file; steps may write only files and folders")
            }
        }
        return files.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    /// Temporaries left by a process killed mid-step. Safe to remove: we hold the exclusive store lock.
    private func removeAbandonedTemporaries() throws {
        let tmp = storeRoot.appendingPathComponent("tmp")
        try? FileManager.default.removeItem(at: tmp)
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    }
}

/// Where a plan's relative paths resolve, its seed tree, and its name for the step index.
public struct PlanContext: Sendable {
    public let experimentName: String
    public let baseDirectory: URL
    public let seeds: SeedTree

    /// Spec path → where its bytes are, for runs restored from an archive (inputs come from the archive's store).
    public let inputLocations: [String: URL]

    public init(experimentName: String, baseDirectory: URL, seeds: SeedTree, inputLocations: [String: URL] = [:]) {
        self.experimentName = experimentName
        self.baseDirectory = baseDirectory
        self.seeds = seeds
        self.inputLocations = inputLocations
    }

    public func resolve(_ path: String) -> URL {
        if let restored = inputLocations[path] { return restored }
        return path.hasPrefix("/") ? URL(fileURLWithPath: path) : baseDirectory.appendingPathComponent(path)
    }
}

/// Which steps an invocation executes.
public enum StepSelection: Sendable {
    case all
    /// The step (or group) and everything it depends on.
    case until(String)
    /// Only these steps; their inputs must already be in the store.
    case only(String)

    /// Nil for the whole plan; otherwise `until <step>` or `only <step>`, the form `init(recorded:)` reads back.
    public var recorded: String? {
        switch self {
        case .all: return nil
        case .until(let step): return "until \(step)"
        case .only(let step): return "only \(step)"
        }
    }

    public init(recorded: String?) {
        guard let recorded else { self = .all; return }
        let parts = recorded.split(separator: " ", maxSplits: 1).map(String.init)
        switch (parts.first, parts.count) {
        case ("until", 2): self = .until(parts[1])
        case ("only", 2): self = .only(parts[1])
        default: self = .all
        }
    }

    func stepNames(in plan: Plan) throws -> Set<String> {
        switch self {
        case .all:
            return Set(plan.steps.map(\.name))
        case .until(let selector):
            var names: Set<String> = []
            for name in try plan.names(matching: selector) {
                names.formUnion(try plan.closure(of: name).map(\.name))
            }
            return names
        case .only(let selector):
            return Set(try plan.names(matching: selector))
        }
    }
}

public enum StepState: Error, Equatable, Sendable {
    case cached
    case willRun(reason: String)
    /// An upstream step has not run yet, so this step's key cannot be known.
    case waitingFor(String)
    case missingInput(String)
}

public struct StepStatus: Sendable {
    public let step: PlannedStep
    public let key: Digest?
    public let state: StepState
}
