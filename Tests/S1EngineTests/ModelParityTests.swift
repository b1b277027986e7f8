import XCTest
import S1Engine

/// Parity with HF transformers' Qwen2ForCausalLM on the fixture checkpoints (scripts/make_engine_fixtures.py).
final class ModelParityTests: XCTestCase {
    func testLogitsMatchTransformersTied() throws { try checkLogits("qwen2-tied") }
    func testLogitsMatchTransformersUntiedSharded() throws { try checkLogits("qwen2-untied") }

    func checkLogits(_ name: String) throws {
        let model = try Qwen2Model.load(directory: EngineFixtures.checkpoint(name))
        let expected = try EngineFixtures.expected(name)
        let logits = try model.logits(tokens: expected.inputIds)
        let reference = try expected.tensors.floats("logits")
        XCTAssertEqual(logits.count, reference.count)
        let error = EngineFixtures.maxAbsDifference(logits, reference)
        XCTAssertLessThan(error, 1e-4, "\(name): max |Δlogit| = \(error)")
        print("parity \(name): max |Δlogit| = \(error)")
        // The check must be able to fail: the logits are far from constant.
        XCTAssertGreaterThan(EngineFixtures.maxAbsDifference(reference, [Float](repeating: 0, count: reference.count)), 0.1)
    }

    func testConfigReadsTransformersNames() throws {
        let tied = try Qwen2Config.load(from: EngineFixtures.checkpoint("qwen2-tied").appendingPathComponent("config.json"))
        XCTAssertEqual(tied.hiddenSize, 32)
        XCTAssertEqual(tied.numKeyValueHeads, 2)
        XCTAssertTrue(tied.tieWordEmbeddings)
        XCTAssertEqual(tied.rmsNormEps, 1e-6)
        XCTAssertEqual(tied.ropeTheta, 10_000)
        XCTAssertEqual(tied.torchDtype, "float32")
        let untied = try Qwen2Config.load(from: EngineFixtures.checkpoint("qwen2-untied").appendingPathComponent("config.json"))
        XCTAssertFalse(untied.tieWordEmbeddings)
        XCTAssertEqual(untied.ropeTheta, 1000)
        XCTAssertEqual(untied.numKeyValueHeads, 1)
        XCTAssertEqual(untied.vocabSize, 257)
        // Round trip through our own config.json.
        let decoded = try JSONDecoder().decode(Qwen2Config.self, from: untied.jsonData())
        XCTAssertEqual(decoded, untied)
    }

    func testLossAndGradientsMatchTransformers() throws {
        for name in ["qwen2-tied", "qwen2-untied"] {
            let model = try Qwen2Model.load(directory: EngineFixtures.checkpoint(name))
            let expected = try EngineFixtures.expected(name)
            let (loss, gradients) = try model.lossAndGradients(tokens: expected.inputIds, lossMask: expected.lossMask)
            var worst = 0.0
            XCTAssertEqual(loss, expected.loss, accuracy: 1e-5 * max(1, abs(expected.loss)), name)
            for slot in model.layout.slots {
                let reference = try expected.tensors.floats("grad." + slot.name)
                let ours = Array(gradients[slot.offset..<(slot.offset + slot.count)])
                let error = EngineFixtures.relativeError(ours, reference)
                XCTAssertLessThan(error, 1e-3, "\(name) \(slot.name): relative gradient error \(error)")
                worst = max(worst, error)
            }
            print("parity \(name): loss \(loss) vs \(expected.loss), worst relative gradient error \(worst)")
        }
    }

    /// The forward and backward run their row-by-row work in chunks of 256 token rows; a batch of 660 rows (the
    /// fixture's three sequences 20 times over) crosses two chunk boundaries, and repeating every sequence equally
    /// leaves the mean loss and its gradient unchanged: both still match transformers, and every copy's logits
    /// match the three sequences' own, bitwise on both forward paths.
    func testManyChunksMatchTransformers() throws {
        let model = try Qwen2Model.load(directory: EngineFixtures.checkpoint("qwen2-tied"))
        let expected = try EngineFixtures.expected("qwen2-tied")
        let copies = 20
        let tokens = Array([[[Int32]]](repeating: expected.inputIds, count: copies).joined())
        let lossMask = Array([[[Bool]]](repeating: expected.lossMask, count: copies).joined())
        XCTAssertGreaterThan(tokens.count * tokens[0].count, 2 * 256)
        let (loss, gradients) = try model.lossAndGradients(tokens: tokens, lossMask: lossMask)
        XCTAssertEqual(loss, expected.loss, accuracy: 1e-5 * max(1, abs(expected.loss)))
        for slot in model.layout.slots {
            let reference = try expected.tensors.floats("grad." + slot.name)
            let error = EngineFixtures.relativeError(Array(gradients[slot.offset..<(slot.offset + slot.count)]), reference)
            XCTAssertLessThan(error, 1e-3, "\(slot.name): relative gradient error \(error)")
        }
        // Both paths are row-invariant: the batched one through PanelGEMM's per-element chains.
        for rowInvariant in [false, true] {
            let once = try model.logits(tokens: expected.inputIds, rowInvariant: rowInvariant)
            let repeated = try model.logits(tokens: tokens, rowInvariant: rowInvariant)
            for copy in [0, copies / 2, copies - 1] {
                let part = Array(repeated[(copy * once.count)..<((copy + 1) * once.count)])
                XCTAssertEqual(part.map(\.bitPattern), once.map(\.bitPattern), "copy \(copy), rowInvariant \(rowInvariant)")
            }
        }
    }
}

/// Batch invariance of both forward paths: a sequence's logits do not depend on its batch companions.
final class BatchInvarianceTests: XCTestCase {
    func testLogitsDoNotDependOnTheBatch() throws {
        let model = try Qwen2Model.load(directory: EngineFixtures.checkpoint("qwen2-untied"))
        let expected = try EngineFixtures.expected("qwen2-untied")
        let a = expected.inputIds[0], b = expected.inputIds[1], c = expected.inputIds[2]
        let perRow = a.count * model.config.vocabSize
        for rowInvariant in [true, false] {
            let alone = try model.logits(tokens: [a], rowInvariant: rowInvariant)
            for batch in [[a, b], [c, b, a], [b, a, c, a]] {
                let logits = try model.logits(tokens: batch, rowInvariant: rowInvariant)
                let index = batch.firstIndex(of: a)!
                XCTAssertEqual(Array(logits[(index * perRow)..<((index + 1) * perRow)]).map(\.bitPattern),
                               alone.map(\.bitPattern), "rowInvariant \(rowInvariant)")
            }
        }
        // The two paths are the same model with different kernels: close, not equal.
        let oneRowCalls = try model.logits(tokens: [a], rowInvariant: true), panels = try model.logits(tokens: [a])
        XCTAssertLessThan(EngineFixtures.maxAbsDifference(oneRowCalls, panels), 1e-5)
    }
}
