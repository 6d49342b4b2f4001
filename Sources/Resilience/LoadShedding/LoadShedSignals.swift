/// Fixed signal readings, for tests and for simulations that replay a load in virtual time.
///
/// ```swift
/// var machine = try LoadShedderStateMachine(configuration: configuration)
/// let signals = LoadShedSignals(queueDepth: 3, pressure: ["cpu": 0.92])
/// let decision = machine.admit(priority: .low, signals: signals)
/// ```
public struct LoadShedSignals: LoadShedSignalSource, Sendable, Hashable {
    /// The queue depth, or `nil` when unknown.
    public var queueDepthReading: Int?
    /// Pressure readings by signal name; a missing name reads as unknown.
    public var pressure: [String: Double]
    /// Refresh intervals by signal name.
    public var refreshIntervals: [String: Duration]

    /// Readings with no queue depth and no pressure.
    public static let none = LoadShedSignals()

    /// Fixed readings.
    public init(queueDepth: Int? = nil, pressure: [String: Double] = [:], refreshIntervals: [String: Duration] = [:]) {
        self.queueDepthReading = queueDepth
        self.pressure = pressure
        self.refreshIntervals = refreshIntervals
    }

    public var queueDepth: Double? { queueDepthReading.map(Double.init) }

    public func pressure(ofSignal index: Int, named name: String) -> Double? { pressure[name] }

    public func refreshInterval(ofSignal index: Int, named name: String) -> Duration? { refreshIntervals[name] }
}
