/// A fixed-size, zero-initialised fp32 buffer with a stable address.
///
/// Why not `[Float]`: hot loops must not index an array stored in a class (measured ~100x slower), and the
/// parameter views handed to kernels need a pointer that stays valid while the owner lives.
public final class FloatBuffer: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int

    public init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { pointer.deallocate() }

    /// Sets every element to zero.
    public func zero() { pointer.update(repeating: 0, count: count) }

    /// Copies the elements into an array (for tests, serialisation and hashing).
    public func toArray() -> [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    /// Overwrites the buffer from `values`, which must have `count` elements.
    public func copy(from values: [Float]) {
        precondition(values.count == count, "FloatBuffer.copy: size mismatch (internal)")
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: count) }
    }

    /// Copies another buffer of the same size.
    public func copy(from other: FloatBuffer) {
        precondition(other.count == count, "FloatBuffer.copy: size mismatch (internal)")
        pointer.update(from: other.pointer, count: count)
    }
}
