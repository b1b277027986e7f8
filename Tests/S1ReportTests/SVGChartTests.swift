import XCTest
import S1Report

final class SVGChartTests: XCTestCase {
    private func threeByFive(scale: AxisScale) -> LineChart {
        LineChart(
            title: "three series", xLabel: "tokens", yLabel: "accuracy", xScale: scale,
            series: (0..<3).map { s in
                ChartSeries(name: "series \(s)", points: (0..<5).map { i in
                    let y = 0.1 * Double(s) + 0.12 * Double(i)
                    return ChartPoint(x: Double(16 << i), y: y, ciLow: y - 0.05, ciHigh: y + 0.05)
                })
            })
    }

    func testLineChartHasOnePolylinePerSeriesAndOneMarkerPerPoint() {
        for scale in [AxisScale.linear, .log2] {
            let svg = SVGLineChart.render(threeByFive(scale: scale))
            XCTAssertEqual(occurrences(of: "<polyline", in: svg), 3)
            XCTAssertEqual(occurrences(of: "<circle class=\"marker\"", in: svg), 15)
            // Each CI is a vertical line plus two caps.
            XCTAssertEqual(occurrences(of: "<line class=\"ci\"", in: svg), 45)
            XCTAssertEqual(occurrences(of: "class=\"legend-text\"", in: svg), 3)
            XCTAssertEqual(Set(ChartPalette.colors.prefix(3)).count, 3)
            for color in ChartPalette.colors.prefix(3) {
                XCTAssertTrue(svg.contains("class=\"series-line\" points=") && svg.contains("stroke=\"\(color)\""))
            }
            XCTAssertTrue(tagBalanceProblems(svg).isEmpty, "\(tagBalanceProblems(svg))")
        }
    }

    func testEveryCoordinateLiesInsideTheViewBox() throws {
        let svg = SVGLineChart.render(threeByFive(scale: .log2))
        let box = try XCTUnwrap(viewBox(svg))
        let xs = attributeValues(svg, element: "<circle", attribute: "cx")
            + attributeValues(svg, element: "<line", attribute: "x1") + attributeValues(svg, element: "<line", attribute: "x2")
        let ys = attributeValues(svg, element: "<circle", attribute: "cy")
            + attributeValues(svg, element: "<line", attribute: "y1") + attributeValues(svg, element: "<line", attribute: "y2")
        XCTAssertGreaterThan(xs.count, 30)
        for x in xs { XCTAssertTrue((0...box.width).contains(x), "x \(x)") }
        for y in ys { XCTAssertTrue((0...box.height).contains(y), "y \(y)") }
        // Polyline vertices too.
        for chunk in svg.components(separatedBy: "points=\"").dropFirst() {
            for pair in chunk.prefix(while: { $0 != "\"" }).split(separator: " ") {
                let xy = pair.split(separator: ",").compactMap { Double($0) }
                XCTAssertEqual(xy.count, 2)
                XCTAssertTrue((0...box.width).contains(xy[0]) && (0...box.height).contains(xy[1]), "\(pair)")
            }
        }
    }

    func testLog2AxisPlaces64HalfwayBetween32And128() throws {
        let chart = LineChart(title: "t", xLabel: "x", yLabel: "y", xScale: .log2,
                              series: [ChartSeries(name: "s", points: [32, 64, 128].map { ChartPoint(x: $0, y: 0.5) })])
        let cx = attributeValues(SVGLineChart.render(chart), element: "<circle class=\"marker\"", attribute: "cx")
        XCTAssertEqual(cx.count, 3)
        // Coordinates are rounded to 4 significant digits (0.1 px here), so allow one rounding step.
        XCTAssertEqual(cx[1] - cx[0], cx[2] - cx[1], accuracy: 0.11)
        XCTAssertGreaterThan(cx[1] - cx[0], 100)
        // On a linear axis 64 is a third of the way, not halfway.
        var linear = chart
        linear.xScale = .linear
        let lx = attributeValues(SVGLineChart.render(linear), element: "<circle class=\"marker\"", attribute: "cx")
        XCTAssertEqual((lx[1] - lx[0]) / (lx[2] - lx[0]), 1.0 / 3.0, accuracy: 0.01)
    }

    func testUnplaceablePointsAreCountedNotDropped() {
        let chart = LineChart(title: "t", xLabel: "x", yLabel: "y", xScale: .log2,
                              series: [ChartSeries(name: "s", points: [ChartPoint(x: 0, y: 1), ChartPoint(x: 8, y: 2),
                                                                       ChartPoint(x: 16, y: .nan)])])
        let svg = SVGLineChart.render(chart)
        XCTAssertEqual(occurrences(of: "<circle class=\"marker\"", in: svg), 1)
        XCTAssertTrue(svg.contains("2 point(s) not drawn"))
        let empty = SVGLineChart.render(LineChart(title: "e", xLabel: "x", yLabel: "y", series: []))
        XCTAssertTrue(empty.contains(">no data</text>"))
    }

    func testYRangeIsWidenedByDataOutsideIt() throws {
        let chart = LineChart(title: "t", xLabel: "x", yLabel: "y",
                              series: [ChartSeries(name: "s", points: [ChartPoint(x: 1, y: 0.5, ciLow: -0.2, ciHigh: 1.3)])],
                              yRange: 0...1)
        let svg = SVGLineChart.render(chart)
        let box = try XCTUnwrap(viewBox(svg))
        for y in attributeValues(svg, element: "<line class=\"ci\"", attribute: "y1") {
            XCTAssertTrue((0...box.height).contains(y))
        }
    }

    func testBarChartHasOneBarAndValueLabelPerItem() throws {
        let chart = BarChart(title: "funnel", valueLabel: "n",
                             bars: [BarItem("pool", 5000), BarItem("quality", 2500), BarItem("s1K", 1000)])
        let svg = SVGBarChart.render(chart)
        let widths = attributeValues(svg, element: "<rect class=\"bar\"", attribute: "width")
        XCTAssertEqual(widths.count, 3)
        // Lengths are proportional to the values (axis 0...5000 here).
        XCTAssertEqual(widths[1] / widths[0], 0.5, accuracy: 0.002)
        XCTAssertEqual(widths[2] / widths[0], 0.2, accuracy: 0.002)
        XCTAssertTrue(svg.contains(">5000</text>") && svg.contains(">2500</text>") && svg.contains(">1000</text>"))
        let box = try XCTUnwrap(viewBox(svg))
        let xs = attributeValues(svg, element: "<rect class=\"bar\"", attribute: "x")
        for (x, w) in zip(xs, widths) { XCTAssertLessThanOrEqual(x + w, box.width) }
        XCTAssertTrue(tagBalanceProblems(svg).isEmpty)
    }
}
