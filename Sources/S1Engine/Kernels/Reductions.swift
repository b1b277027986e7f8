/// Fixed-order reductions with explicit SIMD accumulators.
///
/// Why: Swift does not reassociate floating point, so a scalar loop neither vectorises nor can be made faster
/// by the compiler; a `SIMD16<Float>` accumulator reduced by `pairwiseSum` fixes one summation order for every
/// build target, which keeps results bitwise identical across reruns and row-for-row identical whatever the batch
/// (DESIGN "Engine notes").
/// Multiplies and adds are kept separate (no fused multiply-add) so that the order, not the CPU, defines the sum.

/// Σ a[i]·b[i] for i in 0..<n.
@inline(__always)
public func dotProduct(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var accumulator = SIMD16<Float>()
    var i = 0
    while i + 16 <= n {
        let x = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
        let y = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self)
        accumulator += x * y
        i += 16
    }
    var total = pairwiseSum(accumulator)
    while i < n {
        total += a[i] * b[i]
        i += 1
    }
    return total
}

/// Σ a[i] for i in 0..<n.
@inline(__always)
public func sum(_ a: UnsafePointer<Float>, _ n: Int) -> Float {
    var accumulator = SIMD16<Float>()
    var i = 0
    while i + 16 <= n {
        accumulator += UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
        i += 16
    }
    var total = pairwiseSum(accumulator)
    while i < n {
        total += a[i]
        i += 1
    }
    return total
}

/// The 16 lanes added as a fixed tree (halves, then quarters, …): the same order on every call, and a quarter of
/// the dependent additions of `SIMD16.sum()`, which adds lane by lane.
@inline(__always)
public func pairwiseSum(_ v: SIMD16<Float>) -> Float {
    let eight = v.lowHalf + v.highHalf
    let four = eight.lowHalf + eight.highHalf
    let two = four.lowHalf + four.highHalf
    return two[0] + two[1]
}

/// y[i] += alpha·x[i] for i in 0..<n (elementwise, so the order per element is fixed by construction).
@inline(__always)
public func addScaled(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ alpha: Float, _ n: Int) {
    for i in 0..<n { y[i] += alpha * x[i] }
}

/// max of a[0..<n] (n ≥ 1). The maximum is exact, so 16 lanes at a time give the scalar loop's value.
@inline(__always)
public func maximum(_ a: UnsafePointer<Float>, _ n: Int) -> Float {
    guard n >= 16 else {
        var best = a[0]
        for i in 1..<max(n, 1) where a[i] > best { best = a[i] }
        return best
    }
    var lanes = UnsafeRawPointer(a).loadUnaligned(as: SIMD16<Float>.self)
    var i = 16
    while i + 16 <= n {
        lanes = lanewiseMaximum(lanes, UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self))
        i += 16
    }
    var best = horizontalMaximum(lanes)
    while i < n {
        if a[i] > best { best = a[i] }
        i += 1
    }
    return best
}

/// Lane-wise maximum. Why not `pointwiseMax`: the standard library's version (NaN-aware `Float.maximum`) is
/// lowered lane by lane through the stack when its result is carried around a loop; a compare-and-select becomes
/// one `vmaxps`.
@inline(__always)
func lanewiseMaximum(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
    a.replacing(with: b, where: b .> a)
}

/// The largest lane, by halving (`SIMD16.max()` is a scalar loop with NaN checks).
@inline(__always)
func horizontalMaximum(_ v: SIMD16<Float>) -> Float {
    let eight = v.lowHalf.replacing(with: v.highHalf, where: v.highHalf .> v.lowHalf)
    let four = eight.lowHalf.replacing(with: eight.highHalf, where: eight.highHalf .> eight.lowHalf)
    let two = four.lowHalf.replacing(with: four.highHalf, where: four.highHalf .> four.lowHalf)
    return two[1] > two[0] ? two[1] : two[0]
}
