import S1Store

/// Everything a step's result may depend on, in the canonical form that its key hashes.
///
/// The key scheme is versioned: changing what goes in here must bump `scheme`, so that old records are never
/// mistaken for new ones.
public struct StepKeyMaterial: Sendable, Equatable {
    public static let scheme = "s1-step-key/2"

    public let kind: String
    public let parameters: CanonicalValue
    /// Input name → digest of the file the step reads.
    public let inputs: [String: Digest]
    public let seed: UInt64
    /// `CodeIdentity.step(builtFrom:)` for the units the step kind is built from.
    public let code: CanonicalValue
    public let environment: CanonicalValue

    public init(kind: String, parameters: CanonicalValue, inputs: [String: Digest], seed: UInt64,
                code: CanonicalValue, environment: CanonicalValue) {
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
            "code": code,
            "environment": environment,
        ])
    }

    public func key() throws -> Digest { try canonical.digest() }
}

/// Which code produced a result: the tool's version, the compiler, the build configuration, and the SHA-256 of
/// the source files of every unit (a module, or a top-level folder of S1Runner) this build is made of, computed at
/// build time by the CodeDigests plugin (`BuildCodeDigests`).
///
/// A step is keyed by the units it is built from (`step(builtFrom:)`), with their dependencies, never by the
/// executable's bytes or a path: two builds of the same sources, in any folder on any machine, key alike, and a
/// change to S1Report's files reruns no step. `-target-cpu` is not keyed, because it cannot change a bit: Swift
/// never contracts or reassociates floating point, and a fused multiply-add rounds once whether it is an
/// instruction or a libm call. The optimisation configuration (debug or release) is keyed all the same.
public struct CodeIdentity: Sendable, Equatable, Codable {
    public let toolVersion: String
    /// `swiftc --version`, first line.
    public let compiler: String
    /// "release" or "debug".
    public let configuration: String
    /// Unit → hex SHA-256 of its source files.
    public let units: [String: String]
    /// Unit → the modules it is built from, transitively.
    public let dependencies: [String: [String]]

    public init(toolVersion: String, compiler: String, configuration: String, units: [String: String],
                dependencies: [String: [String]]) {
        self.toolVersion = toolVersion
        self.compiler = compiler
        self.configuration = configuration
        self.units = units
        self.dependencies = dependencies
    }

    /// What a step built from `roots` is keyed by: the roots and every module they depend on, each with the digest
    /// of its sources (a unit this build lacks is keyed as "missing", so it can never match a real digest).
    public func step(builtFrom roots: [String]) -> CanonicalValue {
        var closure = Set(roots)
        for root in roots { closure.formUnion(dependencies[root] ?? []) }
        return .object([
            "tool_version": .string(toolVersion),
            "compiler": .string(compiler),
            "configuration": .string(configuration),
            "units": .object(Dictionary(uniqueKeysWithValues: closure.map { ($0, .string(units[$0] ?? "missing")) })),
        ])
    }

    /// The whole build, as the run record and the report show it.
    public var canonical: CanonicalValue { step(builtFrom: units.keys.sorted()) }

    /// One digest for the whole build's sources (the report's one-line identity).
    public var sourceDigest: String { ((try? canonical.digest())?.description) ?? "unavailable" }

    /// This build's identity.
    public static func current() -> CodeIdentity {
        #if DEBUG
        let configuration = "debug"
        #else
        let configuration = "release"
        #endif
        return CodeIdentity(toolVersion: S1Version.current, compiler: BuildCodeDigests.compiler,
                            configuration: configuration, units: BuildCodeDigests.units,
                            dependencies: BuildCodeDigests.dependencies)
    }

    private enum CodingKeys: String, CodingKey {
        case toolVersion, compiler, configuration, units, dependencies
    }

    /// Records written before the source-digest scheme (`s1-step-key/1`) named an executable digest instead: they
    /// decode with empty units, so their steps are recomputed, never matched.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        toolVersion = try container.decode(String.self, forKey: .toolVersion)
        compiler = try container.decodeIfPresent(String.self, forKey: .compiler) ?? "unknown"
        configuration = try container.decodeIfPresent(String.self, forKey: .configuration) ?? "unknown"
        units = try container.decodeIfPresent([String: String].self, forKey: .units) ?? [:]
        dependencies = try container.decodeIfPresent([String: [String]].self, forKey: .dependencies) ?? [:]
    }
}

public enum S1Version {
    public static let current = "0.1.0"
}
