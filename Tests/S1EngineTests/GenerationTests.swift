import Foundation
import S1Engine
import XCTest

/// A tiny random Qwen2 for the generation tests: widths that are not multiples of 16 or 4 exercise the
/// kernels' tails; a large init scale makes the logits far from uniform, so sampling and argmax are lively.
enum GenerationFixtures {
    static let tokenizer = ByteTokenizer()
    static let config = Qwen2Config(hiddenSize: 40, intermediateSize: 72, numHiddenLayers: 2, numAttentionHeads: 4,
                                    numKeyValueHeads: 2, vocabSize: 259, maxPositionEmbeddings: 512)
    static let model: Qwen2Model = try! Qwen2Model.initialised(config: config, seed: 7, standardDeviation: 0.3)

    static func prompt(_ text: String) -> [Int32] { tokenizer.encode("<|im_start|>user\n" + text + "<|im_end|>\n") }

    static func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }
}

final class GenerationTests: XCTestCase {
    typealias F = GenerationFixtures

    func testIncrementalLogitsMatchFullForward() throws {
        let tokens = F.prompt("What is 12+34? Think step by step.")
        let full = try F.model.logits(tokens: [tokens])
        let generator = Generator(model: F.model)
        let oneByOne = try generator.incrementalLogits(tokens: tokens, chunkSize: 1)
        // Chunking changes no bit: every row is computed by row-wise code.
        for chunk in [3, 7, tokens.count] {
            XCTAssertEqual(try generator.incrementalLogits(tokens: tokens, chunkSize: chunk), oneByOne, "chunk \(chunk)")
        }
        // Against the full forward (OpenBLAS projections, different rounding): tolerance 1e-4 absolute on logits
        // of magnitude ~10 (fp32 rounding of reductions of width ≤ 72).
        XCTAssertEqual(full.count, oneByOne.count)
        let difference = F.maxAbsDifference(full, oneByOne)
        XCTAssertLessThan(difference, 1e-4)
        XCTAssertGreaterThan(full.map(abs).max()!, 1)  // the logits are not trivially small
    }

    func testGreedyTokensAreArgmaxOfFullForward() throws {
        let prompt = F.prompt("2+2")
        let result = try Generator(model: F.model).generate(requests: [
            GenerationRequest(id: 1, promptTokens: prompt, policy: StopPolicy(maxNewTokens: 12)),
        ])[0]
        XCTAssertEqual(result.tokens.count, 12)
        XCTAssertEqual(result.stopReason, .maxNewTokens(phase: 0))
        XCTAssertEqual(result.phaseCounts, [PhaseCount(sampled: 12, forced: 0)])
        XCTAssertEqual(result.decodedTokens, prompt.count + 11)  // the last token is never fed
        var context = prompt
        let V = F.config.vocabSize
        for token in result.tokens {
            let logits = try F.model.logits(tokens: [context])
            let last = Array(logits[((context.count - 1) * V)...])
            let argmax = last.indices.max { last[$0] < last[$1] || (last[$0] == last[$1] && $0 > $1) }!
            XCTAssertEqual(Int(token), argmax)
            context.append(token)
        }
    }

    /// Requests with different prompts, lengths and sampling settings.
    func requests() -> [GenerationRequest] {
        let texts = ["a", "What is 3*7?", "Let $x^2 = 4$. Find x.", "🎉 Ünïcödé", "def f(): return 1", "12345678901234567890"]
        return texts.enumerated().map { i, text in
            GenerationRequest(id: UInt64(100 + i), promptTokens: F.prompt(text),
                              policy: StopPolicy(maxNewTokens: 8 + 3 * i, stopTokens: [258]),
                              sampling: i % 3 == 0 ? .greedy : SamplingParameters(temperature: 1.0, topP: i % 2 == 0 ? 0.9 : 1, seed: 42))
        }
    }

    func runRecording(_ requests: [GenerationRequest], maxBatchSize: Int) throws -> [UInt64: (tokens: [Int32], logits: [[Float]])] {
        let generator = Generator(model: F.model, maxBatchSize: maxBatchSize, maxChunkTokens: 5)
        let sequences = try requests.map { try generator.start($0) }
        for s in sequences { s.recordsLogits = true }
        try generator.run(sequences)
        var out: [UInt64: (tokens: [Int32], logits: [[Float]])] = [:]
        for s in sequences {
            XCTAssertTrue(s.isFinished)
            out[s.id] = (s.newTokens, s.stepLogits)
        }
        return out
    }

    func testBatchInvariance() throws {
        let all = requests()
        var alone: [UInt64: (tokens: [Int32], logits: [[Float]])] = [:]
        for request in all { alone.merge(try runRecording([request], maxBatchSize: 1)) { a, _ in a } }
        let compositions: [([GenerationRequest], Int)] = [
            (all, 16), (all.reversed(), 16), (all, 2), ([all[4], all[1], all[0]], 3), (all + [], 4),
        ]
        for (batch, size) in compositions {
            let batched = try runRecording(batch, maxBatchSize: size)
            for request in batch {
                XCTAssertEqual(batched[request.id]!.tokens, alone[request.id]!.tokens, "request \(request.id), batch size \(size)")
                // Bitwise: Float == on every logit of every step.
                XCTAssertEqual(batched[request.id]!.logits, alone[request.id]!.logits, "request \(request.id), batch size \(size)")
            }
        }
        XCTAssertGreaterThan(Set(alone.values.map(\.tokens)).count, 3)  // the outputs differ between requests
    }

    /// A batch large enough for the decode step to split its rows over threads (≥ 64 rows) gives every sequence
    /// the bits it has decoded alone on one thread.
    func testBatchInvarianceAcrossThreadCounts() throws {
        let base = requests()
        let many = (0..<12).flatMap { copy in
            base.map { GenerationRequest(id: $0.id + UInt64(1000 * copy), promptTokens: $0.promptTokens, policy: $0.policy,
                                         sampling: $0.sampling) }
        }
        EngineEnvironment.configure(threads: 1)
        var alone: [UInt64: (tokens: [Int32], logits: [[Float]])] = [:]
        for request in many.prefix(18) { alone.merge(try runRecording([request], maxBatchSize: 1)) { a, _ in a } }
        EngineEnvironment.configure(threads: 2)
        defer { EngineEnvironment.configure(threads: 1) }
        let batched = try runRecording(many, maxBatchSize: many.count)
        for request in many.prefix(18) {
            XCTAssertEqual(batched[request.id]!.tokens, alone[request.id]!.tokens, "request \(request.id)")
            XCTAssertEqual(batched[request.id]!.logits, alone[request.id]!.logits, "request \(request.id)")
        }
    }

    func testLongerGenerationExtendsShorterOne() throws {
        let generator = Generator(model: F.model)
        let sampling = SamplingParameters(temperature: 0.8, topP: 0.95, seed: 9)
        let prompt = F.prompt("count")
        func generate(_ n: Int) throws -> [Int32] {
            try generator.generate(requests: [GenerationRequest(id: 5, promptTokens: prompt, policy: StopPolicy(maxNewTokens: n), sampling: sampling)])[0].tokens
        }
        let long = try generate(40)
        XCTAssertEqual(long.count, 40)
        for n in [1, 7, 25] { XCTAssertEqual(try generate(n), Array(long.prefix(n))) }
        // The noise depends on seed and request id: other keys give other samples.
        let other = try generator.generate(requests: [GenerationRequest(id: 6, promptTokens: prompt, policy: StopPolicy(maxNewTokens: 40), sampling: sampling)])[0].tokens
        XCTAssertNotEqual(other, long)
        XCTAssertNotEqual(try generator.generate(requests: [GenerationRequest(id: 5, promptTokens: prompt, policy: StopPolicy(maxNewTokens: 40), sampling: .greedy)])[0].tokens, long)
    }

    func testTinyTopPIsGreedyAndSuppressedTokensAreNeverSampled() throws {
        let generator = Generator(model: F.model)
        let prompt = F.prompt("x")
        let greedy = try generator.generate(requests: [GenerationRequest(id: 1, promptTokens: prompt, policy: StopPolicy(maxNewTokens: 20))])[0].tokens
        let nucleus = try generator.generate(requests: [GenerationRequest(id: 1, promptTokens: prompt, policy: StopPolicy(maxNewTokens: 20),
                                                                          sampling: SamplingParameters(temperature: 1, topP: 1e-9, seed: 3))])[0].tokens
        XCTAssertEqual(nucleus, greedy)
        let banned = Array(Set(greedy))
        for sampling in [SamplingParameters.greedy, SamplingParameters(temperature: 1.5, topP: 1, seed: 1)] {
            let tokens = try generator.generate(requests: [GenerationRequest(id: 2, promptTokens: prompt,
                                                                             policy: StopPolicy(maxNewTokens: 30, suppressedTokens: banned), sampling: sampling)])[0].tokens
            XCTAssertEqual(tokens.count, 30)
            XCTAssertTrue(Set(tokens).isDisjoint(with: banned))
        }
        let everything = (0..<Int32(F.config.vocabSize)).map { $0 }
        let none = try generator.generate(requests: [GenerationRequest(id: 3, promptTokens: prompt, policy: StopPolicy(maxNewTokens: 5, suppressedTokens: everything))])[0]
        XCTAssertEqual(none.stopReason, .allTokensSuppressed)
        XCTAssertEqual(none.tokens, [])
    }

    func testStopTokensAndStopStrings() throws {
        let generator = Generator(model: F.model)
        let prompt = F.prompt("stop")
        let free = try generator.generate(requests: [GenerationRequest(id: 1, promptTokens: prompt, policy: StopPolicy(maxNewTokens: 30))])[0].tokens
        // Stop at the 6th generated token's id (its first occurrence).
        let stopID = free[5], first = free.firstIndex(of: stopID)!
        let kept = try generator.generate(requests: [GenerationRequest(id: 1, promptTokens: prompt, policy: StopPolicy(maxNewTokens: 30, stopTokens: [stopID]))])[0]
        XCTAssertEqual(kept.tokens, Array(free[...first]))
        XCTAssertEqual(kept.stopReason, .stopToken(stopID))
        let dropped = try generator.generate(requests: [GenerationRequest(id: 1, promptTokens: prompt, policy: StopPolicy(maxNewTokens: 30, stopTokens: [stopID], keepStopToken: false))])[0]
        XCTAssertEqual(dropped.tokens, Array(free[..<first]))
        // A stop string spanning two tokens: the first adjacent pair after the 4th token whose bytes are ASCII.
        let pair = try XCTUnwrap((4..<(free.count - 1)).first { free[$0] < 128 && free[$0 + 1] < 128 })
        let stopBytes = F.tokenizer.bytes(of: free[pair]) + F.tokenizer.bytes(of: free[pair + 1])
        let stopString = String(decoding: stopBytes, as: UTF8.self)
        let byString = try generator.generate(requests: [GenerationRequest(id: 1, promptTokens: prompt,
            policy: StopPolicy(maxNewTokens: 30, stopStrings: [stopString], tokenizer: F.tokenizer))])[0]
        XCTAssertEqual(byString.stopReason, .stopString(stopString))
        let fullBytes = free.flatMap { F.tokenizer.bytes(of: $0) }
        let expectedEnd = (0...(fullBytes.count - stopBytes.count)).first { Array(fullBytes[$0..<($0 + stopBytes.count)]) == stopBytes }! + stopBytes.count
        XCTAssertEqual(byString.tokens.flatMap { F.tokenizer.bytes(of: $0) }.count, expectedEnd)
    }

    func testInvalidInputsAreTypedErrors() throws {
        let generator = Generator(model: F.model)
        XCTAssertThrowsError(try generator.start(GenerationRequest(id: 1, promptTokens: [], policy: StopPolicy(maxNewTokens: 1))))
        XCTAssertThrowsError(try generator.start(GenerationRequest(id: 1, promptTokens: [1, 300], policy: StopPolicy(maxNewTokens: 1)))) {
            guard case EngineError.invalidInput(let reason)? = $0 as? EngineError else { return XCTFail("\($0)") }
            XCTAssertTrue(reason.contains("300"), reason)
        }
        struct ForcesBadToken: DecodingPolicy {
            mutating func nextStep() -> DecodingStep { .force([9999]) }
            mutating func review(sampled token: Int32) -> TokenDecision { .accept }
        }
        XCTAssertThrowsError(try generator.generate(requests: [GenerationRequest(id: 1, promptTokens: [1], policy: ForcesBadToken())]))
        // The context limit stops a sequence instead of overflowing positions.
        let long = try generator.generate(requests: [GenerationRequest(id: 1, promptTokens: Array(repeating: 65, count: 500), policy: StopPolicy(maxNewTokens: 100))])[0]
        XCTAssertEqual(long.stopReason, .contextFull)
        XCTAssertEqual(long.tokens.count, 12)
    }
}
