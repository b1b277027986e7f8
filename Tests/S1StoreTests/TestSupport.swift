import Foundation
import XCTest

/// A fresh directory under the system temp dir, removed at the end of the test.
func makeTemporaryDirectory(_ test: XCTestCase, _ name: String = #function) throws -> URL {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent(
        "s1-store-tests-" + name.filter { $0.isLetter || $0.isNumber } + "-" + ProcessInfo.processInfo.globallyUniqueString)
    try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: base) }
    return base
}

/// Writes a file, creating parent directories.
func writeFile(_ url: URL, _ text: String, mode: Int = 0o644) throws {
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
    try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
}

/// Result of an external command.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs an external program (by absolute path or found on PATH) and waits for it.
@discardableResult
func runCommand(_ arguments: [String], currentDirectory: URL? = nil) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    if let currentDirectory { process.currentDirectoryURL = currentDirectory }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(
        status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData, as: UTF8.self))
}
