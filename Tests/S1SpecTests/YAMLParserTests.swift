import XCTest
import S1Spec

final class YAMLParserTests: XCTestCase {
    private func parse(_ text: String) -> (YAMLNode?, [SpecDiagnostic]) {
        let r = YAMLParser(fileName: "t.yaml").parse(text)
        return (r.root, r.diagnostics)
    }

    private func pairs(_ node: YAMLNode?) -> [(key: String, keyLocation: SourceLocation, value: YAMLNode)] {
        guard let node, case .mapping(let p) = node.content else { XCTFail("not a mapping"); return [] }
        return p
    }

    func testNodesKeepOneBasedLineAndColumn() {
        let (root, diags) = parse("a: 1\nb:\n  c: [x, y]\n  d: \"q\"\n")
        XCTAssertEqual(diags, [])
        let top = pairs(root)
        XCTAssertEqual(top.map(\.key), ["a", "b"])
        XCTAssertEqual(top[0].keyLocation, SourceLocation(file: "t.yaml", line: 1, column: 1))
        XCTAssertEqual(top[0].value.location, SourceLocation(file: "t.yaml", line: 1, column: 4))
        let inner = pairs(top[1].value)
        XCTAssertEqual(inner[0].keyLocation.description, "t.yaml:3:3")
        guard case .sequence(let items) = inner[0].value.content else { return XCTFail("c should be a list") }
        XCTAssertEqual(items.map(\.location.column), [7, 10])
        XCTAssertEqual(inner[1].value.location.description, "t.yaml:4:6")
        XCTAssertEqual(inner[1].value.origin, .file(SourceLocation(file: "t.yaml", line: 4, column: 6)))
    }

    func testQuotedScalarsStayStrings() throws {
        let spec = try loadText(minimalSpec + "template: {final_answer: \"42\"}\n")
        XCTAssertEqual(spec.value(at: "template.final_answer"), .string("42"))
        let spec2 = try loadText(minimalSpec.replacingOccurrences(of: "name: tiny", with: "name: '2024'"))
        XCTAssertEqual(spec2.experiment.name, "2024")
    }

    func testAnchorsAndAliasesCopyTheAnchoredNode() {
        let (root, diags) = parse("a: &x {k: 1}\nb: *x\nc: [*x, *x]\n")
        XCTAssertEqual(diags, [])
        let top = pairs(root)
        let b = pairs(top[1].value)
        XCTAssertEqual(b.map(\.key), ["k"])
        // An alias keeps the anchored node's location: that is where the value is written.
        XCTAssertEqual(b[0].value.location.line, 1)
        guard case .sequence(let items) = top[2].value.content else { return XCTFail() }
        XCTAssertEqual(items.count, 2)
    }

    func testMergeKeysInheritWithoutOverridingExplicitKeys() {
        let (root, diags) = parse("base: &b {x: 1, y: 2}\nother: &o {z: 9}\nm:\n  <<: [*b, *o]\n  y: 3\n")
        XCTAssertEqual(diags, [])
        let m = pairs(pairs(root)[2].value)
        XCTAssertEqual(m.map(\.key), ["y", "x", "z"])
        guard case .scalar(let y, _) = m[0].value.content else { return XCTFail() }
        XCTAssertEqual(y, "3")
    }

    func testDuplicateKeysAreReportedAndTheFirstIsKept() {
        let (root, diags) = parse("a: 1\nb: 2\na: 3\n")
        XCTAssertEqual(diags.count, 1)
        XCTAssertEqual(diags[0].location.description, "t.yaml:3:1")
        XCTAssertEqual(diags[0].keyPath, "a")
        XCTAssertTrue(diags[0].found.contains("first at t.yaml:1:1"))
        let top = pairs(root)
        XCTAssertEqual(top.map(\.key), ["a", "b"])
        guard case .scalar(let a, _) = top[0].value.content else { return XCTFail() }
        XCTAssertEqual(a, "1")
    }

    func testDuplicateKeysInsideListItemsNameTheirPath() {
        let (_, diags) = parse("l:\n  - {n: 1, n: 2}\n")
        XCTAssertEqual(diags.map(\.keyPath), ["l[0].n"])
        XCTAssertEqual(diags.map(\.location.description), ["t.yaml:2:12"])
    }

    func testSyntaxErrorCarriesLibyamlPosition() {
        let (root, diags) = parse("a: [1, 2\nb: 3\n")
        XCTAssertNil(root)
        XCTAssertEqual(diags.count, 1)
        XCTAssertEqual(diags[0].expected, "valid YAML")
        XCTAssertEqual(diags[0].location.line, 2)
        XCTAssertTrue(diags[0].found.contains("flow sequence"), diags[0].found)
    }

    func testMoreThanOneDocumentIsAnError() {
        let (_, diags) = parse("a: 1\n---\nb: 2\n")
        XCTAssertEqual(diags.map(\.location.line), [2])
    }

    func testEmptyTextGivesAnEmptyScalarRoot() throws {
        let (root, diags) = parse("# only a comment\n")
        XCTAssertEqual(diags, [])
        XCTAssertNil(root)
    }
}
