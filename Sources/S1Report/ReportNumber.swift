// Fixed, locale-free number formatting, so the same document renders to the same bytes everywhere.
import Foundation

/// Number formatting used by the renderers (public so callers can format table cells the same way).
public enum ReportNumber {
    /// `x` rounded to at most `digits` significant digits, without trailing zeros or exponent
    /// (e.g. `123.456` → `123.5`, `0.000123456` → `0.0001235`, `-0.0` → `0`). Non-finite values give `—`.
    public static func significant(_ x: Double, digits: Int = 4) -> String {
        guard x.isFinite else { return "—" }
        guard x != 0 else { return "0" }
        let digits = max(1, digits)
        let exponent = Int(floor(log10(abs(x))))
        let decimals = digits - 1 - exponent
        let text: String
        if decimals >= 0 {
            // Beyond 15 decimals a Double carries no more information; cap to keep the output short.
            text = String(format: "%.\(min(decimals, 15))f", x)
        } else {
            let unit = pow(10, Double(-decimals))
            text = String(format: "%.0f", (x / unit).rounded() * unit)
        }
        return trimmed(text)
    }

    /// An SVG coordinate: at most 4 significant digits (sub-pixel precision for any canvas below 10,000 px).
    public static func coordinate(_ x: Double) -> String { significant(x, digits: 4) }

    /// A tick label: the value's shortest round-trip form, without a trailing `.0`.
    /// Tick values are generated as exact decimal multiples, so this stays short (`0.3`, not `0.30000000000000004`).
    public static func tick(_ x: Double) -> String {
        guard x.isFinite else { return "—" }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }

    /// A duration: `0.0123 s`, `12.3 s`, `4 min 05 s`, `2 h 07 min`. Negative or non-finite gives `—`.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "—" }
        if seconds < 59.95 { return significant(seconds, digits: 3) + " s" }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return String(format: "%d min %02d s", whole / 60, whole % 60) }
        return String(format: "%d h %02d min", whole / 3600, (whole % 3600) / 60)
    }

    private static func trimmed(_ text: String) -> String {
        var text = text
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        if text == "-0" { return "0" }
        return text
    }
}
