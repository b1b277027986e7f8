import Foundation
import S1Engine
import S1Store

/// Runs one kind of step. The data, engine, method and report layers each contribute kinds; the runner knows them
/// only through this protocol, so a test can register a small kind that does real work on files.
public protocol StepExecutor: Sendable {
    /// The `kind` of the planned steps this executor runs.
    var kind: String { get }
    /// Reads inputs from `context.inputs`, writes every output file into `context.outputDirectory`.
    /// Throwing leaves nothing in the store: a failed step is never cached.
    func run(_ context: StepContext) throws
    /// The code units (`CodeIdentity.units`) the kind is built from; their dependencies are added to its key.
    var codeUnits: [String] { get }
    /// Whether the kind trains or decodes on the experiment's compute backend, so that the backend's own module
    /// (S1CUDA for `backend: cuda`) enters its key too.
    var usesComputeBackend: Bool { get }
}

extension StepExecutor {
    /// The step implementations and the modules they import (`StepCodeUnitsTests` checks the imports).
    public var codeUnits: [String] { ["S1Runner/Steps", "S1Spec", "S1Store", "S1Method", "S1Engine"] }
    public var usesComputeBackend: Bool { false }
}

/// What a running step may touch: its parameters, read-only input files, its seed, a folder for outputs, progress.
public final class StepContext: @unchecked Sendable {
    public let step: PlannedStep
    public let seed: UInt64
    /// Input name → readable file (an object in the store, or the user's file). Never write to these.
    public let inputs: [String: URL]
    /// Write outputs here; every regular file in it becomes an output named by its relative path.
    public let outputDirectory: URL
    public let progress: StepProgress
    /// The experiment's `backend:` (cpu, cuda, ...).
    public let backendName: String
    private let logSink: (String) -> Void

    init(step: PlannedStep, seed: UInt64, inputs: [String: URL], outputDirectory: URL, progress: StepProgress,
         backendName: String = "cpu", log: @escaping (String) -> Void) {
        self.step = step
        self.backendName = backendName
        self.seed = seed
        self.inputs = inputs
        self.outputDirectory = outputDirectory
        self.progress = progress
        self.logSink = log
    }

    /// The compute backend that model steps train and decode on (opened on first use, shared by the run).
    public func backend() throws -> any Backend {
        try ComputeBackends.backend(named: backendName)
    }

    /// Decodes the step's parameters into the executor's own typed configuration.
    public func parameters<T: Decodable>(as type: T.Type) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: step.parameters.canonicalJSON())
        } catch {
            throw StepFailure(step: step.name, message: "its parameters do not fit \(T.self): \(error)")
        }
    }

    /// The file of a named input, or a clear failure naming what the step expected.
    public func input(_ name: String) throws -> URL {
        guard let url = inputs[name] else {
            throw StepFailure(step: step.name, message: "input '\(name)' is not wired in the plan; inputs: \(inputs.keys.sorted())")
        }
        return url
    }

    /// Writes one output file atomically.
    public func writeOutput(_ name: String, _ data: Data) throws {
        let url = outputDirectory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    /// A line for the step's log (stored with its record; shown by `s1 show`).
    public func log(_ line: String) {
        logSink(line)
    }
}

/// A step that could not complete, with the reason in words a user can act on.
public struct StepFailure: Error, CustomStringConvertible {
    public let step: String
    public let message: String

    public init(step: String, message: String) {
        self.step = step
        self.message = message
    }

    public var description: String { "step '\(step)' failed: \(message)" }
}

/// The executors a runner knows, by kind.
public struct StepRegistry: Sendable {
    private var executors: [String: any StepExecutor] = [:]

    public init(_ executors: [any StepExecutor] = []) {
        for executor in executors { register(executor) }
    }

    public mutating func register(_ executor: any StepExecutor) {
        executors[executor.kind] = executor
    }

    public func executor(for kind: String) -> (any StepExecutor)? {
        executors[kind]
    }

    public var kinds: [String] { executors.keys.sorted() }
}
