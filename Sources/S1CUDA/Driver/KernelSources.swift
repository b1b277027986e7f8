import Crypto
import Foundation

/// The CUDA C sources shipped as the S1CUDA resource folder `Kernels/`. Found without `Bundle.module` (which stops
/// the process when its folder is missing): `S1_CUDA_KERNELS`, else `s1_S1CUDA.resources/Kernels` beside the
/// running executable or one folder up (where `swift test` runs its test bundle from).
public enum KernelSources {
    public static func directory() throws -> URL {
        var candidates: [URL] = []
        if let override = ProcessInfo.processInfo.environment["S1_CUDA_KERNELS"], !override.isEmpty {
            candidates.append(URL(fileURLWithPath: override))
        }
        let executable = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                             ?? CommandLine.arguments[0])
        var folder = executable.deletingLastPathComponent()
        for _ in 0..<3 {
            candidates.append(folder.appendingPathComponent("s1_S1CUDA.resources/Kernels"))
            folder = folder.deletingLastPathComponent()
        }
        for candidate in candidates where FileManager.default.fileExists(atPath: candidate.appendingPathComponent("common.cuh").path) {
            return candidate
        }
        throw CUDAError.kernelSourcesNotFound(searched: candidates.map(\.path))
    }

    /// Every `.cu` file as one self-contained source (its `#include "x.cuh"` lines replaced by that file), by name.
    public static func load(from directory: URL? = nil) throws -> [(name: String, source: String)] {
        let folder = try directory ?? self.directory()
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".cu") }.sorted()
        return try names.map { name in
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            var lines: [String] = []
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.hasPrefix("#include \""), let header = trimmed.split(separator: "\"").dropFirst().first {
                    lines.append(try String(contentsOf: folder.appendingPathComponent(String(header)), encoding: .utf8))
                } else {
                    lines.append(String(line))
                }
            }
            return (name, lines.joined(separator: "\n"))
        }
    }

    /// SHA-256 (hex) over every source's name and text, in order: the kernel set a result was computed with.
    public static func digest(_ sources: [(name: String, source: String)]) -> String {
        var hasher = SHA256()
        for (name, source) in sources {
            hasher.update(data: Data("\(name.utf8.count):\(name)\(source.utf8.count):\(source)".utf8))
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
