// Decontamination by word n-gram overlap against benchmark questions (the paper: 8-grams against MATH500,
// GPQA-Diamond and AIME24). A hashed n-gram set of the benchmark makes it one pass over the pool, not pairs.

/// A pool question that shares an n-gram with a benchmark question.
public struct ContaminationHit: Codable, Equatable, Sendable {
    /// Index in the pool passed in.
    public var poolIndex: Int
    /// Index of the (first) benchmark question it overlaps.
    public var benchmarkIndex: Int

    public init(poolIndex: Int, benchmarkIndex: Int) {
        self.poolIndex = poolIndex
        self.benchmarkIndex = benchmarkIndex
    }
}

public enum Decontamination {
    /// Pool questions sharing a word n-gram with any benchmark question, in pool order.
    ///
    /// Words are the whitespace-separated pieces of the lower-cased text. A text shorter than `n` words counts as
    /// one n-gram of all its words, so short questions are matched whole rather than never. N-grams are compared
    /// by 64-bit FNV-1a hashes of their words (a false match needs a 64-bit collision).
    public static func overlaps(pool: [String], benchmark: [String], n: Int = 8) -> [ContaminationHit] {
        var index: [UInt64: Int] = [:]
        for (b, text) in benchmark.enumerated() {
            for gram in ngramHashes(text, n: n) where index[gram] == nil { index[gram] = b }
        }
        var hits: [ContaminationHit] = []
        for (p, text) in pool.enumerated() {
            for gram in ngramHashes(text, n: n) {
                if let b = index[gram] {
                    hits.append(ContaminationHit(poolIndex: p, benchmarkIndex: b))
                    break
                }
            }
        }
        return hits
    }

    /// Hashes of the word n-grams of `text` after lower-casing and whitespace normalisation.
    public static func ngramHashes(_ text: String, n: Int) -> [UInt64] {
        let words = wordHashes(text)
        guard !words.isEmpty, n > 0 else { return [] }
        let width = min(n, words.count)
        var grams: [UInt64] = []
        grams.reserveCapacity(words.count - width + 1)
        for start in 0...(words.count - width) {
            var h: UInt64 = 0x9E37_79B9_7F4A_7C15 &+ UInt64(width)
            for k in start..<(start + width) { h = (h ^ words[k]) &* 0x0000_0100_0000_01B3 ^ (h >> 29) }
            grams.append(h)
        }
        return grams
    }

    /// FNV-1a hash of each word. ASCII text is lower-cased byte by byte (the common, fast case); other text
    /// goes through full Unicode lower-casing first.
    static func wordHashes(_ text: String) -> [UInt64] {
        let lowered = text.utf8.allSatisfy { $0 < 0x80 } ? text : text.lowercased()
        var hashes: [UInt64] = []
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        var inWord = false
        for var byte in lowered.utf8 {
            if byte == 0x20 || (0x09...0x0D).contains(byte) {
                if inWord { hashes.append(h); h = 0xCBF2_9CE4_8422_2325; inWord = false }
                continue
            }
            if (0x41...0x5A).contains(byte) { byte |= 0x20 }
            h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            inWord = true
        }
        if inWord { hashes.append(h) }
        return hashes
    }
}
