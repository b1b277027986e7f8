// Chart data: what to plot, not how. Rendering lives in SVGLineChart / SVGBarChart.

/// How an axis maps values to positions.
public enum AxisScale: String, Equatable, Sendable {
    /// Evenly spaced values.
    case linear
    /// Evenly spaced doublings (the paper's thinking-token axes). Only positive values can be placed.
    case log2
}

/// One plotted point, with an optional 95% confidence interval on y.
public struct ChartPoint: Equatable, Sendable {
    /// Horizontal value.
    public var x: Double
    /// Vertical value.
    public var y: Double
    /// Lower end of the 95% CI of `y`, if known.
    public var ciLow: Double?
    /// Upper end of the 95% CI of `y`, if known.
    public var ciHigh: Double?

    /// Creates a point.
    public init(x: Double, y: Double, ciLow: Double? = nil, ciHigh: Double? = nil) {
        self.x = x
        self.y = y
        self.ciLow = ciLow
        self.ciHigh = ciHigh
    }
}

/// A named series of points, drawn in the given order (sort by x beforehand for a monotone line).
public struct ChartSeries: Equatable, Sendable {
    /// Legend name.
    public var name: String
    /// The points.
    public var points: [ChartPoint]

    /// Creates a series.
    public init(name: String, points: [ChartPoint]) {
        self.name = name
        self.points = points
    }
}

/// A line chart with markers, optional CI whiskers and a legend.
public struct LineChart: Equatable, Sendable {
    /// Title above the plot.
    public var title: String
    /// Label of the x axis.
    public var xLabel: String
    /// Label of the y axis.
    public var yLabel: String
    /// Scale of the x axis.
    public var xScale: AxisScale
    /// The series; colours follow `ChartPalette` in this order.
    public var series: [ChartSeries]
    /// Fixed y range (e.g. 0...1 for accuracy); `nil` fits the data.
    public var yRange: ClosedRange<Double>?

    /// Creates a line chart.
    public init(
        title: String, xLabel: String, yLabel: String, xScale: AxisScale = .linear,
        series: [ChartSeries], yRange: ClosedRange<Double>? = nil
    ) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xScale = xScale
        self.series = series
        self.yRange = yRange
    }
}

/// One bar.
public struct BarItem: Equatable, Sendable {
    /// Category label.
    public var label: String
    /// Bar length (non-negative values are expected; negatives are drawn as zero-length and labelled).
    public var value: Double

    /// Creates a bar.
    public init(_ label: String, _ value: Double) {
        self.label = label
        self.value = value
    }
}

/// A horizontal bar chart with value labels (funnels, histograms).
public struct BarChart: Equatable, Sendable {
    /// Title above the plot.
    public var title: String
    /// Label of the value axis.
    public var valueLabel: String
    /// Bars, top to bottom.
    public var bars: [BarItem]

    /// Creates a bar chart.
    public init(title: String, valueLabel: String, bars: [BarItem]) {
        self.title = title
        self.valueLabel = valueLabel
        self.bars = bars
    }
}

/// The fixed series palette (colour-blind-friendly Okabe–Ito order), reused cyclically.
public enum ChartPalette {
    /// Colours as `#rrggbb`.
    public static let colors = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#f0e442"]

    /// The colour of the series at `index`.
    public static func color(_ index: Int) -> String { colors[index % colors.count] }
}
