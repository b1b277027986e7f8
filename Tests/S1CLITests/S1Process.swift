import Foundation
import XCTest

/// Runs the built `s1` binary (it sits beside the test bundle in the build folder) in a scratch folder.
struct S1Process {
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("s1")
    }

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        var combined: String { stdout + stderr }
    }

    /// Runs to completion. Standard input is empty.
    @discardableResult
    static func run(_ arguments: [String], in directory: URL, environment: [String: String] = [:],
                    executable: URL = binary) throws -> Result {
        let process = try launch(arguments, in: directory, environment: environment, executable: executable)
        let stdout = process.standardOutput as! Pipe, stderr = process.standardError as! Pipe
        // Drain both pipes while the process runs, so a chatty child never blocks on a full pipe.
        let outData = DataBox(), errData = DataBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { outData.data = stdout.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { errData.data = stderr.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        process.waitUntilExit()
        group.wait()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData.data, as: UTF8.self),
                      stderr: String(decoding: errData.data, as: UTF8.self))
    }

    /// Runs another program (tar, bsdtar) the same way.
    static func runTool(_ path: String, _ arguments: [String], in directory: URL) throws -> Result {
        try run(arguments, in: directory, executable: URL(fileURLWithPath: path))
    }

    /// Starts without waiting, for kill and concurrency tests.
    static func launch(_ arguments: [String], in directory: URL, environment: [String: String] = [:],
                       executable: URL = binary) throws -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { _, new in new }
        process.environment = merged
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = Pipe()
        process.standardError = Pipe()
        try process.run()
        return process
    }
}

/// Filled by one reader thread, read after `group.wait()`: the group orders the accesses.
final class DataBox: @unchecked Sendable {
    var data = Data()
}

func scratchDirectory(_ label: String = #function) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("s1-cli-tests-\(getpid())-\(label.filter { $0.isLetter })-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
