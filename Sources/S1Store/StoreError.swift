import Foundation

/// A failed file-system operation in the store, with the path it concerned and the OS reason.
public struct StoreIOError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What was being done, e.g. "open for reading".
    public let operation: String
    /// The path concerned.
    public let path: String
    /// `errno` of the failure (0 when not an OS error).
    public let code: Int32
    /// A human explanation, including what to do where we know.
    public let reason: String

    public init(operation: String, path: String, code: Int32 = 0, reason: String? = nil) {
        self.operation = operation
        self.path = path
        self.code = code
        self.reason = reason ?? (code != 0 ? String(cString: strerror(code)) : "failed")
    }

    /// Captures the current `errno`.
    static func errno(_ operation: String, _ path: String) -> StoreIOError {
        StoreIOError(operation: operation, path: path, code: Foundation.errno)
    }

    public var description: String { "\(path): \(operation) failed: \(reason)" }
}
