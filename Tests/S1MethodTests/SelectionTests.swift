import Foundation
import XCTest
import S1Engine
import S1Method

/// Algorithm 1, its notebook variant, the ablation selectors and the whole selection step.
final class SelectionTests: XCTestCase {
    func testWithinDomainPicksFollowTwoToTheMinusRank() {
        // One domain of 6 candidates, lengths in scrambled order, so rank ≠ index.
        let lengths = [30, 60, 10, 50, 20, 40]
        let rankOfIndex = [3, 0, 5, 1, 4, 2]
        let domains = Array(repeating: "d", count: 6)
        var counts = [Int](repeating: 0, count: 6)
        let trials = 20_000
        for seed in 0..<trials {
            let pick = Algorithm1.select(domains: domains, lengths: lengths, preselected: [], target: 1,
                                         variant: .paper, seed: UInt64(seed))
            counts[rankOfIndex[pick[0]]] += 1
        }
        let expected = Algorithm1.rankProbabilities(count: 6)
        XCTAssertEqual(expected[0], 32.0 / 63.0, accuracy: 1e-12)
        for r in 0..<6 {
            // 4.5 standard errors of a binomial proportion.
            let tolerance = 4.5 * (expected[r] * (1 - expected[r]) / Double(trials)).squareRoot()
            XCTAssertEqual(Double(counts[r]) / Double(trials), expected[r], accuracy: max(tolerance, 0.002), "rank \(r)")
        }
    }

    func testDomainsAreChosenUniformly() {
        let domains = (0..<40).map { $0 < 10 ? "a" : "b" }  // 10 in a, 30 in b
        let lengths = Array(0..<40)
        var inA = 0
        for seed in 0..<4000 {
            let pick = Algorithm1.select(domains: domains, lengths: lengths, preselected: [], target: 1,
                                         variant: .paper, seed: UInt64(seed))
            if domains[pick[0]] == "a" { inA += 1 }
        }
        XCTAssertEqual(Double(inA) / 4000, 0.5, accuracy: 0.035)
    }

    func testExactSizePreselectedIncludedAndSmallDomainsExhausted() {
        let sizes = ["tiny": 1, "small": 3, "big": 60, "huge": 80]
        var domains: [String] = []
        for (name, n) in sizes.sorted(by: { $0.key < $1.key }) { domains += Array(repeating: name, count: n) }
        let lengths = domains.indices.map { ($0 * 7919) % 101 }
        let preselected = [domains.count - 1, 70]
        for seed in 0..<30 {
            let picks = Algorithm1.select(domains: domains, lengths: lengths, preselected: preselected, target: 60,
                                          variant: .paper, seed: UInt64(seed))
            XCTAssertEqual(picks.count, 60)
            XCTAssertEqual(Set(picks).count, 60)
            XCTAssertEqual(Array(picks.prefix(2)), preselected)
            for name in ["tiny", "small"] {
                XCTAssertEqual(picks.filter { domains[$0] == name }.count, sizes[name]!, "seed \(seed): \(name)")
            }
        }
        // Past exhaustion of every domain, everything is selected once.
        let all = Algorithm1.select(domains: domains, lengths: lengths, preselected: [], target: 10_000,
                                    variant: .paper, seed: 1)
        XCTAssertEqual(all.sorted(), Array(domains.indices))
    }

    func testNotebookVariantFollowsThePreselectionMixAfterTheThreshold() {
        let names = ["a", "b", "c", "d"]
        let domains = (0..<800).map { names[$0 % 4] }
        let lengths = Array(0..<800)
        let preselected = [0, 4, 8, 12, 16, 1]  // five from a, one from b
        let notebook = Algorithm1.select(domains: domains, lengths: lengths, preselected: preselected, target: 200,
                                         variant: .notebook, seed: 3)
        XCTAssertEqual(notebook.count, 200)
        let tail = notebook[140...].map { domains[$0] }  // threshold round(700·200/1000) = 140
        XCTAssertTrue(tail.allSatisfy { $0 == "a" || $0 == "b" }, "\(tail)")
        XCTAssertGreaterThan(tail.filter { $0 == "a" }.count, 40)
        let head = notebook[6..<140].map { domains[$0] }
        for name in names { XCTAssertGreaterThan(head.filter { $0 == name }.count, 15) }
        let paper = Algorithm1.select(domains: domains, lengths: lengths, preselected: preselected, target: 200,
                                      variant: .paper, seed: 3)
        XCTAssertTrue(paper[140...].contains { domains[$0] == "c" })
        // An explicit threshold moves the switch.
        let early = Algorithm1.select(domains: domains, lengths: lengths, preselected: preselected, target: 200,
                                      variant: .notebook, seed: 3, uniformUntil: 50)
        XCTAssertTrue(early[50...].allSatisfy { domains[$0] == "a" || domains[$0] == "b" })
    }

    func testFixturePipelineCountsEveryRule() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "pool_s1k_sample", withExtension: "jsonl",
                                                  subdirectory: "Fixtures"))
        let pool = try PoolJSONL.decode(Data(contentsOf: url), source: "fixture")
        let config = SelectionConfig(target: 2, difficulty: DifficultyRules(solvedBy: ["base-large", "base-small"]))
        let result = try Selection.run(pool: pool, benchmark: [], config: config, seed: 1, tokenCount: { $0.utf8.count })
        let s = result.summary
        XCTAssertEqual(s.stages.map(\.records), [6, 6, 3, 2, 2])
        XCTAssertEqual(s.stages.map(\.stage), ["input", "decontamination", "quality", "difficulty", "selected"])
        XCTAssertEqual(s.droppedByRule, ["decontamination": 0, "quality.pattern:[asy]": 1, "quality.empty_thinking": 1,
                                         "quality.inconsistent_numbering": 1, "difficulty.solved_by:base-large": 1])
        XCTAssertEqual(s.unannotatedForDifficulty, 1)
        XCTAssertEqual(Set(result.selected.map(\.question)), [pool[1].question, pool[5].question])
        XCTAssertEqual(result.selected.first { $0.question == pool[1].question }?.traceTokens,
                       pool[1].thinkingTrajectories[0].utf8.count)
        XCTAssertEqual(s.teacherCorrectRate, 1.0)
        XCTAssertThrowsError(try Selection.run(pool: pool, benchmark: [], config: SelectionConfig(target: 3,
            difficulty: config.difficulty), seed: 1, tokenCount: { $0.utf8.count }))
    }

    private func syntheticPool() throws -> (pool: [PoolRecord], benchmark: [String]) {
        var pool = try SyntheticTasks.generate(split: .train, count: 2500, seed: 11, config: SyntheticTaskConfig())
        let benchmark = try SyntheticTasks.generate(split: .test, count: 150, seed: 11, config: SyntheticTaskConfig())
            .map(\.question)
        // A base model that solves the short ones; three benchmark questions leaked into the pool.
        for i in pool.indices { pool[i].baseResults = ["base": pool[i].thinking.utf8.count < 60] }
        for k in 0..<3 {
            pool.append(PoolRecord(question: benchmark[k], solution: "0", sourceType: "leak", thinkingTrajectories: ["t"],
                                   attempt: "0", domain: "leak"))
        }
        return (pool, benchmark)
    }

    func testSyntheticPipelineIsDeterministicAndHonoursEveryStage() throws {
        let (pool, benchmark) = try syntheticPool()
        let config = SelectionConfig(target: 400, difficulty: DifficultyRules(solvedBy: ["base"]),
                                     preselect: [PreselectClause(domains: ["fraction_choice"], minTraceTokens: 150)])
        let count: (String) -> Int = { $0.utf8.count }
        let a = try Selection.run(pool: pool, benchmark: benchmark, config: config, seed: 7, tokenCount: count)
        let b = try Selection.run(pool: pool, benchmark: benchmark, config: config, seed: 7, tokenCount: count)
        let c = try Selection.run(pool: pool, benchmark: benchmark, config: config, seed: 8, tokenCount: count)
        XCTAssertEqual(try PoolJSONL.encode(a.selected), try PoolJSONL.encode(b.selected))
        XCTAssertEqual(try a.summary.encoded(), try b.summary.encoded())
        XCTAssertNotEqual(a.selected.map(\.question), c.selected.map(\.question))

        XCTAssertEqual(a.contaminated.map(\.poolIndex), [2500, 2501, 2502])
        XCTAssertEqual(a.selected.count, 400)
        XCTAssertFalse(a.selected.contains { $0.baseResults?["base"] == true })
        let mustHave = pool.filter { $0.domain == "fraction_choice" && $0.teacherCorrect == true
            && $0.thinking.utf8.count > 150 && $0.baseResults?["base"] == false }
        XCTAssertGreaterThan(mustHave.count, 0)
        XCTAssertEqual(a.summary.preselected, mustHave.count)
        XCTAssertTrue(Set(a.selected.map(\.question)).isSuperset(of: mustHave.map(\.question)))
        XCTAssertEqual(a.summary.domainHistogram.values.reduce(0, +), 400)
        XCTAssertEqual(a.summary.traceTokens.count, 400)
        // Summary JSON has sorted keys.
        let json = String(decoding: try a.summary.encoded(), as: UTF8.self)
        XCTAssertLessThan(json.range(of: "\"domainHistogram\"")!.lowerBound, json.range(of: "\"droppedByRule\"")!.lowerBound)
    }

    func testAblationSelectorsHaveTheSameSize() throws {
        let (pool, benchmark) = try syntheticPool()
        let count: (String) -> Int = { $0.utf8.count }
        var results: [Selector: SelectionResult] = [:]
        for selector in Selector.allCases {
            results[selector] = try Selection.run(pool: pool, benchmark: benchmark,
                                                  config: SelectionConfig(selector: selector, target: 300,
                                                                          difficulty: DifficultyRules(solvedBy: ["base"])),
                                                  seed: 5, tokenCount: count)
        }
        for selector in [Selector.s1, .random, .diverse, .longest] { XCTAssertEqual(results[selector]!.selected.count, 300) }
        XCTAssertEqual(results[.full]!.selected.count, 2500)
        let longestMin = results[.longest]!.selected.map { $0.traceTokens! }.min()!
        let longer = results[.full]!.selected.filter { $0.traceTokens! > longestMin }.count
        XCTAssertLessThanOrEqual(longer, 300)
        func mean(_ s: Selector) -> Double { results[s]!.summary.traceTokens.mean }
        XCTAssertGreaterThan(mean(.s1), mean(.random))
        XCTAssertGreaterThan(mean(.longest), mean(.s1))
        XCTAssertEqual(results[.diverse]!.summary.domainHistogram.count, TaskDomain.allCases.count)
        XCTAssertNotEqual(results[.random]!.selected.map(\.question), results[.diverse]!.selected.map(\.question))
    }

    func testQualityRulesEachDropWhatTheyName() throws {
        func record(_ question: String, thinking: String = "t", attempt: String = "a") -> PoolRecord {
            PoolRecord(question: question, solution: "s", sourceType: "x", thinkingTrajectories: [thinking], attempt: attempt)
        }
        let pool = [
            record("fine question"),                                   // kept
            record("  \n"),                                            // empty question
            record("q", attempt: " "),                                 // empty attempt
            record("q", thinking: "[ERROR] upstream timed out"),       // errored
            record("see ![Image](http://x/y.png) here"),               // pattern
            record("1. one\n2. two\n1) restart\n2) again"),           // consistent: a new list restarts at 1
            record("1. one\n2. two\n2. two again"),                   // repeated number
            record("In 1999. the year\n2000. next"),                  // numbers that are not list items at line starts
        ]
        let config = SelectionConfig(selector: .full, target: 1)
        let result = try Selection.run(pool: pool, benchmark: [], config: config, seed: 0, tokenCount: { $0.utf8.count })
        XCTAssertEqual(result.summary.droppedByRule, [
            "decontamination": 0, "quality.empty_question": 1, "quality.empty_attempt": 1, "quality.errored": 1,
            "quality.pattern:![Image]": 1, "quality.inconsistent_numbering": 1,
        ])
        XCTAssertEqual(result.selected.map(\.question), [pool[0].question, pool[5].question, pool[7].question])
        // Without the numbering rule the repeated number is kept.
        var lenient = config
        lenient.quality.checkNumbering = false
        XCTAssertEqual(try Selection.run(pool: pool, benchmark: [], config: lenient, seed: 0,
                                         tokenCount: { $0.utf8.count }).selected.count, 4)
    }
}
