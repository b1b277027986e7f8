/// GPU time per operation, for finding where a training or decode step spends it: an event is recorded on the
/// stream after every operation, and an operation's time is the gap between its event and the one before, so the
/// times add up to the whole span with no gaps. Only benchmarks switch it on (`DeviceOps.profiler`): the extra
/// event records cost a little host time per launch.
public final class OpProfiler: @unchecked Sendable {
    let context: CUDAContext
    private var marks: [(name: String, event: OpaquePointer?)] = []
    private var pool: [OpaquePointer?] = []

    init(context: CUDAContext) { self.context = context }

    deinit { for event in pool + marks.map(\.event) { _ = context.api.cuEventDestroy(event) } }

    private func record(on stream: CUDAStream?) throws -> OpaquePointer? {
        var event: OpaquePointer?
        if let reused = pool.popLast() {
            event = reused
        } else {
            try context.api.check(context.api.cuEventCreate(&event, 0), "cuEventCreate")
        }
        try context.api.check(context.api.cuEventRecord(event, stream?.handle), "cuEventRecord")
        return event
    }

    /// Starts a span: forgets earlier marks and records the starting event.
    func begin(on stream: CUDAStream?) throws {
        pool += marks.map(\.event)
        marks = [("start", try record(on: stream))]
    }

    /// The operation `name` was just issued on `stream`.
    func mark(_ name: String, on stream: CUDAStream?) throws {
        guard !marks.isEmpty else { return }
        marks.append((name, try record(on: stream)))
    }

    /// Milliseconds and counts per operation name since `begin`, largest first (waits for the last event).
    public func totals() throws -> [(name: String, milliseconds: Double, count: Int)] {
        guard let last = marks.last else { return [] }
        try context.api.check(context.api.cuEventSynchronize(last.event), "cuEventSynchronize")
        var byName: [String: (Double, Int)] = [:]
        for i in 1..<marks.count {
            var milliseconds: Float = 0
            try context.api.check(context.api.cuEventElapsedTime(&milliseconds, marks[i - 1].event, marks[i].event),
                                  "cuEventElapsedTime")
            let (total, count) = byName[marks[i].name] ?? (0, 0)
            byName[marks[i].name] = (total + Double(milliseconds), count + 1)
        }
        return byName.map { (name: $0.key, milliseconds: $0.value.0, count: $0.value.1) }
            .sorted { ($0.milliseconds, $1.name) > ($1.milliseconds, $0.name) }
    }
}
