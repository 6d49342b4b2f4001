import Foundation
import Testing

/// The Grafana dashboard and the Prometheus alerts of `dashboards/` only read documented metrics, and every
/// alert is documented, linked to its runbook section and unit-tested by promtool.
@Suite("The dashboard and the alerts use documented metrics, and every alert has its runbook and tests")
struct DashboardReferenceTests {
    static let root = URL(filePath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let dashboardPath = "dashboards/grafana/resilience.json"
    static let alertsPath = "dashboards/prometheus/alerts.yml"
    static let alertTestsPath = "dashboards/prometheus/alerts.test.yml"
    static let runbookPath = "Sources/Resilience/Resilience.docc/Runbook.md"
    static let referencePath = "Sources/Resilience/Resilience.docc/MetricsReference.md"

    /// The alerts the issue names; a CI script relies on `ResilienceCircuitBreakerOpen`.
    static let expectedAlerts: Set<String> = [
        "ResilienceCircuitBreakerOpen", "ResilienceCircuitBreakerFlapping", "ResilienceCircuitBreakerStuckOpen",
        "ResilienceRetryGiveUpsHigh", "ResilienceRetryBudgetExhausted", "ResilienceLoadSheddingNormalPriority",
        "ResilienceBulkheadRejecting", "ResilienceTimeoutsHigh",
    ]

    static func text(_ path: String) throws -> String {
        try String(contentsOf: root.appending(path: path), encoding: .utf8)
    }

    /// The documented metrics and their kind (the second column of the reference's tables).
    static func documentedMetrics() throws -> [String: String] {
        var kinds: [String: String] = [:]
        for line in try text(referencePath).split(separator: "\n") where line.hasPrefix("| `resilience_") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard cells.count > 2, let name = cells[1].firstMatch(of: /^`(resilience_[a-z_]+)`$/) else { continue }
            kinds[String(name.1)] = cells[2]
        }
        return kinds
    }

    /// Every `resilience_...` metric name in `text` (queries, descriptions and comments alike).
    static func metricNames(in text: String) -> Set<String> {
        Set(text.matches(of: /resilience_[a-z_]*[a-z]/).map { String($0.output) })
    }

    /// `name` is a documented metric, or a series of a documented histogram (`_bucket`, `_sum`, `_count` of a
    /// timer).
    static func isDocumented(_ name: String, in kinds: [String: String]) -> Bool {
        if kinds[name] != nil { return true }
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let base = String(name.dropLast(suffix.count))
            if let kind = kinds[base], kind.contains("timer") { return true }
        }
        return false
    }

    /// Every `expr` of the dashboard's panels, and the query of each template variable.
    static func dashboardQueries() throws -> (exprs: [String], variables: [[String: Any]]) {
        let data = try Data(contentsOf: root.appending(path: dashboardPath))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var exprs: [String] = []
        func walk(_ value: Any) {
            if let object = value as? [String: Any] {
                for (key, child) in object {
                    if key == "expr", let expr = child as? String { exprs.append(expr) } else { walk(child) }
                }
            } else if let array = value as? [Any] {
                array.forEach(walk)
            }
        }
        walk(json["panels"] as Any)
        let templating = try #require(json["templating"] as? [String: Any])
        let variables = try #require(templating["list"] as? [[String: Any]])
        return (exprs, variables)
    }

    struct Alert {
        var name: String
        var lines: [String] = []

        func value(of key: String) -> String? {
            for line in lines {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.hasPrefix(key + ":") {
                    return trimmed.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces)
                        .trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
                }
            }
            return nil
        }
    }

    /// The rules of alerts.yml, each with the lines of its block.
    static func alerts() throws -> [Alert] {
        var alerts: [Alert] = []
        for line in try text(alertsPath).split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if let match = line.firstMatch(of: /^\s*- alert:\s*(\S+)\s*$/) {
                alerts.append(Alert(name: String(match.1)))
            } else if !alerts.isEmpty, !line.trimmingCharacters(in: .whitespaces).hasPrefix("#") {
                alerts[alerts.count - 1].lines.append(line)
            }
        }
        return alerts
    }

    /// The anchors DocC gives the section headings of the runbook (spaces become hyphens).
    static func runbookAnchors() throws -> Set<String> {
        var anchors: Set<String> = []
        for line in try text(runbookPath).split(separator: "\n") {
            if let match = line.firstMatch(of: /^#{2,6} +(.+?)\s*$/) {
                anchors.insert(String(match.1).replacing(" ", with: "-"))
            }
        }
        return anchors
    }

    @Test("Every resilience_ metric the dashboard or the alerts name is in MetricsReference.md")
    func metricsAreDocumented() throws {
        let kinds = try Self.documentedMetrics()
        #expect(kinds.count > 40)
        for path in [Self.dashboardPath, Self.alertsPath, Self.alertTestsPath] {
            let names = Self.metricNames(in: try Self.text(path))
            #expect(!names.isEmpty, "\(path) names no metric")
            let undocumented = names.filter { !Self.isDocumented($0, in: kinds) }.sorted()
            #expect(undocumented == [], "\(path) names metrics that MetricsReference.md does not list")
        }
        // The dashboard covers the policies of the issue: one metric of each kind at least.
        let dashboard = Self.metricNames(in: try Self.dashboardQueries().exprs.joined(separator: "\n"))
        for prefix in [
            "resilience_circuit_breaker_", "resilience_retry_", "resilience_timeout_", "resilience_bulkhead_",
            "resilience_rate_limiter_", "resilience_load_shedder_", "resilience_concurrency_limit_",
            "resilience_degradation_", "resilience_fallback_", "resilience_operation_duration_seconds_bucket",
        ] {
            #expect(dashboard.contains { $0.hasPrefix(prefix) }, "no dashboard query reads \(prefix)")
        }
    }

    @Test("Every dashboard query uses the datasource variable and filters by the policy variable")
    func dashboardQueriesFilterByPolicy() throws {
        let (exprs, variables) = try Self.dashboardQueries()
        #expect(exprs.count > 30)
        let datasource = variables.first { $0["name"] as? String == "datasource" }
        #expect(datasource?["type"] as? String == "datasource")
        #expect(datasource?["query"] as? String == "prometheus")
        let policy = variables.first { $0["name"] as? String == "policy" }
        #expect(policy?["type"] as? String == "query")
        #expect(policy?["multi"] as? Bool == true)
        #expect(policy?["includeAll"] as? Bool == true)
        #expect((policy?["query"] as? String)?.hasPrefix("label_values(") == true)
        for expr in exprs {
            let selectors = expr.matches(of: /(resilience_[a-z_]*[a-z])(\{[^}]*\})?/)
            #expect(!selectors.isEmpty, "a query that reads no resilience metric: \(expr)")
            for selector in selectors {
                #expect(
                    selector.output.2?.contains(#"policy=~"$policy""#) == true,
                    "\(selector.output.1) is not filtered by policy=~\"$policy\" in: \(expr)")
            }
        }
        // Every panel and every target reads the datasource variable.
        let data = try Data(contentsOf: Self.root.appending(path: Self.dashboardPath))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let panels = try #require(json["panels"] as? [[String: Any]])
        for panel in panels where panel["type"] as? String != "row" {
            let title = panel["title"] as? String ?? "?"
            #expect((panel["datasource"] as? [String: Any])?["uid"] as? String == "${datasource}", "\(title)")
            let targets = panel["targets"] as? [[String: Any]] ?? []
            #expect(!targets.isEmpty, "\(title) has no query")
            for target in targets {
                #expect((target["datasource"] as? [String: Any])?["uid"] as? String == "${datasource}", "\(title)")
            }
        }
    }

    @Test("Every alert has a severity, a summary, a description and a runbook_url to a section of Runbook.md")
    func alertsAreDocumented() throws {
        let alerts = try Self.alerts()
        #expect(Set(alerts.map(\.name)) == Self.expectedAlerts)
        #expect(alerts.count == Self.expectedAlerts.count, "an alert is defined twice")
        let anchors = try Self.runbookAnchors()
        for alert in alerts {
            #expect(alert.value(of: "severity").map { ["warning", "critical"].contains($0) } == true, "\(alert.name)")
            #expect(alert.value(of: "summary")?.isEmpty == false, "\(alert.name) has no summary")
            let description = alert.value(of: "description")
            #expect(description?.contains("{{ $labels.policy }}") == true, "\(alert.name): description")
            // `for:` on its own line, so that a test setup can shorten it with sed.
            #expect(alert.lines.contains { $0.firstMatch(of: /^\s+for: [0-9]+[smh]$/) != nil }, "\(alert.name)")
            let url = try #require(alert.value(of: "runbook_url"), "\(alert.name) has no runbook_url")
            let parts = url.split(separator: "#", maxSplits: 1).map(String.init)
            #expect(parts.count == 2 && parts[0].hasSuffix("/documentation/resilience/runbook"), "\(alert.name): \(url)")
            #expect(parts.count == 2 && anchors.contains(parts[1]), "\(alert.name): no section \(url) in Runbook.md")
        }
    }

    @Test("alerts.test.yml has, for every alert, an evaluation where it fires and one where it must not")
    func everyAlertIsTested() throws {
        // Each alert_rule_test entry: its alertname, and whether it expects alerts or none.
        struct Entry {
            var name: String?
            var expectsAlerts = false
            var expectsNone = false
        }
        var entries: [Entry] = []
        var current: Entry?
        for line in try Self.text(Self.alertTestsPath).split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("- eval_time:") {
                if let entry = current { entries.append(entry) }
                current = Entry()
            } else if trimmed.hasPrefix("- interval:") || trimmed.hasPrefix("input_series:") {
                if let entry = current { entries.append(entry) }
                current = nil
            } else if let match = trimmed.firstMatch(of: /^alertname:\s*(\S+)$/) {
                current?.name = String(match.1)
            } else if trimmed.hasPrefix("exp_alerts: []") {
                current?.expectsNone = true
            } else if trimmed.hasPrefix("- exp_labels:") {
                current?.expectsAlerts = true
            }
        }
        if let entry = current { entries.append(entry) }
        let fires = Set(entries.filter(\.expectsAlerts).compactMap(\.name))
        let silent = Set(entries.filter(\.expectsNone).compactMap(\.name))
        for name in try Self.alerts().map(\.name) {
            #expect(fires.contains(name), "alerts.test.yml never expects \(name) to fire")
            #expect(silent.contains(name), "alerts.test.yml never expects \(name) to stay silent")
        }
    }
}
