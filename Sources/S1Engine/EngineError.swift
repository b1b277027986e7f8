/// Errors of the engine's model, checkpoint and training code. Every case names the file or tensor it is about,
/// what was expected and what was found, so a user can fix the input without reading the engine.
public enum EngineError: Error, Equatable, CustomStringConvertible {
    case fileNotFound(path: String)
    case invalidConfig(path: String, problems: [String])
    case missingTensor(path: String, name: String)
    case shapeMismatch(path: String, name: String, expected: [Int], found: [Int])
    case unsupportedDType(path: String, name: String, dtype: String)
    case truncatedFile(path: String, expectedBytes: Int, foundBytes: Int)
    case corruptHeader(path: String, reason: String)
    case invalidInput(reason: String)
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "\(path): file not found or unreadable"
        case .invalidConfig(let path, let problems):
            return "\(path): invalid model configuration: " + problems.joined(separator: "; ")
        case .missingTensor(let path, let name):
            return "\(path): tensor '\(name)' is missing; the checkpoint does not match the Qwen2 configuration"
        case .shapeMismatch(let path, let name, let expected, let found):
            return "\(path): tensor '\(name)' has shape \(found), expected \(expected) from config.json"
        case .unsupportedDType(let path, let name, let dtype):
            return "\(path): tensor '\(name)' has dtype \(dtype); supported dtypes are F32, BF16 and F16"
        case .truncatedFile(let path, let expectedBytes, let foundBytes):
            return "\(path): truncated file, expected at least \(expectedBytes) bytes, found \(foundBytes)"
        case .corruptHeader(let path, let reason):
            return "\(path): corrupt safetensors header: \(reason)"
        case .invalidInput(let reason):
            return "invalid input: \(reason)"
        case .writeFailed(let path, let reason):
            return "\(path): could not write: \(reason)"
        }
    }
}
