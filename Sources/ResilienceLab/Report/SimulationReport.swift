import Resilience
import ResilienceConfiguration

/// The HTML report of a simulation suite: one self-contained page (inline CSS and SVG, no script, no
/// external resource) with one section per scenario.
///
/// ```swift
/// let report = SimulationReport(sections: [
///     .init(scenario: .outageAndRecovery, results: outageResults, notes: tunedPolicyJSON),
/// ])
/// try report.html().write(toFile: "resilience-report.html")   // with Foundation, in the CLI
/// ```
///
/// Each section shows the scenario's name, summary, duration, seed and dependency (workers, queue,
/// service time, phases), the comparison table of its results (the columns of ``ComparisonTable``), a
/// legend, and these charts over time (x: seconds from the start; one point per interval of the
/// results, at the interval's middle — intervals of 1 s, or wider for a scenario longer than 1,000 s,
/// so that a series has at most 2,000 points (``ScenarioLimits``); the dependency's unhealthy phases shaded, `down` darker):
/// 1. **Goodput**: calls that succeeded as a percentage of the calls that *ended* in the interval,
///    0–100 %, per policy (a gap where no call ended).
/// 2. **Latency**: the interval's p99 (solid) and p50 (dashed) per policy, on a **logarithmic** y axis
///    in milliseconds, ticked at powers of ten (and at 2× and 5× when it spans at most two decades),
///    because timeouts and queues make latencies span several decades (a gap where no call ended).
/// 3. **Dependency load**: calls the dependency received per second, per policy, and the clients'
///    calls per second (black, dashed; from the first result: the same traffic under every policy),
///    with each unhealthy phase labelled.
/// 4. **Circuit breaker state**: one band per policy with a breaker (a result with a breaker state in
///    its intervals, or with breaker changes), closed / open / half-open, drawn between the exact
///    instants of its breaker changes. When no result of the section has a breaker this chart is
///    left out (the section then has 3 charts) and a sentence says so.
///
/// Policies have the same color everywhere in the report (`none` gray, `naive-retry` red, `default`
/// blue, `tuned` green, other policies from a fixed palette in order of appearance). Every text from
/// the input is HTML-escaped; charts handle no results, no intervals and zero values, and never write
/// `NaN` or infinity. The output depends only on the input (same input, same bytes).
public struct SimulationReport: Sendable, Hashable {
    /// One scenario and its results.
    public struct Section: Sendable, Hashable {
        /// The scenario that was run.
        public var scenario: ScenarioDefinition
        /// One result per policy, in the order of the table's rows and the legend.
        public var results: [SimulationResult]
        /// Free text shown as-is (escaped, in a `<pre>`) under the charts, e.g. the tuned policy's JSON;
        /// nil for none.
        public var notes: String?
        /// The heading above ``notes``.
        public var notesTitle: String

        /// A section for `scenario` with its `results`, and optional `notes` under `notesTitle`.
        public init(scenario: ScenarioDefinition, results: [SimulationResult], notes: String? = nil, notesTitle: String = "Notes") {
            self.scenario = scenario
            self.results = results
            self.notes = notes
            self.notesTitle = notesTitle
        }
    }

    /// The page's title and main heading.
    public var title: String
    /// The scenarios, in order.
    public var sections: [Section]

    /// A report of `sections` titled `title`.
    public init(title: String = "resilience-lab report", sections: [Section]) {
        self.title = title
        self.sections = sections
    }

    /// The report as one HTML document (UTF-8 text, ending with a newline).
    public func html() -> String {
        let palette = PolicyPalette(sections.flatMap { $0.results.map(\.policy) })
        let e = HTMLText.escape
        var html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        html += "<title>\(e(title))</title>\n<style>\n\(Self.styleSheet)</style>\n</head>\n<body>\n<main>\n"
        html += "<header>\n<h1>\(e(title))</h1>\n"
        let policies = palette.policies.map { "<span class=\"policy\"><span class=\"dot\" style=\"background:\($0.isEmpty ? "#000" : palette.color($0))\"></span>\(e($0))</span>" }
        html += "<p class=\"lead\">\(sections.count) scenario\(sections.count == 1 ? "" : "s")"
        if !policies.isEmpty { html += "; policies: " + policies.joined(separator: " ") }
        html += "</p>\n"
        if !sections.isEmpty {
            html += "<nav><ol>"
            for (index, section) in sections.enumerated() {
                html += "<li><a href=\"#scenario-\(index + 1)\">\(e(section.scenario.name))</a></li>"
            }
            html += "</ol></nav>\n"
        }
        html += "</header>\n"
        for (index, section) in sections.enumerated() {
            html += sectionHTML(section, number: index + 1, palette: palette)
        }
        html += "<footer><p>Goodput: calls that succeeded, as a share of the calls made (table) or of the calls that "
        html += "ended in each interval (chart). Latency: from a call&#39;s arrival to its end, retries included. "
        html += "Amplification: calls the dependency received per call made. Shaded: the dependency is not healthy "
        html += "(darker: down).</p>\n<p>The table&#39;s columns:</p>\n<dl class=\"legend\">"
        for (heading, explanation) in zip(ComparisonRow.headings, ComparisonRow.explanations).dropFirst() {
            html += "<dt>\(e(heading))</dt><dd>\(e(explanation))</dd>"
        }
        html += "</dl></footer>\n"
        html += "</main>\n</body>\n</html>\n"
        return html
    }

    private func sectionHTML(_ section: Section, number: Int, palette: PolicyPalette) -> String {
        let e = HTMLText.escape
        let scenario = section.scenario
        let results = section.results
        var html = "<section class=\"scenario\" id=\"scenario-\(number)\">\n"
        html += "<h2>\(number). \(e(scenario.name))</h2>\n"
        if !scenario.summary.isEmpty { html += "<p class=\"summary\">\(e(scenario.summary))</p>\n" }
        html += "<p class=\"facts\">\(e(ScenarioText.seconds(scenario.duration))) of traffic, seed \(scenario.seed). "
        html += "Dependency: \(e(ScenarioText.dependency(scenario.dependency))). "
        html += "Phases: \(e(ScenarioText.phases(scenario.dependency.behaviour))).</p>\n"
        html += tableHTML(results, palette: palette)

        let end = Self.end(of: section)
        let xAxis = ChartAxis.seconds(upTo: end)
        let spans = ScenarioText.unhealthySpans(scenario.dependency.behaviour, end: end)
        let breakerRows = results.compactMap { BreakerChart.row(for: $0, color: palette.color($0.policy)) }

        html += "<div class=\"legend\">"
        for result in results {
            html += "<span class=\"key\"><span class=\"line\" style=\"border-top-color:\(palette.color(result.policy))\"></span>"
            html += "\(e(result.policy))</span>"
        }
        if !results.isEmpty { html += "<span class=\"key\"><span class=\"line dashed\"></span>client calls/s</span>" }
        if !spans.isEmpty { html += "<span class=\"key\"><span class=\"band\"></span>dependency not healthy</span>" }
        html += "</div>\n<div class=\"charts\">\n"
        html += "<figure>" + goodputChart(results, xAxis: xAxis, spans: spans, palette: palette).svg() + "</figure>\n"
        html += "<figure>" + latencyChart(results, xAxis: xAxis, spans: spans, palette: palette).svg() + "</figure>\n"
        html += "<figure>" + loadChart(results, xAxis: xAxis, spans: spans, palette: palette).svg() + "</figure>\n"
        if breakerRows.isEmpty {
            html += "<figure class=\"no-breaker\"><p>No policy in this scenario has a circuit breaker.</p></figure>\n"
        } else {
            let chart = BreakerChart(title: "Circuit breaker state", xAxis: xAxis, rows: breakerRows)
            html += "<figure>" + chart.svg() + "</figure>\n"
        }
        html += "</div>\n"
        if let notes = section.notes {
            html += "<h3>\(e(section.notesTitle))</h3>\n<pre>\(e(notes))</pre>\n"
        }
        html += "</section>\n"
        return html
    }

    private func tableHTML(_ results: [SimulationResult], palette: PolicyPalette) -> String {
        let e = HTMLText.escape
        var html = "<table class=\"comparison\">\n<thead><tr>"
        for (heading, explanation) in zip(ComparisonRow.headings, ComparisonRow.explanations) {
            html += "<th title=\"\(e(explanation))\">\(e(heading))</th>"
        }
        html += "</tr></thead>\n<tbody>\n"
        for result in results {
            let cells = ComparisonRow(result).cells
            html += "<tr><td class=\"policy\"><span class=\"dot\" style=\"background:\(palette.color(result.policy))\"></span>"
            html += "\(e(cells[0]))</td>"
            for cell in cells.dropFirst() {
                html += "<td>\(e(cell))</td>"
            }
            html += "</tr>\n"
        }
        html += "</tbody>\n</table>\n"
        return html
    }

    /// The end of the time axis, in seconds: the latest of the scenario's duration, each result's end
    /// and the end of its last interval.
    static func end(of section: Section) -> Double {
        var end = ReportNumber.seconds(of: section.scenario.duration)
        for result in section.results {
            end = max(end, ReportNumber.seconds(of: result.endedAt))
            if let last = result.intervals.last {
                end = max(end, ReportNumber.seconds(of: last.start + result.intervalWidth))
            }
        }
        return end
    }

    /// The middle of each interval of `result`, in seconds, with `value` of the interval.
    static func points(_ result: SimulationResult, _ value: (SimulationResult.Interval) -> Double?) -> [(x: Double, y: Double?)] {
        let halfWidth = ReportNumber.seconds(of: result.intervalWidth) / 2
        return result.intervals.map { interval in
            (x: ReportNumber.seconds(of: interval.start) + halfWidth, y: value(interval))
        }
    }

    private func goodputChart(
        _ results: [SimulationResult], xAxis: ChartAxis, spans: [TimeChart.Span], palette: PolicyPalette
    ) -> TimeChart {
        let series = results.map { result in
            TimeChart.Series(
                name: result.policy, color: palette.color(result.policy),
                points: Self.points(result) { interval in
                    let ended = interval.succeeded + interval.failed + interval.endedByPolicy
                    return ended == 0 ? nil : Double(interval.succeeded) * 100 / Double(ended)
                })
        }
        return TimeChart(
            title: "Goodput: calls that succeeded, % of calls ended", yTitle: "goodput", xAxis: xAxis,
            yAxis: .percent, series: series, spans: spans)
    }

    private func latencyChart(
        _ results: [SimulationResult], xAxis: ChartAxis, spans: [TimeChart.Span], palette: PolicyPalette
    ) -> TimeChart {
        var minimum = Double.infinity
        var maximum = 0.0
        var series: [TimeChart.Series] = []
        for result in results {
            for interval in result.intervals {
                for latency in [interval.p50, interval.p99] where latency > .zero {
                    let milliseconds = ReportNumber.milliseconds(of: latency)
                    minimum = min(minimum, milliseconds)
                    maximum = max(maximum, milliseconds)
                }
            }
            let color = palette.color(result.policy)
            series.append(
                TimeChart.Series(
                    name: "\(result.policy) p50", color: color, dashed: true, strokeWidth: 1.5,
                    points: Self.points(result) { $0.p50 > .zero ? ReportNumber.milliseconds(of: $0.p50) : nil }))
            series.append(
                TimeChart.Series(
                    name: "\(result.policy) p99", color: color,
                    points: Self.points(result) { $0.p99 > .zero ? ReportNumber.milliseconds(of: $0.p99) : nil }))
        }
        let yAxis = maximum > 0 ? ChartAxis.logarithmicMilliseconds(from: minimum, to: maximum)
            : ChartAxis.logarithmicMilliseconds(from: 1, to: 1_000)
        return TimeChart(
            title: "Latency: p99 solid, p50 dashed (log scale)", yTitle: "latency", xAxis: xAxis, yAxis: yAxis,
            series: series, spans: spans)
    }

    private func loadChart(
        _ results: [SimulationResult], xAxis: ChartAxis, spans: [TimeChart.Span], palette: PolicyPalette
    ) -> TimeChart {
        var series: [TimeChart.Series] = []
        var maximum = 0.0
        for result in results {
            let width = ReportNumber.seconds(of: result.intervalWidth)
            let points = Self.points(result) { width > 0 ? Double($0.dependencyReceived) / width : nil }
            maximum = max(maximum, points.compactMap(\.y).max() ?? 0)
            series.append(TimeChart.Series(name: "\(result.policy): dependency received/s", color: palette.color(result.policy), points: points))
        }
        if let first = results.first {
            let width = ReportNumber.seconds(of: first.intervalWidth)
            let points = Self.points(first) { width > 0 ? Double($0.calls) / width : nil }
            maximum = max(maximum, points.compactMap(\.y).max() ?? 0)
            series.append(TimeChart.Series(name: "client calls/s", color: "#222222", dashed: true, strokeWidth: 1.5, points: points))
        }
        var chart = TimeChart(
            title: "Dependency load: calls received per second", yTitle: "calls/s", xAxis: xAxis,
            yAxis: .linear(upTo: maximum, label: ChartAxis.numberLabel), series: series, spans: spans)
        chart.showsSpanLabels = true
        return chart
    }

    static let styleSheet = """
        :root { color-scheme: light; }
        body { margin: 0; background: #f6f7f9; color: #1d2330; font: 14px/1.45 "DejaVu Sans", system-ui, sans-serif; }
        main { max-width: 1240px; margin: 0 auto; padding: 16px 20px 40px; }
        h1 { font-size: 24px; margin: 8px 0 4px; }
        h2 { font-size: 20px; margin: 0 0 4px; }
        h3 { font-size: 15px; margin: 16px 0 6px; }
        .lead { margin: 0 0 8px; color: #3b4252; }
        nav ol { margin: 0; padding-left: 20px; columns: 3; }
        section.scenario { background: #fff; border: 1px solid #dde1e7; border-radius: 8px; padding: 16px 18px; margin: 18px 0; }
        .summary { margin: 0 0 4px; font-size: 15px; }
        .facts { margin: 0 0 12px; color: #555d6b; font-size: 13px; }
        table.comparison { border-collapse: collapse; margin: 4px 0 12px; font-variant-numeric: tabular-nums; }
        table.comparison th, table.comparison td { padding: 4px 10px; text-align: right; border-bottom: 1px solid #e6e8ec; white-space: nowrap; }
        table.comparison th { font-weight: 600; color: #3b4252; border-bottom: 2px solid #c9ced6; cursor: help; }
        table.comparison th:first-child, table.comparison td.policy { text-align: left; }
        td.policy { font-weight: 600; }
        .dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 6px; vertical-align: middle; }
        .policy { margin-right: 10px; white-space: nowrap; }
        .legend { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 4px 0 8px; font-size: 13px; }
        .key { display: inline-flex; align-items: center; gap: 6px; }
        .key .line { display: inline-block; width: 26px; border-top: 3px solid #000; }
        .key .line.dashed { border-top: 2px dashed #222; }
        .key .band { display: inline-block; width: 22px; height: 12px; background: rgba(228, 87, 46, 0.22); border: 1px solid rgba(228, 87, 46, 0.5); }
        .charts { display: grid; grid-template-columns: 1fr 1fr; gap: 12px 20px; align-items: start; }
        figure { margin: 0; }
        figure.no-breaker { display: flex; align-items: center; justify-content: center; min-height: 120px; color: #555d6b; border: 1px dashed #c9ced6; border-radius: 6px; }
        svg.chart { width: 100%; height: auto; display: block; }
        svg .chart-title { font-size: 14px; font-weight: 600; fill: #1d2330; }
        svg .chart-note { font-size: 10px; fill: #5a6270; }
        svg .tick { font-size: 11px; fill: #4c5566; }
        svg .axis-title { font-size: 12px; fill: #3b4252; }
        svg .row-label { font-size: 12px; font-weight: 600; }
        svg .grid { stroke: #e8eaee; stroke-width: 1; }
        svg .tick-mark, svg .frame { stroke: #8a92a0; stroke-width: 1; }
        svg .span { fill: rgba(228, 87, 46, 0.12); }
        svg .span-strong { fill: rgba(228, 87, 46, 0.22); }
        svg .span-label { font-size: 11px; fill: #a8391a; }
        pre { background: #f3f4f6; border: 1px solid #e1e4e8; border-radius: 6px; padding: 10px; overflow-x: auto; font-size: 12px; }
        footer { color: #555d6b; font-size: 12px; }
        footer dl.legend { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; }
        footer dl.legend dt { font-weight: 600; white-space: nowrap; }
        footer dl.legend dd { margin: 0; }

        """
}
