import ArgumentParser
import Foundation
import S1Engine

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Look inside a checkpoint or a tokenizer.",
        subcommands: [Checkpoint.self, Logits.self, Tokenize.self])

    struct Checkpoint: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Config, parameter count, dtypes and tensor shapes of a Hugging Face checkpoint folder.")

        @Argument(help: "A folder with config.json and *.safetensors (or model.safetensors.index.json).")
        var directory: String

        func run() throws {
            try reportingFailures {
                let summary = try CheckpointSummary.inspect(directory: URL(fileURLWithPath: directory))
                let config = summary.config
                print("checkpoint \(directory)")
                print("  hidden \(config.hiddenSize), layers \(config.numHiddenLayers), heads \(config.numAttentionHeads)/\(config.numKeyValueHeads) (q/kv), intermediate \(config.intermediateSize), vocab \(config.vocabSize), tied \(config.tieWordEmbeddings)")
                print("  parameters \(summary.parameterCount)")
                print("  dtypes " + summary.dtypeCounts.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: ", "))
                for tensor in summary.tensors {
                    print("  \(tensor.name)  \(tensor.dtype)  [\(tensor.shape.map(String.init).joined(separator: ", "))]  \(tensor.file)")
                }
            }
        }
    }

    struct Logits: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "fp32 logits of a token sequence: the last position, or every position with --all.")

        @Argument(help: "A checkpoint folder.")
        var directory: String

        @Option(help: "Token ids, comma-separated: 1,2,3")
        var ids: String

        @Flag(help: "Print every position, not only the last.")
        var all = false

        @Flag(help: "Emit JSON.")
        var json = false

        func run() throws {
            try reportingFailures {
                let tokens = try TokenizerInspection.parseIDs(ids)
                let model = try Qwen2Model.load(directory: URL(fileURLWithPath: directory))
                let vocabulary = model.config.vocabSize
                // logits: (1, T, V)
                let logits = try model.logits(tokens: [tokens])
                let positions = all ? Array(0..<tokens.count) : [tokens.count - 1]
                let rows = positions.map { position in Array(logits[(position * vocabulary)..<((position + 1) * vocabulary)]) }
                if json {
                    let object: [String: Any] = ["ids": tokens.map(Int.init), "positions": positions,
                                                 "logits": rows.map { $0.map(Double.init) }]
                    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                    print(String(decoding: data, as: UTF8.self))
                    return
                }
                for (position, row) in zip(positions, rows) {
                    let top = row.enumerated().sorted { $0.element > $1.element || ($0.element == $1.element && $0.offset < $1.offset) }.prefix(5)
                    print("position \(position): top-5 " + top.map { "\($0.offset):\($0.element)" }.joined(separator: "  "))
                }
            }
        }
    }

    struct Tokenize: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Token ids and pieces of a text, or (--decode) the text of ids.")

        @Argument(help: "A tokenizer.json path, or 'bytes' for the byte-level tokenizer.")
        var tokenizer: String

        @Option(help: "Text to encode.")
        var text: String?

        @Option(help: "Token ids to decode: 1,2,3")
        var decode: String?

        @Flag(help: "Emit JSON.")
        var json = false

        func validate() throws {
            if (text == nil) == (decode == nil) { throw ValidationError("give exactly one of --text and --decode") }
        }

        func run() throws {
            try reportingFailures {
                let loaded = try TokenizerInspection.loadTokenizer(tokenizer)
                let report = try text.map { TokenizerInspection.tokenize($0, with: loaded, name: tokenizer) }
                    ?? TokenizerInspection.decode(try TokenizerInspection.parseIDs(decode!), with: loaded, name: tokenizer)
                print(json ? report.json() : report.text())
            }
        }
    }
}
