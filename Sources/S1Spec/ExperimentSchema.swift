import Foundation

/// The experiment schema: every key, its type, its default (the paper's value where the paper has one),
/// its range, and one line of documentation. Everything else (decoding, defaults, overrides, explain,
/// the README's field reference) is driven by this table.
public enum ExperimentSchema {
    private static func ints(_ rule: ListRule = .points, min: Int = 0) -> SchemaType { .list(.int(.atLeast(min)), rule) }
    private static let positiveInt = SchemaType.int(.atLeast(1))
    private static let nonNegativeInt = SchemaType.int(.atLeast(0))
    private static let names = SchemaType.list(.name, ListRule(unique: true))

    /// The paper's chat-format delimiters (Qwen2.5 template, s1 conventions).
    static let template = SchemaRecord([
        SchemaField("base", .choice(["qwen2.5"]), .defaulted(.string("qwen2.5")),
                    "named template whose strings are the defaults below; `template: qwen2.5` is short for `{base: qwen2.5}`"),
        SchemaField("system_prompt", .string,
                    .defaulted(.string("You are Qwen, created by Alibaba Cloud. You are a helpful assistant.")),
                    "system message placed before every question"),
        SchemaField("think_start", .string, .defaulted(.string("<|im_start|>think")), "opens the thinking section"),
        SchemaField("think_end", .string, .defaulted(.string("<|im_start|>answer")),
                    "end-of-thinking delimiter, which also starts the answer"),
        SchemaField("answer_end", .string, .defaulted(.string("<|im_end|>")), "ends the answer"),
        SchemaField("final_answer", .string, .defaulted(.string("Final Answer:")),
                    "appended after the answer delimiter when budget forcing cuts thinking"),
    ], shorthandKey: "base")

    /// A from-scratch Qwen2-architecture configuration (HF `config.json` meanings).
    static let initConfig = SchemaRecord([
        SchemaField("hidden", positiveInt, .required, "hidden size (d_model)"),
        SchemaField("layers", positiveInt, .required, "number of decoder layers"),
        SchemaField("heads", positiveInt, .required, "attention heads"),
        SchemaField("kv_heads", positiveInt, .required, "key/value heads (grouped-query attention); divides heads"),
        SchemaField("intermediate", positiveInt, .required, "SwiGLU MLP width"),
        SchemaField("vocab", .either([.choice(["bytes"]), .int(.atLeast(1))]), .defaulted(.string("bytes")),
                    "`bytes` (byte-level tokenizer with special tokens) or a vocabulary size"),
        SchemaField("rope_theta", .double(.positive), .defaulted(.double(1_000_000)), "RoPE base (Qwen2.5: 1e6)"),
        SchemaField("rms_eps", .double(.positive), .defaulted(.double(1e-6)), "RMSNorm epsilon (Qwen2.5: 1e-6)"),
        SchemaField("tie_embeddings", .bool, .defaulted(.bool(true)), "share the embedding with the LM head"),
        SchemaField("max_position", positiveInt, .defaulted(.int(32768)), "longest sequence the model accepts"),
    ], constraints: [.divides("heads", "hidden"), .divides("kv_heads", "heads")])

    static let model = SchemaRecord([
        SchemaField("architecture", .choice(["qwen2"]), .defaulted(.string("qwen2")), "model family"),
        SchemaField("init", .record(initConfig), .optional, "train from scratch with this configuration"),
        SchemaField("checkpoint", .path, .optional,
                    "HF folder (config.json, *.safetensors, tokenizer.json), relative to the spec's folder"),
    ], constraints: [.exactlyOne(["init", "checkpoint"])])

    static let pretrain = SchemaRecord([
        SchemaField("steps", positiveInt, .optional, "optimizer steps of pretraining"),
        SchemaField("epochs", positiveInt, .optional, "passes over the pretraining corpus"),
        SchemaField("lr", .double(.positive), .required, "peak learning rate (cosine schedule, 5% warmup)"),
        SchemaField("batch_size", positiveInt, .defaulted(.int(16)), "sequences per optimizer step"),
        SchemaField("direct_answers", .bool, .defaulted(.bool(true)),
                    "train on questions with direct answers (no thinking), like an instruct model"),
        SchemaField("worked_solutions", .bool, .defaulted(.bool(false)),
                    "also train on worked solutions in a plain textbook format (no chat template, no think delimiters)"),
    ], constraints: [.exactlyOne(["steps", "epochs"])])

    static let baseModel = SchemaRecord([
        SchemaField("name", .name, .required, "name used by solved_by, train.from and majority.model"),
        SchemaField("architecture", .choice(["qwen2"]), .defaulted(.string("qwen2")), "model family"),
        SchemaField("init", .record(initConfig), .optional, "from-scratch configuration (then give pretrain)"),
        SchemaField("checkpoint", .path, .optional, "HF folder of a pretrained model"),
        SchemaField("pretrain", .record(pretrain), .optional, "pretraining of a from-scratch base model", onlyWith: "init"),
    ], constraints: [.exactlyOne(["init", "checkpoint"])])

    static let difficultyRange = SchemaRecord([
        SchemaField("min", positiveInt, .defaulted(.int(1)), "easiest instance size (e.g. digits)"),
        SchemaField("max", positiveInt, .defaulted(.int(7)), "hardest instance size"),
    ], constraints: [.lessOrEqual("min", "max")])

    static let teacher = SchemaRecord([
        SchemaField("error_rate", .double(.unitClosed), .defaulted(.double(0.1)),
                    "fraction of traces with an uncorrected error (s1K is only ~54% correct)"),
        SchemaField("self_correction_rate", .double(.unitClosed), .defaulted(.double(0.2)),
                    "fraction of traces with a `Wait`-led self-correction"),
    ])

    static let pool = SchemaRecord([
        SchemaField("tasks", .choice(["synthetic"]), .optional, "generate procedural reasoning tasks with a teacher"),
        SchemaField("jsonl", .path, .optional, "s1K-style JSONL pool (question, thinking_trajectories, attempt, …)"),
        SchemaField("domains", .list(.name, ListRule(nonEmpty: true, unique: true, scalarShorthand: true)),
                    .defaulted(.string("all")), "`all` or a list of synthetic task domains", onlyWith: "tasks"),
        SchemaField("size", positiveInt, .optional, "number of pool questions (synthetic: required size; jsonl: cap)"),
        SchemaField("test_size", nonNegativeInt, .defaulted(.int(300)), "held-out test questions (split `test`)",
                    onlyWith: "tasks"),
        SchemaField("difficulty", .record(difficultyRange), .defaulted(.map([:])), "instance-size range", onlyWith: "tasks"),
        SchemaField("teacher", .record(teacher), .defaulted(.map([:])), "teacher trace imperfections", onlyWith: "tasks"),
    ], constraints: [.exactlyOne(["tasks", "jsonl"])])

    static let preselectFilter = SchemaRecord([
        SchemaField("sources", .list(.name, ListRule(nonEmpty: true, unique: true)), .required,
                    "source_type (or synthetic domain) names this filter keeps"),
        SchemaField("min_trace_tokens", nonNegativeInt, .defaulted(.int(0)), "keep only traces at least this long"),
        SchemaField("teacher_correct", .bool, .defaulted(.bool(true)), "keep only teacher-correct records"),
    ])

    static let select = SchemaRecord([
        SchemaField("quality", .record(SchemaRecord([
            SchemaField("drop_patterns", .list(.string, ListRule(unique: true)),
                        .defaulted(.list([.string("[asy]"), .string("![Image]")])),
                        "drop questions whose text contains any of these (ASCII-art diagrams, image links)"),
            SchemaField("drop_api_errors", .bool, .defaulted(.bool(true)), "drop records whose trace or answer is empty"),
        ])), .defaulted(.map([:])), "quality filter"),
        SchemaField("difficulty", .record(SchemaRecord([
            SchemaField("solved_by", .list(.name, ListRule(nonEmpty: true, unique: true)), .required,
                        "base models; a question any of them solves is dropped"),
        ])), .optional, "difficulty filter (needs base_models)"),
        SchemaField("diversity", .record(SchemaRecord([
            SchemaField("size", positiveInt, .defaulted(.int(1000)), "questions to select (s1K: 1,000)"),
            SchemaField("variant", .choice(["paper", "notebook", "random", "diverse", "longest", "full"]),
                        .defaulted(.string("paper")),
                        "paper = Algorithm 1; notebook = released notebook; random/diverse/longest/full = Table 2 ablations"),
            SchemaField("notebook_uniform_until", positiveInt, .defaulted(.int(700)),
                        "notebook variant: domains are uniform until this many are selected"),
            SchemaField("preselect", .list(.record(preselectFilter), ListRule()), .defaulted(.list([])),
                        "filters whose union starts the selection (paper: AIME+GPQA, and MATH traces > 5,600 tokens)"),
        ])), .defaulted(.map([:])), "diversity sampling (Algorithm 1)"),
        SchemaField("decontaminate", .record(SchemaRecord([
            SchemaField("ngram", positiveInt, .defaulted(.int(8)), "n of the n-gram overlap test"),
            SchemaField("against", .list(.name, ListRule(nonEmpty: true, unique: true)), .required,
                        "evaluate.benchmarks names to decontaminate against"),
        ])), .optional, "drop pool questions sharing an n-gram with a benchmark question"),
    ])

    static let data = SchemaRecord([
        SchemaField("pool", .record(pool), .required, "where the candidate questions come from"),
        SchemaField("select", .record(select), .defaulted(.map([:])), "s1K-style selection"),
    ])

    static let adam = SchemaRecord([
        SchemaField("beta1", .double(.unitHalfOpen), .defaulted(.double(0.9)), "AdamW β1"),
        SchemaField("beta2", .double(.unitHalfOpen), .defaulted(.double(0.95)), "AdamW β2"),
        SchemaField("eps", .double(.positive), .defaulted(.double(1e-8)), "AdamW ε"),
    ])

    static let train = SchemaRecord([
        SchemaField("from", .name, .optional, "base model to fine-tune (a base_models name); absent: `model`"),
        SchemaField("epochs", positiveInt, .defaulted(.int(5)), "passes over the selected data"),
        SchemaField("batch_size", positiveInt, .defaulted(.int(16)), "sequences per optimizer step"),
        SchemaField("micro_batch_size", positiveInt, .defaulted(.int(1)),
                    "sequences per forward pass (gradient accumulation); divides batch_size; paper: 1 per GPU"),
        SchemaField("lr", .double(.positive), .defaulted(.double(1e-5)), "peak learning rate"),
        SchemaField("min_lr", .double(.nonNegative), .defaulted(.double(0)), "learning rate at the end of the decay"),
        SchemaField("warmup_ratio", .double(.unitClosed), .defaulted(.double(0.05)), "fraction of steps with linear warmup"),
        SchemaField("schedule", .choice(["cosine", "linear", "constant"]), .defaulted(.string("cosine")), "decay after warmup"),
        SchemaField("weight_decay", .double(.nonNegative), .defaulted(.double(1e-4)), "AdamW weight decay"),
        SchemaField("adam", .record(adam), .defaulted(.map([:])), "AdamW moments"),
        SchemaField("grad_clip", .double(.nonNegative), .defaulted(.double(1.0)), "global gradient-norm clip (0: off)"),
        SchemaField("block_size", positiveInt, .defaulted(.int(32768)), "longest training sequence; longer samples are cut"),
        SchemaField("loss_on", .list(.choice(["question", "thinking", "answer"]), ListRule(nonEmpty: true, unique: true)),
                    .defaulted(.list([.string("thinking"), .string("answer")])), "tokens that carry loss"),
        SchemaField("precision", .choice(["bf16", "fp32"]), .defaulted(.string("bf16")), "training precision"),
    ], constraints: [.divides("micro_batch_size", "batch_size"), .lessOrEqual("min_lr", "lr")])

    static let benchmark = SchemaRecord([
        SchemaField("name", .name, .required, "name used in reports and by decontaminate.against"),
        SchemaField("split", .choice(["test"]), .optional, "the synthetic pool's held-out split"),
        SchemaField("jsonl", .path, .optional, "questions with gold answers, one JSON object a line"),
        SchemaField("size", positiveInt, .optional, "use only the first N questions"),
        SchemaField("grader", .choice(["integer", "choice", "exact", "math"]), .required,
                    "integer (AIME), choice (GPQA A–D), exact string, math (LaTeX equivalence)"),
    ], constraints: [.exactlyOne(["split", "jsonl"])])

    static let extensions = ["Wait", "Hmm", "Alternatively", "none"]

    static let forcing = SchemaRecord([
        SchemaField("max_thinking_tokens", ints(), .optional, "thinking budgets (cut, then `Final Answer:`)"),
        SchemaField("ignore_end", ints(), .optional,
                    "times the end of thinking is suppressed and the extension appended; with max_thinking_tokens, a grid"),
        SchemaField("extension", .list(.choice(extensions), ListRule(nonEmpty: true, unique: true, scalarShorthand: true)),
                    .defaulted(.string("Wait")), "string(s) appended when the end is ignored; a list sweeps them"),
        SchemaField("min_thinking_tokens", nonNegativeInt, .optional, "suppress the end of thinking before this many tokens"),
        SchemaField("cut", .choice(["token", "step_end"]), .defaulted(.string("token")),
                    "where a budget cut lands: at the exact token (paper) or at the end of the current step"),
    ], constraints: [.atLeastOne(["max_thinking_tokens", "ignore_end"])])

    static let promptControl = SchemaRecord([
        SchemaField("tokens", ints(min: 1), .optional, "TCC: \"Think for up to N tokens.\""),
        SchemaField("steps", ints(min: 1), .optional, "SCC: \"Think for up to N steps.\""),
        SchemaField("class", .list(.choice(["short", "long"]), ListRule(nonEmpty: true, unique: true)), .optional,
                    "CCC: generic short/long thinking prompts"),
        SchemaField("with_forcing", .bool, .defaulted(.bool(false)), "also enforce the budget by forcing (TCC+BF, SCC+BF)"),
    ], constraints: [.exactlyOne(["tokens", "steps", "class"])])

    static let rejectionSampling = SchemaRecord([
        SchemaField("max_thinking_tokens", ints(), .required, "accept a sample only if its thinking fits this budget"),
        SchemaField("temperature", .double(.positive), .defaulted(.double(1.0)), "sampling temperature"),
        SchemaField("max_tries", positiveInt, .defaulted(.int(1024)), "give up on a question after this many samples"),
    ])

    static let majority = SchemaRecord([
        SchemaField("samples", ints(min: 1), .required, "votes per question"),
        SchemaField("temperature", .double(.positive), .defaulted(.double(1.0)), "sampling temperature"),
        SchemaField("model", .name, .defaulted(.string("sft")), "a base_models name, or `sft` for the fine-tuned model"),
    ])

    static let sweep = SchemaRecord([
        SchemaField("name", .name, .required, "sweep name, unique"),
        SchemaField("forcing", .record(forcing), .optional, "budget forcing (maximum and/or ignore-the-end)"),
        SchemaField("prompt_control", .record(promptControl), .optional, "token/step/class-conditional control"),
        SchemaField("rejection_sampling", .record(rejectionSampling), .optional, "sample until the trace fits"),
        SchemaField("majority", .record(majority), .optional, "parallel scaling by majority vote"),
    ], constraints: [.exactlyOne(["forcing", "prompt_control", "rejection_sampling", "majority"])])

    static let evaluate = SchemaRecord([
        SchemaField("benchmarks", .list(.record(benchmark), ListRule(nonEmpty: true)), .required, "question sets"),
        SchemaField("max_answer_tokens", positiveInt, .defaulted(.int(32768)), "cap on the answer phase"),
        SchemaField("max_thinking_tokens", positiveInt, .defaulted(.int(32768)),
                    "thinking cap when a sweep gives none (the no-forcing baseline)"),
        SchemaField("temperature", .double(.nonNegative), .defaulted(.double(0)), "0 = greedy (the paper's main results)"),
        SchemaField("no_forcing_baseline", .bool, .defaulted(.bool(true)), "also evaluate without any intervention"),
        SchemaField("sweeps", .list(.record(sweep), ListRule(nonEmpty: true)), .required, "test-time scaling sweeps"),
    ])

    static let report = SchemaRecord([
        SchemaField("formats", .list(.choice(["html", "md"]), ListRule(nonEmpty: true, unique: true, scalarShorthand: true)),
                    .defaulted(.list([.string("html"), .string("md")])), "report files to write"),
    ])

    /// A named configuration of the same experiment: `set` items are `--set` overrides applied to this file.
    static let variant = SchemaRecord([
        SchemaField("name", .name, .required, "variant name, unique; its own steps run as `variants/<name>/...`"),
        SchemaField("set", .list(.string, ListRule(nonEmpty: true)), .required,
                    "overrides in `--set` syntax, e.g. `data.select.diversity.variant=random`"),
    ])

    /// The whole experiment file.
    public static let root = SchemaRecord([
        SchemaField("name", .name, .required, "experiment name"),
        SchemaField("seed", nonNegativeInt, .required, "root of the seed tree; every random draw derives from it"),
        SchemaField("backend", .choice(["cpu", "cuda", "torch"]), .defaulted(.string("cpu")), "compute backend"),
        SchemaField("model", .record(model), .optional, "the model to fine-tune, unless train.from names a base model"),
        SchemaField("template", .record(template), .defaulted(.string("qwen2.5")), "chat format and delimiters"),
        SchemaField("data", .record(data), .required, "pool and selection"),
        SchemaField("base_models", .list(.record(baseModel), ListRule()), .defaulted(.list([])),
                    "named models for difficulty attempts and baselines"),
        SchemaField("train", .record(train), .defaulted(.map([:])), "supervised fine-tuning (defaults = paper)"),
        SchemaField("evaluate", .record(evaluate), .required, "benchmarks and sweeps"),
        SchemaField("report", .record(report), .defaulted(.map([:])), "report output"),
        SchemaField("variants", .list(.record(variant), ListRule()), .defaulted(.list([])),
                    "ablations in one file: each variant is this experiment with overrides; steps they share run once"),
    ])

    /// Every key of the schema with its type and doc, depth first; list items appear as `[]`.
    public static func fieldReference() -> [(path: String, type: String, presence: String, doc: String)] {
        var rows: [(String, String, String, String)] = []
        func walk(_ record: SchemaRecord, _ prefix: String) {
            for field in record.fields {
                let path = prefix.isEmpty ? field.name : prefix + "." + field.name
                let presence: String
                switch field.presence {
                case .required: presence = "required"
                case .optional: presence = "optional"
                case .defaulted(let v):
                    if case .map = v { presence = "defaults inside" } else { presence = "default `\(v.flowText)`" }
                }
                rows.append((path, field.type.expectation, presence, field.doc))
                if case .record(let inner) = field.type { walk(inner, path) }
                if case .list(.record(let inner), _) = field.type { walk(inner, path + "[]") }
            }
        }
        walk(root, "")
        return rows
    }

    /// Key name → the record paths that have it, for "'lr' is a key of train" hints.
    static let keyIndex: [String: [String]] = {
        var index: [String: [String]] = [:]
        func walk(_ record: SchemaRecord, _ prefix: String) {
            for field in record.fields {
                index[field.name, default: []].append(prefix.isEmpty ? "the top level" : prefix)
                let path = prefix.isEmpty ? field.name : prefix + "." + field.name
                if case .record(let inner) = field.type { walk(inner, path) }
                if case .list(.record(let inner), _) = field.type { walk(inner, path + "[]") }
            }
        }
        walk(root, "")
        return index
    }()

    /// The markdown table of `experiments/README.md`'s field reference, generated from this schema.
    public static func markdownReference() -> String {
        var lines = ["| key | type | presence | meaning |", "|---|---|---|---|"]
        for row in fieldReference() {
            let cells = [row.path, row.type, row.presence, row.doc].map { $0.replacingOccurrences(of: "|", with: "\\|") }
            lines.append("| `\(cells[0])` | \(cells[1]) | \(cells[2]) | \(cells[3]) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
