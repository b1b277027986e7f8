/// exp for 16 lanes at once, Cephes-style: x = n·ln2 + r with |r| ≤ ln2/2, a degree-6 polynomial for e^r, and
/// 2ⁿ built in the exponent bits. Within 2 ulp of the true value over the clamped range [−87.3, 88.7].
///
/// Why our own: libm's scalar `expf` was ~7% of a training step, and a fixed polynomial gives the same bits on
/// every machine and libm version (the scalar libm call does not promise that).
@inline(__always)
public func exp16(_ input: SIMD16<Float>) -> SIMD16<Float> {
    // Clamped by compare-and-select: the standard library's pointwiseMin/Max are sometimes left as out-of-line
    // generic calls that work lane by lane.
    let high = SIMD16<Float>(repeating: 88.7), low = SIMD16<Float>(repeating: -87.3)
    let x = input.replacing(with: high, where: input .> high).replacing(with: low, where: input .< low)
    // Adding 1.5·2²³ rounds x·log2(e) to the nearest integer n (ties to even) and leaves n in the low
    // mantissa bits, so n is read from the bits without a (slow, generic) float→int conversion.
    let shifted = x * 1.442_695_04 + 12_582_912
    let n = shifted - 12_582_912
    let nBits = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- 0x4B40_0000
    // Two-part ln2 keeps r exact enough: n·0.693359375 is exact for |n| < 2^12.
    let r = x - n * 0.693_359_375 + n * 2.121_944_4e-4
    var p = SIMD16<Float>(repeating: 1.987_569_15e-4)
    p = p * r + 1.398_199_950_7e-3
    p = p * r + 8.333_451_907_3e-3
    p = p * r + 4.166_579_589_4e-2
    p = p * r + 1.666_666_545_9e-1
    p = p * r + 5.000_000_120_1e-1
    p = p * (r * r) + r + 1
    let exponent = (nBits &+ 127) &<< 23
    return p * unsafeBitCast(exponent, to: SIMD16<Float>.self)
}

/// values[i] = exp(values[i] − shift) for i in 0..<n; returns Σ of the results in a fixed order.
/// `padded`: the buffer may be read and written up to n rounded up to 16, and those extra entries become 0; the
/// last partial vector is then masked in place instead of finished through a scratch copy (a third of the
/// training attention's forward went to that copy). Both give the same values and the same sum.
@inline(__always)
@discardableResult
public func expShiftedInPlace(_ values: UnsafeMutablePointer<Float>, _ n: Int, shift: Float, padded: Bool = false) -> Float {
    var accumulator = SIMD16<Float>()
    var i = 0
    while i + 16 <= n {
        let e = exp16(UnsafeRawPointer(values + i).loadUnaligned(as: SIMD16<Float>.self) - shift)
        UnsafeMutableRawPointer(values + i).storeBytes(of: e, as: SIMD16<Float>.self)
        accumulator += e
        i += 16
    }
    if i < n, padded {
        let lanes = SIMD16<Float>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        // A select, not a multiply by a 0/1 mask: lanes past the prefix may hold anything.
        let e = exp16(load16(values + i) - shift).replacing(with: 0, where: lanes .>= Float(n - i))
        store16(values + i, e)
        accumulator += e
    } else if i < n {
        // The tail goes through the same polynomial, in a vector padded in memory (inserting lanes one by one
        // is lowered through the stack, slower); padding lanes add 0 to the sum.
        let tail = n - i
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 16) { buffer in
            let lanes = buffer.baseAddress!
            lanes.initialize(repeating: shift, count: 16)
            lanes.update(from: values + i, count: tail)
            store16(lanes, exp16(load16(lanes) - shift))
            (values + i).update(from: lanes, count: tail)
            (lanes + tail).update(repeating: 0, count: 16 - tail)
            accumulator += load16(lanes)
        }
    }
    return pairwiseSum(accumulator)
}

/// 1 / (1 + exp(−x)) in 16 lanes.
@inline(__always)
public func sigmoid16(_ x: SIMD16<Float>) -> SIMD16<Float> {
    1 / (1 + exp16(-x))
}

/// 16 floats from `p` (any alignment).
@inline(__always)
func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

/// Stores 16 floats at `p` (any alignment).
@inline(__always)
func store16(_ p: UnsafeMutablePointer<Float>, _ value: SIMD16<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: value, as: SIMD16<Float>.self)
}
