import Resilience
import Testing
@testable import ResilienceConfiguration
@testable import ResilienceLab

@Suite("The shipped example incident")
struct ExampleIncidentTests {
    static let directory = String(#filePath.split(separator: "/Tests/").dropLast().joined(separator: "/Tests/"))
        + "/Sources/resilience-lab/ExampleIncident"

    @Test("replays cleanly: opens during the outage, fails fast, and closes after the provider recovers")
    func replays() throws {
        let (trace, result) = try ReplayCommand.run(
            policyPath: Self.directory + "/policy.json", tracePath: Self.directory + "/trace.jsonl")
        #expect(result.lines.count == trace.entries.count)
        let opens = result.transitions.filter { $0.transition.from == .closed && $0.transition.to == .open }
        let firstOpen = try #require(opens.first)
        // The provider degrades from 1:00 to 3:00.
        #expect(firstOpen.at > .seconds(60) && firstOpen.at < .seconds(120))
        #expect(firstOpen.transition.reason == .failureRatioReached)
        let lastClose = try #require(result.transitions.last { $0.transition == CircuitTransition(from: .halfOpen, to: .closed, reason: .probesSucceeded) })
        #expect(lastClose.at > .seconds(180))
        #expect(result.rejected["circuitOpen", default: 0] > 1_000)
        #expect(result.permitted + result.rejected.values.reduce(0, +) == result.calls)
        let summary = ReplaySummary.render(result, trace: trace, tracePath: "trace.jsonl", policyPath: "policy.json")
        #expect(summary.contains("closed → open"))
        #expect(summary.contains("\(result.calls) in the trace"))
    }
}
