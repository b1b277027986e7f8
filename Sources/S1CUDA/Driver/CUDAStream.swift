/// A blocking stream (ordered with the legacy default stream, so the synchronous copies around its work stay in
/// order), and the CUDA graphs captured on it.
public final class CUDAStream: @unchecked Sendable {
    let context: CUDAContext
    let handle: OpaquePointer?

    public init(context: CUDAContext) throws {
        self.context = context
        try context.makeCurrent()
        var stream: OpaquePointer?
        try context.api.check(context.api.cuStreamCreate(&stream, 0), "cuStreamCreate")
        handle = stream
    }

    /// Records everything `body` issues on this stream into a graph instead of running it.
    public func capture(_ body: () throws -> Void) throws -> CUDAGraph {
        try context.makeCurrent()
        try context.api.check(context.api.cuStreamBeginCapture(handle, DriverAPI.captureModeThreadLocal), "cuStreamBeginCapture")
        var failure: Error?
        do { try body() } catch { failure = error }
        var graph: OpaquePointer?
        let ended = context.api.cuStreamEndCapture(handle, &graph)
        if let failure { if graph != nil { _ = context.api.cuGraphDestroy(graph) }; throw failure }
        try context.api.check(ended, "cuStreamEndCapture")
        var executable: OpaquePointer?
        let instantiated = context.api.cuGraphInstantiateWithFlags(&executable, graph, 0)
        _ = context.api.cuGraphDestroy(graph)
        try context.api.check(instantiated, "cuGraphInstantiateWithFlags")
        return CUDAGraph(context: context, executable: executable)
    }
}

/// An instantiated graph: one launch replays every captured kernel and GEMM with the captured arguments.
public final class CUDAGraph: @unchecked Sendable {
    let context: CUDAContext
    let executable: OpaquePointer?

    init(context: CUDAContext, executable: OpaquePointer?) {
        self.context = context
        self.executable = executable
    }

    deinit { _ = context.api.cuGraphExecDestroy(executable) }

    public func launch(on stream: CUDAStream) throws {
        try context.makeCurrent()
        try context.api.check(context.api.cuGraphLaunch(executable, stream.handle), "cuGraphLaunch")
    }
}
