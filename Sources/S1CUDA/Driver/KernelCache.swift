import Crypto
import Foundation

/// Compiled kernels on disk, keyed by the SHA-256 of everything that decides the machine code: the source, its
/// file name, the target architecture, the compiler options, the driver version and the NVRTC version. A file
/// holds a header line with the key and the SHA-256 of the CUBIN that follows; a file that does not match is
/// compiled again (and replaced atomically).
public struct KernelCache: Sendable {
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    /// `S1_CUDA_CACHE`, else `$XDG_CACHE_HOME/s1/cuda-kernels`, else `~/.cache/s1/cuda-kernels`.
    public static func defaultDirectory() -> URL {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["S1_CUDA_CACHE"], !explicit.isEmpty { return URL(fileURLWithPath: explicit) }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appendingPathComponent("s1/cuda-kernels")
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/s1/cuda-kernels")
    }

    public static func key(source: String, fileName: String, architecture: String, options: [String], driverVersion: Int,
                           nvrtcVersion: (Int, Int)) -> String {
        // Length-prefixed fields: no two different inputs encode to the same bytes.
        var material = "s1-kernel-cache/1"
        for field in [source, fileName, architecture, options.joined(separator: "\u{0}"), "\(driverVersion)",
                      "\(nvrtcVersion.0).\(nvrtcVersion.1)"] {
            material += "|\(field.utf8.count):\(field)"
        }
        return SHA256.hash(data: Data(material.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    public func image(source: String, fileName: String, architecture: String, options: [String], driverVersion: Int,
                      compiler: NVRTC) throws -> (image: [UInt8], key: String, fromCache: Bool) {
        let key = Self.key(source: source, fileName: fileName, architecture: architecture, options: options,
                           driverVersion: driverVersion, nvrtcVersion: compiler.version)
        let file = directory.appendingPathComponent("\(key).cubin")
        if let cached = Self.read(file, key: key) { return (cached, key, true) }
        let image = try compiler.compile(source: source, fileName: fileName, architecture: architecture, options: options)
        // A cache that cannot be written only costs a compile next time.
        try? write(image, key: key, to: file)
        return (image, key, false)
    }

    private static func digest(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// The CUBIN in `file` when its header names `key` and the payload's digest matches.
    static func read(_ file: URL, key: String) -> [UInt8]? {
        guard let data = try? Data(contentsOf: file), let newline = data.firstIndex(of: 0x0A) else { return nil }
        let header = String(decoding: data[..<newline], as: UTF8.self).split(separator: " ").map(String.init)
        let payload = [UInt8](data[(newline + 1)...])
        guard header.count == 2, header[0] == key, header[1] == digest(payload), !payload.isEmpty else { return nil }
        return payload
    }

    private func write(_ image: [UInt8], key: String, to file: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var data = Data("\(key) \(Self.digest(image))\n".utf8)
        data.append(contentsOf: image)
        let temporary = directory.appendingPathComponent(".\(key).\(getpid()).tmp")
        try data.write(to: temporary)
        if rename(temporary.path, file.path) != 0 {
            try? FileManager.default.removeItem(at: temporary)
        }
    }
}
