import XCTest
import S1Spec

/// `variants:`: named override sets resolved into specs of their own, with errors located in the file.
final class VariantTests: XCTestCase {
    private let withVariants = minimalSpec + """
    variants:
      - {name: short-block, set: ["train.block_size=64"]}
      - name: two-budgets
        set:
          - "evaluate.sweeps[0].forcing.max_thinking_tokens=[4, 32]"
          - train.lr=2e-3

    """

    func testEachVariantIsTheFileWithItsOverrides() throws {
        let spec = try loadText(withVariants)
        XCTAssertEqual(spec.experiment.variants.map(\.name), ["short-block", "two-budgets"])
        XCTAssertEqual(spec.variants.map(\.name), ["short-block", "two-budgets"])
        let short = spec.variants[0].spec, budgets = spec.variants[1].spec
        XCTAssertEqual(short.experiment.train.blockSize, 64)
        XCTAssertEqual(spec.experiment.train.blockSize, 32768, "the base keeps the file's value")
        guard case .forcing(let forcing) = budgets.experiment.evaluate.sweeps[0].method else { return XCTFail() }
        XCTAssertEqual(forcing.maxThinkingTokens, [4, 32])
        XCTAssertEqual(budgets.experiment.train.lr, 2e-3)
        // A variant is an experiment without variants; everything it does not set is the base's.
        XCTAssertTrue(short.experiment.variants.isEmpty && short.variants.isEmpty)
        XCTAssertNil(short.value(at: "variants")?.listValue?.first)
        XCTAssertEqual(short.value(at: "evaluate"), spec.value(at: "evaluate"))
    }

    func testCommandLineOverridesApplyToEveryVariant() throws {
        let spec = try loadText(withVariants, overrides: ["train.epochs=2"])
        XCTAssertEqual(spec.variants.map(\.spec.experiment.train.epochs), [2, 2])
    }

    func testABadSetItemIsReportedWhereItIsWritten() {
        let bad = minimalSpec + """
        variants:
          - name: broken
            set: ["train.lr=fast", "train.warmup=0.1"]

        """
        let found = diagnostics(bad)
        let lr = found.first { $0.keyPath.contains("train.lr") }
        XCTAssertEqual(lr?.location.line, 13, "\(found)")
        XCTAssertTrue(lr?.keyPath.hasPrefix("variant 'broken'") == true, "\(found)")
        XCTAssertTrue(found.contains { $0.keyPath.contains("train.warmup") && $0.hint.contains("warmup_ratio") }, "\(found)")
        let twice = minimalSpec + "variants: [{name: a, set: [train.lr=1]}, {name: a, set: [train.lr=2]}]\n"
        XCTAssertTrue(diagnostics(twice).contains { $0.keyPath == "variants[1].name" && $0.expected == "a unique name" })
        XCTAssertTrue(diagnostics(minimalSpec + "variants: [{name: empty, set: []}]\n").contains { $0.keyPath == "variants[0].set" })
        // The seed and the backend belong to the whole run: a variant that sets them is refused, where it does.
        let shared = diagnostics(minimalSpec + "variants: [{name: s, set: [seed=9, backend=cuda]}]\n")
        XCTAssertEqual(Set(shared.map(\.keyPath)), ["variant 's': seed", "variant 's': backend"], "\(shared)")
        XCTAssertEqual(shared.first?.location.line, 11)
    }
}
