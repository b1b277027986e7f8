import XCTest
import S1Engine

final class EngineEnvironmentTests: XCTestCase {
    /// Only what can change bits is keyed: the arithmetic version and the reference instruction set. The thread
    /// count and the CPU's features are recorded beside the keys.
    func testFingerprintHoldsNoThreadCountOrCPUFeature() {
        let one = EngineEnvironment.configure(threads: 1)
        let four = EngineEnvironment.configure(threads: 4)
        EngineEnvironment.configure(threads: 1)
        XCTAssertEqual(one.fingerprint.map(\.key), ["kernel_version", "reference_isa"])
        XCTAssertEqual(one.fingerprint.map(\.value), four.fingerprint.map(\.value))
        XCTAssertEqual(four.threads, 4)
        XCTAssertNotEqual(one.recordedFacts.map(\.value), four.recordedFacts.map(\.value))
        XCTAssertEqual(one.recordedFacts.map(\.key), one.recordedFacts.map(\.key).sorted())
        XCTAssertEqual(one.cpuFlags, one.cpuFlags.sorted())
        #if arch(x86_64)
        XCTAssertEqual(one.referenceISA, "x86-64-v3")
        XCTAssertTrue(one.cpuFlags.contains("avx2") && one.cpuFlags.contains("fma"), "a process that runs has the reference set")
        #endif
        XCTAssertTrue(ReferenceISA.isSupported)
    }

    func testThreadCountComesFromS1ThreadsOrEveryCore() throws {
        XCTAssertEqual(try EngineEnvironment.defaultThreads(environment: [:]), ProcessInfo.processInfo.activeProcessorCount)
        XCTAssertEqual(try EngineEnvironment.defaultThreads(environment: ["S1_THREADS": "3"]), 3)
        for bad in ["0", "-2", "two", "", "5000"] {
            XCTAssertThrowsError(try EngineEnvironment.defaultThreads(environment: ["S1_THREADS": bad]), bad) { error in
                XCTAssertTrue("\(error)".contains("S1_THREADS"), "\(error)")
            }
        }
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
            EngineEnvironment.configure(threads: workers)
            var out = [Float](repeating: 0, count: N * C), rstd = [Float](repeating: 0, count: N)
            RMSNorm.forward(out: &out, rstd: &rstd, inp: x, weight: w, rows: N, channels: C, eps: 1e-6)
            var d = logits
            let loss = CrossEntropy.forwardBackward(logits: &d, targets: targets, rows: N, vocabulary: V, gradScale: 0.01)
            return (out.map(\.bitPattern) + rstd.map(\.bitPattern), d.map(\.bitPattern), loss.bitPattern)
        }
        let one = run(workers: 1), two = run(workers: 2), three = run(workers: 3)
        EngineEnvironment.configure(threads: 1)
        XCTAssertEqual(EngineEnvironment.workerCount, 1)
        XCTAssertTrue(one == two && one == three)
    }
}

final class ThreadCountInvarianceTests: XCTestCase {
    /// Concurrent attention groups give the same bits as the serial run.
    func testBlockedAttentionIsWorkerCountInvariant() {
        let B = 3, T = 70, Hq = 4, Hk = 2, d = 8
        var rng = CounterRNG(key: 8)
        func values(_ n: Int) -> [Float] { (0..<n).map { _ in Float(rng.nextUnit() * 2 - 1) } }
        let q = values(B * T * Hq * d), k = values(B * T * Hk * d), v = values(B * T * Hk * d), dy = values(B * T * Hq * d)
        func run(workers: Int, saving: Bool) -> [UInt32] {
            EngineEnvironment.configure(threads: workers)
            var saved = [Float](repeating: 0, count: BlockedCausalAttention.savedProbabilityCount(batch: B, length: T, heads: Hq))
            return saved.withUnsafeMutableBufferPointer { store in
                let store = saving ? store.baseAddress : nil
                var out = [Float](repeating: 0, count: q.count), lse = [Float](repeating: 0, count: B * T * Hq)
                BlockedCausalAttention.forward(out: &out, lse: &lse, q: q, k: k, v: v, batch: B, length: T, heads: Hq,
                                               kvHeads: Hk, headDim: d, saved: store)
                var dq = [Float](repeating: 0, count: q.count), dk = [Float](repeating: 0, count: k.count), dv = dk
                BlockedCausalAttention.backward(dq: &dq, dk: &dk, dv: &dv, dout: dy, q: q, k: k, v: v, out: out, lse: lse,
                                                batch: B, length: T, heads: Hq, kvHeads: Hk, headDim: d, saved: store)
                return (out + lse + dq + dk + dv).map(\.bitPattern)
            }
        }
        for saving in [false, true] {
            let serial = run(workers: 1, saving: saving), parallel = run(workers: 2, saving: saving)
            XCTAssertEqual(serial, parallel, "saving \(saving)")
        }
        EngineEnvironment.configure(threads: 1)
    }

    /// The engine splits GEMMs by output rows or columns only, so a training step's gradients are bitwise the same
    /// for any thread count, on a batch large enough that every GEMM is split (s1-mini's shape, 8 × 96 tokens).
    /// (This failed on CPUs without AVX-512 while the weight gradients ran through OpenBLAS, whose kernels there
    /// depended on the problem size that the split handed it.)
    func testTrainingGradientsAreBitwiseEqualAcrossThreadCounts() throws {
        let config = Qwen2Config(hiddenSize: 128, intermediateSize: 384, numHiddenLayers: 2, numAttentionHeads: 4,
                                 numKeyValueHeads: 2, vocabSize: 272, tieWordEmbeddings: true)
        let model = try Qwen2Model.initialised(config: config, seed: 11)
        var rng = CounterRNG(key: 12)
        let B = 8, T = 96
        let tokens = (0..<B).map { _ in (0..<T).map { _ in Int32(rng.nextIndex(below: 256)) } }
        let mask = (0..<B).map { _ in (0..<T).map { $0 > 10 } }
        func gradients(threads: Int) throws -> [UInt32] {
            EngineEnvironment.configure(threads: threads)
            let result = try model.lossAndGradients(tokens: tokens, lossMask: mask)
            return result.gradients.map(\.bitPattern) + [Float(result.loss).bitPattern]
        }
        let one = try gradients(threads: 1)
        for threads in [2, 3, 4] {
            XCTAssertEqual(one, try gradients(threads: threads), "\(threads) threads")
        }
        EngineEnvironment.configure(threads: 1)
    }

}
