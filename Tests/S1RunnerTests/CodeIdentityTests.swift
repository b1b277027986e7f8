import Foundation
import S1Runner
import XCTest

/// Step keys hash the sources a step is built from: the build-time digests equal the same computation on a copy
/// of the sources in another folder, each step kind's units cover what its files import, and a unit's change
/// reaches exactly the steps built from it.
final class CodeIdentityTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The package's own modules (and the step folder) with the files SwiftPM hands the plugin: every file under
    /// the module's folder.
    static let localUnits = ["CReferenceISA", "S1CUDA", "S1Engine", "S1Method", "S1Report", "S1Spec", "S1Store"]

    /// Runs scripts/code-digests.sh on `sources` (a Sources folder) as the plugin does, returning unit → digest.
    func digests(ofSourcesAt sources: URL) throws -> [String: String] {
        var arguments = [Self.packageRoot.appendingPathComponent("scripts/code-digests.sh").path]
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("code-digests-\(UUID().uuidString).swift")
        defer { try? FileManager.default.removeItem(at: output) }
        arguments += [output.path, "swiftc"]
        for unit in Self.localUnits + ["S1Runner/Steps"] {
            let module = String(unit.split(separator: "/")[0])
            let folder = sources.appendingPathComponent(unit)
            let files = try XCTUnwrap(FileManager.default.subpathsOfDirectory(atPath: folder.path)).filter { path in
                var isDirectory: ObjCBool = false
                FileManager.default.fileExists(atPath: folder.appendingPathComponent(path).path, isDirectory: &isDirectory)
                return !isDirectory.boolValue
            }
            arguments += ["@unit", unit, ""]
            let prefix = unit == module ? module : unit
            for file in files { arguments += ["\(prefix)/\(file)", folder.appendingPathComponent(file).path] }
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let text = try String(contentsOf: output, encoding: .utf8)
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "\"")
            if parts.count == 5, parts[2] == ": ", parts[3].count == 64 { result[String(parts[1])] = String(parts[3]) }
        }
        return result
    }

    func testBuildDigestsAreTheSourcesDigestsWhereverTheSourcesLie() throws {
        let built = CodeIdentity.current()
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("code-identity-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        var copies: [[String: String]] = []
        for place in ["a", "somewhere/else/b"] {
            let copy = scratch.appendingPathComponent(place).appendingPathComponent("Sources")
            try FileManager.default.createDirectory(at: copy.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: Self.packageRoot.appendingPathComponent("Sources"), to: copy)
            copies.append(try digests(ofSourcesAt: copy))
        }
        XCTAssertEqual(copies[0], copies[1], "the digests depend on where the sources lie")
        for unit in Self.localUnits + ["S1Runner/Steps"] {
            XCTAssertEqual(copies[0][unit], built.units[unit], "\(unit): the build's digest is not its sources' digest")
        }
        XCTAssertTrue(built.compiler.hasPrefix("Swift version"), built.compiler)
        // A changed file changes its unit's digest and no other.
        let copy = scratch.appendingPathComponent("a/Sources")
        try "// a comment\n".write(to: copy.appendingPathComponent("S1Report/Comment.swift"), atomically: true, encoding: .utf8)
        let changed = try digests(ofSourcesAt: copy)
        XCTAssertNotEqual(changed["S1Report"], copies[0]["S1Report"])
        XCTAssertEqual(changed.filter { $0.key != "S1Report" }, copies[0].filter { $0.key != "S1Report" })
    }

    /// Every module a step file imports is in the key of every standard step kind.
    func testStepKindsAreKeyedByEveryModuleTheirFilesImport() throws {
        let identity = CodeIdentity.current()
        let folder = Self.packageRoot.appendingPathComponent("Sources/S1Runner/Steps")
        var imported = Set<String>()
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".swift") {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") where line.hasPrefix("import ") {
                imported.insert(String(line.dropFirst("import ".count)).trimmingCharacters(in: .whitespaces))
            }
        }
        let localModules = imported.filter { identity.units[$0] != nil }
        XCTAssertFalse(localModules.isEmpty)
        for kind in StandardSteps.registry.kinds {
            let executor = try XCTUnwrap(StandardSteps.registry.executor(for: kind))
            guard case .object(let code) = identity.step(builtFrom: executor.codeUnits),
                  case .object(let units) = code["units"] else { return XCTFail("code is not an object") }
            for module in localModules { XCTAssertNotNil(units[module], "\(kind) imports \(module) but is not keyed by it") }
            XCTAssertNotNil(units["S1Runner/Steps"])
            for unit in units.keys { XCTAssertNotNil(identity.units[unit], "\(kind) names the unknown unit \(unit)") }
            XCTAssertNil(units["S1Report"], "\(kind): the report module computes no step output")
            XCTAssertNil(units["S1CUDA"], "\(kind): S1CUDA enters only the keys of steps on backend: cuda")
        }
    }

    func testAUnitChangeReachesOnlyTheStepsBuiltFromIt() throws {
        func identity(engine: String, report: String) -> CodeIdentity {
            CodeIdentity(toolVersion: "t", compiler: "c", configuration: "release",
                         units: ["S1Engine": engine, "S1Method": "m", "S1Report": report, "S1Runner/Steps": "s"],
                         dependencies: ["S1Method": ["S1Engine"], "S1Report": ["S1Method", "S1Engine"]])
        }
        let step = ["S1Runner/Steps", "S1Method"]
        let base = try identity(engine: "e1", report: "r1").step(builtFrom: step).digest()
        XCTAssertEqual(try identity(engine: "e1", report: "r2").step(builtFrom: step).digest(), base)
        XCTAssertNotEqual(try identity(engine: "e2", report: "r1").step(builtFrom: step).digest(), base,
                          "S1Method depends on S1Engine: an engine change must reach the step")
    }
}
