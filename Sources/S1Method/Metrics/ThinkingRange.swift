// The thinking-token range a sweep point asks for; Control counts how often it is respected.

/// Requested bounds on thinking tokens (either may be absent; the paper usually sets only the maximum).
public struct ThinkingRange: Codable, Equatable, Hashable, Sendable {
    public var min: Int?
    public var max: Int?

    public init(min: Int? = nil, max: Int? = nil) {
        self.min = min
        self.max = max
    }

    /// Whether `tokens` lies in [min, max] (an absent bound does not constrain).
    public func contains(_ tokens: Double) -> Bool {
        if let lo = min, tokens < Double(lo) { return false }
        if let hi = max, tokens > Double(hi) { return false }
        return true
    }
}
