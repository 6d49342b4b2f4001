import Logging
import Metrics

/// Maps a pressure sampler's readings and failures to swift-metrics and swift-log. Metrics are created
/// once per sampler:
///
/// | metric | kind | labels |
/// |---|---|---|
/// | `resilience_pressure` | gauge: the latest reading (0…1 for a pressure, a count for a queue depth) | signal |
/// | `resilience_pressure_read_failures_total` | counter | signal |
///
/// A source's first failure after a good reading is logged at `warning`, the next ones at `debug`, its
/// recovery at `info` (metadata `signal`, `error`).
final class PressureSamplerTelemetry: Sendable {
    let signals: [String]
    let logger: Logger
    let readings: [Gauge]
    let failures: [Counter]

    init(signals: [String], sinks: TelemetrySinks) {
        self.signals = signals
        self.logger = sinks.logger
        readings = signals.map { Gauge(label: "resilience_pressure", dimensions: [("signal", $0)], factory: sinks.factory) }
        failures = signals.map {
            Counter(label: "resilience_pressure_read_failures_total", dimensions: [("signal", $0)], factory: sinks.factory)
        }
    }

    func recorded(_ value: Double, signal index: Int) {
        readings[index].record(value)
    }

    func failed(signal index: Int, error: any Error, first: Bool) {
        failures[index].increment()
        let metadata: Logger.Metadata = ["signal": "\(signals[index])", "error": "\(error)"]
        if first {
            logger.warning("pressure signal unreadable; it sheds nothing until it reads again", metadata: metadata)
        } else {
            logger.debug("pressure signal still unreadable", metadata: metadata)
        }
    }

    func recovered(signal index: Int) {
        logger.info("pressure signal readable again", metadata: ["signal": "\(signals[index])"])
    }
}
