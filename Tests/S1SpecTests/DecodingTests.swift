import XCTest
import S1Spec

final class DecodingTests: XCTestCase {
    func testDefaultsAreThePapersValues() throws {
        let spec = try loadText(minimalSpec)
        let t = spec.experiment.train
        XCTAssertEqual(t.epochs, 5)
        XCTAssertEqual(t.batchSize, 16)
        XCTAssertEqual(t.microBatchSize, 1)
        XCTAssertEqual(t.lr, 1e-5)
        XCTAssertEqual(t.minLR, 0)
        XCTAssertEqual(t.warmupRatio, 0.05)
        XCTAssertEqual(t.schedule, .cosine)
        XCTAssertEqual(t.weightDecay, 1e-4)
        XCTAssertEqual([t.beta1, t.beta2, t.eps], [0.9, 0.95, 1e-8])
        XCTAssertEqual(t.gradClip, 1.0)
        XCTAssertEqual(t.blockSize, 32768)
        XCTAssertEqual(t.lossOn, [.thinking, .answer])
        XCTAssertEqual(t.precision, .bf16)
        XCTAssertNil(t.from)
        let tpl = spec.experiment.template
        XCTAssertEqual(tpl.thinkStart, "<|im_start|>think")
        XCTAssertEqual(tpl.thinkEnd, "<|im_start|>answer")
        XCTAssertEqual(tpl.answerEnd, "<|im_end|>")
        XCTAssertEqual(tpl.finalAnswer, "Final Answer:")
        XCTAssertEqual(spec.experiment.evaluate.temperature, 0)
        XCTAssertEqual(spec.experiment.data.select.size, 1000)
        XCTAssertEqual(spec.experiment.data.select.variant, .paper)
        XCTAssertNil(spec.experiment.data.select.solvedBy)
        XCTAssertNil(spec.experiment.data.select.decontaminate)
        XCTAssertEqual(spec.experiment.report.formats, [.html, .md])
        XCTAssertEqual(spec.experiment.backend, .cpu)
        guard case .forcing(let f) = spec.experiment.evaluate.sweeps[0].method else { return XCTFail() }
        XCTAssertEqual(f.extensions, ["Wait"])
        XCTAssertEqual(f.maxThinkingTokens, [8, 16])
        XCTAssertNil(f.ignoreEnd)
        guard case .synthetic(let pool) = spec.experiment.data.pool else { return XCTFail() }
        XCTAssertNil(pool.domains)
        XCTAssertEqual(pool.size, 100)
        XCTAssertEqual(pool.difficulty, 1...7)
    }

    func testTreeIsTypedBySchemaNotBySpelling() throws {
        let spec = try loadText(minimalSpec + "train: {lr: 1, warmup_ratio: 0}\n")
        XCTAssertEqual(spec.value(at: "train.lr"), .double(1))
        XCTAssertEqual(spec.value(at: "train.warmup_ratio"), .double(0))
        XCTAssertEqual(spec.value(at: "train.epochs"), .int(5))
        // 1e-5 and 0.00001 are one value.
        let a = try loadText(minimalSpec + "train: {lr: 1e-5}\n")
        let b = try loadText(minimalSpec + "train: {lr: 0.00001}\n")
        XCTAssertEqual(a.tree, b.tree)
        XCTAssertEqual(a.canonicalYAML(), b.canonicalYAML())
    }

    func testShorthandsExpand() throws {
        let spec = try loadText(minimalSpec.replacingOccurrences(of: "[8, 16]}}", with: "[8, 16], extension: Hmm}}")
                                + "template: qwen2.5\n")
        XCTAssertEqual(spec.value(at: "evaluate.sweeps[0].forcing.extension"), .list([.string("Hmm")]))
        XCTAssertEqual(spec.value(at: "template.base"), .string("qwen2.5"))
        XCTAssertEqual(spec.value(at: "template.think_end"), .string("<|im_start|>answer"))
        let custom = try loadText(minimalSpec + "template: {think_end: \"<think_end>\"}\n")
        XCTAssertEqual(custom.experiment.template.thinkEnd, "<think_end>")
        XCTAssertEqual(custom.experiment.template.thinkStart, "<|im_start|>think")
    }

    func testVocabIsBytesOrASize() throws {
        let bytes = try loadText(minimalSpec)
        guard case .initialize(let m)? = bytes.experiment.model else { return XCTFail() }
        XCTAssertEqual(m.vocab, .bytes)
        let sized = try loadText(minimalSpec.replacingOccurrences(of: "intermediate: 64}", with: "intermediate: 64, vocab: 512}"))
        guard case .initialize(let m2)? = sized.experiment.model else { return XCTFail() }
        XCTAssertEqual(m2.vocab, .size(512))
        let bad = diagnostics(minimalSpec.replacingOccurrences(of: "intermediate: 64}", with: "intermediate: 64, vocab: words}"))
        XCTAssertEqual(bad.map(\.keyPath), ["model.init.vocab"])
        XCTAssertTrue(bad[0].expected.contains("bytes"))
    }

    func testAllErrorsInOnePassSortedByPosition() {
        let text = minimalSpec.replacingOccurrences(of: "seed: 7", with: "seed: x")
            + "train: {lr: 0, batch_size: 0}\nreport: {formats: [pdf]}\n"
        let diags = diagnostics(text)
        XCTAssertEqual(diags.map(\.keyPath), ["seed", "train.lr", "train.batch_size", "report.formats[0]"])
        XCTAssertEqual(diags.map(\.location), diags.map(\.location).sorted())
    }

    func testCrossReferencesAreChecked() {
        let text = minimalSpec + """
        base_models:
          - {name: small, checkpoint: m/small}
          - {name: small, checkpoint: m/other}
        train: {}

        """
        let diags = diagnostics(text.replacingOccurrences(of: "model:\n  init", with: "model:\n  init"))
        XCTAssertEqual(diags.map(\.keyPath), ["base_models[1].name"])
        let fromAndModel = diagnostics(minimalSpec + "base_models: [{name: b, checkpoint: x}]\ntrain: {from: b}\n")
        XCTAssertEqual(fromAndModel.map(\.keyPath), ["train.from"])
        let unknownFrom = diagnostics(minimalSpec.replacingOccurrences(of: "model:\n  init: {hidden: 32, layers: 1, heads: 2, kv_heads: 1, intermediate: 64}\n", with: "")
                                      + "train: {from: nobody}\n")
        XCTAssertEqual(unknownFrom.map(\.keyPath), ["train.from"])
    }

    func testDiagnosticDescriptionNamesEverything() {
        let d = diagnostics(minimalSpec + "train:\n  adam: {beta2: 1.5}\n")
        XCTAssertEqual(d.count, 1)
        XCTAssertEqual(d[0].description, "spec.yaml:12:17: train.adam.beta2: expected a number in [0, 1), found number 1.5")
        let e = SpecErrors(diagnostics: d)
        XCTAssertTrue(e.description.hasPrefix("1 error in spec\n"))
    }
}
