import XCTest
import S1Engine

/// The engine's arithmetic, pinned: a digest of the bits of a small model's initialisation, forward logits,
/// loss, gradients, one AdamW update and a temperature-1 decode. Any change to a kernel's order of operations
/// changes it, and so does any dependence on the CPU model, a library or the thread count (it is checked at 1 and 3
/// threads). When the change is meant, bump `EngineEnvironment.kernelVersion` (step keys must change with the bits)
/// and put the new version and digest here.
final class EngineGoldenDigestTests: XCTestCase {
    static let golden = (kernelVersion: "cpu-fp32-6", digest: "2eac664e17377a69")

    /// FNV-1a over the values' bit patterns: a fingerprint, not a security hash.
    struct BitDigest {
        private(set) var state: UInt64 = 0xcbf2_9ce4_8422_2325
        mutating func add(_ values: [Float]) { for value in values { add(UInt64(value.bitPattern)) } }
        mutating func add(_ value: UInt64) {
            for shift in stride(from: 0, to: 64, by: 8) {
                state = (state ^ ((value >> UInt64(shift)) & 0xff)) &* 0x0000_0100_0000_01b3
            }
        }
        var hex: String { String(format: "%016llx", state) }
    }

    func engineDigest(threads: Int) throws -> String {
        EngineEnvironment.configure(threads: threads)
        defer { EngineEnvironment.configure(threads: 1) }
        let config = Qwen2Config(hiddenSize: 64, intermediateSize: 96, numHiddenLayers: 2, numAttentionHeads: 4,
                                 numKeyValueHeads: 2, vocabSize: 272, tieWordEmbeddings: true)
        let model = try Qwen2Model.initialised(config: config, seed: 21)
        var digest = BitDigest()
        digest.add(model.parameters.toArray())
        var rng = CounterRNG(key: 22)
        // 3 × 70 tokens: more rows than one 6-row tile, a partial 256-row chunk, several attention key blocks.
        let tokens = (0..<3).map { _ in (0..<70).map { _ in Int32(rng.nextIndex(below: 256)) } }
        let mask = tokens.map { row in row.indices.map { $0 >= 5 } }
        digest.add(try model.logits(tokens: tokens))
        let (loss, gradients) = try model.lossAndGradients(tokens: tokens, lossMask: mask)
        digest.add(loss.bitPattern)
        digest.add(gradients)
        let optimizer = AdamW(parameterCount: model.layout.count, beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 1e-4)
        let gradientBuffer = FloatBuffer(count: model.layout.count)
        for (i, g) in gradients.enumerated() { gradientBuffer.pointer[i] = g }
        optimizer.step(parameters: model.parameters, gradients: gradientBuffer, layout: model.layout, learningRate: 1e-3)
        digest.add(model.parameters.toArray())
        let generator = Generator(model: model, maxBatchSize: 4)
        let results = try generator.generate(requests: (0..<3).map { b in
            GenerationRequest(id: UInt64(b), promptTokens: Array(tokens[b].prefix(12)), policy: StopPolicy(maxNewTokens: 24),
                              sampling: SamplingParameters(temperature: 1, seed: 23))
        })
        for result in results { digest.add(result.tokens.map { Float(bitPattern: UInt32(bitPattern: $0)) }) }
        return digest.hex
    }

    func testEngineBitsMatchTheGoldenDigestOfThisKernelVersion() throws {
        let one = try engineDigest(threads: 1), three = try engineDigest(threads: 3)
        XCTAssertEqual(one, three, "the engine's bits depend on the thread count")
        XCTAssertEqual(EngineEnvironment.kernelVersion, Self.golden.kernelVersion,
                       "kernelVersion changed: put the new version and digest \(one) in EngineGoldenDigestTests.golden")
        XCTAssertEqual(one, Self.golden.digest, """
            the engine's bits changed without a new kernel version (digest \(one)). If the change is meant, bump \
            EngineEnvironment.kernelVersion so that step keys change with the bits, and put the new version and this \
            digest in EngineGoldenDigestTests.golden; if not, a kernel's order of operations changed by mistake.
            """)
    }
}
