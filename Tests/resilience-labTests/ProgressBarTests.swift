import Testing
@testable import resilience_lab

/// What a progress bar wrote (the bar is used from one thread).
final class Written {
    var lines: [String] = []
}

@Suite("Progress bar")
struct ProgressBarTests {
    @Test("Progress bar, lines style (not a TTY): one line per label when its work is over, the last at finish")
    func progressLines() {
        let written = Written()
        var bar = ProgressBar(total: 4, style: .lines, barWidth: 10) { written.lines.append($0) }
        bar.advance(by: 0, label: "a/none")
        bar.advance(by: 1, label: "a/none")
        #expect(written.lines.isEmpty)
        bar.advance(by: 1, label: "a/default")
        bar.advance(by: 1, label: "b/none")
        bar.advance(by: 1, label: "b/none")
        bar.finish()
        bar.finish()
        #expect(written.lines == [
            "[##........]  25% a/none\n", "[#####.....]  50% a/default\n", "[##########] 100% b/none\n",
        ])
    }

    @Test("Progress bar, redrawn style (TTY): \\r redraws only when the text changes, longer lines erased, newline at finish")
    func progressRedrawn() {
        let written = Written()
        var bar = ProgressBar(total: 200, style: .redrawn, barWidth: 4) { written.lines.append($0) }
        bar.update(completed: 0, label: "steady-state/default")
        bar.update(completed: 1, label: "steady-state/default")  // still 0 %: nothing written
        bar.update(completed: 100, label: "x/y")
        bar.clear()
        bar.update(completed: 250, label: "x/y")
        bar.finish()
        let erase17 = String(repeating: " ", count: 17)
        let blank15 = String(repeating: " ", count: 15)
        let expected: [String] = [
            "\r[....]   0% steady-state/default", "\r[##..]  50% x/y\(erase17)", "\r\(blank15)\r", "\r[####] 100% x/y", "\n",
        ]
        #expect(written.lines == expected)
    }

    @Test("Progress bar, disabled: never writes anything")
    func progressDisabled() {
        let written = Written()
        var bar = ProgressBar(total: 3, style: .disabled) { written.lines.append($0) }
        bar.advance(by: 1, label: "a")
        bar.advance(by: 1, label: "b")
        bar.clear()
        bar.finish()
        #expect(written.lines.isEmpty)
        #expect(ProgressBar(total: 0, style: .disabled) { _ in }.text() == "[##############################] 100%")
    }
}
