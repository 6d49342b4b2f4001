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
        #expect(reader.elapsed() >= 0)
        // Direct readings bracketed by readings through `ContinuousClock.now`: the intervals between
        // direct readings lie between the intervals of the readings around them, whatever the fixed
        // offset between the two timelines and however long the scheduler keeps the task waiting.
        let before1 = reader.elapsed(at: ContinuousClock.now)
        let direct1 = reader.elapsed()
        let after1 = reader.elapsed(at: ContinuousClock.now)
        try await Task.sleep(for: .milliseconds(20))
        let before2 = reader.elapsed(at: ContinuousClock.now)
        let direct2 = reader.elapsed()
        let after2 = reader.elapsed(at: ContinuousClock.now)
        #expect(before2 - after1 >= Duration.milliseconds(20).attoseconds)
        #expect(direct2 - direct1 >= before2 - after1)
        #expect(direct2 - direct1 <= after2 - before1)
        #expect(direct1 <= after1 && direct2 <= after2)
        let later = direct2
        // An instant the reader gives converts back to the offset it came from.
        let now = reader.now
        let offset = reader.elapsed(at: now)
        #expect(reader.instant(at: offset) == now)
        #expect(offset >= later)
    }
}
