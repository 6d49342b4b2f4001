#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A progress bar for long runs, written to standard error:
/// `[############..................] 42% steady-state/default`.
///
/// ```swift
/// var progress = ProgressBar(total: runs.count)          // .automatic: redrawn on a terminal
/// for run in runs {
///     progress.advance(by: 0, label: run.name)           // shows what is running
///     // ... run it ...
///     progress.advance(by: 1, label: run.name)
/// }
/// progress.finish()
/// ```
///
/// The units are the caller's (runs, or simulated calls). ``advance(by:label:)`` and
/// ``update(completed:label:)`` move it; `label` names the work in progress.
/// - ``Style/redrawn`` (standard error is a terminal): the bar is redrawn in place with `\r`, only
///   when its text changes (at most once per percent and label), padded with spaces to erase a longer
///   previous line; ``finish()`` ends the line.
/// - ``Style/lines`` (standard error is a file or a pipe, as in CI): one line per label, written when
///   that label's work is over — when a different label arrives, and for the last one at ``finish()``:
///   ```text
///   [##########....................] 33% steady-state/none
///   ```
/// - ``Style/disabled`` (`--quiet`): never writes anything.
///
/// The percentage is `completed * 100 / total` rounded down, shown at most 100 (100 when `total` is 0).
/// Not thread-safe: use it from one thread or task, or share it through a ``ProgressBarBox``.
///
/// A terminal concern, so it lives in the command-line tool: the library reports progress through
/// callbacks (`SuiteRunner.run(_:tune:progress:)`) and the tool draws the bar.
struct ProgressBar {
    /// How the bar is shown.
    enum Style: Sendable, Hashable {
        /// Redrawn in place with a carriage return: for a terminal.
        case redrawn
        /// One plain line per finished label: for logs.
        case lines
        /// Nothing is ever written.
        case disabled

        /// ``redrawn`` when standard error is a terminal, else ``lines``.
        static var automatic: Style { isatty(2) != 0 ? .redrawn : .lines }
    }

    /// The total work, in the caller's units.
    let total: Int
    /// How the bar is shown.
    let style: Style
    /// Characters between the brackets.
    let barWidth: Int
    /// Work done so far.
    private(set) var completed = 0
    /// The label of the work in progress.
    private(set) var label = ""

    private let output: (String) -> Void
    /// The text last drawn (redrawn style), to skip identical redraws and erase longer lines.
    private var drawn = ""
    /// Whether the line of the current label is still to be written (lines style).
    private var lineOwed = false
    private var finished = false

    /// A bar for `total` units of work (`>= 0`), `barWidth` characters wide (`>= 1`), written through
    /// `output` (standard error by default).
    init(
        total: Int, style: Style = .automatic, barWidth: Int = 30,
        output: @escaping (String) -> Void = ProgressBar.writeToStandardError
    ) {
        precondition(total >= 0, "ProgressBar total must be >= 0, got \(total)")
        precondition(barWidth >= 1, "ProgressBar barWidth must be >= 1, got \(barWidth)")
        self.total = total
        self.style = style
        self.barWidth = barWidth
        self.output = output
    }

    /// Adds `units` (`>= 0`) of finished work; `label` names the work in progress.
    mutating func advance(by units: Int = 1, label: String) {
        precondition(units >= 0, "ProgressBar.advance(by:) needs units >= 0, got \(units)")
        update(completed: completed + units, label: label)
    }

    /// Sets the finished work to `completed`; `label` names the work in progress.
    mutating func update(completed: Int, label: String) {
        guard style != .disabled, !finished else { return }
        if style == .lines, lineOwed, label != self.label {
            output(text() + "\n")
        }
        self.completed = completed
        self.label = label
        switch style {
        case .redrawn: redraw()
        case .lines: lineOwed = true
        case .disabled: break
        }
    }

    /// Erases the bar (redrawn style) so that other text can be printed on the terminal; the next
    /// update draws it again. Does nothing in the other styles.
    mutating func clear() {
        guard style == .redrawn, !drawn.isEmpty else { return }
        output("\r" + String(repeating: " ", count: drawn.count) + "\r")
        drawn = ""
    }

    /// Ends the bar: the redrawn bar's line ends with a newline; in the lines style the last label's
    /// line is written. Later calls do nothing.
    mutating func finish() {
        guard style != .disabled, !finished else { return }
        finished = true
        switch style {
        case .redrawn:
            if drawn.isEmpty { redraw() }
            output("\n")
        case .lines:
            if lineOwed { output(text() + "\n") }
        case .disabled:
            break
        }
    }

    /// The bar's text for the current state, e.g. `[###.......] 30% brownout/tuned`.
    func text() -> String {
        let percent = total == 0 ? 100 : min(100, completed * 100 / total)
        let filled = total == 0 ? barWidth : min(barWidth, completed * barWidth / total)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled)
        let percentText = String(percent)
        let padding = String(repeating: " ", count: 3 - percentText.count)
        return "[\(bar)] \(padding)\(percentText)%" + (label.isEmpty ? "" : " \(label)")
    }

    private mutating func redraw() {
        let current = text()
        guard current != drawn else { return }
        let erase = drawn.count > current.count ? String(repeating: " ", count: drawn.count - current.count) : ""
        output("\r" + current + erase)
        drawn = current
    }

    /// Writes `text` to standard error (file descriptor 2) at once, unbuffered.
    static func writeToStandardError(_ text: String) {
        var text = text
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 {
                    if written < 0, errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}

/// A progress bar shared by the suite's worker threads: every update under one lock.
final class ProgressBarBox: Sendable {
    private let bar: Mutex<ProgressBar>

    init(_ bar: sending ProgressBar) { self.bar = Mutex(bar) }

    func advance(label: String) {
        bar.withLock { $0.advance(label: label) }
    }

    func finish() {
        bar.withLock { $0.finish() }
    }
}
