import XCTest
import S1Engine

final class EngineEnvironmentTests: XCTestCase {
    func testConfigurePinsBLASThreadsAndRecordsKernel() {
        let two = EngineEnvironment.configure(blasThreads: 2)
        XCTAssertEqual(two.blasThreads, 2)
        let one = EngineEnvironment.configure(blasThreads: 1)
        XCTAssertEqual(one.blasThreads, 1)
        XCTAssertFalse(one.blasCoreName.isEmpty)
        XCTAssertNotEqual(one.fingerprint.map(\.value), two.fingerprint.map(\.value))
        let keys = one.fingerprint.map(\.key)
        XCTAssertEqual(keys, keys.sorted())
        XCTAssertEqual(one.cpuFlags, one.cpuFlags.sorted())
    }
}

final class RowParallelTests: XCTestCase {
    /// Row-parallel kernels give the same bits for any worker count.
    func testRowParallelKernelsAreThreadCountInvariant() {
        let N = 64, C = 40, V = 33
        var rng = CounterRNG(key: 5)
        let x = (0..<(N * C)).map { _ in Float(rng.nextUnit() * 4 - 2) }
        let w = (0..<C).map { _ in Float(rng.nextUnit() + 0.5) }
        let logits = (0..<(N * V)).map { _ in Float(rng.nextUnit() * 6 - 3) }
        let targets = (0..<N).map { Int32($0 % 5 == 0 ? -1 : $0 % V) }
        func run(workers: Int) -> ([UInt32], [UInt32], UInt64) {
            EngineEnvironment.configure(blasThreads: workers)
            var out = [Float](repeating: 0, count: N * C), rstd = [Float](repeating: 0, count: N)
            RMSNorm.forward(out: &out, rstd: &rstd, inp: x, weight: w, rows: N, channels: C, eps: 1e-6)
            var d = logits
            let loss = CrossEntropy.forwardBackward(logits: &d, targets: targets, rows: N, vocabulary: V, gradScale: 0.01)
            return (out.map(\.bitPattern) + rstd.map(\.bitPattern), d.map(\.bitPattern), loss.bitPattern)
        }
        let one = run(workers: 1), two = run(workers: 2), three = run(workers: 3)
        EngineEnvironment.configure(blasThreads: 1)
        XCTAssertEqual(EngineEnvironment.workerCount, 1)
        XCTAssertTrue(one == two && one == three)
    }
}

final class ThreadCountInvarianceTests: XCTestCase {
    /// Concurrent attention groups (each on single-threaded OpenBLAS) give the same bits as the serial run.
    func testBlockedAttentionIsWorkerCountInvariant() {
        let B = 3, T = 70, Hq = 4, Hk = 2, d = 8
        var rng = CounterRNG(key: 8)
        func values(_ n: Int) -> [Float] { (0..<n).map { _ in Float(rng.nextUnit() * 2 - 1) } }
        let q = values(B * T * Hq * d), k = values(B * T * Hk * d), v = values(B * T * Hk * d), dy = values(B * T * Hq * d)
        func run(workers: Int) -> [UInt32] {
            EngineEnvironment.configure(blasThreads: workers)
            var out = [Float](repeating: 0, count: q.count), lse = [Float](repeating: 0, count: B * T * Hq)
            BlockedCausalAttention.forward(out: &out, lse: &lse, q: q, k: k, v: v, batch: B, length: T, heads: Hq, kvHeads: Hk, headDim: d)
            var dq = [Float](repeating: 0, count: q.count), dk = [Float](repeating: 0, count: k.count), dv = dk
            BlockedCausalAttention.backward(dq: &dq, dk: &dk, dv: &dv, dout: dy, q: q, k: k, v: v, out: out, lse: lse,
                                            batch: B, length: T, heads: Hq, kvHeads: Hk, headDim: d)
            return (out + lse + dq + dk + dv).map(\.bitPattern)
        }
        let serial = run(workers: 1), parallel = run(workers: 2)
        EngineEnvironment.configure(blasThreads: 1)
        XCTAssertEqual(serial, parallel)
    }

    func testModelGradientsAcrossBLASThreadCounts() throws {
        let model = try Qwen2Model.load(directory: EngineFixtures.checkpoint("qwen2-tied"))
        let expected = try EngineFixtures.expected("qwen2-tied")
        EngineEnvironment.configure(blasThreads: 1)
        let one = try model.lossAndGradients(tokens: expected.inputIds, lossMask: expected.lossMask)
        EngineEnvironment.configure(blasThreads: 2)
        let two = try model.lossAndGradients(tokens: expected.inputIds, lossMask: expected.lossMask)
        EngineEnvironment.configure(blasThreads: 1)
        print("gradients bitwise equal across BLAS thread counts 1 and 2: \(one.gradients.map(\.bitPattern) == two.gradients.map(\.bitPattern))")
        XCTAssertLessThan(EngineFixtures.relativeError(two.gradients, one.gradients), 1e-6)
    }
}
