import Foundation

/// What a checkpoint folder holds, for `s1 inspect checkpoint DIR`: its configuration, the model's parameter
/// count, and every stored tensor with dtype, shape and file. Reads headers only (the data stays mapped).
public struct CheckpointSummary: Sendable {
    public struct Tensor: Equatable, Sendable {
        public let name: String
        public let dtype: String
        public let shape: [Int]
        /// File name inside the folder.
        public let file: String
    }

    public let config: Qwen2Config
    /// Parameters of the model this config builds (tied embeddings counted once).
    public let parameterCount: Int
    /// Stored tensors, sorted by name.
    public let tensors: [Tensor]
    /// Number of stored tensors per dtype.
    public var dtypeCounts: [String: Int] { Dictionary(tensors.map { ($0.dtype, 1) }, uniquingKeysWith: +) }

    /// Reads `config.json` and the safetensors headers of `directory`, and checks every tensor the model needs
    /// is present with the right shape (typed errors otherwise).
    public static func inspect(directory: URL) throws -> CheckpointSummary {
        let config = try Qwen2Config.load(from: directory.appendingPathComponent("config.json"))
        let layout = ParameterLayout(config: config)
        let files = try Qwen2Model.weightFiles(directory: directory)
        for slot in layout.slots {
            guard let file = files[slot.name], let info = file.tensors[slot.name] else {
                throw EngineError.missingTensor(path: files.values.first?.path ?? directory.path, name: slot.name)
            }
            guard info.shape == slot.shape else {
                throw EngineError.shapeMismatch(path: file.path, name: slot.name, expected: slot.shape, found: info.shape)
            }
            guard SafeTensorsDType(rawValue: info.dtype) != nil else {
                throw EngineError.unsupportedDType(path: file.path, name: slot.name, dtype: info.dtype)
            }
        }
        let tensors = files.keys.sorted().map { name -> Tensor in
            let file = files[name]!, info = file.tensors[name]!
            return Tensor(name: name, dtype: info.dtype, shape: info.shape,
                          file: URL(fileURLWithPath: file.path).lastPathComponent)
        }
        return CheckpointSummary(config: config, parameterCount: layout.count, tensors: tensors)
    }
}
