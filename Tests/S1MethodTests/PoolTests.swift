import Foundation
import XCTest
import S1Engine
import S1Method

/// Pool records, JSONL import/export, and the synthetic train/test splits.
final class PoolTests: XCTestCase {
    private func fixture() throws -> Data {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "pool_s1k_sample", withExtension: "jsonl",
                                                  subdirectory: "Fixtures"))
        return try Data(contentsOf: url)
    }

    func testFixtureDecodesInTheS1KSchemaAndReencodesToTheSameBytes() throws {
        let data = try fixture()
        let records = try PoolJSONL.decode(data, source: "pool_s1k_sample.jsonl")
        XCTAssertEqual(records.count, 6)
        XCTAssertEqual(records[0].baseResults, ["base-large": true, "base-small": false])
        XCTAssertEqual(records[0].selectionDomain, "handwritten/arithmetic")  // no domain: falls back to source
        XCTAssertEqual(records[1].selectionDomain, "number_theory")
        XCTAssertEqual(records[5].options, ["3/8", "2/5", "1/3", "1/4"])
        XCTAssertEqual(records[2].thinkingTrajectories, ["rise 1 over run 1"])
        // Export sorts keys and round-trips: decode(encode(x)) == x, and re-encoding gives the same bytes.
        let encoded = try PoolJSONL.encode(records)
        XCTAssertEqual(try PoolJSONL.decode(encoded, source: "encoded"), records)
        XCTAssertEqual(try PoolJSONL.encode(PoolJSONL.decode(encoded, source: "encoded")), encoded)
        let firstLine = String(decoding: encoded.prefix { $0 != 0x0A }, as: UTF8.self)
        XCTAssertEqual(firstLine, #"{"attempt":"12","base_results":{"base-large":true,"base-small":false},"#
            + #""cot_type":"math","metadata":"{'level': 1}","question":"A farmer has 3 pens with 4 goats each. "#
            + #"How many goats?","solution":"12","source_type":"handwritten/arithmetic","teacher_correct":true,"#
            + #""thinking_trajectories":["3 pens, 4 goats each.\n3*4=12"]}"#)
    }

    func testMalformedRecordsNameLineAndField() throws {
        let good = #"{"question":"q","thinking_trajectories":["t"],"attempt":"a"}"#
        func error(_ text: String) -> PoolFormatError? {
            do { _ = try PoolJSONL.decode(Data(text.utf8), source: "pool.jsonl"); return nil } catch {
                return error as? PoolFormatError
            }
        }
        let wrongType = error(good + "\n\n" + #"{"question":"q","thinking_trajectories":"t","attempt":"a"}"#)
        XCTAssertEqual(wrongType?.line, 3)
        XCTAssertEqual(wrongType?.field, "thinking_trajectories")
        let missing = error(#"{"question":"q","thinking_trajectories":["t"]}"#)
        XCTAssertEqual(missing?.line, 1)
        XCTAssertEqual(missing?.field, "attempt")
        let nested = error(good + "\n" + #"{"question":"q","thinking_trajectories":["t", 3],"attempt":"a"}"#)
        XCTAssertEqual(nested?.field, "thinking_trajectories.1")
        let broken = error(good + "\n{\"question\": ")
        XCTAssertEqual(broken?.line, 2)
        XCTAssertTrue(broken!.description.hasPrefix("pool.jsonl:2"), broken!.description)
        let badBool = error(#"{"question":"q","thinking_trajectories":["t"],"attempt":"a","base_results":{"m":"yes"}}"#)
        XCTAssertEqual(badBool?.field, "base_results.m")
        XCTAssertEqual(try PoolJSONL.decode(Data((good + "\r\n").utf8), source: "crlf").count, 1)
        // s1K-1.1's per-teacher fields are read when the s1K ones are absent; a missing attempt is still named.
        let v11 = #"{"question":"q","gemini_thinking_trajectory":"g","gemini_attempt":"ga","#
            + #""deepseek_thinking_trajectory":"d","deepseek_attempt":"da","cot":null}"#
        let record = try PoolJSONL.decode(Data(v11.utf8), source: "s1K-1.1")[0]
        XCTAssertEqual(record.thinkingTrajectories, ["d"])
        XCTAssertEqual(record.attempt, "da")
        XCTAssertEqual(error(#"{"question":"q","deepseek_thinking_trajectory":"d"}"#)?.field, "deepseek_attempt")
    }

    func testSplitsAreDisjointDistinctAndOnTheirSideOfThePartition() throws {
        let config = SyntheticTaskConfig(testPermille: 200)
        let train = try SyntheticTasks.generate(split: .train, count: 3000, seed: 42, config: config)
        let test = try SyntheticTasks.generate(split: .test, count: 400, seed: 42, config: config)
        let trainQuestions = Set(train.map(\.question)), testQuestions = Set(test.map(\.question))
        XCTAssertEqual(trainQuestions.count, 3000)
        XCTAssertEqual(testQuestions.count, 400)
        XCTAssertTrue(trainQuestions.isDisjoint(with: testQuestions))
        XCTAssertTrue(train.allSatisfy { TaskSplit.of(question: $0.question, testPermille: 200) == .train })
        XCTAssertTrue(test.allSatisfy { TaskSplit.of(question: $0.question, testPermille: 200) == .test })
        // Checked by decontamination anyway: no overlap, and a planted copy is found.
        XCTAssertEqual(Decontamination.overlaps(pool: train.map(\.question), benchmark: test.map(\.question)), [])
        let planted = Decontamination.overlaps(pool: train.map(\.question) + [test[7].question],
                                               benchmark: test.map(\.question))
        XCTAssertEqual(planted, [ContaminationHit(poolIndex: 3000, benchmarkIndex: 7)])
        // Every domain and the s1K fields are present.
        XCTAssertEqual(Set(train.compactMap(\.domain)), Set(TaskDomain.allCases.map(\.rawValue)))
        var valid = 0
        for record in train.prefix(50) {
            XCTAssertEqual(record.thinkingTrajectories.count, 1)
            XCTAssertEqual(record.sourceType, "synthetic/\(record.domain!)")
            XCTAssertNotNil(record.teacherCorrect)
            XCTAssertEqual(record.syntheticGraderKind, try TaskDomain.named(record.domain!).graderKind)
            let check = TraceRecheck.check(domain: try TaskDomain.named(record.domain!), question: record.question,
                                           trace: record.thinkingTrajectories[0])
            if check.isValid {
                XCTAssertEqual(check.expected, record.solution)
                XCTAssertEqual(record.teacherCorrect, true)
                valid += 1
            }
        }
        XCTAssertGreaterThan(valid, 25)
    }

    func testGenerationIsDeterministicPerSeed() throws {
        let config = SyntheticTaskConfig()
        let a = try PoolJSONL.encode(SyntheticTasks.generate(split: .train, count: 300, seed: 5, config: config))
        let b = try PoolJSONL.encode(SyntheticTasks.generate(split: .train, count: 300, seed: 5, config: config))
        let c = try PoolJSONL.encode(SyntheticTasks.generate(split: .train, count: 300, seed: 6, config: config))
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
        // A shorter pool is a prefix of a longer one: record i depends only on (seed, split, i) and earlier ones.
        let short = try PoolJSONL.encode(SyntheticTasks.generate(split: .train, count: 100, seed: 5, config: config))
        XCTAssertTrue(a.starts(with: short))
    }

    func testBadConfigurationsAreTypedErrors() {
        XCTAssertThrowsError(try SyntheticTasks.generate(split: .train, count: 1, seed: 1,
                                                         config: SyntheticTaskConfig(domains: [])))
        XCTAssertThrowsError(try SyntheticTasks.generate(split: .train, count: 1, seed: 1,
                                                         config: SyntheticTaskConfig(difficulties: 0...3)))
        // Weekday at difficulty 1 has 7·92 questions (about 64 on the test side); asking for more is reported.
        XCTAssertThrowsError(try SyntheticTasks.generate(split: .test, count: 2000, seed: 1,
            config: SyntheticTaskConfig(domains: [.weekday], difficulties: 1...1, testPermille: 100))) { error in
            guard case TaskError.questionSpaceExhausted = error else { return XCTFail("\(error)") }
        }
    }
}
