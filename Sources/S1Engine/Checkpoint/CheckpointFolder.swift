import Foundation

/// Loading and saving HF checkpoint folders: `config.json` plus `model.safetensors`, or shards listed in
/// `model.safetensors.index.json` (`weight_map`: tensor name → shard file).
extension Qwen2Model {
    /// Loads `config.json` and the weights of a checkpoint folder (any of F32/BF16/F16, converted to fp32).
    public static func load(directory: URL) throws -> Qwen2Model {
        let config = try Qwen2Config.load(from: directory.appendingPathComponent("config.json"))
        let model = try Qwen2Model(config: config)
        try model.loadWeights(directory: directory)
        return model
    }

    /// Fills the parameters from the folder's safetensors file(s). A tied model ignores a stored
    /// `lm_head.weight`; tensors the model does not use (e.g. old `rotary_emb.inv_freq`) are ignored.
    public func loadWeights(directory: URL) throws {
        let files = try Self.weightFiles(directory: directory)
        let p = parameters.pointer
        for slot in layout.slots {
            guard let file = files[slot.name] else {
                let where_ = files.values.first?.path ?? directory.path
                throw EngineError.missingTensor(path: where_, name: slot.name)
            }
            try file.read(slot.name, expectedShape: slot.shape, into: p + slot.offset)
        }
    }

    /// Maps every tensor name to the opened file that holds it.
    static func weightFiles(directory: URL) throws -> [String: SafeTensorsFile] {
        let index = directory.appendingPathComponent("model.safetensors.index.json")
        let single = directory.appendingPathComponent("model.safetensors")
        var byName: [String: SafeTensorsFile] = [:]
        if FileManager.default.fileExists(atPath: index.path) {
            guard let data = try? Data(contentsOf: index) else { throw EngineError.fileNotFound(path: index.path) }
            guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let weightMap = object["weight_map"] as? [String: String] else {
                throw EngineError.corruptHeader(path: index.path, reason: "expected an object with a \"weight_map\" of tensor name → file")
            }
            var opened: [String: SafeTensorsFile] = [:]
            for fileName in Set(weightMap.values).sorted() {
                guard !fileName.hasPrefix("/"), !fileName.split(separator: "/").contains("..") else {
                    throw EngineError.corruptHeader(path: index.path, reason: "shard '\(fileName)' must be a relative path")
                }
                opened[fileName] = try SafeTensorsFile(url: directory.appendingPathComponent(fileName))
            }
            for (name, fileName) in weightMap {
                guard let file = opened[fileName], file.tensors[name] != nil else {
                    throw EngineError.missingTensor(path: directory.appendingPathComponent(fileName).path, name: name)
                }
                byName[name] = file
            }
        } else if FileManager.default.fileExists(atPath: single.path) {
            let file = try SafeTensorsFile(url: single)
            for name in file.tensors.keys { byName[name] = file }
        } else {
            throw EngineError.fileNotFound(path: single.path + " (or model.safetensors.index.json)")
        }
        return byName
    }

    /// Writes `config.json` and `model.safetensors` (F32 or BF16) into `directory`, creating it.
    /// A tied model stores only `model.embed_tokens.weight`, as HF does.
    public func save(directory: URL, dtype: SafeTensorsDType = .f32) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw EngineError.writeFailed(path: directory.path, reason: "\(error)")
        }
        let records = layout.slots.map { slot in
            SafeTensorRecord(name: slot.name, shape: slot.shape,
                             values: UnsafeBufferPointer(start: parameters.pointer + slot.offset, count: slot.count))
        }
        try SafeTensorsWriter.write(records, dtype: dtype, metadata: ["format": "pt"],
                                    to: directory.appendingPathComponent("model.safetensors"))
        try SafeTensorsWriter.writeAtomically(try config.jsonData(), to: directory.appendingPathComponent("config.json"))
    }
}
