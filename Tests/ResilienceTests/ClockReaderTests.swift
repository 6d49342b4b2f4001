import Testing
@testable import Resilience

@Suite("Clock reader: offsets since an origin")
struct ClockReaderTests {
    @Test("a manual clock is read exactly through clock.now")
    func manualClock() {
        let clock = ManualClock(now: .init(offset: .seconds(100)))
        let reader = ClockReader(clock: clock)
        #expect(!ClockReader<ManualClock>.readsDirectly)
        #expect(reader.elapsed() == 0)
        clock.advance(by: .milliseconds(1_250))
        #expect(reader.elapsed() == Duration.milliseconds(1_250).attoseconds)
        #expect(reader.now == ManualClock.Instant(offset: .milliseconds(101_250)))
        #expect(reader.elapsed(at: ManualClock.Instant(offset: .seconds(99))) == Duration.seconds(-1).attoseconds)
        #expect(reader.instant(at: Duration.seconds(3).attoseconds) == ManualClock.Instant(offset: .seconds(103)))
    }

    @Test("the continuous clock is read directly on Linux, on one consistent timeline")
    func continuousClock() async throws {
        let reader = ClockReader(clock: ContinuousClock())
        #if os(Linux)
        #expect(ClockReader<ContinuousClock>.readsDirectly)
        #endif
        let first = reader.elapsed()
        #expect(first >= 0)
        // The direct reading runs behind `ContinuousClock.now` by the fixed interval between the
        // origin's two readings, never ahead of it.
        let viaInstant = reader.elapsed(at: ContinuousClock.now)
        let direct = reader.elapsed()
        let after = reader.elapsed(at: ContinuousClock.now)
        #expect(viaInstant >= direct - Duration.seconds(1).attoseconds)
        #expect(direct <= after)
        try await Task.sleep(for: .milliseconds(20))
        let later = reader.elapsed()
        #expect(later - direct >= Duration.milliseconds(20).attoseconds)
        #expect(later - direct < Duration.seconds(5).attoseconds)
        // An instant the reader gives converts back to the offset it came from.
        let now = reader.now
        let offset = reader.elapsed(at: now)
        #expect(reader.instant(at: offset) == now)
        #expect(offset >= later)
    }
}
