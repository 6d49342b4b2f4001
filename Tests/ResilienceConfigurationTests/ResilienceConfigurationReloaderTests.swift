import Configuration
import Foundation
import MetricsTestKit
import Resilience
import Testing
@testable import ResilienceConfiguration

@Suite("ResilienceConfigurationReloader: hot reload through swift-configuration's reloading provider")
struct ResilienceConfigurationReloaderTests {
    /// Writes `text` to `path` with a modification time `tick` seconds in the future, so that the
    /// provider sees a change however coarse the file system's clock.
    func rewrite(_ path: String, _ text: String, tick: Int) throws {
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(Double(tick))], ofItemAtPath: path)
    }

    @Test("A changed file applies to the running policies, keeping their state; an invalid change is rejected whole and counted")
    func reloads() async throws {
        let files = try ConfigurationFiles()
        let path = try files.write("service.yaml", """
            resilience:
              policies:
                payments: {circuitBreaker: {window: count, windowSize: 2, minimumThroughput: 2, failureRatio: 1, breakDuration: 10m, maxBreakDuration: 1h}}
            """)
        let metrics = TestMetrics()
        let policies = try ResiliencePolicies(files: [path], environment: [:])
        let reloader = ResilienceConfigurationReloader(
            policies: policies, files: [path], environment: [:], pollInterval: .milliseconds(20), metricsFactory: metrics)
        let running = Task {
            do { try await reloader.run() } catch is CancellationError {} catch { Issue.record("the reloader stopped: \(error)") }
        }
        defer { running.cancel() }

        let breaker = try #require(policies.circuitBreaker(named: "payments"))
        for _ in 0..<2 { _ = try? await breaker.execute { () async throws -> Int in throw CocoaError(.fileReadUnknown) } }
        #expect(breaker.state == .open)

        try rewrite(path, """
            resilience:
              policies:
                payments: {circuitBreaker: {window: count, windowSize: 2, minimumThroughput: 2, failureRatio: 0.5, breakDuration: 20m, maxBreakDuration: 1h}}
            """, tick: 5)
        try await waitUntil("the new break duration applies") { breaker.configuration.breakDuration == .seconds(1_200) }
        #expect(breaker.configuration.failureRatio == 0.5)
        #expect(breaker.state == .open)  // still serving its 10-minute break
        #expect(metrics.counterTotal(label: "resilience_configuration_reloads_total") == 1)

        try rewrite(path, """
            resilience:
              policies:
                payments: {circuitBreaker: {failureRatio: 1.5, breakDuration: 30s}}
                orders: {retry: {maxAttempts: 0}}
            """, tick: 10)
        try await waitUntil("the invalid change is counted") {
            metrics.counterTotal(label: "resilience_configuration_reload_failures_total") == 1
        }
        #expect(breaker.configuration.breakDuration == .seconds(1_200))
        #expect(throws: ConfigurationProblems.self) { _ = try policies.pipeline(named: "orders") }

        try rewrite(path, "resilience: {policies: {payments: {circuitBreaker: {breakDuration: 40s}}}}", tick: 15)
        try await waitUntil("a valid change applies again") { breaker.configuration.breakDuration == .seconds(40) }
        #expect(metrics.counterTotal(label: "resilience_configuration_reloads_total") == 2)
    }

    @Test("A file that no longer parses is rejected like an invalid one")
    func syntaxError() async throws {
        let files = try ConfigurationFiles()
        let path = try files.write("service.json", #"{"resilience": {"enabled": true}}"#)
        let metrics = TestMetrics()
        let policies = try ResiliencePolicies(files: [path], environment: [:])
        let reloader = ResilienceConfigurationReloader(
            policies: policies, files: [path], environment: [:], pollInterval: .milliseconds(20), metricsFactory: metrics)
        let running = Task {
            do { try await reloader.run() } catch is CancellationError {} catch { Issue.record("the reloader stopped: \(error)") }
        }
        defer { running.cancel() }
        try rewrite(path, #"{"resilience": {"enabled": false"#, tick: 5)
        try await waitUntil("the syntax error is counted") {
            metrics.counterTotal(label: "resilience_configuration_reload_failures_total") == 1
        }
        #expect(policies.isEnabled)
        try rewrite(path, #"{"resilience": {"enabled": false}}"#, tick: 10)
        try await waitUntil("the kill switch applies") { !policies.isEnabled }
    }

    @Test("The snapshot serves the file's scalars to swift-configuration readers, keeping what the lab reads")
    func snapshotValues() throws {
        let text = "service: {port: 8080, name: api, debug: true, ratio: 0.5}\nresilience: {policies: {p: {circuitBreaker: {halfOpenMaxDuration: null}}}}"
        let snapshot = Array(text.utf8).withUnsafeBytes { bytes in
            ResilienceFileSnapshot(data: RawSpan(_unsafeBytes: bytes), providerName: "test", parsingOptions: .init(file: "service.yaml"))
        }
        #expect(try snapshot.value(forKey: AbsoluteConfigKey(["service", "port"]), type: .int).value?.content == .int(8080))
        #expect(try snapshot.value(forKey: AbsoluteConfigKey(["service", "name"]), type: .string).value?.content == .string("api"))
        #expect(try snapshot.value(forKey: AbsoluteConfigKey(["service", "debug"]), type: .bool).value?.content == .bool(true))
        #expect(try snapshot.value(forKey: AbsoluteConfigKey(["service", "ratio"]), type: .double).value?.content == .double(0.5))
        #expect(try snapshot.value(forKey: AbsoluteConfigKey(["service", "missing"]), type: .int).value == nil)
        #expect(throws: ResilienceFileSnapshot.TypeMismatch.self) {
            _ = try snapshot.value(forKey: AbsoluteConfigKey(["service", "name"]), type: .int)
        }
        guard case .success(let root) = snapshot.document.root else { Issue.record("expected the document"); return }
        #expect(try ResilienceSettings.read(documents: [snapshot.document], environment: [:], profile: nil)
            .policies["p"]?.circuitBreaker?.halfOpenMaxDuration == nil)
        #expect(root.keys == ["service", "resilience"])
    }
}
