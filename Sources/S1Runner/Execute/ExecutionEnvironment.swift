import Foundation
import S1Store

/// The facts about where a run executes. `keyed` holds the ones that can change results bitwise (they enter every
/// step key); `described` adds the ones kept for the record only.
public struct ExecutionEnvironment: Sendable, Equatable {
    public let backend: String
    public let architecture: String
    /// What can change float results on this backend, e.g. the BLAS kernel family and its thread count.
    public let kernelFacts: [String: String]
    /// Recorded, not keyed: CPU model, OS.
    public let descriptiveFacts: [String: String]

    public init(backend: String, architecture: String = ExecutionEnvironment.machineArchitecture(),
                kernelFacts: [String: String] = [:], descriptiveFacts: [String: String] = [:]) {
        self.backend = backend
        self.architecture = architecture
        self.kernelFacts = kernelFacts
        self.descriptiveFacts = descriptiveFacts
    }

    public var keyed: CanonicalValue {
        .object([
            "backend": .string(backend),
            "architecture": .string(architecture),
            "kernels": .object(kernelFacts.mapValues { .string($0) }),
        ])
    }

    public var described: CanonicalValue {
        guard case .object(var fields) = keyed else { return keyed }
        fields["machine"] = .object(descriptiveFacts.mapValues { .string($0) })
        return .object(fields)
    }

    public static func machineArchitecture() -> String {
        var system = utsname()
        uname(&system)
        return withUnsafeBytes(of: &system.machine) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// CPU model and kernel release: useful to a reader of the record, but not a reason to recompute.
    public static func describeMachine() -> [String: String] {
        var facts: [String: String] = [:]
        if let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let value = line.split(separator: ":", maxSplits: 1).last {
            facts["cpu"] = value.trimmingCharacters(in: .whitespaces)
        }
        facts["cores"] = String(ProcessInfo.processInfo.activeProcessorCount)
        var system = utsname()
        uname(&system)
        facts["os"] = withUnsafeBytes(of: &system.sysname) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return facts
    }
}
