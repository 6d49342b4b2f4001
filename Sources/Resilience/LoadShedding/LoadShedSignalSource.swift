/// Where a `LoadShedderStateMachine` reads the latest queue depth and pressure readings.
///
/// The state machine asks only for the signals its configuration has thresholds for, and only while
/// deciding on a call that could be shed (never for ``Priority/critical``). A `nil` reading (never
/// sampled, or the last sample failed) sheds nothing.
///
/// ``LoadShedder`` reads its gauges through this protocol; ``LoadShedSignals`` holds fixed values for
/// tests and simulations.
@usableFromInline
package protocol LoadShedSignalSource {
    /// The latest queue depth, or `nil` when unknown.
    var queueDepth: Double? { get }
    /// The latest reading of the pressure signal `name`, which is
    /// `LoadShedderStateMachine.pressureSignalNames[index]`; `nil` when unknown.
    func pressure(ofSignal index: Int, named name: String) -> Double?
    /// How often the pressure signal is refreshed, when known; used for the retry hint.
    func refreshInterval(ofSignal index: Int, named name: String) -> Duration?
}

extension LoadShedSignalSource {
    /// No refresh interval is known.
    package func refreshInterval(ofSignal index: Int, named name: String) -> Duration? { nil }
}
