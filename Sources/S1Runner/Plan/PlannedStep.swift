import S1Store

/// Where a step's input comes from.
public enum StepInputSource: Hashable, Sendable {
    /// A named output file of an earlier step of the same plan.
    case output(step: String, file: String)
    /// A user file (dataset), as written in the spec: relative to the spec's folder.
    case file(path: String)
    /// A user folder (a checkpoint: config, shards, tokenizer), hashed as the manifest of every file in it.
    case directory(path: String)
}

/// One node of a run's DAG: what to run, with which resolved parameters, on which inputs.
///
/// `parameters` holds only the resolved values the step reads, so that a change elsewhere in the spec leaves this
/// step's key, and therefore its cached result, untouched.
public struct PlannedStep: Sendable {
    /// Unique within a plan, stable across runs: `select`, `evaluate/budget/3f2a9c01`.
    public let name: String
    /// The executor that runs it (`synthetic-pool`, `select`, `train`, …).
    public let kind: String
    public let parameters: CanonicalValue
    /// Input name → source. Names are what the executor asks for (`pool`, `benchmark`).
    public let inputs: [String: StepInputSource]
    /// Human-readable sweep point, e.g. `max_thinking_tokens=64`; nil for steps outside sweeps.
    public let pointLabel: String?
    /// The seed tree branch: the step's name, except in a variant, whose steps keep the branch of the step they
    /// vary so that a variant differs from the base only by its overrides, not by its random draws.
    public let seedBranch: String

    public init(name: String, kind: String, parameters: CanonicalValue,
                inputs: [String: StepInputSource] = [:], pointLabel: String? = nil, seedBranch: String? = nil) {
        self.name = name
        self.kind = kind
        self.parameters = parameters
        self.inputs = inputs
        self.pointLabel = pointLabel
        self.seedBranch = seedBranch ?? name
    }

    /// Names of the steps whose outputs this one reads, sorted.
    public var upstreamSteps: [String] {
        Set(inputs.values.compactMap { source -> String? in
            if case .output(let step, _) = source { return step }
            return nil
        }).sorted()
    }
}
