import Foundation

/// Where run events go. The runner emits events; a sink decides how a person (or a program) sees them.
public protocol ProgressSink: AnyObject, Sendable {
    func event(_ event: RunEvent)
}

public enum RunEvent: Sendable {
    case stepStarted(name: String, kind: String, cached: Bool, reason: String?)
    case stepProgress(name: String, completed: Double, total: Double?, unit: String, message: String?)
    case stepFinished(name: String, cached: Bool, seconds: Double)
    case stepFailed(name: String, message: String)
    case note(String)
}

/// Progress of the step being executed, in units the step chooses (samples, optimizer steps, tokens).
public final class StepProgress: @unchecked Sendable {
    private let name: String
    private let sink: ProgressSink
    private let lock = NSLock()
    private var total: Double?
    private var unit = "items"
    private var completed: Double = 0

    init(name: String, sink: ProgressSink) {
        self.name = name
        self.sink = sink
    }

    public func begin(total: Double?, unit: String) {
        lock.withLock {
            self.total = total
            self.unit = unit
            self.completed = 0
        }
        publish(message: nil)
    }

    public func advance(by amount: Double = 1, message: String? = nil) {
        lock.withLock { completed += amount }
        publish(message: message)
    }

    public func update(completed: Double, message: String? = nil) {
        lock.withLock { self.completed = completed }
        publish(message: message)
    }

    private func publish(message: String?) {
        let (completed, total, unit) = lock.withLock { (self.completed, self.total, self.unit) }
        sink.event(.stepProgress(name: name, completed: completed, total: total, unit: unit, message: message))
    }
}
