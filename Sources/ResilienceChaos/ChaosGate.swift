import Logging
import Metrics
import Resilience
import Synchronization

/// What every chaos strategy decides with: its switch, its injection rate (changed at run time), its
/// random source and its telemetry.
///
/// **The rule**, the same for every strategy: a call that reaches a strategy whose switch is on and
/// whose rate r is above 0 draws one number u from the strategy's ``ChaosRandom``
/// (``ChaosRandom/nextUnit()``, in [0, 1)) and is injected when u < r. So a rate of 0 never injects
/// and draws nothing, a rate of 1 always injects (u < 1 always), and a strategy that is off draws
/// nothing and records nothing.
@usableFromInline
final class ChaosGate: Sendable {
    @usableFromInline let enabled: ChaosSwitch
    /// The rate's bit pattern (`Double.bitPattern`): a rate is read once per call, without a lock.
    let rateBits: Atomic<UInt64>
    let random: ChaosRandom
    let telemetry: ChaosTelemetry

    init(
        name: String, kind: ChaosKind, rate: Double, enabled: ChaosSwitch, random: ChaosRandom, logger: Logger?,
        metricsFactory: (any MetricsFactory)?
    ) {
        self.enabled = enabled
        self.rateBits = Atomic(rate.bitPattern)
        self.random = random
        self.telemetry = ChaosTelemetry(
            policyName: name, kind: kind, sinks: TelemetrySinks(logger: logger, metricsFactory: metricsFactory))
    }

    /// The current injection rate.
    var rate: Double { Double(bitPattern: rateBits.load(ordering: .relaxed)) }

    /// Sets the injection rate for calls from now on.
    /// - Throws: `ConfigurationError` (key `rate`) unless the rate is in [0, 1]; nothing changes then.
    func setRate(_ rate: Double) throws(ConfigurationError) {
        try Self.checkRate(rate)
        rateBits.store(rate.bitPattern, ordering: .relaxed)
    }

    /// Whether the current call is injected: the switch is on and the draw is below the rate.
    @inlinable
    func injects() -> Bool {
        enabled.isOn && draws()
    }

    /// The draw of a call that found the switch on.
    @usableFromInline
    func draws() -> Bool {
        let rate = self.rate
        guard rate > 0 else { return false }
        return random.nextUnit() < rate
    }

    /// Throws unless `rate` is a number in [0, 1].
    static func checkRate(_ rate: Double, key: String = "rate") throws(ConfigurationError) {
        guard rate.isFinite, rate >= 0, rate <= 1 else {
            throw ConfigurationError(key: key, value: "\(rate)", allowed: "[0, 1]")
        }
    }
}
