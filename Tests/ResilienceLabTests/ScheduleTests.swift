import Foundation
import HeapModule
import Resilience
import Testing
@testable import ResilienceConfiguration
@testable import ResilienceLab

@Suite("resilience-lab schedule")
struct ScheduleTests {
    /// One output line, its milliseconds read back exactly as attoseconds.
    struct Line: Equatable {
        var retry: Int
        var delay: Int128
        var minimum: Int128
        var maximum: Int128
    }

    /// Reads `{"retry": n, "delayMs": x, "minMs": a, "maxMs": b}` back, checking the keys and their order.
    func read(_ line: String) throws -> Line {
        #expect(line.hasPrefix("{") && line.hasSuffix("}"))
        let members = line.dropFirst().dropLast().components(separatedBy: ", ").map { $0.components(separatedBy: ": ") }
        #expect(members.map(\.first) == [#""retry""#, #""delayMs""#, #""minMs""#, #""maxMs""#])
        let values = try members.map { try #require($0.last) }
        return Line(
            retry: try #require(Int(values[0])), delay: try attoseconds(values[1]),
            minimum: try attoseconds(values[2]), maximum: try attoseconds(values[3]))
    }

    /// Exact milliseconds text (`153.25`) as attoseconds.
    func attoseconds(_ milliseconds: String) throws -> Int128 {
        let parts = milliseconds.split(separator: ".", omittingEmptySubsequences: false)
        let whole = try #require(Int128(parts[0]))
        guard parts.count == 2 else { return whole * 1_000_000_000_000_000 }
        #expect(parts[1].count <= 15 && !parts[1].hasSuffix("0"))
        let fraction = try #require(Int128(parts[1].padding(toLength: 15, withPad: "0", startingAt: 0)))
        return whole * 1_000_000_000_000_000 + fraction
    }

    func ms(_ value: Int128) -> Int128 { value * 1_000_000_000_000_000 }

    /// 8 attempts from 100 ms, multiplier 3, capped at 1 s: the cap bites from the 4th exponential retry.
    func configuration(_ backoff: RetryConfiguration.Backoff, _ jitter: RetryConfiguration.Jitter) -> RetryConfiguration {
        RetryConfiguration(
            maxAttempts: 8, backoff: backoff, baseDelay: .milliseconds(100), multiplier: 3, maxDelay: .seconds(1),
            jitter: jitter)
    }

    static let backoffs = RetryConfiguration.Backoff.allCases

    @Test("no jitter: exact delays, bounds equal to the delay, capped by maxDelay", arguments: backoffs)
    func withoutJitter(_ backoff: RetryConfiguration.Backoff) throws {
        let expected: [Int128] = switch backoff {
        case .constant: [100, 100, 100, 100, 100, 100, 100]
        case .linear: [100, 200, 300, 400, 500, 600, 700]
        case .exponential: [100, 300, 900, 1_000, 1_000, 1_000, 1_000]
        }
        let lines = try ScheduleCommand.lines(for: configuration(backoff, .none), seed: 0)
        #expect(lines == expected.enumerated().map { index, delay in
            #"{"retry": \#(index + 1), "delayMs": \#(delay), "minMs": \#(delay), "maxMs": \#(delay)}"#
        })
        // No jitter draws nothing: the seed makes no difference.
        #expect(try ScheduleCommand.lines(for: configuration(backoff, .none), seed: 99) == lines)
    }

    @Test("fractional milliseconds are exact decimals without trailing zeros")
    func fractionalDelays() throws {
        let lines = try ScheduleCommand.lines(for: RetryConfiguration(
            maxAttempts: 7, baseDelay: .milliseconds(100), multiplier: 1.5, jitter: .none))
        #expect(lines == [
            #"{"retry": 1, "delayMs": 100, "minMs": 100, "maxMs": 100}"#,
            #"{"retry": 2, "delayMs": 150, "minMs": 150, "maxMs": 150}"#,
            #"{"retry": 3, "delayMs": 225, "minMs": 225, "maxMs": 225}"#,
            #"{"retry": 4, "delayMs": 337.5, "minMs": 337.5, "maxMs": 337.5}"#,
            #"{"retry": 5, "delayMs": 506.25, "minMs": 506.25, "maxMs": 506.25}"#,
            #"{"retry": 6, "delayMs": 759.375, "minMs": 759.375, "maxMs": 759.375}"#,
        ])
    }

    static let jittered: [(RetryConfiguration.Backoff, RetryConfiguration.Jitter)] = backoffs.flatMap { backoff in
        [RetryConfiguration.Jitter.full, .equal, .decorrelated].map { (backoff, $0) }
    }

    @Test("with jitter: exact bounds, min ≤ delay ≤ max, same seed same delays, another seed others",
          arguments: jittered)
    func withJitter(_ backoff: RetryConfiguration.Backoff, _ jitter: RetryConfiguration.Jitter) throws {
        let config = configuration(backoff, jitter)
        let lines = try ScheduleCommand.lines(for: config, seed: 0).map(read)
        #expect(lines.map(\.retry) == Array(1...7))
        let curve: [Int128] = switch backoff {
        case .constant: [100, 100, 100, 100, 100, 100, 100]
        case .linear: [100, 200, 300, 400, 500, 600, 700]
        case .exponential: [100, 300, 900, 2_700, 8_100, 24_300, 72_900]
        }
        let cap = ms(1_000)
        var previous = ms(100)
        for (line, d) in zip(lines, curve.map(ms)) {
            switch jitter {
            case .full:
                #expect(line.minimum == 0 && line.maximum == min(d, cap))
            case .equal:
                #expect(line.minimum == min(d / 2, cap) && line.maximum == min(d, cap))
            case .decorrelated:
                #expect(line.minimum == ms(100) && line.maximum == min(max(ms(100), previous * 3), cap))
            case .none:
                Issue.record("not a jittered case")
            }
            #expect(line.minimum <= line.delay && line.delay <= line.maximum)
            previous = line.delay
        }
        #expect(try ScheduleCommand.lines(for: config, seed: 0).map(read) == lines)
        #expect(try ScheduleCommand.lines(for: config, seed: 1).map(read) != lines)
    }

    // Cross-checked against an independent implementation of SplitMix64 and the documented draw
    // (lower + ⌊(upper − lower + 1 as) × r / 2⁶⁴⌋), in Python, on attoseconds.
    @Test("the default policy's full jitter, seed 0, to the attosecond")
    func fullJitterGolden() throws {
        #expect(try ScheduleCommand.lines(for: RetryConfiguration(maxAttempts: 5), seed: 0) == [
            #"{"retry": 1, "delayMs": 176.662161642728537, "minMs": 0, "maxMs": 200}"#,
            #"{"retry": 2, "delayMs": 172.611198819404021, "minMs": 0, "maxMs": 400}"#,
            #"{"retry": 3, "delayMs": 21.147017274078253, "minMs": 0, "maxMs": 800}"#,
            #"{"retry": 4, "delayMs": 1553.411165046125618, "minMs": 0, "maxMs": 1600}"#,
        ])
    }

    @Test("decorrelated jitter, seed 42, to the attosecond")
    func decorrelatedGolden() throws {
        #expect(try ScheduleCommand.lines(for: RetryConfiguration(maxAttempts: 5, jitter: .decorrelated), seed: 42) == [
            #"{"retry": 1, "delayMs": 496.625951508729361, "minMs": 200, "maxMs": 600}"#,
            #"{"retry": 2, "delayMs": 406.264874480521551, "minMs": 200, "maxMs": 1489.877854526188083}"#,
            #"{"retry": 3, "delayMs": 483.837333588678402, "minMs": 200, "maxMs": 1218.794623441564653}"#,
            #"{"retry": 4, "delayMs": 630.758812281592921, "minMs": 200, "maxMs": 1451.512000766035206}"#,
        ])
    }

    @Test("from a file: maxAttempts 1 prints nothing; no retry section gives nil")
    func fromFile() throws {
        let one = try temporaryFile("policy.json", #"{"retry": {"maxAttempts": 1}}"#)
        #expect(try ScheduleCommand.run(policyPath: one) == [])
        let breakerOnly = try temporaryFile("policy.json", #"{"circuitBreaker": {}}"#)
        #expect(try ScheduleCommand.run(policyPath: breakerOnly) == nil)
        let seeded = try temporaryFile("policy.json", #"{"retry": {"maxAttempts": 2, "jitter": "equal"}}"#)
        #expect(try ScheduleCommand.run(policyPath: seeded, seed: 7)
            == ScheduleCommand.lines(for: RetryConfiguration(maxAttempts: 2, jitter: .equal), seed: 7))
    }

    @Test("bad input names the file and the key")
    func badInput() throws {
        let path = try temporaryFile("policy.json", #"{"retry": {"jitter": "half"}}"#)
        #expect(throws: LabInputError(
            file: path, message: #"retry.jitter must be one of "none", "full", "equal", "decorrelated", got "half""#)
        ) {
            try ScheduleCommand.run(policyPath: path)
        }
        #expect(throws: LabInputError(file: "/nonexistent/policy.json", message: "cannot read the file (no such file)")) {
            try ScheduleCommand.run(policyPath: "/nonexistent/policy.json")
        }
        #expect(throws: ConfigurationError(key: "maxAttempts", value: "0", allowed: "1...1000")) {
            try ScheduleCommand.lines(for: RetryConfiguration(maxAttempts: 0))
        }
    }
}

@Suite("Lab support: SplitMix64, exact milliseconds, the event heap")
struct LabSupportTests {
    @Test("SplitMix64 gives the reference sequence for seed 0")
    func splitMix() {
        var random = SplitMix64(seed: 0)
        let first = random.next()
        let second = random.next()
        let third = random.next()
        #expect([first, second, third] == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
    }

    @Test("milliseconds are exact: integers when whole, else decimals without trailing zeros")
    func milliseconds() {
        #expect(MillisecondsText.format(.zero) == "0")
        #expect(MillisecondsText.format(.milliseconds(200)) == "200")
        #expect(MillisecondsText.format(.microseconds(153_250)) == "153.25")
        #expect(MillisecondsText.format(.nanoseconds(1)) == "0.000001")
        #expect(MillisecondsText.format(Duration(attoseconds: 1)) == "0.000000000000001")
        #expect(MillisecondsText.format(Duration(attoseconds: 1_000_000_000_000_000_001)) == "1000.000000000000001")
        #expect(MillisecondsText.format(.seconds(-1.5)) == "-1500")
        #expect(MillisecondsText.format(.seconds(86_400 * 365)) == "31536000000")
    }

    @Test("the heap gives its elements back in order")
    func heap() {
        var random = SplitMix64(seed: 3)
        var heap = Heap<Int>()
        var inserted: [Int] = []
        for _ in 0..<1_000 {
            let value = Int(random.next() % 100)
            heap.insert(value)
            inserted.append(value)
            if random.next() % 3 == 0 {
                let smallest = inserted.min()
                #expect(heap.popMin() == smallest)
                inserted.remove(at: inserted.firstIndex(of: smallest!)!)
            }
        }
        var out: [Int] = []
        while let next = heap.popMin() { out.append(next) }
        #expect(out == inserted.sorted())
        #expect(heap.count == 0 && heap.min == nil)
    }

    @Test("ordinals name attempts")
    func ordinals() {
        let numbers = [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 112]
        #expect(numbers.map(TraceReplayHost.ordinal) == [
            "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st", "111th", "112th",
        ])
    }
}
