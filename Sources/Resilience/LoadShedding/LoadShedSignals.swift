/// Fixed signal readings, for tests and for simulations that replay a load in virtual time.
///
/// ```swift
/// var machine = try LoadShedderStateMachine(configuration: configuration)
/// let signals = LoadShedSignals(queueDepth: 3, pressure: ["cpu": 0.92])
/// let decision = machine.admit(priority: .low, signals: signals)
/// ```
@usableFromInline package struct LoadShedSignals: LoadShedSignalSource, Sendable, Hashable {
    /// The queue depth, or `nil` when unknown.
    @usableFromInline package var queueDepthReading: Int?
    /// Pressure readings by signal name; a missing name reads as unknown.
    @usableFromInline package var pressure: [String: Double]
    /// Refresh intervals by signal name.
    @usableFromInline package var refreshIntervals: [String: Duration]

    /// Readings with no queue depth and no pressure.
    @usableFromInline package static let none = LoadShedSignals()

    /// Fixed readings.
    @usableFromInline package init(queueDepth: Int? = nil, pressure: [String: Double] = [:], refreshIntervals: [String: Duration] = [:]) {
        self.queueDepthReading = queueDepth
        self.pressure = pressure
        self.refreshIntervals = refreshIntervals
    }

    @usableFromInline package var queueDepth: Double? { queueDepthReading.map(Double.init) }

    @usableFromInline package func pressure(ofSignal index: Int, named name: String) -> Double? { pressure[name] }

    @usableFromInline package func refreshInterval(ofSignal index: Int, named name: String) -> Duration? { refreshIntervals[name] }
}
