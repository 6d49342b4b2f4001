import Resilience
import ResilienceConfiguration

/// Words and shaded spans for a scenario's dependency, used by the HTML report.
enum ScenarioText {
    /// The dependency in words: `50 workers, queue 100, service time log-normal (median 20 ms, p99 200 ms;
    /// mean 32.6 ms), about 1,530 calls/s when healthy`.
    static func dependency(_ model: DependencyModel) -> String {
        let mean = model.serviceTime.mean
        var text = "\(ReportNumber.grouped(model.workers)) workers, queue \(ReportNumber.grouped(model.maxQueue)), "
        text += "service time \(serviceTime(model.serviceTime))"
        let meanSeconds = ReportNumber.seconds(of: mean)
        if meanSeconds > 0 {
            let capacity = Double(model.workers) / meanSeconds
            text += ", about \(ReportNumber.grouped(Int(capacity.rounded()))) calls/s when healthy"
        }
        return text
    }

    static func serviceTime(_ distribution: ServiceTimeDistribution) -> String {
        switch distribution {
        case .constant(let duration):
            return "constant \(milliseconds(duration))"
        case .logNormal(let median, let p99):
            return "log-normal (median \(milliseconds(median)), p99 \(milliseconds(p99)); "
                + "mean \(ReportNumber.milliseconds(distribution.mean)) ms)"
        case .empirical(let durations):
            return "empirical (\(durations.count) values; mean \(ReportNumber.milliseconds(distribution.mean)) ms)"
        }
    }

    /// The phases in words: `healthy; from 30 s down; from 70 s healthy` (`healthy throughout` without
    /// phases).
    static func phases(_ behaviour: DependencyBehaviour) -> String {
        guard !behaviour.phases.isEmpty else { return "healthy throughout" }
        var parts: [String] = []
        if let first = behaviour.phases.first, first.from > .zero { parts.append("healthy") }
        for phase in behaviour.phases {
            parts.append("from \(seconds(phase.from)) \(condition(phase.condition))")
        }
        return parts.joined(separator: "; ")
    }

    /// A condition in a few words: `down`, `brownout ×4`, `failing 60 %`.
    static func condition(_ condition: DependencyBehaviour.Condition) -> String {
        switch condition {
        case .healthy: "healthy"
        case .down: "down"
        case .failing(let fraction): "failing \(decimal(fraction * 100)) %"
        case .brownout(let multiplier): "brownout ×\(decimal(multiplier))"
        case .flapping(let period, let downFraction):
            "flapping (down \(decimal(downFraction * 100)) % of every \(seconds(period)))"
        case .rateLimiting(let capacity, let retryAfter):
            "rate limited to \(decimal(capacity))/s (retry after \(seconds(retryAfter)))"
        }
    }

    /// A short label for a shaded span: `down`, `brownout ×4`, `failing 60 %`, `flapping`, `429`.
    static func spanLabel(_ condition: DependencyBehaviour.Condition) -> String {
        switch condition {
        case .flapping: "flapping"
        case .rateLimiting(let capacity, _): "rate limit \(decimal(capacity))/s"
        default: Self.condition(condition)
        }
    }

    /// A duration in seconds for people, up to 3 decimals: `30 s`, `1.5 s`, `0.02 s`.
    static func seconds(_ duration: Duration) -> String {
        decimal(ReportNumber.seconds(of: duration), decimals: 3) + " s"
    }

    /// A configured duration in milliseconds, up to 3 decimals: `20 ms`, `0.5 ms`.
    static func milliseconds(_ duration: Duration) -> String {
        decimal(ReportNumber.milliseconds(of: duration), decimals: 3) + " ms"
    }

    /// Up to 2 decimals, no trailing zeros: `4`, `0.35`, `33.33`.
    static func decimal(_ value: Double, decimals: Int = 2) -> String {
        var text = ReportNumber.fixed(value, decimals: decimals)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// The most down windows drawn for one flapping phase; beyond, only the phase is shaded.
    static let maximumDownWindows = 300

    /// The spans of time, in seconds up to `end`, when the dependency is not healthy: one span per
    /// phase that is not ``DependencyBehaviour/Condition/healthy`` (until the next phase, the last
    /// until `end`; strong for a `down` phase), plus, for a flapping phase, an unlabelled strong span per down window (when there are at most
    /// ``maximumDownWindows``).
    static func unhealthySpans(_ behaviour: DependencyBehaviour, end: Double) -> [TimeChart.Span] {
        var spans: [TimeChart.Span] = []
        for (index, phase) in behaviour.phases.enumerated() {
            if case .healthy = phase.condition { continue }
            let from = ReportNumber.seconds(of: phase.from)
            let to = index + 1 < behaviour.phases.count ? ReportNumber.seconds(of: behaviour.phases[index + 1].from) : end
            guard to > from else { continue }
            let isDown: Bool
            if case .down = phase.condition { isDown = true } else { isDown = false }
            spans.append(TimeChart.Span(from: from, to: to, strong: isDown, label: spanLabel(phase.condition)))
            if case .flapping(let period, let downFraction) = phase.condition {
                let periodSeconds = ReportNumber.seconds(of: period)
                guard periodSeconds > 0, downFraction > 0,
                    (to - from) / periodSeconds <= Double(maximumDownWindows)
                else { continue }
                var window = 0.0
                while from + window * periodSeconds < to {
                    let start = from + window * periodSeconds
                    spans.append(
                        TimeChart.Span(from: start, to: min(to, start + downFraction * periodSeconds), strong: true, label: ""))
                    window += 1
                }
            }
        }
        return spans
    }
}
