/// Token embedding lookup.
public enum Embedding {
    /// out (N, C) = table[tokens[n]] for n in 0..<N; table (V, C). Tokens must already be validated < V.
    public static func forward(out: UnsafeMutablePointer<Float>, tokens: UnsafePointer<Int32>,
                               table: UnsafePointer<Float>, rows N: Int, channels C: Int) {
        for n in 0..<N {
            (out + n * C).update(from: table + Int(tokens[n]) * C, count: C)
        }
    }

    /// dtable[tokens[n]] += dout[n], rows in order (repeated tokens accumulate in a fixed order).
    public static func backward(dtable: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
                                tokens: UnsafePointer<Int32>, rows N: Int, channels C: Int) {
        for n in 0..<N {
            let row = dtable + Int(tokens[n]) * C, dy = dout + n * C
            for i in 0..<C { row[i] += dy[i] }
        }
    }
}
