/// One signal a ``PressureSampler`` refreshes: a gauge, and how to read its value.
///
/// ```swift
/// let reader = try ProcessPressureReader(memoryLimit: 2 << 30)     // 2 GiB, or nil for the cgroup's
/// let sources: [PressureSource] = [
///     .processCPU(reader, into: cpu),
///     .processMemory(reader, into: memory),
///     PressureSource(gauge: lag) { eventLoopLag.seconds / 0.050 },  // your own: 50 ms of lag is 1.0
/// ]
/// ```
///
/// `read` returns the reading, `nil` when there is none yet (the gauge keeps what it had), or throws:
/// the sampler then marks the gauge unavailable, so a failing source never sheds on an old value.
public struct PressureSource: Sendable {
    /// The gauge the readings go to.
    public let gauge: PressureGauge
    /// Reads the current value.
    public let read: @Sendable () throws -> Double?

    /// A source that reads with `read` into `gauge`.
    public init(gauge: PressureGauge, read: @escaping @Sendable () throws -> Double?) {
        self.gauge = gauge
        self.read = read
    }

    /// The process's CPU use as a fraction of the CPUs available; see ``ProcessPressureReader``.
    public static func processCPU<C>(_ reader: ProcessPressureReader<C>, into gauge: PressureGauge) -> PressureSource {
        PressureSource(gauge: gauge) { try reader.readCPU() }
    }

    /// The process's resident memory as a fraction of its limit; see ``ProcessPressureReader``.
    public static func processMemory<C>(_ reader: ProcessPressureReader<C>, into gauge: PressureGauge) -> PressureSource {
        PressureSource(gauge: gauge) { try reader.readMemory() }
    }
}
