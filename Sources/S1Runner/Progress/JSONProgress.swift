import Foundation

/// One JSON object per line on stdout, for programs driving `s1 run --json`.
public final class JSONProgress: ProgressSink, @unchecked Sendable {
    private let output: FileHandle
    private let lock = NSLock()

    public init(output: FileHandle = .standardOutput) {
        self.output = output
    }

    public func event(_ event: RunEvent) {
        var object: [String: Any]
        switch event {
        case .stepStarted(let name, let kind, let cached, let reason):
            object = ["event": "step_started", "step": name, "kind": kind, "cached": cached]
            if let reason { object["reason"] = reason }
        case .stepProgress(let name, let completed, let total, let unit, let message):
            object = ["event": "step_progress", "step": name, "completed": completed, "unit": unit]
            if let total { object["total"] = total }
            if let message { object["message"] = message }
        case .stepFinished(let name, let cached, let seconds):
            object = ["event": "step_finished", "step": name, "cached": cached, "seconds": seconds]
        case .stepFailed(let name, let message):
            object = ["event": "step_failed", "step": name, "message": message]
        case .note(let text):
            object = ["event": "note", "message": text]
        }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        lock.withLock { output.write(data + Data("\n".utf8)) }
    }
}
