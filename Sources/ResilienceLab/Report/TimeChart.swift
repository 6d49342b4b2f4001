/// An SVG line chart over time, for the report: seconds on the x axis, one line per series, optional
/// shaded spans (the dependency's unhealthy phases) behind the lines.
///
/// A missing value (`nil`) breaks its line; an isolated value is drawn as a dot. Every number written
/// to the SVG is finite (``ReportNumber/svg(_:)``).
struct TimeChart {
    /// One line.
    struct Series {
        var name: String
        var color: String
        var dashed = false
        var strokeWidth = 2.0
        /// `(seconds, value)`; a nil value is a gap.
        var points: [(x: Double, y: Double?)]
    }

    /// A shaded span of time.
    struct Span {
        var from: Double
        var to: Double
        /// Stronger shading (the dependency is down).
        var strong: Bool
        /// Written at the top of the span when the chart shows span labels (empty: none).
        var label: String
    }

    /// The SVG's size in user units (it scales to its container's width).
    static let width = 600.0
    static let height = 280.0
    static let left = 64.0
    static let right = 16.0
    static let top = 30.0
    static let bottom = 44.0

    var title: String
    var yTitle: String
    var xAxis: ChartAxis
    var yAxis: ChartAxis
    var series: [Series]
    var spans: [Span]
    var showsSpanLabels = false

    var plotWidth: Double { Self.width - Self.left - Self.right }
    var plotHeight: Double { Self.height - Self.top - Self.bottom }

    func x(_ seconds: Double) -> Double { Self.left + xAxis.fraction(seconds) * plotWidth }
    func y(_ value: Double) -> Double { Self.top + (1 - yAxis.fraction(value)) * plotHeight }

    /// The chart as an `<svg>` element.
    func svg() -> String {
        let n = ReportNumber.svg
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(n(Self.width)) \(n(Self.height))\" role=\"img\" "
        svg += "xmlns=\"http://www.w3.org/2000/svg\"><title>\(HTMLText.escape(title))</title>\n"
        svg += "<text class=\"chart-title\" x=\"\(n(Self.left))\" y=\"18\">\(HTMLText.escape(title))</text>\n"
        for span in spans {
            let from = x(span.from)
            let to = x(span.to)
            guard to > from else { continue }
            svg += "<rect class=\"\(span.strong ? "span-strong" : "span")\" x=\"\(n(from))\" y=\"\(n(Self.top))\" "
            svg += "width=\"\(n(to - from))\" height=\"\(n(plotHeight))\"/>\n"
            if showsSpanLabels, !span.label.isEmpty {
                svg += "<text class=\"span-label\" x=\"\(n(from + 3))\" y=\"\(n(Self.top + 12))\">"
                svg += "\(HTMLText.escape(span.label))</text>\n"
            }
        }
        svg += axes()
        for line in series {
            svg += path(line)
        }
        if let note = coincidenceNote {
            // Under the title, above the plot; squeezed to the plot's width when longer (10px text is
            // about 5.5 user units a character).
            let squeeze = Double(note.count) * 5.5 > plotWidth
                ? " textLength=\"\(n(plotWidth))\" lengthAdjust=\"spacingAndGlyphs\"" : ""
            svg += "<text class=\"chart-note\" x=\"\(n(Self.left))\" y=\"\(n(Self.top - 2))\"\(squeeze)>"
            svg += "\(HTMLText.escape(note))</text>\n"
        }
        svg += "</svg>"
        return svg
    }

    /// Series drawn exactly on top of one another (the same value at every instant), which a reader
    /// would otherwise take for one line: `"identical: none = default"`, groups joined with `; `; `nil`
    /// when every line is distinct.
    var coincidenceNote: String? {
        var groups: [[String]] = []
        var representatives: [Series] = []
        for line in series {
            if let index = representatives.firstIndex(where: { Self.samePoints($0.points, line.points) }) {
                groups[index].append(line.name)
            } else {
                representatives.append(line)
                groups.append([line.name])
            }
        }
        let coinciding = groups.filter { $0.count > 1 }
        guard !coinciding.isEmpty else { return nil }
        return "identical: " + coinciding.map { $0.joined(separator: " = ") }.joined(separator: "; ")
    }

    static func samePoints(_ a: [(x: Double, y: Double?)], _ b: [(x: Double, y: Double?)]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.x == $1.x && $0.y == $1.y }
    }

    private func axes() -> String {
        let n = ReportNumber.svg
        let plotLeft = Self.left
        let plotRight = Self.left + plotWidth
        let plotBottom = Self.top + plotHeight
        var svg = "<g class=\"axis\">\n"
        for tick in yAxis.ticks {
            let position = y(tick.value)
            svg += "<line class=\"grid\" x1=\"\(n(plotLeft))\" y1=\"\(n(position))\" x2=\"\(n(plotRight))\" y2=\"\(n(position))\"/>"
            svg += "<text class=\"tick\" x=\"\(n(plotLeft - 6))\" y=\"\(n(position + 4))\" text-anchor=\"end\">"
            svg += "\(HTMLText.escape(tick.label))</text>\n"
        }
        for tick in xAxis.ticks {
            let position = x(tick.value)
            svg += "<line class=\"tick-mark\" x1=\"\(n(position))\" y1=\"\(n(plotBottom))\" x2=\"\(n(position))\" y2=\"\(n(plotBottom + 5))\"/>"
            svg += "<text class=\"tick\" x=\"\(n(position))\" y=\"\(n(plotBottom + 18))\" text-anchor=\"middle\">"
            svg += "\(HTMLText.escape(tick.label))</text>\n"
        }
        svg += "<line class=\"frame\" x1=\"\(n(plotLeft))\" y1=\"\(n(plotBottom))\" x2=\"\(n(plotRight))\" y2=\"\(n(plotBottom))\"/>"
        svg += "<line class=\"frame\" x1=\"\(n(plotLeft))\" y1=\"\(n(Self.top))\" x2=\"\(n(plotLeft))\" y2=\"\(n(plotBottom))\"/>\n"
        svg += "<text class=\"axis-title\" x=\"\(n(plotLeft + plotWidth / 2))\" y=\"\(n(Self.height - 6))\" "
        svg += "text-anchor=\"middle\">time (s)</text>\n"
        let middle = Self.top + plotHeight / 2
        svg += "<text class=\"axis-title\" x=\"14\" y=\"\(n(middle))\" text-anchor=\"middle\" "
        svg += "transform=\"rotate(-90 14 \(n(middle)))\">\(HTMLText.escape(yTitle))</text>\n"
        svg += "</g>\n"
        return svg
    }

    private func path(_ line: Series) -> String {
        let n = ReportNumber.svg
        var segments: [[(Double, Double)]] = []
        var current: [(Double, Double)] = []
        for point in line.points {
            if let value = point.y, value.isFinite, point.x.isFinite {
                current.append((x(point.x), y(value)))
            } else if !current.isEmpty {
                segments.append(current)
                current = []
            }
        }
        if !current.isEmpty { segments.append(current) }
        guard !segments.isEmpty else { return "" }
        var d = ""
        var dots = ""
        for segment in segments {
            if segment.count == 1 {
                dots += "<circle cx=\"\(n(segment[0].0))\" cy=\"\(n(segment[0].1))\" r=\"\(n(line.strokeWidth))\" "
                dots += "fill=\"\(line.color)\"/>"
                continue
            }
            for (index, point) in segment.enumerated() {
                d += (index == 0 ? (d.isEmpty ? "M" : " M") : " L") + "\(n(point.0)) \(n(point.1))"
            }
        }
        var svg = "<g class=\"series\"><title>\(HTMLText.escape(line.name))</title>"
        if !d.isEmpty {
            svg += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"\(n(line.strokeWidth))\" "
            svg += "stroke-opacity=\"0.9\" stroke-linejoin=\"round\"\(line.dashed ? " stroke-dasharray=\"5 4\"" : "")/>"
        }
        svg += dots + "</g>\n"
        return svg
    }
}
