import Resilience
import ResilienceConfiguration

/// The SVG chart of circuit breaker states over time: one horizontal band per policy with a breaker,
/// colored by state between the exact instants of its ``SimulationResult/breakerChanges``.
struct BreakerChart {
    /// A policy's band.
    struct Row {
        var policy: String
        var color: String
        /// The state from 0 until the first change (the first change's `from`, else the first interval
        /// with a state, else closed).
        var initial: CircuitState
        var changes: [SimulationResult.BreakerChange]
    }

    static let stateColors: [(state: CircuitState, color: String)] = [
        (.closed, "#8fd19e"), (.open, "#e4572e"), (.halfOpen, "#f3c044"), (.forcedOpen, "#8b1e1e"),
        (.forcedClosed, "#2e7d32"),
    ]
    static let width = 600.0
    static let left = 110.0
    static let right = 16.0
    static let top = 50.0
    static let rowHeight = 26.0
    static let rowGap = 8.0
    static let bottom = 44.0

    var title: String
    var xAxis: ChartAxis
    var rows: [Row]

    /// The band of `result`, or nil when it has no breaker (no breaker state in any interval and no
    /// change).
    static func row(for result: SimulationResult, color: String) -> Row? {
        let firstState = result.intervals.lazy.compactMap(\.breakerState).first
        guard firstState != nil || !result.breakerChanges.isEmpty else { return nil }
        let initial = result.breakerChanges.first?.from ?? firstState ?? .closed
        return Row(policy: result.policy, color: color, initial: initial, changes: result.breakerChanges)
    }

    static func color(_ state: CircuitState) -> String {
        stateColors.first { $0.state == state }?.color ?? "#999999"
    }

    var height: Double { Self.top + Double(rows.count) * (Self.rowHeight + Self.rowGap) + Self.bottom }
    var plotWidth: Double { Self.width - Self.left - Self.right }
    func x(_ seconds: Double) -> Double { Self.left + xAxis.fraction(seconds) * plotWidth }

    /// The chart as an `<svg>` element.
    func svg() -> String {
        let n = ReportNumber.svg
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(n(Self.width)) \(n(height))\" role=\"img\" "
        svg += "xmlns=\"http://www.w3.org/2000/svg\"><title>\(HTMLText.escape(title))</title>\n"
        svg += "<text class=\"chart-title\" x=\"\(n(Self.left))\" y=\"18\">\(HTMLText.escape(title))</text>\n"
        // State legend.
        var legendX = Self.left
        for (state, color) in Self.stateColors.prefix(3) {
            svg += "<rect x=\"\(n(legendX))\" y=\"28\" width=\"14\" height=\"10\" fill=\"\(color)\"/>"
            svg += "<text class=\"tick\" x=\"\(n(legendX + 18))\" y=\"37\">\(state.rawValue)</text>"
            legendX += 90
        }
        svg += "\n"
        let plotBottom = height - Self.bottom
        for tick in xAxis.ticks {
            let position = x(tick.value)
            svg += "<line class=\"grid\" x1=\"\(n(position))\" y1=\"\(n(Self.top - 4))\" x2=\"\(n(position))\" y2=\"\(n(plotBottom))\"/>"
            svg += "<text class=\"tick\" x=\"\(n(position))\" y=\"\(n(plotBottom + 16))\" text-anchor=\"middle\">"
            svg += "\(HTMLText.escape(tick.label))</text>\n"
        }
        let end = xAxis.upper
        for (index, row) in rows.enumerated() {
            let top = Self.top + Double(index) * (Self.rowHeight + Self.rowGap)
            svg += "<g class=\"series\"><title>\(HTMLText.escape(row.policy))</title>"
            svg += "<text class=\"row-label\" x=\"\(n(Self.left - 8))\" y=\"\(n(top + Self.rowHeight / 2 + 4))\" "
            svg += "text-anchor=\"end\" fill=\"\(row.color)\">\(HTMLText.escape(row.policy))</text>"
            var state = row.initial
            var from = 0.0
            for change in row.changes {
                let at = ReportNumber.seconds(of: change.at)
                svg += segment(from: from, to: at, state: state, top: top)
                state = change.to
                from = max(from, at)
            }
            svg += segment(from: from, to: end, state: state, top: top)
            svg += "</g>\n"
        }
        svg += "<line class=\"frame\" x1=\"\(n(Self.left))\" y1=\"\(n(plotBottom))\" x2=\"\(n(Self.left + plotWidth))\" y2=\"\(n(plotBottom))\"/>\n"
        svg += "<text class=\"axis-title\" x=\"\(n(Self.left + plotWidth / 2))\" y=\"\(n(height - 6))\" "
        svg += "text-anchor=\"middle\">time (s)</text>\n"
        svg += "</svg>"
        return svg
    }

    private func segment(from: Double, to: Double, state: CircuitState, top: Double) -> String {
        let n = ReportNumber.svg
        let left = x(from)
        let right = x(to)
        guard right > left else { return "" }
        // A state shorter than a pixel (a brief half-open probe) stays visible.
        let width = state == .closed ? right - left : max(right - left, 1.5)
        return "<rect x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(width))\" height=\"\(n(Self.rowHeight))\" "
            + "fill=\"\(Self.color(state))\"><title>\(state.rawValue)</title></rect>"
    }
}
