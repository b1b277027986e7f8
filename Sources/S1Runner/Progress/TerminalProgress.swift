import Foundation

/// Renders run events for a person: a redrawn bar with rate and ETA on a terminal, plain periodic lines otherwise
/// (CI logs, pipes), nothing but failures when quiet.
public final class TerminalProgress: ProgressSink, @unchecked Sendable {
    public enum Style: Sendable { case bar, lines, quiet }

    private let style: Style
    private let output: FileHandle
    private let lock = NSLock()
    private var stepStart: [String: Date] = [:]
    private var lastLine: [String: Date] = [:]
    private var barVisible = false
    /// Plain lines at most this often per step, so logs stay readable.
    private let lineInterval: TimeInterval = 5

    public init(style: Style, output: FileHandle = .standardError) {
        self.style = style
        self.output = output
    }

    /// A bar when stderr is a terminal, lines otherwise.
    public static func automatic(quiet: Bool) -> TerminalProgress {
        if quiet { return TerminalProgress(style: .quiet) }
        return TerminalProgress(style: isatty(STDERR_FILENO) == 1 ? .bar : .lines)
    }

    public func event(_ event: RunEvent) {
        lock.withLock { render(event) }
    }

    private func render(_ event: RunEvent) {
        switch event {
        case .stepStarted(let name, let kind, let cached, let reason):
            stepStart[name] = Date()
            guard style != .quiet, !cached else { return }
            write(line: "▶ \(name) [\(kind)]" + (reason.map { " — \($0)" } ?? ""))
        case .stepProgress(let name, let completed, let total, let unit, let message):
            guard style != .quiet, let start = stepStart[name] else { return }
            let elapsed = Date().timeIntervalSince(start)
            let rate = elapsed > 0 ? completed / elapsed : 0
            var text = "  \(name): \(format(completed))"
            if let total { text += "/\(format(total))" }
            text += " \(unit)  \(format(rate))/s"
            if let total, rate > 0, completed < total {
                text += "  ETA \(duration((total - completed) / rate))"
            }
            if let message { text += "  \(message)" }
            switch style {
            case .bar:
                let fraction = total.map { $0 > 0 ? min(1, completed / $0) : 1 } ?? 0
                let width = 24
                let filled = Int(fraction * Double(width))
                let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
                output.write(Data(("\r\u{1B}[2K[\(bar)]" + text).utf8))
                barVisible = true
            case .lines:
                let now = Date()
                if let last = lastLine[name], now.timeIntervalSince(last) < lineInterval,
                   total.map({ completed < $0 }) ?? true { return }
                lastLine[name] = now
                write(line: text)
            case .quiet:
                return
            }
        case .stepFinished(let name, let cached, let seconds):
            guard style != .quiet else { return }
            write(line: cached ? "✓ \(name) (cached)" : "✓ \(name) (\(duration(seconds)))")
        case .stepFailed(let name, let message):
            write(line: "✗ \(name): \(message)")
        case .note(let text):
            guard style != .quiet else { return }
            write(line: text)
        }
    }

    private func write(line: String) {
        if barVisible {
            output.write(Data("\r\u{1B}[2K".utf8))
            barVisible = false
        }
        output.write(Data((line + "\n").utf8))
    }

    private func format(_ value: Double) -> String {
        if value >= 100 || value == value.rounded() { return String(Int(value.rounded())) }
        return String(format: "%.1f", value)
    }
}

/// `1.2s`, `3m04s`, `1h02m`: compact durations for progress lines.
func duration(_ seconds: Double) -> String {
    if seconds < 60 { return String(format: "%.1fs", seconds) }
    let total = Int(seconds.rounded())
    if total < 3600 { return String(format: "%dm%02ds", total / 60, total % 60) }
    return String(format: "%dh%02dm", total / 3600, (total % 3600) / 60)
}
