import Foundation
import XCTest
import S1Spec

/// Runs every spec under Fixtures/invalid/ and checks its errors, in order, against the file's header:
///   `# set: key=value`                        an override passed with the spec (repeatable)
///   `# expect: LINE:COL KEYPATH | FRAGMENT`   one expected diagnostic; `--set #N:COL` for an override's location
/// The number of diagnostics must equal the number of `expect` lines, so nothing extra slips through.
final class InvalidSpecCorpusTests: XCTestCase {
    struct Expectation {
        let location: String
        let keyPath: String
        let fragment: String
    }

    static func parseHeader(_ text: String) -> (sets: [String], expects: [Expectation]) {
        var sets: [String] = []
        var expects: [Expectation] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("#") else { break }
            if line.hasPrefix("# set: ") { sets.append(String(line.dropFirst(7))) }
            if line.hasPrefix("# expect: ") {
                let body = line.dropFirst(10)
                let parts = body.components(separatedBy: " | ")
                let head = parts[0]
                // The location may contain a space (`--set #1:9`), so split the key path off at the last space.
                let space = head.lastIndex(of: " ")!
                expects.append(Expectation(location: String(head[..<space]), keyPath: String(head[head.index(after: space)...]),
                                           fragment: parts.dropFirst().joined(separator: " | ")))
            }
        }
        return (sets, expects)
    }

    static func locationText(_ loc: SourceLocation) -> String {
        loc.isOverride ? loc.description : "\(loc.line):\(loc.column)"
    }

    func testEveryInvalidSpecReportsItsErrors() throws {
        let folder = try XCTUnwrap(Bundle.module.resourceURL).appendingPathComponent("Fixtures/invalid")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 25)
        for file in files {
            let path = folder.appendingPathComponent(file).path
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let header = Self.parseHeader(text)
            XCTAssertFalse(header.expects.isEmpty, "\(file): no expectations")
            let found: [SpecDiagnostic]
            do {
                _ = try SpecLoader.load(path: path, overrides: header.sets)
                XCTFail("\(file): loaded without errors")
                continue
            } catch let error as SpecErrors {
                found = error.diagnostics
            }
            XCTAssertEqual(found.count, header.expects.count,
                           "\(file): expected \(header.expects.count) errors, got:\n\(found.map(\.description).joined(separator: "\n"))")
            for (expected, actual) in zip(header.expects, found) {
                XCTAssertEqual(Self.locationText(actual.location), expected.location, "\(file): \(actual)")
                XCTAssertEqual(actual.keyPath, expected.keyPath, "\(file): \(actual)")
                XCTAssertTrue(actual.description.contains(expected.fragment), "\(file): '\(expected.fragment)' not in: \(actual)")
                // Every diagnostic names its file (or override), what was expected and what was found.
                XCTAssertFalse(actual.expected.isEmpty, "\(file)")
                XCTAssertFalse(actual.found.isEmpty, "\(file)")
                if !actual.location.isOverride { XCTAssertEqual(actual.location.file, path, "\(file)") }
            }
        }
    }
}
