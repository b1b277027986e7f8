import Dispatch

/// Splits independent rows across `EngineEnvironment.workerCount` threads. Each row is computed by the same
/// code whatever the split, so results are bitwise identical for every thread count; reductions across rows
/// must not use this.
public enum RowParallel {
    /// Calls `body` with disjoint ranges covering 0..<rows (in parallel when there are enough rows).
    @inline(__always)
    public static func forEachChunk(rows: Int, minimumRowsPerTask: Int = 8, _ body: (Range<Int>) -> Void) {
        let tasks = min(EngineEnvironment.workerCount, rows / max(1, minimumRowsPerTask))
        if tasks <= 1 {
            body(0..<rows)
            return
        }
        DispatchQueue.concurrentPerform(iterations: tasks) { task in
            body((rows * task / tasks)..<(rows * (task + 1) / tasks))
        }
    }

    /// Calls `body` with the chunks chunkRows·c ..< chunkRows·(c + 1) of 0..<rows (the last one shorter), whole
    /// chunks spread over the threads. The chunk boundaries never depend on the thread count, so work whose bits
    /// could depend on its row range (a GEMM over the chunk) gives the same bits for every thread count.
    @inline(__always)
    public static func forEachFixedChunk(rows: Int, chunkRows: Int, _ body: (Range<Int>) -> Void) {
        let chunks = (rows + chunkRows - 1) / chunkRows
        forEachChunk(rows: chunks, minimumRowsPerTask: 1) { chunkRange in
            for chunk in chunkRange { body((chunk * chunkRows)..<min(rows, (chunk + 1) * chunkRows)) }
        }
    }
}
