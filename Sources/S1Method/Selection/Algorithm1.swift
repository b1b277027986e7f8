// Algorithm 1 of the s1 paper (diversity sampling), and the uniform-domain sampler of the `diverse` ablation.
import S1Engine

/// Diversity sampling over candidates described by (domain, trace length); works on indices so that it is
/// testable on any synthetic structure and independent of the record type.
public enum Algorithm1 {
    /// The selection in pick order: `preselected` first (in the given order), then picks until `target` records
    /// are selected or every domain is exhausted.
    ///
    /// Each pick chooses a non-exhausted domain (uniformly, or for `.notebook` after the threshold in the
    /// preselection's domain mix), ranks its remaining candidates by length (longest = rank 0, ties by index),
    /// picks rank r with probability ∝ 2^(−r), and removes it.
    /// `uniformUntil` overrides the notebook's threshold (default round(700 · target / 1000)).
    public static func select(domains: [String], lengths: [Int], preselected: [Int], target: Int,
                              variant: DiversityVariant, seed: UInt64, uniformUntil: Int? = nil) -> [Int] {
        var rng = CounterRNG(key: CounterRNG.derive(seed, 0xA1))
        var selected = preselected
        let isPreselected = Set(preselected)
        // Per domain, remaining candidates sorted longest first; removing a pick keeps the order.
        var groups: [String: [Int]] = [:]
        for i in domains.indices where !isPreselected.contains(i) { groups[domains[i], default: []].append(i) }
        for key in groups.keys {
            groups[key]!.sort { lengths[$0] != lengths[$1] ? lengths[$0] > lengths[$1] : $0 < $1 }
        }
        var active = groups.keys.sorted()
        var mix: [String: Int] = [:]
        for i in preselected { mix[domains[i], default: 0] += 1 }
        let threshold = uniformUntil ?? (700 * target + 500) / 1000

        while selected.count < target, !active.isEmpty {
            let slot: Int
            if variant == .notebook, selected.count >= threshold {
                slot = weightedSlot(active: active, weights: mix, rng: &rng)
            } else {
                slot = rng.nextIndex(below: active.count)
            }
            let domain = active[slot]
            let rank = pickRank(count: groups[domain]!.count, rng: &rng)
            selected.append(groups[domain]!.remove(at: rank))
            if groups[domain]!.isEmpty { active.remove(at: slot) }
        }
        return selected
    }

    /// P(rank r) = 2^(−r) / Σ_{k<n} 2^(−k), the within-domain law of Algorithm 1.
    public static func rankProbabilities(count n: Int) -> [Double] {
        let total = 2 * (1 - pow2(-n))
        return (0..<n).map { pow2(-$0) / total }
    }

    /// Draws a rank in 0..<count with probability ∝ 2^(−rank).
    static func pickRank(count n: Int, rng: inout CounterRNG) -> Int {
        // Scale a uniform draw onto the mass of the n ranks, then walk the halving cumulative sum.
        let u = rng.nextUnit() * (1 - pow2(-n))
        var cumulative = 0.0, mass = 0.5
        for r in 0..<n {
            cumulative += mass
            if u < cumulative { return r }
            mass *= 0.5
        }
        return n - 1
    }

    /// A domain slot with probability ∝ its weight; uniform when no active domain has weight.
    static func weightedSlot(active: [String], weights: [String: Int], rng: inout CounterRNG) -> Int {
        let total = active.reduce(0) { $0 + (weights[$1] ?? 0) }
        guard total > 0 else { return rng.nextIndex(below: active.count) }
        var x = rng.nextIndex(below: total)
        for (slot, domain) in active.enumerated() {
            x -= weights[domain] ?? 0
            if x < 0 { return slot }
        }
        return active.count - 1
    }

    /// The `diverse` ablation: a uniform non-exhausted domain, then a uniform candidate within it.
    public static func uniformOverDomains(domains: [String], target: Int, seed: UInt64) -> [Int] {
        var rng = CounterRNG(key: CounterRNG.derive(seed, 0xD1))
        var groups: [String: [Int]] = [:]
        for i in domains.indices { groups[domains[i], default: []].append(i) }
        var active = groups.keys.sorted()
        var selected: [Int] = []
        while selected.count < target, !active.isEmpty {
            let slot = rng.nextIndex(below: active.count)
            let domain = active[slot]
            let pick = rng.nextIndex(below: groups[domain]!.count)
            selected.append(groups[domain]!.remove(at: pick))
            if groups[domain]!.isEmpty { active.remove(at: slot) }
        }
        return selected
    }

    private static func pow2(_ e: Int) -> Double { e < -1074 ? 0 : Double(sign: .plus, exponent: e, significand: 1) }
}
