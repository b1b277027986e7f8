import Foundation
import S1Runner
import S1Store
import XCTest

final class RunExecutorTests: XCTestCase {
    var root: URL!
    var counter: ExecutionCounter!

    override func setUpWithError() throws {
        root = try temporaryDirectory()
        counter = ExecutionCounter()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    private func executor() throws -> RunExecutor {
        let kinds: [any StepExecutor] = [WriteTextStep(), JoinStep(), FailingStep()]
        let registry = StepRegistry(kinds.map { CountingStep(inner: $0, counter: counter) })
        return try RunExecutor(storeRoot: root.appendingPathComponent("store"), registry: registry,
                               code: CodeIdentity(toolVersion: "test", compiler: "test", configuration: "test",
                                                  units: ["S1Runner/Steps": "0", "S1Method": "1"], dependencies: [:]),
                               environment: ExecutionEnvironment(backend: "cpu", architecture: "test"),
                               sink: RecordingSink())
    }

    private func plan(text: String = "a", extra: [PlannedStep] = []) throws -> Plan {
        try Plan(steps: [
            PlannedStep(name: "left", kind: "write-text",
                        parameters: .object(["text": .string(text), "times": .int(3)])),
            PlannedStep(name: "right", kind: "write-text",
                        parameters: .object(["text": .string("b"), "times": .int(2)])),
            PlannedStep(name: "join", kind: "join",
                        parameters: .object([:]),
                        inputs: ["1": .output(step: "left", file: "out.txt"), "2": .output(step: "right", file: "out.txt")]),
        ] + extra)
    }

    private var context: PlanContext {
        PlanContext(experimentName: "test", baseDirectory: root, seeds: SeedTree(root: 7))
    }

    func testExecutesInOrderAndWritesOutputsByContent() throws {
        let outcomes = try executor().execute(try plan(), context: context)
        XCTAssertEqual(outcomes.map(\.name), ["left", "right", "join"])
        XCTAssertEqual(outcomes.map(\.cached), [false, false, false])
        let join = try XCTUnwrap(outcomes.last)
        XCTAssertEqual(join.outputs.map(\.path), ["joined.txt", "nested/seed.txt"])
        let store = try ContentStore(root: root.appendingPathComponent("store"))
        let joined = try store.data(for: join.outputs[0].digest)
        XCTAssertEqual(String(decoding: joined, as: UTF8.self), "AAABB")
        XCTAssertEqual(join.outputs[0].digest, ContentHasher.digest(of: Data("AAABB".utf8)))
    }

    func testSecondExecutionIsFullyCached() throws {
        _ = try executor().execute(try plan(), context: context)
        let again = try executor().execute(try plan(), context: context)
        XCTAssertEqual(again.map(\.cached), [true, true, true])
        XCTAssertEqual(counter.count("join"), 1)
    }

    func testChangingAParameterRerunsOnlyThatStepAndItsDependents() throws {
        _ = try executor().execute(try plan(text: "a"), context: context)
        let statuses = try executor().status(of: try plan(text: "z"), context: context)
        XCTAssertEqual(statuses[1].state, .cached)
        guard case .willRun(let reason) = statuses[0].state else { return XCTFail("left should rerun: \(statuses[0].state)") }
        XCTAssertTrue(reason.contains("parameters.text: \"a\" → \"z\""), reason)
        XCTAssertEqual(statuses[2].state, .waitingFor("left"))

        let outcomes = try executor().execute(try plan(text: "z"), context: context)
        XCTAssertEqual(outcomes.map(\.cached), [false, true, false])
        XCTAssertEqual(counter.count("right"), 1)
        XCTAssertEqual(counter.count("left"), 2)
    }

    func testAFailedStepIsNeverCachedAndLeavesNoTemporaries() throws {
        let failing = try plan(extra: [PlannedStep(name: "boom", kind: "fail", parameters: .object([:]),
                                                   inputs: ["x": .output(step: "join", file: "joined.txt")])])
        XCTAssertThrowsError(try executor().execute(failing, context: context)) { error in
            XCTAssertTrue("\(error)".contains("deliberate failure"))
        }
        XCTAssertThrowsError(try executor().execute(failing, context: context))
        XCTAssertEqual(counter.count("boom"), 2, "a failure must not be cached")
        XCTAssertEqual(counter.count("join"), 1, "completed steps before the failure stay cached")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("store/tmp").path)
        XCTAssertEqual(leftovers, [])
    }

    func testUntilRunsTheClosureAndOnlyNeedsCachedInputs() throws {
        let untilLeft = try executor().execute(try plan(), context: context, selection: .until("left"))
        XCTAssertEqual(untilLeft.map(\.name), ["left"])
        XCTAssertThrowsError(try executor().execute(try plan(), context: context, selection: .only("join"))) { error in
            XCTAssertTrue("\(error)".contains("right"), "\(error)")
        }
        _ = try executor().execute(try plan(), context: context, selection: .until("right"))
        let only = try executor().execute(try plan(), context: context, selection: .only("join"))
        XCTAssertEqual(only.map(\.name), ["join"])
        XCTAssertFalse(only[0].cached)
    }

    func testRecomputeRerunsAndReproducesTheSameDigests() throws {
        let first = try executor().execute(try plan(), context: context)
        let second = try executor().execute(try plan(), context: context, recompute: true)
        XCTAssertEqual(second.map(\.cached), [false, false, false])
        XCTAssertEqual(first.map { $0.outputs.map(\.digest) }, second.map { $0.outputs.map(\.digest) })
    }

    func testSeedsDifferPerStepAndFollowTheRoot() throws {
        let outcomes = try executor().execute(try plan(), context: context)
        XCTAssertNotEqual(outcomes[0].seed, outcomes[1].seed)
        XCTAssertEqual(outcomes[2].seed, String(SeedTree(root: 7).seed(step: "join")))
        let otherRoot = PlanContext(experimentName: "test", baseDirectory: root, seeds: SeedTree(root: 8))
        let other = try executor().execute(try plan(), context: otherRoot)
        XCTAssertEqual(other.map(\.cached), [false, false, false], "a new root seed changes every key")
    }

    func testMissingUserFileIsReportedNotCrashed() throws {
        let withFile = try Plan(steps: [PlannedStep(name: "read", kind: "join", parameters: .object([:]),
                                                    inputs: ["data": .file(path: "data/pool.jsonl")])])
        let statuses = try executor().status(of: withFile, context: context)
        guard case .missingInput(let what) = statuses[0].state else { return XCTFail("\(statuses[0].state)") }
        XCTAssertTrue(what.contains("data/pool.jsonl"))
        XCTAssertThrowsError(try executor().execute(withFile, context: context))
    }

    func testPlanRejectsCyclesAndUnknownSteps() {
        XCTAssertThrowsError(try Plan(steps: [
            PlannedStep(name: "a", kind: "join", parameters: .null, inputs: ["x": .output(step: "b", file: "f")]),
            PlannedStep(name: "b", kind: "join", parameters: .null, inputs: ["x": .output(step: "a", file: "f")]),
        ])) { XCTAssertTrue("\($0)".contains("cycle")) }
        XCTAssertThrowsError(try Plan(steps: [
            PlannedStep(name: "a", kind: "join", parameters: .null, inputs: ["x": .output(step: "nope", file: "f")]),
        ]))
        XCTAssertThrowsError(try plan().closure(of: "jion")) { XCTAssertTrue("\($0)".contains("did you mean 'join'")) }
    }
}
