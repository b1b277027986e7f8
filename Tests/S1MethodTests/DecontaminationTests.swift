import XCTest
import S1Engine
import S1Method

final class DecontaminationTests: XCTestCase {
    /// Random-word texts from disjoint vocabularies, so no n-gram can be shared by accident.
    private func texts(_ count: Int, words: Int, prefix: String, seed: UInt64) -> [String] {
        var rng = CounterRNG(key: seed)
        return (0..<count).map { _ in (0..<words).map { _ in "\(prefix)\(rng.nextIndex(below: 5000))" }.joined(separator: " ") }
    }

    func testFindsPlantedOverlapsAndNoFalseOnes() {
        let benchmark = texts(200, words: 60, prefix: "b", seed: 1)
        var pool = texts(3000, words: 80, prefix: "p", seed: 2)
        XCTAssertEqual(Decontamination.overlaps(pool: pool, benchmark: benchmark), [])
        // Plant exactly 8 consecutive benchmark words, re-cased and re-spaced, into some pool texts.
        let planted = [5, 999, 2500]
        for (k, p) in planted.enumerated() {
            let words = benchmark[40 + k].split(separator: " ")
            let excerpt = words[10..<18].map { $0.uppercased() }.joined(separator: " \t\n ")
            pool[p] = "intro words " + excerpt + " outro"
        }
        // Seven shared words are not an 8-gram overlap.
        let seven = benchmark[90].split(separator: " ")[0..<7].joined(separator: " ")
        pool[1500] = "x " + seven + " y"
        XCTAssertEqual(Decontamination.overlaps(pool: pool, benchmark: benchmark),
                       zip(planted, 40...).map { ContaminationHit(poolIndex: $0, benchmarkIndex: $1) })
        // With n = 7 the seven-word copy counts too.
        XCTAssertTrue(Decontamination.overlaps(pool: pool, benchmark: benchmark, n: 7).contains(
            ContaminationHit(poolIndex: 1500, benchmarkIndex: 90)))
    }

    func testShortTextsMatchWhole() {
        XCTAssertEqual(Decontamination.overlaps(pool: ["Compute  12+34.", "Compute 12+35."], benchmark: ["compute 12+34."]),
                       [ContaminationHit(poolIndex: 0, benchmarkIndex: 0)])
        XCTAssertEqual(Decontamination.ngramHashes("a b c", n: 8).count, 1)
        XCTAssertEqual(Decontamination.ngramHashes("a b c d e f g h i j", n: 8).count, 3)
        XCTAssertEqual(Decontamination.ngramHashes("A  b\tC", n: 2), Decontamination.ngramHashes("a b c", n: 2))
    }

    func testModerateSizeIsFast() {
        // 5,000 × 100 words against 500 × 100 words; the full 59K × 1K is measured by DataBenchmarks.
        let benchmark = texts(500, words: 100, prefix: "b", seed: 3)
        let pool = texts(5000, words: 100, prefix: "p", seed: 4)
        let start = ContinuousClock.now
        _ = Decontamination.overlaps(pool: pool, benchmark: benchmark)
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(2))
    }
}
