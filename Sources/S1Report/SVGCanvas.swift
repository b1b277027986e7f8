// A tiny SVG writer: elements with attributes in the order given and fixed number formatting.

/// Builds SVG markup with deterministic formatting (4 significant digits for coordinates).
struct SVGCanvas {
    private(set) var markup = ""

    /// Appends `<name a="v" .../>` or, with children/text, `<name ...>…</name>`.
    mutating func element(_ name: String, _ attributes: [(String, String)], text: String? = nil) {
        markup += "<\(name)"
        for (key, value) in attributes { markup += " \(key)=\"\(Escape.html(value))\"" }
        if let text {
            markup += ">\(Escape.html(text))</\(name)>\n"
        } else {
            markup += "/>\n"
        }
    }

    /// Appends raw markup already built by this writer.
    mutating func raw(_ text: String) { markup += text }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, class className: String, stroke: String? = nil) {
        var attributes = [("class", className), ("x1", n(x1)), ("y1", n(y1)), ("x2", n(x2)), ("y2", n(y2))]
        if let stroke { attributes.append(("stroke", stroke)) }
        element("line", attributes)
    }

    mutating func text(_ value: String, x: Double, y: Double, class className: String, anchor: String = "start", transform: String? = nil) {
        var attributes = [("class", className), ("x", n(x)), ("y", n(y)), ("text-anchor", anchor)]
        if let transform { attributes.append(("transform", transform)) }
        element("text", attributes, text: value)
    }
}

/// Formats an SVG coordinate.
func n(_ x: Double) -> String { ReportNumber.coordinate(x) }

/// Shortens a label for the canvas; the full text goes in a `<title>`.
func clipped(_ text: String, to count: Int) -> String {
    text.count <= count ? text : String(text.prefix(count - 1)) + "…"
}
