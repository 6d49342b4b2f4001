import Foundation
import Resilience
import Testing
@testable import ResilienceConfiguration
@testable import ResilienceLab

/// The lab's readers on absurd input: huge operation mixes, seeds out of a file's range.
@Suite("Lab readers: many operations, seeds")
struct LabReaderTests {
    static func scenario(seed: String = "42", operations: String = #"{"call": 1}"#) -> String {
        """
        {"name": "x", "duration": "2s", "seed": \(seed),
         "traffic": {"rates": [{"from": "0s", "ratePerSecond": 1000}], "operations": \(operations)},
         "dependency": {"workers": 10, "maxQueue": 10, "serviceTime": {"constant": "1ms"}}}
        """
    }

    func error(_ text: String) -> String? {
        do {
            _ = try ScenarioDefinition.parse(text, file: "s.json")
            return nil
        } catch {
            return error.description
        }
    }

    @Test("a scenario seed beyond a file's exact integers says the range, and that --seed takes the full range")
    func seedRange() throws {
        #expect(error(Self.scenario(seed: "18446744073709551615"))
            == "s.json: seed: 1.8446744073709552e+19 is out of range; allowed: 0...8999999999999999 in a file (a file's numbers are exact only to 2^53); --seed takes 0...18446744073709551615")
        #expect(error(Self.scenario(seed: "-1"))
            == "s.json: seed: -1 is not allowed; allowed: 0...8999999999999999 in a file (a file's numbers are exact only to 2^53); --seed takes 0...18446744073709551615")
        #expect(error(Self.scenario(seed: "1.5")) == "s.json: seed must be an integer, got a number")
        #expect(try ScenarioDefinition.parse(Self.scenario(seed: "8999999999999999"), file: "s.json").seed == 8_999_999_999_999_999)
    }

    @Test("100,000 operation names are read and simulated in linear time")
    func manyOperations() throws {
        let names = (0..<100_000).map { "\"op\($0)\": 1" }.joined(separator: ", ")
        let start = ContinuousClock.now
        let definition = try ScenarioDefinition.parse(Self.scenario(operations: "{\(names)}"), file: "s.json")
        #expect(definition.traffic.operations.entries.count == 100_000)
        let result = try Simulator.run(definition, policy: PolicyFile(), policyName: "none")
        let elapsed = ContinuousClock.now - start
        #expect(result.calls > 0)
        // Quadratic reading took minutes; linear takes well under a second in release, a few in debug.
        #expect(elapsed < .seconds(10), "took \(elapsed)")
    }

    @Test("a repeated operation is still named by its index")
    func repeatedOperation() {
        #expect(throws: ConfigurationError.self) { _ = try WeightedMix([("a", 1), ("b", 1), ("a", 1)]) }
        do {
            _ = try WeightedMix([("a", 1), ("b", 1), ("a", 1)])
        } catch {
            #expect(error.description.hasPrefix("[2]:"), "\(error.description)")
        }
    }

    @Test("drawing from a many-entry mix picks the entry the cumulative weights say")
    func pickMatchesLinearScan() throws {
        let mix = try WeightedMix((0..<1_000).map { ("op\($0)", Double($0 % 7)) })
        var random = SplitMix64(seed: 3)
        var counts = [Int](repeating: 0, count: 1_000)
        for _ in 0..<50_000 { counts[mix.pickIndex(&random)] += 1 }
        // Weight 0 (every 7th entry) is never picked; the others are.
        for index in stride(from: 0, to: 1_000, by: 7) { #expect(counts[index] == 0) }
        #expect(counts.enumerated().filter { $0.offset % 7 != 0 }.allSatisfy { $0.element > 0 })
    }
}
