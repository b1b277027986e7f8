/// Keys and values of one sequence for every layer: layer l's keys are rows (position, Hk·d) after RoPE.
///
/// One allocation holds all layers (layer l's keys at `2l·capacity·width`, values after them). It grows by
/// doubling, so decoding allocates only O(log T) times per sequence; `copy()` is the snapshot of a fork.
final class KVCache {
    let layers: Int
    /// Floats per position and layer: Hk·d.
    let width: Int
    private(set) var capacity: Int
    /// Positions filled (0..<count).
    var count: Int = 0
    private var storage: UnsafeMutablePointer<Float>

    init(layers: Int, width: Int, capacity: Int = 64) {
        self.layers = layers
        self.width = width
        self.capacity = max(capacity, 1)
        storage = .allocate(capacity: 2 * layers * self.capacity * width)
    }

    deinit { storage.deallocate() }

    @inline(__always) func keys(_ layer: Int) -> UnsafeMutablePointer<Float> { storage + 2 * layer * capacity * width }
    @inline(__always) func values(_ layer: Int) -> UnsafeMutablePointer<Float> { storage + (2 * layer + 1) * capacity * width }

    /// Makes room for `positions` positions in total, keeping the filled ones.
    func reserve(_ positions: Int) {
        guard positions > capacity else { return }
        var newCapacity = capacity
        while newCapacity < positions { newCapacity *= 2 }
        let grown = UnsafeMutablePointer<Float>.allocate(capacity: 2 * layers * newCapacity * width)
        for slab in 0..<(2 * layers) {
            (grown + slab * newCapacity * width).update(from: storage + slab * capacity * width, count: count * width)
        }
        storage.deallocate()
        storage = grown
        capacity = newCapacity
    }

    /// A deep copy of the filled positions.
    func copy() -> KVCache {
        let other = KVCache(layers: layers, width: width, capacity: max(count, 1))
        for slab in 0..<(2 * layers) {
            (other.storage + slab * other.capacity * width).update(from: storage + slab * capacity * width, count: count * width)
        }
        other.count = count
        return other
    }
}
