// Renders a BarChart as horizontal bars with value labels (labels can be long: funnel stages, domains).
import Foundation

/// SVG rendering of bar charts.
public enum SVGBarChart {
    /// Canvas width in SVG units.
    public static let width = 640.0
    static let labelWidth = 190.0, plotTop = 34.0, rowHeight = 22.0, barHeight = 15.0, valueRoom = 64.0
    static let bottomMargin = 44.0

    /// The SVG markup of `chart`. Bars start at zero; a negative or non-finite value draws no bar but keeps its label.
    public static func render(_ chart: BarChart) -> String {
        let values = chart.bars.map(\.value).filter(\.isFinite)
        let ticks = AxisTicks.linear(min: 0, max: max(values.max() ?? 1, 0) == 0 ? 1 : max(values.max() ?? 1, 0), targetCount: 4)
        let plotLeft = labelWidth, plotRight = width - valueRoom
        let plotBottom = plotTop + rowHeight * Double(max(chart.bars.count, 1))
        let height = plotBottom + bottomMargin
        func px(_ v: Double) -> Double { plotLeft + (ticks.fraction(of: v) ?? 0) * (plotRight - plotLeft) }

        var svg = SVGCanvas()
        svg.raw(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart bar-chart\" viewBox=\"0 0 \(n(width)) \(n(height))\" "
                + "width=\"\(n(width))\" height=\"\(n(height))\" role=\"img\" aria-label=\"\(Escape.html(chart.title))\">\n")
        svg.element("title", [], text: chart.title)
        svg.text(chart.title, x: 8, y: 20, class: "chart-title")
        for value in ticks.values {
            let x = px(value)
            svg.line(x, plotTop, x, plotBottom, class: "grid")
            svg.text(ReportNumber.tick(value), x: x, y: plotBottom + 16, class: "tick", anchor: "middle")
        }
        svg.line(plotLeft, plotTop, plotLeft, plotBottom, class: "axis")
        svg.text(chart.valueLabel, x: (plotLeft + plotRight) / 2, y: plotBottom + 36, class: "axis-label", anchor: "middle")

        for (index, bar) in chart.bars.enumerated() {
            let top = plotTop + rowHeight * Double(index) + (rowHeight - barHeight) / 2
            let middle = top + barHeight / 2 + 4
            svg.text(clipped(bar.label, to: 30), x: plotLeft - 8, y: middle, class: "bar-label", anchor: "end")
            let length = bar.value.isFinite && bar.value > 0 ? px(bar.value) - plotLeft : 0
            svg.raw("<rect class=\"bar\" x=\"\(n(plotLeft))\" y=\"\(n(top))\" width=\"\(n(length))\" "
                + "height=\"\(n(barHeight))\" fill=\"\(ChartPalette.color(0))\">")
            svg.element("title", [], text: "\(bar.label): \(ReportNumber.significant(bar.value))")
            svg.raw("</rect>\n")
            svg.text(ReportNumber.significant(bar.value), x: plotLeft + length + 4, y: middle, class: "value")
        }
        if chart.bars.isEmpty {
            svg.text("no data", x: (plotLeft + plotRight) / 2, y: plotTop + 14, class: "note", anchor: "middle")
        }
        svg.raw("</svg>")
        return svg.markup
    }
}
