// Renders a LineChart as a standalone inline SVG: gridlines, ticks, series polylines, markers, CI whiskers, legend.
import Foundation

/// SVG rendering of line charts.
public enum SVGLineChart {
    /// Canvas width in SVG units.
    public static let width = 640.0
    static let plotLeft = 64.0, plotTop = 34.0, legendWidth = 168.0, bottomMargin = 50.0, minHeight = 360.0
    static let legendRow = 18.0

    /// The SVG markup of `chart`. Points that cannot be placed (non-finite, or x ≤ 0 on a log2 axis) are left
    /// out and counted in a visible note, never silently dropped.
    public static func render(_ chart: LineChart) -> String {
        let placeable = chart.series.map { series in
            series.points.filter { point in
                point.x.isFinite && point.y.isFinite && (chart.xScale == .linear || point.x > 0)
            }
        }
        let skipped = zip(chart.series, placeable).reduce(0) { $0 + $1.0.points.count - $1.1.count }
        let all = placeable.flatMap { $0 }
        let xs = all.map(\.x)
        let ys = all.flatMap { point in [point.y, point.ciLow, point.ciHigh].compactMap { $0 }.filter(\.isFinite) }

        let xTicks: AxisTicks
        switch chart.xScale {
        case .linear: xTicks = .linear(min: xs.min() ?? 0, max: xs.max() ?? 1)
        case .log2: xTicks = .log2(min: xs.min() ?? 1, max: xs.max() ?? 2)
        }
        let yTicks: AxisTicks
        if let range = chart.yRange {
            // The fixed range is a floor, not a clip: data outside it widens the axis instead of leaving the canvas.
            yTicks = .linear(min: min(range.lowerBound, ys.min() ?? range.lowerBound),
                             max: max(range.upperBound, ys.max() ?? range.upperBound))
        } else {
            yTicks = .linear(min: ys.min() ?? 0, max: ys.max() ?? 1)
        }

        let height = max(minHeight, plotTop + legendRow * Double(chart.series.count + 1) + bottomMargin)
        let plotRight = width - legendWidth, plotBottom = height - bottomMargin
        func px(_ x: Double) -> Double { plotLeft + (xTicks.fraction(of: x) ?? 0) * (plotRight - plotLeft) }
        func py(_ y: Double) -> Double { plotBottom - (yTicks.fraction(of: y) ?? 0) * (plotBottom - plotTop) }

        var svg = SVGCanvas()
        svg.raw(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart line-chart\" viewBox=\"0 0 \(n(width)) \(n(height))\" "
                + "width=\"\(n(width))\" height=\"\(n(height))\" role=\"img\" aria-label=\"\(Escape.html(chart.title))\">\n")
        svg.element("title", [], text: chart.title)
        svg.text(chart.title, x: plotLeft, y: 20, class: "chart-title")

        for value in xTicks.values {
            let x = px(value)
            svg.line(x, plotTop, x, plotBottom, class: "grid")
            svg.text(ReportNumber.tick(value), x: x, y: plotBottom + 16, class: "tick", anchor: "middle")
        }
        for value in yTicks.values {
            let y = py(value)
            svg.line(plotLeft, y, plotRight, y, class: "grid")
            svg.text(ReportNumber.tick(value), x: plotLeft - 6, y: y + 4, class: "tick", anchor: "end")
        }
        svg.line(plotLeft, plotBottom, plotRight, plotBottom, class: "axis")
        svg.line(plotLeft, plotTop, plotLeft, plotBottom, class: "axis")
        let xTitle = chart.xLabel + (chart.xScale == .log2 ? " (log2 scale)" : "")
        svg.text(xTitle, x: (plotLeft + plotRight) / 2, y: plotBottom + 38, class: "axis-label", anchor: "middle")
        let yMid = (plotTop + plotBottom) / 2
        svg.text(chart.yLabel, x: 16, y: yMid, class: "axis-label", anchor: "middle",
                 transform: "rotate(-90 16 \(n(yMid)))")

        for (index, points) in placeable.enumerated() {
            let color = ChartPalette.color(index)
            svg.raw("<g class=\"series\" data-series=\"\(index)\">\n")
            let coordinates = points.map { "\(n(px($0.x))),\(n(py($0.y)))" }.joined(separator: " ")
            svg.element("polyline", [("class", "series-line"), ("points", coordinates), ("stroke", color), ("fill", "none")])
            for point in points {
                let x = px(point.x)
                if let low = point.ciLow, let high = point.ciHigh, low.isFinite, high.isFinite {
                    svg.line(x, py(low), x, py(high), class: "ci", stroke: color)
                    svg.line(x - 4, py(low), x + 4, py(low), class: "ci", stroke: color)
                    svg.line(x - 4, py(high), x + 4, py(high), class: "ci", stroke: color)
                }
                var label = "\(chart.series[index].name): \(chart.xLabel) \(ReportNumber.significant(point.x)), "
                    + "\(chart.yLabel) \(ReportNumber.significant(point.y))"
                if let low = point.ciLow, let high = point.ciHigh {
                    label += " [95% CI \(ReportNumber.significant(low)), \(ReportNumber.significant(high))]"
                }
                svg.raw("<circle class=\"marker\" cx=\"\(n(x))\" cy=\"\(n(py(point.y)))\" r=\"3.5\" fill=\"\(color)\">")
                svg.element("title", [], text: label)
                svg.raw("</circle>\n")
            }
            svg.raw("</g>\n")
        }

        svg.raw("<g class=\"legend\">\n")
        for (index, series) in chart.series.enumerated() {
            let y = plotTop + 8 + legendRow * Double(index)
            let x = plotRight + 16
            svg.line(x, y, x + 20, y, class: "legend-line", stroke: ChartPalette.color(index))
            svg.element("circle", [("class", "legend-swatch"), ("cx", n(x + 10)), ("cy", n(y)), ("r", "3.5"),
                                   ("fill", ChartPalette.color(index))])
            svg.text(clipped(series.name, to: 22), x: x + 26, y: y + 4, class: "legend-text")
        }
        svg.raw("</g>\n")

        if all.isEmpty {
            svg.text("no data", x: (plotLeft + plotRight) / 2, y: yMid, class: "note", anchor: "middle")
        } else if skipped > 0 {
            let reason = chart.xScale == .log2 ? "non-finite or x ≤ 0 on the log2 axis" : "non-finite"
            svg.text("\(skipped) point(s) not drawn: \(reason)", x: plotLeft, y: height - 6, class: "note")
        }
        svg.raw("</svg>")
        return svg.markup
    }
}
