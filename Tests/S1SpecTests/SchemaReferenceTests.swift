import Foundation
import XCTest
import S1Spec

final class SchemaReferenceTests: XCTestCase {
    /// experiments/README.md carries the field reference generated from the schema, verbatim.
    func testReadmeFieldReferenceMatchesTheSchema() throws {
        let readme = try String(contentsOf: repositoryRoot.appendingPathComponent("experiments/README.md"), encoding: .utf8)
        let begin = "<!-- field-reference:begin (generated from ExperimentSchema.markdownReference()) -->\n"
        let end = "<!-- field-reference:end -->"
        let start = try XCTUnwrap(readme.range(of: begin), "README lacks the begin marker")
        let stop = try XCTUnwrap(readme.range(of: end), "README lacks the end marker")
        let current = String(readme[start.upperBound..<stop.lowerBound])
        let generated = ExperimentSchema.markdownReference()
        if current != generated {
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("s1-field-reference.md")
            try generated.write(to: out, atomically: true, encoding: .utf8)
            XCTFail("experiments/README.md field reference is stale; paste \(out.path) between the markers")
        }
        for row in ExperimentSchema.fieldReference() {
            XCTAssertTrue(readme.contains("`\(row.path)`"), "README misses \(row.path)")
        }
    }

    func testEveryResolvedKeyOfTheExamplesIsInTheReference() throws {
        let documented = Set(ExperimentSchema.fieldReference().map(\.path))
        for name in ["s1-mini.yaml", "s1-32b.yaml"] {
            let spec = try SpecLoader.load(path: repositoryRoot.appendingPathComponent("experiments/" + name).path)
            var paths: [String] = []
            func walk(_ v: SpecValue, _ path: String) {
                if case .map(let m) = v {
                    for (k, child) in m { let p = path.isEmpty ? k : path + "." + k; paths.append(p); walk(child, p) }
                } else if case .list(let items) = v {
                    for item in items { walk(item, path + "[]") }
                }
            }
            walk(spec.tree, "")
            for p in paths { XCTAssertTrue(documented.contains(p), "\(name): \(p) not in the schema reference") }
        }
    }
}
