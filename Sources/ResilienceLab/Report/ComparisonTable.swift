/// The terminal comparison of one scenario's results, one line per policy in the given order, in plain
/// aligned columns (no box drawing, no colors):
///
/// ```text
/// outage-and-recovery: The dependency refuses every call from 30 s to 70 s: time to detect the outage and to recover.
///   policy       goodput %  p50 ms  p99 ms  p99.9 ms  amplification  detect s  recover s  rejected  dep 503s
///   none              66.6    20.1     201      1000          1.00×         —          —         0         0
///   default           66.5    19.8     180       650          0.72×      0.81       5.00     33312         0
/// ```
///
/// Columns: the policy; goodput (calls that succeeded, % of calls made, rounded down to 0.1 so that
/// `100.0` means every call succeeded); p50, p99 and p99.9 latency of every call, whatever its end, in
/// milliseconds to about 3 significant digits; amplification (calls the dependency received per call
/// made, 2 decimals); time to detect and to recover from the outage in seconds (2 decimals; `—` without
/// an outage or when it never happened); calls ended by policies (all policies); and the attempts the
/// dependency answered 503 (overloaded; refusals of a down dependency are failures, not 503s). The exact
/// definitions are ``legend``.
public enum ComparisonTable {
    /// What each column means, one line per column (`  detect s: Seconds from …`): the legend `run
    /// --help`, `resilience-lab suite --help` and the README give, and the report's tooltips and footer.
    public static var legend: String {
        zip(ComparisonRow.headings, ComparisonRow.explanations).map { "  \($0): \($1)" }.joined(separator: "\n")
    }

    /// One line naming the scenario and what it shows: `name: summary` (just `name` without a summary).
    public static func header(for scenario: ScenarioDefinition) -> String {
        scenario.summary.isEmpty ? scenario.name : "\(scenario.name): \(scenario.summary)"
    }

    /// The header line, then the column headings and one line per result, each indented by two spaces
    /// and ending with a newline. The policy column is left-aligned, the numbers right-aligned.
    public static func render(_ results: [SimulationResult], for scenario: ScenarioDefinition) -> String {
        let rows = [ComparisonRow.headings] + results.map { ComparisonRow($0).cells }
        var widths = Array(repeating: 0, count: ComparisonRow.headings.count)
        for row in rows {
            for (column, cell) in row.enumerated() {
                widths[column] = max(widths[column], cell.count)
            }
        }
        var text = header(for: scenario) + "\n"
        for row in rows {
            var line = " "
            for (column, cell) in row.enumerated() {
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                line += column == 0 ? " " + cell + padding : "  " + padding + cell
            }
            while line.hasSuffix(" ") { line.removeLast() }
            text += line + "\n"
        }
        return text
    }
}
