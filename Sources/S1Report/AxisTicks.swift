// Nice axis ranges and tick values, for linear axes (1-2-2.5-5 steps) and log2 axes (powers of two).
import Foundation

/// An axis domain and the tick values inside it (both ends are ticks).
public struct AxisTicks: Equatable, Sendable {
    /// Scale of the axis.
    public var scale: AxisScale
    /// Lowest value of the domain.
    public var lower: Double
    /// Highest value of the domain.
    public var upper: Double
    /// Tick values, ascending, from `lower` to `upper`.
    public var values: [Double]

    /// Nice linear ticks covering `[min, max]` with about `targetCount` intervals.
    /// The step is 1, 2, 2.5 or 5 times a power of ten; the domain is widened to whole steps.
    /// A degenerate range is widened around its value (by 10% of it, or by 1 around zero).
    public static func linear(min: Double, max: Double, targetCount: Int = 5) -> AxisTicks {
        var (low, high) = (Swift.min(min, max), Swift.max(min, max))
        if !low.isFinite || !high.isFinite { (low, high) = (0, 1) }
        if low == high {
            let pad = low == 0 ? 1 : abs(low) * 0.1
            (low, high) = (low - pad, high + pad)
        }
        let raw = (high - low) / Double(Swift.max(1, targetCount))
        var exponent = Int(floor(log10(raw)))
        var mantissa = 10.0
        for candidate in [1.0, 2.0, 2.5, 5.0, 10.0] where candidate * pow(10, Double(exponent)) >= raw * (1 - 1e-9) {
            mantissa = candidate
            break
        }
        if mantissa == 10 { (mantissa, exponent) = (1, exponent + 1) }
        // value(i) = i * mantissa * 10^exponent, computed so that decimal steps stay exact (3 * 0.1 = 0.3).
        func value(_ index: Int) -> Double {
            exponent >= 0
                ? Double(index) * mantissa * pow(10, Double(exponent))
                : Double(index) * mantissa / pow(10, Double(-exponent))
        }
        let step = value(1)
        let first = Int(floor(low / step + 1e-9))
        let last = Int(ceil(high / step - 1e-9))
        let values = (first...Swift.max(first + 1, last)).map(value)
        return AxisTicks(scale: .linear, lower: values.first!, upper: values.last!, values: values)
    }

    /// Log2 ticks: the domain runs from the power of two at or below `min` to the one at or above `max`;
    /// ticks are powers of two, thinned to every 2nd, 3rd, ... power when there would be more than `maxCount`.
    /// Non-positive bounds cannot be placed on a log axis and are replaced by 1.
    public static func log2(min: Double, max: Double, maxCount: Int = 8) -> AxisTicks {
        let low = Swift.min(min, max) > 0 && min.isFinite ? Swift.min(min, max) : 1
        let high = Swift.max(min, max) > 0 && max.isFinite ? Swift.max(min, max) : low
        var first = Int(floor(Foundation.log2(low)))
        var last = Int(ceil(Foundation.log2(high)))
        if first == last { (first, last) = (first - 1, last + 1) }
        let count = last - first + 1
        let stride = (count + Swift.max(1, maxCount) - 1) / Swift.max(1, maxCount)
        // Keep both ends as ticks: widen the top to a whole number of strides.
        last = first + ((last - first + stride - 1) / stride) * stride
        let values = Swift.stride(from: first, through: last, by: stride).map { pow(2, Double($0)) }
        return AxisTicks(scale: .log2, lower: values.first!, upper: values.last!, values: values)
    }

    /// Maps a value to `[0, 1]` along the axis (0 at `lower`, 1 at `upper`); `nil` when it cannot be placed
    /// (non-finite, or non-positive on a log2 axis). Values outside the domain map outside `[0, 1]`.
    public func fraction(of value: Double) -> Double? {
        guard value.isFinite else { return nil }
        switch scale {
        case .linear:
            return (value - lower) / (upper - lower)
        case .log2:
            guard value > 0 else { return nil }
            return (Foundation.log2(value) - Foundation.log2(lower)) / (Foundation.log2(upper) - Foundation.log2(lower))
        }
    }
}
