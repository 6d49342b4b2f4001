import Foundation
import Resilience
import Testing
@testable import ResilienceConfiguration

/// The `timeout` section's `firstByte` key: read from files and the environment like every key, turned
/// off by `null`, validated against the section's `duration` with the key's full path, and written back.
@Suite("The timeout section's firstByte key")
struct TimeoutSectionTests {
    static let expected = TimeoutConfiguration(duration: .seconds(2), firstByte: .milliseconds(200))
    let files: ConfigurationFiles

    init() throws {
        files = try ConfigurationFiles()
    }

    /// Writes a file `name` whose `resilience.policies` is `policies` (JSON, or YAML in flow style); returns its path.
    func service(_ name: String, policies: String) throws -> String {
        try files.write(name, #"{"resilience": {"policies": \#(policies)}}"#)
    }

    // MARK: - Reading

    @Test("firstByte: 200ms from a YAML file")
    func fromYAML() throws {
        let path = try files.write("service.yaml", """
            resilience:
              policies:
                x:
                  timeout: {duration: 2s, firstByte: 200ms}
            """)
        let settings = try ResilienceSettings.read(files: [path], environment: [:])
        #expect(settings.policies == ["x": PolicyConfiguration(timeout: Self.expected)])
    }

    @Test("firstByte: 200ms from a JSON file")
    func fromJSON() throws {
        let path = try service("service.json", policies: #"{"x": {"timeout": {"duration": "2s", "firstByte": "200ms"}}}"#)
        let settings = try ResilienceSettings.read(files: [path], environment: [:])
        #expect(settings.policies == ["x": PolicyConfiguration(timeout: Self.expected)])
    }

    @Test("firstByte from RESILIENCE_POLICIES_X_TIMEOUT_FIRST_BYTE: alone, and over a file's")
    func fromTheEnvironment() throws {
        #expect(SettingsReader(environment: [:]).environmentName(of: "resilience.policies.x.timeout.firstByte")
            == "RESILIENCE_POLICIES_X_TIMEOUT_FIRST_BYTE")
        let alone = try ResilienceSettings.read(files: [], environment: ["RESILIENCE_POLICIES_X_TIMEOUT_FIRST_BYTE": "200ms"])
        #expect(alone.policies == ["x": PolicyConfiguration(timeout: TimeoutConfiguration(firstByte: .milliseconds(200)))])

        let path = try service("service.yaml", policies: "{x: {timeout: {duration: 2s, firstByte: 1s}}}")
        let overridden = try ResilienceSettings.read(files: [path], environment: ["RESILIENCE_POLICIES_X_TIMEOUT_FIRST_BYTE": "200ms"])
        #expect(overridden.policies == ["x": PolicyConfiguration(timeout: Self.expected)])
    }

    @Test("null turns firstByte off: in YAML (null and ~), in JSON and from the environment")
    func null() throws {
        let off = TimeoutConfiguration(duration: .seconds(2))
        let yaml = try files.write("service.yaml", """
            resilience:
              policies:
                x: {timeout: {duration: 2s, firstByte: null}}
                y: {timeout: {duration: 2s, firstByte: ~}}
            """)
        #expect(try ResilienceSettings.read(files: [yaml], environment: [:]).policies == [
            "x": PolicyConfiguration(timeout: off), "y": PolicyConfiguration(timeout: off),
        ])
        let json = try service("service.json", policies: #"{"x": {"timeout": {"duration": "2s", "firstByte": null}}}"#)
        #expect(try ResilienceSettings.read(files: [json], environment: [:]).policies == ["x": PolicyConfiguration(timeout: off)])

        let set = try service("set.yaml", policies: "{x: {timeout: {duration: 2s, firstByte: 200ms}}}")
        let fromEnvironment = try ResilienceSettings.read(files: [set], environment: ["RESILIENCE_POLICIES_X_TIMEOUT_FIRST_BYTE": "null"])
        #expect(fromEnvironment.policies == ["x": PolicyConfiguration(timeout: off)])
    }

    // MARK: - Validation

    @Test("A firstByte longer than duration is refused with its full key path, from a file and from the environment")
    func longerThanDuration() throws {
        let path = try service("service.yaml", policies: "{x: {timeout: {duration: 2s, firstByte: 3s}}}")
        #expect(problemLines(files: [path]) == [
            "resilience.policies.x.timeout.firstByte: 3s is not allowed; allowed: (0, duration (2s)] (in \(path))"
        ])
        #expect(problemLines(files: [], environment: [
            "RESILIENCE_POLICIES_X_TIMEOUT_DURATION": "200ms", "RESILIENCE_POLICIES_X_TIMEOUT_FIRST_BYTE": "201ms",
        ]) == [
            "resilience.policies.x.timeout.firstByte: 201ms is not allowed; allowed: (0, duration (200ms)] (in RESILIENCE_POLICIES_X_TIMEOUT_FIRST_BYTE)"
        ])
        // Against the default duration (30 s) when the section gives none.
        #expect(problemLines(files: [], environment: ["RESILIENCE_POLICIES_X_TIMEOUT_FIRST_BYTE": "31s"]) == [
            "resilience.policies.x.timeout.firstByte: 31s is not allowed; allowed: (0, duration (30s)] (in RESILIENCE_POLICIES_X_TIMEOUT_FIRST_BYTE)"
        ])
    }

    @Test("A zero or negative firstByte is refused, naming the key")
    func zeroOrNegative() throws {
        let path = try service("service.yaml", policies: "{x: {timeout: {duration: 2s, firstByte: 0s}}}")
        #expect(problemLines(files: [path], environment: ["RESILIENCE_POLICIES_Y_TIMEOUT_FIRST_BYTE": "-200ms"]) == [
            "resilience.policies.x.timeout.firstByte: 0s is not allowed; allowed: (0, duration (2s)] (in \(path))",
            "resilience.policies.y.timeout.firstByte must be a duration such as 250ms, or null: \(durationError("-200ms")) (in RESILIENCE_POLICIES_Y_TIMEOUT_FIRST_BYTE)",
        ])
        let json = try service("service.json", policies: #"{"x": {"timeout": {"firstByte": "-1s"}}}"#)
        #expect(problemLines(files: [json]) == [
            "resilience.policies.x.timeout.firstByte: \(durationError("-1s")) (in \(json))"
        ])
    }

    // MARK: - Writing, and POLICY.json

    @Test("A POLICY.json timeout section: firstByte read with the same checks, written back, read back equal")
    func policyFileRoundTrip() throws {
        let policy = try PolicyConfiguration.parse(#"{"timeout": {"duration": "2s", "firstByte": "200ms"}}"#, file: "p.json")
        #expect(policy == PolicyConfiguration(timeout: Self.expected))
        let text = try policy.jsonText()
        #expect(text == """
            {
              "timeout": {
                "duration": "2s",
                "firstByte": "200ms",
                "mode": "enforce",
                "enforcement": "cancel"
              }
            }

            """)
        #expect(try PolicyConfiguration.parse(text, file: "p.json") == policy)
        #expect(try PolicyConfiguration.parse(#"{"timeout": {}}"#, file: "p.json").jsonText().contains(#""firstByte": null"#))
        #expect(throws: InputFileError(file: "p.json", message: "timeout.firstByte: 3s is not allowed; allowed: (0, duration (2s)]")) {
            try PolicyConfiguration.parse(#"{"timeout": {"duration": "2s", "firstByte": "3s"}}"#, file: "p.json")
        }
    }

    // MARK: - resilience-lab

    @Test("resilience-lab's simulation names timeout.firstByte when it is set, and only then")
    func keysNotSimulated() {
        #expect(PolicyConfiguration(timeout: Self.expected).keysNotSimulated == ["timeout.firstByte"])
        #expect(PolicyConfiguration(timeout: TimeoutConfiguration(duration: .seconds(2))).keysNotSimulated.isEmpty)
        #expect(PolicyConfiguration().keysNotSimulated.isEmpty)
        // A key, not a section: the timeout section itself is simulated.
        #expect(PolicyConfiguration(timeout: Self.expected).sectionsNotSimulated.isEmpty)
    }
}
