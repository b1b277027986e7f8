/// How many KV-cache positions (summed over live sequences) the decoder may hold: the device's free memory at
/// start-up, less a margin for activations, cuBLASLt's workspace and fragmentation, divided by the bytes of one
/// position (keys and values of every layer, bf16).
public struct KVCacheBudget: Equatable, Sendable {
    public let bytesPerPosition: Int
    public let positions: Int
    public let freeBytes: Int
    public let marginBytes: Int

    /// `marginFraction` of the free memory, but at least `minimumMarginBytes`, stays unused.
    public init(freeBytes: Int, layers: Int, keyValueDim: Int, marginFraction: Double = 0.1,
                minimumMarginBytes: Int = 1 << 30) {
        bytesPerPosition = 2 * layers * keyValueDim * MemoryLayout<UInt16>.size
        self.freeBytes = freeBytes
        marginBytes = max(minimumMarginBytes, Int(Double(freeBytes) * marginFraction))
        positions = max(0, freeBytes - marginBytes) / max(1, bytesPerPosition)
    }

    /// A typed error when `requested` more positions would not fit beside `inUse`.
    public func check(inUse: Int, requested: Int) throws {
        guard inUse + requested <= positions else {
            throw CUDAError.outOfMemory(requestedBytes: requested * bytesPerPosition,
                                        freeBytes: max(0, positions - inUse) * bytesPerPosition)
        }
    }
}
