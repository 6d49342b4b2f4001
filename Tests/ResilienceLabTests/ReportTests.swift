import Foundation
import Resilience
import Testing
@testable import ResilienceConfiguration
@testable import ResilienceLab

@Suite("Report: JSON, terminal table, HTML")
struct ReportTests {
    static let ms = Duration.milliseconds

    /// A small result with known numbers: 10 calls in 2 s, an outage from 1 s, one breaker change.
    static func small(policy: String = "default", breaker: Bool = true) -> SimulationResult {
        var dependency = DependencyCounters()
        dependency.received = 12
        dependency.served = 11
        dependency.succeeded = 9
        dependency.failed = 2
        dependency.refused = 1
        dependency.overloaded = 3
        dependency.abandonedWhileServed = 1
        dependency.maxQueueLength = 3
        dependency.busyTime = .microseconds(400_250)
        return SimulationResult(
            scenario: "tiny", policy: policy, seed: 7, duration: .seconds(2), endedAt: .microseconds(2_000_500),
            calls: 10, succeeded: 7, failed: 1, endedByPolicy: ["timeout": 1, "circuitBreaker": 1], attempts: 12,
            retries: 2, retriesDeniedByBudget: 0,
            latency: .init(count: 10, p50: ms(20), p90: .microseconds(61_250), p99: ms(200), p999: ms(200), max: ms(250), mean: .microseconds(35_500)),
            successLatency: .init(count: 7, p50: ms(19), p90: ms(40), p99: ms(80), p999: ms(80), max: ms(80), mean: ms(25)),
            dependency: dependency, outageStart: .seconds(1), outageEnd: nil, timeToDetect: ms(250), timeToRecover: nil,
            breakerChanges: breaker ? [.init(at: ms(1_250), from: .closed, to: .open)] : [],
            intervalWidth: .seconds(1),
            intervals: [
                .init(start: .zero, calls: 5, succeeded: 5, dependencyReceived: 6, p50: ms(20), p99: ms(190),
                      breakerState: breaker ? .closed : nil, dependencyInFlight: 2),
                .init(start: .seconds(1), calls: 5, succeeded: 2, failed: 1, endedByPolicy: 2, dependencyReceived: 6,
                      p50: .microseconds(500), p99: ms(250), breakerState: breaker ? .open : nil),
            ])
    }

    static let smallJSON = """
        {
          "scenario": "tiny",
          "policy": "default",
          "seed": 7,
          "durationMs": 2000,
          "endedAtMs": 2000.5,
          "calls": 10,
          "succeeded": 7,
          "failed": 1,
          "endedByPolicy": {"circuitBreaker": 1, "timeout": 1},
          "goodput": 0.700000,
          "amplification": 1.200000,
          "attempts": 12,
          "retries": 2,
          "retriesDeniedByBudget": 0,
          "latencyMs": {"count": 10, "p50": 20, "p90": 61.25, "p99": 200, "p999": 200, "max": 250, "mean": 35.5},
          "successLatencyMs": {"count": 7, "p50": 19, "p90": 40, "p99": 80, "p999": 80, "max": 80, "mean": 25},
          "dependency": {"received": 12, "served": 11, "succeeded": 9, "failed": 2, "overloaded": 3, "rateLimited": 0, "refused": 1, "abandonedWhileQueued": 0, "abandonedWhileServed": 1, "maxQueueLength": 3, "busyTimeMs": 400.25},
          "outage": {"startMs": 1000, "endMs": null, "timeToDetectMs": 250, "timeToRecoverMs": null},
          "breakerChanges": [
            {"atMs": 1250, "from": "closed", "to": "open"}
          ],
          "intervalWidthMs": 1000,
          "intervals": [
            {"startMs": 0, "calls": 5, "succeeded": 5, "failed": 0, "endedByPolicy": 0, "dependencyReceived": 6, "p50Ms": 20, "p99Ms": 190, "breakerState": "closed", "dependencyInFlight": 2},
            {"startMs": 1000, "calls": 5, "succeeded": 2, "failed": 1, "endedByPolicy": 2, "dependencyReceived": 6, "p50Ms": 0.5, "p99Ms": 250, "breakerState": "open", "dependencyInFlight": 0}
          ]
        }

        """

    static func scenario(name: String = "tiny", summary: String = "A tiny scenario.", phases: [DependencyBehaviour.Phase] = [])
        throws -> ScenarioDefinition
    {
        try ScenarioDefinition(
            name: name, summary: summary, duration: .seconds(2), seed: 7,
            traffic: ScenarioDefinition.builtInTraffic(ratePerSecond: 5),
            dependency: ScenarioDefinition.builtInDependency(phases))
    }

    // MARK: JSON

    @Test("JSON of a small result, byte for byte: key order, exact milliseconds, sorted endedByPolicy, 6-decimal ratios")
    func jsonExact() {
        #expect(SimulationResultJSON.render(Self.small()) == Self.smallJSON)
    }

    @Test("JSON without an outage, breaker or intervals: outage null, empty arrays, breakerState null; no calls: goodput 1, amplification 0")
    func jsonEmpty() {
        var result = Self.small(breaker: false)
        result.outageStart = nil
        result.timeToDetect = nil
        result.intervals = []
        result.calls = 0
        result.succeeded = 0
        result.failed = 0
        result.endedByPolicy = [:]
        let json = SimulationResultJSON.render(result)
        #expect(json.contains("\n  \"endedByPolicy\": {},\n  \"goodput\": 1.000000,\n  \"amplification\": 0.000000,\n"))
        #expect(json.contains("\n  \"outage\": null,\n  \"breakerChanges\": [],\n  \"intervalWidthMs\": 1000,\n  \"intervals\": []\n}\n"))

        var withIntervalNoBreaker = Self.small(breaker: false)
        withIntervalNoBreaker.intervals.removeLast()
        #expect(SimulationResultJSON.render(withIntervalNoBreaker).contains("\"breakerState\": null"))
    }

    @Test("JSON ratios round half up from the exact fraction: 2/3 → 0.666667, 1/8 → 0.125000, 1,000,001/1,000,000 → 1.000001")
    func jsonRatios() {
        #expect(ReportNumber.fixedRatio(2, 3, decimals: 6) == "0.666667")
        #expect(ReportNumber.fixedRatio(1, 8, decimals: 6) == "0.125000")
        #expect(ReportNumber.fixedRatio(1, 3, decimals: 6) == "0.333333")
        #expect(ReportNumber.fixedRatio(1_000_001, 1_000_000, decimals: 6) == "1.000001")
        #expect(ReportNumber.fixedRatio(5, 1_000_000_0, decimals: 6) == "0.000001")  // 0.0000005 rounds up
        #expect(ReportNumber.fixedRatio(3, 0, decimals: 2) == "0.00")
        #expect(ReportNumber.fixedRatio(99, 100, decimals: 0) == "1")
    }

    @Test("JSON is deterministic: the same result gives the same bytes, whatever the dictionary's insertion order")
    func jsonDeterministic() {
        var first = Self.small()
        first.endedByPolicy = [:]
        for name in ["timeout", "circuitBreaker", "loadShedder", "rateLimiter", "bulkhead", "concurrencyLimit"] {
            first.endedByPolicy[name] = name.count
        }
        var second = first
        second.endedByPolicy = [:]
        for name in ["concurrencyLimit", "bulkhead", "rateLimiter", "loadShedder", "circuitBreaker", "timeout"] {
            second.endedByPolicy[name] = name.count
        }
        let a = SimulationResultJSON.render(first)
        let b = SimulationResultJSON.render(second)
        #expect(a == b)
        #expect(a.contains("{\"bulkhead\": 8, \"circuitBreaker\": 14, \"concurrencyLimit\": 16, \"loadShedder\": 11, \"rateLimiter\": 11, \"timeout\": 7}"))
        #expect(SimulationResultJSON.render([first, Self.small()]) == SimulationResultJSON.render([second, Self.small()]))
    }

    @Test("JSON array of a suite: each object indented by two more spaces, in order; empty suite is []")
    func jsonArray() throws {
        let suite = SimulationResultJSON.render([Self.small(policy: "none"), Self.small(policy: "tuned")])
        #expect(suite.hasPrefix("[\n  {\n    \"scenario\": \"tiny\",\n    \"policy\": \"none\",\n"))
        #expect(suite.contains("\n  },\n  {\n    \"scenario\": \"tiny\",\n    \"policy\": \"tuned\",\n"))
        #expect(suite.contains("    \"breakerChanges\": [\n      {\"atMs\": 1250, \"from\": \"closed\", \"to\": \"open\"}\n    ],\n"))
        #expect(suite.hasSuffix("\n    ]\n  }\n]\n"))
        #expect(SimulationResultJSON.render([SimulationResult]()) == "[]\n")
        // Both are valid JSON for the lab's own reader and Foundation's.
        _ = try JSONReader.parse(suite)
        _ = try JSONReader.parse(Self.smallJSON)
        let parsed = try JSONSerialization.jsonObject(with: Data(suite.utf8)) as? [[String: Any]]
        #expect(parsed?.count == 2)
        #expect((parsed?[1]["amplification"] as? Double) == 1.2)
    }

    @Test("JSON strings are escaped: quotes, backslashes and control characters in names")
    func jsonEscaping() {
        var result = Self.small()
        result.policy = "my \"policy\"\\\n"
        #expect(SimulationResultJSON.render(result).contains("\"policy\": \"my \\\"policy\\\"\\\\\\n\","))
    }

    // MARK: Terminal table

    @Test("Terminal table: header line, headings, one aligned row per policy with the expected cells")
    func table() throws {
        var none = Self.small(policy: "none", breaker: false)
        none.timeToDetect = nil
        none.endedByPolicy = [:]
        none.succeeded = 9
        none.failed = 1
        none.latency.p50 = .microseconds(512)
        none.latency.p99 = .microseconds(4_351)
        none.latency.p999 = .microseconds(1_250_400)
        let tuned = Self.small(policy: "tuned")
        let text = ComparisonTable.render([none, tuned], for: try Self.scenario())
        let expected = """
            tiny: A tiny scenario.
              policy  goodput %  p50 ms  p99 ms  p99.9 ms  amplification  detect s  recover s  rejected  dep 503s
              none         90.0   0.512    4.35      1250          1.20×         —          —         0         3
              tuned        70.0    20.0     200       200          1.20×      0.25          —         2         3

            """
        #expect(text == expected)
    }

    @Test("Table cells: goodput rounded down (99.96 % shows 99.9), no outage gives — for detect and recover, no calls gives 100.0")
    func tableCells() {
        var result = Self.small()
        result.calls = 10_000
        result.succeeded = 9_996
        result.outageStart = nil
        result.timeToRecover = .milliseconds(4_005)
        var cells = ComparisonRow(result).cells
        #expect(cells[1] == "99.9")
        #expect(cells[6] == "—" && cells[7] == "—")
        result.outageStart = .seconds(1)
        cells = ComparisonRow(result).cells
        #expect(cells[6] == "0.25" && cells[7] == "4.01")
        result.calls = 0
        result.succeeded = 0
        cells = ComparisonRow(result).cells
        #expect(cells[1] == "100.0" && cells[5] == "0.00×")
    }

    // MARK: HTML

    static func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    @Test("HTML: one section per scenario, 4 charts with a breaker, 3 (and a sentence) without; every policy in the table")
    func htmlSections() throws {
        let withBreaker = SimulationReport.Section(
            scenario: try Self.scenario(name: "first"), results: [Self.small(policy: "none", breaker: false), Self.small()])
        let withoutBreaker = SimulationReport.Section(
            scenario: try Self.scenario(name: "second"), results: [Self.small(policy: "none", breaker: false)],
            notes: "{\"retry\": {}}")
        let html = SimulationReport(sections: [withBreaker, withoutBreaker]).html()
        #expect(html.hasPrefix("<!DOCTYPE html>\n"))
        #expect(html.hasSuffix("</html>\n"))
        #expect(Self.count("<section class=\"scenario\"", in: html) == 2)
        let sections = html.components(separatedBy: "<section class=\"scenario\"").dropFirst()
        #expect(sections.map { Self.count("<svg", in: $0) } == [4, 3])
        #expect(sections.map { Self.count("No policy in this scenario has a circuit breaker.", in: $0) } == [0, 1])
        #expect(Self.count("<td class=\"policy\">", in: html) == 3)
        #expect(html.contains("<h3>Notes</h3>\n<pre>{&quot;retry&quot;: {}}</pre>"))
        #expect(html.contains("<td>70.0</td><td>20.0</td><td>200</td><td>200</td><td>1.20×</td><td>0.25</td><td>—</td><td>2</td><td>3</td>"))
        // Self-contained: no script, no external resource.
        #expect(!html.contains("<script"))
        #expect(!html.contains("src="))
        #expect(!html.contains("<link"))
        #expect(!html.contains("url("))
    }

    @Test("Every column is defined once: in the legend (run --help, suite --help) and at the foot of the report")
    func columnLegend() throws {
        let legend = ComparisonTable.legend.split(separator: "\n").map(String.init)
        #expect(legend.count == ComparisonRow.headings.count)
        for (line, heading) in zip(legend, ComparisonRow.headings) {
            #expect(line.hasPrefix("  \(heading): "), "\(line)")
            #expect(line.count > heading.count + 20, "\(heading) has no real definition: \(line)")
        }
        #expect(ComparisonTable.legend.contains("dep 503s: Attempts the dependency answered 503 at once because it was overloaded"))
        #expect(ComparisonTable.legend.contains("refused while it is down is a failure, not a 503"))
        let html = SimulationReport(sections: [.init(scenario: try Self.scenario(name: "first"), results: [Self.small()])]).html()
        let footer = try #require(html.components(separatedBy: "<footer>").last)
        for heading in ComparisonRow.headings.dropFirst() {
            #expect(footer.contains("<dt>\(HTMLText.escape(heading))</dt><dd>"), "\(heading) is not defined in the report")
        }
        #expect(footer.contains("<dt>detect s</dt><dd>Seconds from the start of the first outage"))
    }

    @Test("HTML escapes every text: a <script> in a summary, a name or notes stays text")
    func htmlEscaping() throws {
        let scenario = try Self.scenario(name: "x<script>", summary: "Evil <script>alert('x')</script> & \"quotes\"")
        var result = Self.small()
        result.policy = "<b>bold</b>"
        let html = SimulationReport(
            title: "<title>", sections: [.init(scenario: scenario, results: [result], notes: "</pre><script>")]
        ).html()
        #expect(!html.contains("<script"))
        #expect(!html.contains("<b>bold"))
        #expect(!html.contains("<title><title>"))
        #expect(html.contains("Evil &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quotes&quot;"))
        #expect(html.contains("&lt;/pre&gt;&lt;script&gt;"))
        #expect(html.contains("&lt;b&gt;bold&lt;/b&gt;"))
    }

    @Test("HTML and SVG never contain NaN or infinity: no results, empty intervals, a single interval, all zeros, zero width")
    func htmlDegenerate() throws {
        let scenario = try Self.scenario(phases: [.init(from: .seconds(1), condition: .flapping(period: .milliseconds(1), downFraction: 0.5))])
        var empty = Self.small()
        empty.intervals = []
        empty.breakerChanges = []
        var single = Self.small()
        single.intervals = [.init(start: .zero, breakerState: .closed)]
        single.breakerChanges = []
        var zeros = Self.small(policy: "zeros")
        zeros.intervals = (0..<3).map { .init(start: .seconds($0)) }
        zeros.latency = .init(count: 0, p50: .zero, p90: .zero, p99: .zero, p999: .zero, max: .zero, mean: .zero)
        zeros.calls = 0
        zeros.succeeded = 0
        zeros.failed = 0
        zeros.endedByPolicy = [:]
        zeros.dependency = DependencyCounters()
        zeros.endedAt = .zero
        var zeroWidth = Self.small(policy: "zero-width")
        zeroWidth.intervalWidth = .zero
        let reports = [
            SimulationReport(sections: []),
            SimulationReport(sections: [.init(scenario: scenario, results: [])]),
            SimulationReport(sections: [.init(scenario: scenario, results: [empty])]),
            SimulationReport(sections: [.init(scenario: scenario, results: [single])]),
            SimulationReport(sections: [.init(scenario: scenario, results: [zeros, zeroWidth])]),
            ReportSampleSuite.report(),
        ]
        for report in reports {
            let html = report.html()
            #expect(!html.contains("NaN") && !html.contains("nan"))
            #expect(!html.lowercased().contains("inf"))
            #expect(html.contains("</html>"))
        }
        // A single interval is a dot, not an invisible zero-length line.
        let singleHTML = reports[3].html()
        #expect(singleHTML.contains("<circle"))
        // An empty section has its three charts, with axes.
        let emptySection = reports[1].html()
        #expect(Self.count("<svg", in: emptySection) == 3)
        #expect(emptySection.contains(">time (s)</text>"))
        // Too many flapping windows (2,000 in 1 s... of 1 ms): the phase is shaded, not each window.
        #expect(Self.count("class=\"span-strong\"", in: emptySection) == 0)
        #expect(Self.count("class=\"span\"", in: emptySection) == 3)  // one per time chart
    }

    @Test("HTML charts: breaker bands follow the exact change instants; the outage is shaded; axes are labelled")
    func htmlCharts() throws {
        let scenario = try Self.scenario(phases: [.init(from: .seconds(1), condition: .down)])
        var result = Self.small()
        result.breakerChanges = [
            .init(at: .milliseconds(500), from: .closed, to: .open), .init(at: .milliseconds(1_500), from: .open, to: .halfOpen),
        ]
        result.endedAt = .seconds(2)
        let html = SimulationReport(sections: [.init(scenario: scenario, results: [result])]).html()
        // x axis: 2 s over 474 units from x = 110: 0.5 s at 228.5, 1.5 s at 465.5.
        #expect(html.contains("<rect x=\"110\" y=\"50\" width=\"118.5\" height=\"26\" fill=\"#8fd19e\"><title>closed</title></rect>"))
        #expect(html.contains("<rect x=\"228.5\" y=\"50\" width=\"237\" height=\"26\" fill=\"#e4572e\"><title>open</title></rect>"))
        #expect(html.contains("<rect x=\"465.5\" y=\"50\" width=\"118.5\" height=\"26\" fill=\"#f3c044\"><title>halfOpen</title></rect>"))
        // The down phase from 1 s to the end: strong shading in the three time charts, labelled once.
        #expect(Self.count("<rect class=\"span-strong\" x=\"324\" y=\"30\" width=\"260\" height=\"206\"/>", in: html) == 3)
        #expect(Self.count(">down</text>", in: html) == 1)
        #expect(html.contains(">goodput</text>") && html.contains(">latency</text>") && html.contains(">calls/s</text>"))
        #expect(html.contains(">100 %</text>") && html.contains(">1 s</text>"))
    }

    @Test("Axes: round steps, log ticks at powers of ten (and 2×, 5× over at most two decades), positions clamped")
    func axes() {
        #expect(ChartAxis.roundStep(0.7) == 1)
        #expect(ChartAxis.roundStep(15) == 20)
        #expect(ChartAxis.roundStep(2.2) == 2.5)
        #expect(ChartAxis.seconds(upTo: 120).ticks.map(\.label) == ["0", "20", "40", "60", "80", "100", "120"])
        #expect(ChartAxis.linear(upTo: 2_760, label: ChartAxis.numberLabel).ticks.map(\.label)
            == ["0", "1,000", "2,000", "3,000"])
        #expect(ChartAxis.logarithmicMilliseconds(from: 0.011, to: 720).ticks.map(\.label)
            == ["0.01 ms", "0.1 ms", "1 ms", "10 ms", "100 ms", "1 s"])
        #expect(ChartAxis.logarithmicMilliseconds(from: 15, to: 210).ticks.map(\.label)
            == ["10 ms", "20 ms", "50 ms", "100 ms", "200 ms", "500 ms", "1 s"])
        let axis = ChartAxis.logarithmicMilliseconds(from: 1, to: 100)
        #expect(axis.fraction(10) == 0.5)
        #expect(axis.fraction(0) == 0 && axis.fraction(1e9) == 1 && axis.fraction(.nan) == 0)
    }

    /// Writes the sample report to `REPORT_SAMPLE_PATH` when it is set (for `.ci/check-report`).
    @Test("Sample report written to REPORT_SAMPLE_PATH (when set)")
    func writeSample() throws {
        let html = ReportSampleSuite.report().html()
        #expect(Self.count("<svg", in: html) == 4 + 4 + 3)  // no breaker in the overload scenario
        #expect(html == ReportSampleSuite.report().html())
        guard let path = ProcessInfo.processInfo.environment["REPORT_SAMPLE_PATH"] else { return }
        try html.write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test("lines drawn exactly on top of one another are named in a note; distinct lines get none")
    func coincidingLines() {
        func line(_ name: String, _ values: [Double?]) -> TimeChart.Series {
            TimeChart.Series(name: name, color: "#000", points: values.enumerated().map { (Double($0.offset), $0.element) })
        }
        var chart = TimeChart(
            title: "goodput", yTitle: "%", xAxis: .seconds(upTo: 2), yAxis: .linear(upTo: 100) { "\($0)" },
            series: [line("none", [100, nil, 90]), line("default", [100, nil, 90]), line("tuned", [100, 95, 90]),
                     line("naive", [100, 95, 90]), line("aimd", [99, 95, 90])],
            spans: [])
        #expect(chart.coincidenceNote == "identical: none = default; tuned = naive")
        #expect(chart.svg().contains("<text class=\"chart-note\" x=\"64\" y=\"28\">identical: none = default; tuned = naive</text>"))
        chart.series.removeFirst()
        chart.series.removeLast(2)
        #expect(chart.coincidenceNote == nil)
        #expect(!chart.svg().contains("chart-note"))
    }
}
