// Budget forcing plugged into the engine's decoding hook (`S1Engine.DecodingPolicy`). The controller stays the
// pure state machine of BudgetForcing.swift; this file only translates directives and token decisions.

import S1Engine

extension ForcingTokens {
    /// Encodes `template` with a model tokenizer (special tokens recognised).
    public init(template: ForcingTemplate, tokenizer: any TextTokenizer) throws {
        try self.init(template: template, encode: { tokenizer.encode($0).map(Int.init) },
                      decode: { id in String(decoding: tokenizer.bytes(of: Int32(id)), as: UTF8.self) })
    }
}

/// The engine's phase indices for `GenerationResult.phaseCounts`.
public enum ForcingPhaseIndex {
    public static let thinking = 0
    public static let answer = 1
}

/// `BudgetForcing` as an engine decoding policy. Phase 0 counts thinking (sampled thinking tokens plus forced
/// extension strings), phase 1 everything from the end-of-thinking delimiter on.
public struct BudgetForcingPolicy: DecodingPolicy {
    public private(set) var controller: BudgetForcing

    /// `throws` is kept for callers that build policies from user configuration; no configuration fails today
    /// (an empty extension is served by `TokenDecision.resample`).
    public init(controller: BudgetForcing) throws {
        self.controller = controller
    }

    public var phase: Int { controller.phase == .thinking ? ForcingPhaseIndex.thinking : ForcingPhaseIndex.answer }

    public mutating func nextStep() -> DecodingStep {
        switch controller.next() {
        case .sample(let suppressed):
            return .sample(suppressing: suppressed.sorted().map { Int32($0) })
        case .force(let tokens):
            return .force(tokens.map { Int32($0) })
        case .stop:
            if controller.config.abandonOnBudget && controller.accounting.forcedStops > 0 {
                return .stop(.policy("thinking budget spent before the end of thinking; try abandoned"))
            }
            return .stop(.maxNewTokens(phase: ForcingPhaseIndex.answer))
        }
    }

    public mutating func review(sampled token: Int32) -> TokenDecision {
        if controller.consume(Int(token)) {
            return controller.phase == .done ? .acceptAndStop(.stopToken(token)) : .accept
        }
        guard let forced = controller.takePendingForcedTokens(), !forced.isEmpty else {
            // An ignored end with the empty extension ("none"): drop the delimiter, append nothing, and sample the
            // same position again without it.
            return .resample(suppressing: controller.tokens.thinkingStops.sorted().map { Int32($0) })
        }
        return .replace(with: forced.map { Int32($0) })
    }

    /// The same state with another ignore count (ignore-sweep forks).
    public func withIgnoreEnd(_ count: Int) -> BudgetForcingPolicy {
        var copy = self
        copy.controller = controller.withIgnoreEnd(count)
        return copy
    }

    /// The same state with another thinking budget (budget-sweep forks).
    public func withMaxThinkingTokens(_ budget: Int) -> BudgetForcingPolicy {
        var copy = self
        copy.controller = controller.withMaxThinkingTokens(budget)
        return copy
    }
}
