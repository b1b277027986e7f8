import Foundation

/// What about this machine could decide the engine's floating-point results, split into what is keyed and what
/// is only recorded.
///
/// Keyed (`fingerprint`, hashed into every step key that runs the engine): the kernels' arithmetic version and
/// the reference instruction set. Recorded only (`recordedFacts`, in `environment.json`): the thread count and
/// the CPU's SIMD features. The engine has no BLAS library and no code path chosen by CPU model, problem size
/// or thread count: every output element is one chain of IEEE operations (fused multiply-adds included, which
/// are exact by definition) in one fixed order, computed by one thread. So neither the CPU model nor the number
/// of threads can change a bit, and neither belongs in a key (tests: training and decoding give the same bits
/// at 1, 2, 3 and 4 threads; a golden digest of a small forward and backward pass).
public struct EngineEnvironment: Codable, Equatable, Sendable {
    /// Threads the engine splits its work over (`workerCount`): GEMMs by output rows or columns, row kernels by
    /// fixed row chunks, attention by (sequence, KV head) groups. Recorded, not keyed.
    public let threads: Int
    /// SIMD-relevant CPU flags present (sorted), from /proc/cpuinfo where available. Recorded, not keyed.
    public let cpuFlags: [String]
    /// Engine numerics version: bump when a kernel's arithmetic order changes (`EngineGoldenDigestTests` fails
    /// when the bits of a small forward and backward pass change without it).
    public let kernelVersion: String
    /// The instruction set the engine is compiled for and that `ReferenceISA` requires at start-up.
    public let referenceISA: String

    /// The engine's arithmetic version.
    public static let kernelVersion = "cpu-fp32-6"

    /// The flags worth recording: the ones the compiler could use on this machine.
    static let relevantFlags: Set<String> = ["sse4_2", "avx", "avx2", "fma", "f16c", "bmi2", "avx512f", "avx512bw",
                                             "avx512vl", "avx512_bf16", "avx512_vnni", "amx_bf16", "neon", "asimd", "sve"]

    /// The thread count runs use unless told otherwise: `S1_THREADS` when it is set (a positive integer; the
    /// CLI's `--threads` sets it), else every core of this machine. Any count gives the same bits.
    public static func defaultThreads(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Int {
        guard let text = environment["S1_THREADS"] else { return ProcessInfo.processInfo.activeProcessorCount }
        guard let count = Int(text.trimmingCharacters(in: .whitespaces)), count >= 1, count <= 4096 else {
            throw EngineError.invalidInput(reason: "S1_THREADS is '\(text)': expected a whole number of threads from 1 to 4096; unset it to use every core")
        }
        return count
    }

    /// Sets the engine's thread count and returns the environment.
    @discardableResult
    public static func configure(threads: Int) -> EngineEnvironment {
        workerLock.lock()
        workerCount = max(1, threads)
        workerLock.unlock()
        return current()
    }

    /// Threads the engine's parallel loops use (`configure(threads:)`).
    public private(set) nonisolated(unsafe) static var workerCount = 1

    private static let workerLock = NSLock()

    /// The environment as it is now.
    public static func current() -> EngineEnvironment {
        var flags: [String] = []
        if let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") || $0.hasPrefix("Features") }),
           let colon = line.firstIndex(of: ":") {
            flags = Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
                .intersection(relevantFlags).sorted()
        }
        return EngineEnvironment(threads: workerCount, cpuFlags: flags, kernelVersion: kernelVersion,
                                 referenceISA: ReferenceISA.name)
    }

    /// Sorted key → value pairs hashed into step keys: only what can change bits.
    public var fingerprint: [(key: String, value: String)] {
        [("kernel_version", kernelVersion), ("reference_isa", referenceISA)]
    }

    /// Sorted key → value pairs recorded beside the keys (`environment.json`), never hashed.
    public var recordedFacts: [(key: String, value: String)] {
        [("cpu_flags", cpuFlags.joined(separator: ",")), ("engine_threads", "\(threads)")]
    }
}
