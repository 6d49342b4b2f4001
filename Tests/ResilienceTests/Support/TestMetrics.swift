import Metrics
import Synchronization
@testable import Resilience

/// A metrics factory that keeps every value in memory, for assertions.
final class TestMetrics: MetricsFactory {
    final class CounterBox: CounterHandler {
        let value = Atomic<Int64>(0)
        func increment(by amount: Int64) { value.add(amount, ordering: .relaxed) }
        func reset() { value.store(0, ordering: .relaxed) }
    }

    final class GaugeBox: RecorderHandler {
        let value = Locked<Double>(0)
        func record(_ value: Int64) { self.value.withLock { $0 = Double(value) } }
        func record(_ value: Double) { self.value.withLock { $0 = value } }
    }

    final class TimerBox: TimerHandler {
        let values = Locked<[Int64]>([])
        func recordNanoseconds(_ duration: Int64) { values.withLock { $0.append(duration) } }
    }

    private let counters = Locked<[String: CounterBox]>([:])
    private let gauges = Locked<[String: GaugeBox]>([:])
    private let timers = Locked<[String: TimerBox]>([:])

    static func key(_ label: String, _ dimensions: [(String, String)]) -> String {
        label + "{" + dimensions.sorted { $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(separator: ",") + "}"
    }

    /// The handler stored under `label` and `dimensions`, created by `make` the first time.
    private static func handler<Box>(
        in store: borrowing Locked<[String: Box]>, _ label: String, _ dimensions: [(String, String)],
        make: () -> Box
    ) -> Box {
        store.withLock { boxes in
            let key = key(label, dimensions)
            if let existing = boxes[key] { return existing }
            let box = make()
            boxes[key] = box
            return box
        }
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        Self.handler(in: counters, label, dimensions, make: CounterBox.init)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        Self.handler(in: gauges, label, dimensions, make: GaugeBox.init)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        Self.handler(in: timers, label, dimensions, make: TimerBox.init)
    }
    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}

    /// The value of counter `label` with exactly these dimensions (0 if never created).
    func counter(_ label: String, _ dimensions: [(String, String)]) -> Int64 {
        counters.withLock { $0[Self.key(label, dimensions)]?.value.load(ordering: .relaxed) ?? 0 }
    }

    /// Every duration timer `label` with exactly these dimensions recorded, in order.
    func timer(_ label: String, _ dimensions: [(String, String)]) -> [Duration] {
        timers.withLock { $0[Self.key(label, dimensions)]?.values.withLock { $0 } ?? [] }.map { .nanoseconds($0) }
    }

    /// The last value of gauge `label` with exactly these dimensions.
    func gauge(_ label: String, _ dimensions: [(String, String)]) -> Double? {
        gauges.withLock { $0[Self.key(label, dimensions)]?.value.withLock { $0 } }
    }
}
