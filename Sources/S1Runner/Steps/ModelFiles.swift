import Foundation
import S1Engine

/// Model files between steps: `config.json` + `model.safetensors` outputs of a training step, or a checkpoint
/// folder from the spec (input `checkpoint`).
enum ModelFiles {
    /// The model a step's inputs name, loaded for computation.
    static func load(_ context: StepContext) throws -> Qwen2Model {
        if let folder = context.inputs["checkpoint"] {
            return try Qwen2Model.load(directory: folder)
        }
        // Outputs of another step live as separate store objects; the loader wants them side by side in a folder.
        let folder = context.outputDirectory.deletingLastPathComponent().appendingPathComponent("model-input")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("config.json"),
                                                   withDestinationURL: try context.input("config"))
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("model.safetensors"),
                                                   withDestinationURL: try context.input("weights"))
        return try Qwen2Model.load(directory: folder)
    }

    /// The tokenizer that goes with a model: a checkpoint's `tokenizer.json`, else the byte-level tokenizer.
    static func tokenizer(_ context: StepContext) throws -> any TextTokenizer {
        if let folder = context.inputs["checkpoint"] {
            return try TokenizerInspection.loadTokenizer(folder.appendingPathComponent("tokenizer.json").path)
        }
        return ByteTokenizer()
    }
}
