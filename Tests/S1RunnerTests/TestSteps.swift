import Foundation
import S1Runner
import S1Store

/// Small step kinds that do real work on files, for testing the runner without the engine.

/// Writes `text` (a parameter), repeated `times`, to `out.txt`.
struct WriteTextStep: StepExecutor {
    let kind = "write-text"
    struct Parameters: Decodable { let text: String; let times: Int }
    func run(_ context: StepContext) throws {
        let parameters = try context.parameters(as: Parameters.self)
        try context.writeOutput("out.txt", Data(String(repeating: parameters.text, count: parameters.times).utf8))
        context.log("wrote \(parameters.times) copies")
    }
}

/// Concatenates its inputs in name order, upper-cased, into `joined.txt`, and the seed into `seed.txt`.
struct JoinStep: StepExecutor {
    let kind = "join"
    func run(_ context: StepContext) throws {
        var joined = ""
        for name in context.inputs.keys.sorted() {
            joined += try String(contentsOf: context.input(name), encoding: .utf8).uppercased()
        }
        try context.writeOutput("joined.txt", Data(joined.utf8))
        try context.writeOutput("nested/seed.txt", Data(String(context.seed).utf8))
    }
}

/// Always fails, after writing a partial output: the runner must not cache anything of it.
struct FailingStep: StepExecutor {
    let kind = "fail"
    func run(_ context: StepContext) throws {
        try context.writeOutput("partial.txt", Data("half".utf8))
        throw StepFailure(step: context.step.name, message: "deliberate failure")
    }
}

/// Counts its executions in a file outside the store, so tests can see what actually ran.
final class ExecutionCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [String: Int] = [:]
    func hit(_ name: String) { lock.withLock { counts[name, default: 0] += 1 } }
    func count(_ name: String) -> Int { lock.withLock { counts[name, default: 0] } }
}

struct CountingStep: StepExecutor {
    let inner: any StepExecutor
    let counter: ExecutionCounter
    var kind: String { inner.kind }
    func run(_ context: StepContext) throws {
        counter.hit(context.step.name)
        try inner.run(context)
    }
}

/// Collects events, for asserting what a run reported.
final class RecordingSink: ProgressSink, @unchecked Sendable {
    private let lock = NSLock()
    private(set) var events: [RunEvent] = []
    func event(_ event: RunEvent) { lock.withLock { events.append(event) } }
}

func temporaryDirectory(_ label: String = #function) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("s1-runner-tests-\(getpid())-\(label.filter { $0.isLetter })-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
