import COpenBLAS
import Foundation

/// What about this machine decides the engine's floating-point results: the runner hashes `fingerprint` into
/// every step key that runs the engine, so results computed with a different BLAS kernel or thread count are
/// never mistaken for cached ones, and `verify --recompute` can say why bits differ.
public struct EngineEnvironment: Codable, Equatable, Sendable {
    /// OpenBLAS threads per `cblas_sgemm` call: always 1. The engine splits its own work instead (see `threads`):
    /// OpenBLAS's thread pool spent about a sixth of a two-thread training step yielding between small GEMMs.
    public let blasThreads: Int
    /// Threads the engine splits its work over (`workerCount`): GEMMs by output rows or columns, row kernels by
    /// rows, attention by (sequence, KV head) groups. Every output element is computed by one thread in one order;
    /// on s1-mini's shapes the bits are the same at 1, 2 and 3 threads (test). It is still in the fingerprint:
    /// OpenBLAS picks its kernels by problem size, and a split changes the sizes it sees.
    public let threads: Int
    /// OpenBLAS kernel set chosen for this CPU (`openblas_get_corename()`, e.g. "Haswell").
    public let blasCoreName: String
    /// OpenBLAS build configuration (`openblas_get_config()`).
    public let blasConfig: String
    /// SIMD-relevant CPU flags present (sorted), from /proc/cpuinfo where available.
    public let cpuFlags: [String]
    /// Engine numerics version: bump when a kernel's arithmetic order changes.
    public let kernelVersion: String

    /// The flags that change which kernels OpenBLAS or the Swift code can use.
    static let relevantFlags: Set<String> = ["sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512bw",
                                             "avx512vl", "avx512_bf16", "avx512_vnni", "amx_bf16", "neon", "asimd", "sve"]

    /// The thread count runs use: fixed, not this machine's core count, so step keys (which hold it) are the same
    /// on a laptop, a CI runner and a reviewer's workstation. Two: the reference machine's cores.
    public static let defaultThreads = 2

    /// Sets the engine's thread count (OpenBLAS stays at one thread per call) and returns the environment.
    @discardableResult
    public static func configure(threads: Int) -> EngineEnvironment {
        pinLock.lock()
        openblas_set_num_threads(1)
        pinned = true
        workerCount = max(1, threads)
        pinLock.unlock()
        return current()
    }

    /// Pins OpenBLAS to 1 thread unless `configure` was called: it would otherwise use every core, a count that
    /// varies between machines. Called by `Qwen2Model.init`.
    public static func pinDefaultIfNeeded() {
        pinLock.lock()
        defer { pinLock.unlock() }
        if !pinned {
            openblas_set_num_threads(1)
            pinned = true
        }
    }

    /// Threads the engine's parallel loops use (`configure(threads:)`).
    public private(set) nonisolated(unsafe) static var workerCount = 1

    private static let pinLock = NSLock()
    private nonisolated(unsafe) static var pinned = false

    /// The environment as it is now.
    public static func current() -> EngineEnvironment {
        let core = openblas_get_corename().map { String(cString: $0) } ?? "unknown"
        let config = openblas_get_config().map { String(cString: $0) } ?? "unknown"
        var flags: [String] = []
        if let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") || $0.hasPrefix("Features") }),
           let colon = line.firstIndex(of: ":") {
            flags = Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
                .intersection(relevantFlags).sorted()
        }
        return EngineEnvironment(blasThreads: Int(openblas_get_num_threads()), threads: workerCount, blasCoreName: core,
                                 blasConfig: config.trimmingCharacters(in: .whitespaces), cpuFlags: flags,
                                 kernelVersion: "cpu-fp32-5")
    }

    /// Sorted key → value pairs for hashing into step keys.
    public var fingerprint: [(key: String, value: String)] {
        [("blas_config", blasConfig), ("blas_core", blasCoreName), ("blas_threads", "\(blasThreads)"),
         ("cpu_flags", cpuFlags.joined(separator: ",")), ("engine_threads", "\(threads)"),
         ("kernel_version", kernelVersion)]
    }
}
