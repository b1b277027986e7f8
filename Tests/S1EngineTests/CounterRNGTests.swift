import XCTest
import S1Engine

final class CounterRNGTests: XCTestCase {
    func testDrawIsAPureFunctionOfKeyAndCounter() {
        var sequential = CounterRNG(key: 42)
        let draws = (0..<8).map { _ in sequential.next() }
        let direct = (0..<8).map { CounterRNG.draw(key: 42, counter: UInt64($0)) }
        XCTAssertEqual(draws, direct)
        var resumed = CounterRNG(key: 42, counter: 5)
        XCTAssertEqual(resumed.next(), draws[5])
    }

    func testDeriveDependsOnLabelOrder() {
        XCTAssertNotEqual(CounterRNG.derive(7, 1, 2), CounterRNG.derive(7, 2, 1))
        XCTAssertEqual(CounterRNG.derive(7, 1, 2), CounterRNG.derive(7, 1, 2))
    }

    func testUniformIndexIsRoughlyUniform() {
        var rng = CounterRNG(key: 3)
        var counts = [Int](repeating: 0, count: 6)
        let n = 60_000
        for _ in 0..<n { counts[rng.nextIndex(below: 6)] += 1 }
        // Each bucket expects 10,000 with sd ≈ 91; 5 sd is a loose but failing bound for a broken generator.
        for count in counts { XCTAssertEqual(Double(count), 10_000, accuracy: 460) }
    }

    func testShuffleIsAPermutationAndDeterministic() {
        var a = CounterRNG(key: 9), b = CounterRNG(key: 9)
        var x = Array(0..<50), y = Array(0..<50)
        a.shuffle(&x)
        b.shuffle(&y)
        XCTAssertEqual(x, y)
        XCTAssertEqual(x.sorted(), Array(0..<50))
        XCTAssertNotEqual(x, Array(0..<50))
    }

    func testUnitIsInHalfOpenInterval() {
        var rng = CounterRNG(key: 11)
        for _ in 0..<10_000 {
            let u = rng.nextUnit()
            XCTAssertTrue(u >= 0 && u < 1)
        }
    }
}
