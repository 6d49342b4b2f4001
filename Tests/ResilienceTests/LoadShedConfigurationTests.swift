import Testing
@testable import Resilience

@Suite("Load shedder configuration")
struct LoadShedConfigurationTests {
    static func error(_ configuration: LoadShedderConfiguration) -> ConfigurationError? {
        do {
            try configuration.validate()
            return nil
        } catch {
            return error
        }
    }

    @Test("valid configurations pass, the default included")
    func valid() {
        #expect(Self.error(LoadShedderConfiguration()) == nil)
        #expect(Self.error(LoadShedderConfiguration(
            inFlight: LoadShedThresholds(low: 1, normal: 1, high: 1),
            queueDepth: LoadShedThresholds(low: 5, normal: nil, high: nil),
            pressure: ["cpu": LoadShedThresholds(low: 0.5, normal: 0.9, high: 1.0), "event-loop.lag_1": LoadShedThresholds(low: nil, normal: nil, high: nil)],
            retryAfter: nil)) == nil)
    }

    @Test("thresholds that are not monotone name the key, the value and the rule")
    func monotone() throws {
        let inverted = try #require(Self.error(LoadShedderConfiguration(inFlight: LoadShedThresholds(low: 10, normal: 5, high: 20))))
        #expect(inverted.key == "inFlight.normal")
        #expect(inverted.value == "5")
        #expect(inverted.allowed.hasPrefix(">= inFlight.low (10), or nil"))
        #expect(inverted.allowed.contains("low ≤ normal ≤ high"))

        let highBelowNormal = try #require(Self.error(LoadShedderConfiguration(
            pressure: ["cpu": LoadShedThresholds(low: 0.5, normal: 0.9, high: 0.8)])))
        #expect(highBelowNormal.key == "pressure.cpu.high")
        #expect(highBelowNormal.value == "0.8")

        let nilBelow = try #require(Self.error(LoadShedderConfiguration(queueDepth: LoadShedThresholds(low: nil, normal: 3, high: nil))))
        #expect(nilBelow.key == "queueDepth.normal")
        #expect(nilBelow.allowed.hasPrefix("nil, as queueDepth.low is nil"))
    }

    @Test("out-of-range values: counts >= 1, pressures in (0, 1], retryAfter in (0, 1h]")
    func ranges() throws {
        let zero = try #require(Self.error(LoadShedderConfiguration(inFlight: LoadShedThresholds(low: 0, normal: 1, high: 1))))
        #expect(zero == ConfigurationError(key: "inFlight.low", value: "0", allowed: ">= 1"))
        let negativeDepth = try #require(Self.error(LoadShedderConfiguration(queueDepth: LoadShedThresholds(low: 1, normal: 2, high: -3))))
        #expect(negativeDepth == ConfigurationError(key: "queueDepth.high", value: "-3", allowed: ">= 1"))
        for bad in [0.0, -0.1, 1.01, .nan, .infinity] {
            let error = try #require(Self.error(LoadShedderConfiguration(pressure: ["memory": LoadShedThresholds(low: bad, normal: nil, high: nil)])))
            #expect(error.key == "pressure.memory.low")
            #expect(error.allowed == "(0, 1]")
        }
        let retry = try #require(Self.error(LoadShedderConfiguration(retryAfter: .zero)))
        #expect(retry.key == "retryAfter")
        #expect(retry.value == "0s")
        let long = try #require(Self.error(LoadShedderConfiguration(retryAfter: .seconds(3_601))))
        #expect(long.key == "retryAfter")
    }

    @Test("signal names must be short label-safe text, not a reserved reason")
    func signalNames() throws {
        for bad in ["", "cpu load", "in_flight", "queue_depth", String(repeating: "x", count: 65), "é"] {
            let error = try #require(Self.error(LoadShedderConfiguration(pressure: [bad: LoadShedThresholds(low: 0.5, normal: nil, high: nil)])))
            #expect(error.key == "pressure")
            #expect(error.value == "\"\(bad)\"")
        }
    }

    @Test("the state machine and the shedder refuse what validate() refuses")
    func construction() {
        let bad = LoadShedderConfiguration(inFlight: LoadShedThresholds(low: 3, normal: 2, high: nil))
        #expect(throws: ConfigurationError.self) { try LoadShedderStateMachine(configuration: bad) }
    }
}
