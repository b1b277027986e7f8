/// The typed experiment, built from a validated tree (so every required value is present and in range).
public struct Experiment: Hashable, Sendable {
    public enum Backend: String, Hashable, Sendable { case cpu, cuda, torch }

    public var name: String
    public var seed: Int
    public var backend: Backend
    /// The model to fine-tune when `train.from` is absent.
    public var model: ModelSource?
    public var template: ChatTemplate
    public var data: DataSpec
    public var baseModels: [BaseModel]
    public var train: TrainSpec
    public var evaluate: EvaluateSpec
    public var report: ReportSpec
    /// Named override sets (`variants:`), in file order; the loader resolves each into its own spec.
    public var variants: [ExperimentVariant]
}

/// One entry of `variants:`: this experiment with `overrides` (`--set` syntax) applied.
public struct ExperimentVariant: Hashable, Sendable {
    public var name: String
    public var overrides: [String]
}

/// A Qwen2-architecture configuration for a model trained from scratch.
public struct ModelInit: Hashable, Sendable {
    public enum Vocabulary: Hashable, Sendable {
        /// Byte-level tokenizer with the template's special tokens.
        case bytes
        case size(Int)
    }
    public var hidden, layers, heads, kvHeads, intermediate: Int
    public var vocab: Vocabulary
    public var ropeTheta: Double
    public var rmsEps: Double
    public var tieEmbeddings: Bool
    public var maxPosition: Int
}

/// Where a model's weights come from.
public enum ModelSource: Hashable, Sendable {
    case initialize(ModelInit)
    /// A Hugging Face folder, as written (relative to `ResolvedSpec.baseDirectory`).
    case checkpoint(String)
}

/// Chat format strings (Qwen2.5 / s1 by default).
public struct ChatTemplate: Hashable, Sendable {
    public var base: String
    public var systemPrompt: String
    public var thinkStart: String
    public var thinkEnd: String
    public var answerEnd: String
    public var finalAnswer: String
}

public struct DataSpec: Hashable, Sendable {
    public var pool: PoolSpec
    public var select: SelectSpec
}

public enum PoolSpec: Hashable, Sendable {
    public struct Synthetic: Hashable, Sendable {
        /// nil means every domain the task library has.
        public var domains: [String]?
        public var size: Int
        public var testSize: Int
        public var difficulty: ClosedRange<Int>
        public var teacherErrorRate: Double
        public var teacherSelfCorrectionRate: Double
    }
    case synthetic(Synthetic)
    /// JSONL file as written, with an optional cap on the number of records.
    case jsonl(path: String, size: Int?)
}

public struct SelectSpec: Hashable, Sendable {
    public struct Preselect: Hashable, Sendable {
        public var sources: [String]
        public var minTraceTokens: Int
        public var teacherCorrect: Bool
    }
    public enum Variant: String, Hashable, Sendable { case paper, notebook, random, diverse, longest, full }
    public var dropPatterns: [String]
    public var dropAPIErrors: Bool
    /// Base models whose correct attempts drop a question; nil means no difficulty filter.
    public var solvedBy: [String]?
    public var size: Int
    public var variant: Variant
    public var notebookUniformUntil: Int
    public var preselect: [Preselect]
    public struct Decontamination: Hashable, Sendable {
        public var ngram: Int
        /// Benchmark names (from `evaluate.benchmarks`).
        public var against: [String]
    }
    /// nil means no decontamination.
    public var decontaminate: Decontamination?
}

public struct PretrainSpec: Hashable, Sendable {
    public enum Length: Hashable, Sendable { case steps(Int), epochs(Int) }
    public var length: Length
    public var lr: Double
    public var batchSize: Int
    public var directAnswers: Bool
    public var workedSolutions: Bool
}

public struct BaseModel: Hashable, Sendable {
    public var name: String
    public var source: ModelSource
    public var pretrain: PretrainSpec?
}

public struct TrainSpec: Hashable, Sendable {
    public enum Schedule: String, Hashable, Sendable { case cosine, linear, constant }
    public enum Precision: String, Hashable, Sendable { case bf16, fp32 }
    public enum LossPart: String, Hashable, Sendable { case question, thinking, answer }
    /// A base model name; nil means the top-level `model`.
    public var from: String?
    public var epochs, batchSize, microBatchSize: Int
    public var lr, minLR, warmupRatio: Double
    public var schedule: Schedule
    public var weightDecay: Double
    public var beta1, beta2, eps: Double
    public var gradClip: Double
    public var blockSize: Int
    public var lossOn: [LossPart]
    public var precision: Precision
}

public struct Benchmark: Hashable, Sendable {
    public enum Source: Hashable, Sendable { case split(String), jsonl(String) }
    public enum Grader: String, Hashable, Sendable { case integer, choice, exact, math }
    public var name: String
    public var source: Source
    public var size: Int?
    public var grader: Grader
}

/// One sweep: a method and the points it is evaluated at.
public struct Sweep: Hashable, Sendable {
    public enum Method: Hashable, Sendable {
        case forcing(BudgetForcingSweep)
        case promptControl(PromptControlSweep)
        case rejectionSampling(RejectionSamplingSweep)
        case majority(MajoritySweep)
    }
    public var name: String
    public var method: Method
}

public struct BudgetForcingSweep: Hashable, Sendable {
    public enum Cut: String, Hashable, Sendable { case token, stepEnd = "step_end" }
    public var maxThinkingTokens: [Int]?
    public var ignoreEnd: [Int]?
    /// Extension strings; `"none"` means nothing is appended.
    public var extensions: [String]
    public var minThinkingTokens: Int?
    public var cut: Cut
}

public struct PromptControlSweep: Hashable, Sendable {
    public enum Kind: Hashable, Sendable { case tokens([Int]), steps([Int]), classes([String]) }
    public var kind: Kind
    public var withForcing: Bool
}

public struct RejectionSamplingSweep: Hashable, Sendable {
    public var maxThinkingTokens: [Int]
    public var temperature: Double
    public var maxTries: Int
}

public struct MajoritySweep: Hashable, Sendable {
    public var samples: [Int]
    public var temperature: Double
    /// A base model name, or `sft`.
    public var model: String
}

public struct EvaluateSpec: Hashable, Sendable {
    public var benchmarks: [Benchmark]
    public var maxAnswerTokens: Int
    public var maxThinkingTokens: Int
    public var temperature: Double
    public var noForcingBaseline: Bool
    public var sweeps: [Sweep]
}

public struct ReportSpec: Hashable, Sendable {
    public enum Format: String, Hashable, Sendable { case html, md }
    public var formats: [Format]
}

