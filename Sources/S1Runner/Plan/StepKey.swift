import S1Store

/// Everything a step's result may depend on, in the canonical form that its key hashes.
///
/// The key scheme is versioned: changing what goes in here must bump `scheme`, so that old records are never
/// mistaken for new ones.
public struct StepKeyMaterial: Sendable, Equatable {
    public static let scheme = "s1-step-key/1"

    public let kind: String
    public let parameters: CanonicalValue
    /// Input name → digest of the file the step reads.
    public let inputs: [String: Digest]
    public let seed: UInt64
    public let code: CodeIdentity
    public let environment: CanonicalValue

    public init(kind: String, parameters: CanonicalValue, inputs: [String: Digest], seed: UInt64,
                code: CodeIdentity, environment: CanonicalValue) {
        self.kind = kind
        self.parameters = parameters
        self.inputs = inputs
        self.seed = seed
        self.code = code
        self.environment = environment
    }

    public var canonical: CanonicalValue {
        .object([
            "scheme": .string(Self.scheme),
            "kind": .string(kind),
            "parameters": parameters,
            "inputs": .object(inputs.mapValues { .string($0.description) }),
            // As a string: JSON readers commonly lose integers above 2^53.
            "seed": .string(String(seed)),
            "code": code.canonical,
            "environment": environment,
        ])
    }

    public func key() throws -> Digest { try canonical.digest() }
}

/// Which code produced a result: the tool's version and the digest of the running executable.
///
/// Why the executable: any change to any source file that reaches the binary changes it, with no build step that a
/// plain `swift build` could skip. The price is that a binary built elsewhere (another compiler, another machine)
/// has another identity, so its results are recomputed rather than trusted; `s1 rerun` then reports per step whether
/// the recomputation was identical.
public struct CodeIdentity: Sendable, Equatable, Codable {
    public let toolVersion: String
    public let executable: Digest

    public init(toolVersion: String, executable: Digest) {
        self.toolVersion = toolVersion
        self.executable = executable
    }

    public var canonical: CanonicalValue {
        .object(["tool_version": .string(toolVersion), "executable": .string(executable.description)])
    }

    /// The identity of the running process's executable.
    public static func current() throws -> CodeIdentity {
        CodeIdentity(toolVersion: S1Version.current, executable: try ContentHasher.digest(ofFile: "/proc/self/exe"))
    }
}

public enum S1Version {
    public static let current = "0.1.0"
}
