import Foundation
import Resilience
import Testing
@testable import ResilienceConfiguration
@testable import ResilienceLab

@Suite("YAML scenario and policy files")
struct ScenarioYAMLTests {
    /// `SimulationScenarioTests.full` in YAML, flow and block styles mixed, as in the DocC example.
    static let full = """
        # The documented example.
        name: checkout-outage
        description: The payment provider goes down for 30 s during a sale.
        duration: 120s
        seed: 42
        traffic:
          rates:
            - {from: 0s, ratePerSecond: 800}
            - {from: 60s, ratePerSecond: 1200}
          bursts:
            - {at: 90s, calls: 2000, over: 2s}
          closedLoop: {clients: 20, thinkTime: {constant: 100ms}}
          priorities: {low: 0.2, normal: 0.6, high: 0.15, critical: 0.05}
          operations: {authorize: 0.9, refund: 0.1}
        dependency:
          workers: 50
          maxQueue: 100
          serviceTime:
            logNormal: {median: 20ms, p99: 200ms}
          phases:
            - {from: 30s, condition: down}
            - {from: 60s, condition: healthy}
            - {from: 70s, condition: failing, fraction: 0.3}
            - {from: 80s, condition: brownout, latencyMultiplier: 4}
            - {from: 90s, condition: flapping, period: 5s, downFraction: 0.4}
            - {from: 100s, condition: rateLimiting, capacityPerSecond: 500, retryAfter: 1s}
        """

    /// The error parsing `text` as a YAML scenario gives, as the command prints it.
    func error(_ text: String) -> String? {
        do {
            _ = try ScenarioDefinition.parseYAML(text, file: "s.yaml")
            return nil
        } catch {
            return error.description
        }
    }

    /// The error of the full example with `old` replaced by `new`.
    func errorInFull(_ old: String, _ new: String) -> String? {
        #expect(Self.full.contains(old))
        return error(Self.full.replacingOccurrences(of: old, with: new))
    }

    /// The JSON value of a YAML document, or the error as `LINE:COLUMN: MESSAGE`.
    func read(_ text: String) -> Result<JSONValue?, YAMLReadError> {
        Result { () throws(YAMLReadError) in try YAMLReader.parse(text) }
    }

    @Test("the documented example in YAML is the same scenario as the JSON example")
    func fullExample() throws {
        let json = try ScenarioDefinition.parse(SimulationScenarioTests.full, file: "s.json")
        let yaml = try ScenarioDefinition.parseYAML(Self.full, file: "s.yaml")
        #expect(yaml == json)
        #expect(yaml.name == "checkout-outage" && yaml.seed == 42 && yaml.dependency.behaviour.phases.count == 6)
        // All block style, with an anchor and an alias: still the same scenario.
        let block = """
            name: checkout-outage
            description: "The payment provider goes down for 30 s during a sale."
            duration: 120s
            seed: 42
            traffic:
              rates:
                - from: 0s
                  ratePerSecond: 800
                - from: 60s
                  ratePerSecond: 1.2e3
              bursts:
                - at: 90s
                  calls: 2000
                  over: 2s
              closedLoop:
                clients: 20
                thinkTime:
                  constant: &think 100ms
              priorities:
                low: 0.2
                normal: 0.6
                high: 0.15
                critical: 0.05
              operations:
                authorize: 0.9
                refund: 0.1
            dependency:
              workers: 0x32
              maxQueue: 100
              serviceTime: &service
                logNormal:
                  median: 20ms
                  p99: 200ms
              phases:
                - from: 30s
                  condition: down
                - from: 60s
                  condition: healthy
                - from: 70s
                  condition: failing
                  fraction: 0.3
                - from: 80s
                  condition: brownout
                  latencyMultiplier: 4
                - from: 90s
                  condition: flapping
                  period: 5s
                  downFraction: 0.4
                - from: 100s
                  condition: rateLimiting
                  capacityPerSecond: 500
                  retryAfter: 1s
            """
        #expect(try ScenarioDefinition.parseYAML(block, file: "s.yaml") == json)
        // An alias is a copy of the anchored node: here the dependency's service time is the think time.
        let aliased = block
            .replacingOccurrences(of: "    thinkTime:\n      constant: &think 100ms", with: "    thinkTime: &think {constant: 100ms}")
            .replacingOccurrences(of: "serviceTime: &service\n    logNormal:\n      median: 20ms\n      p99: 200ms", with: "serviceTime: *think")
        #expect(aliased.contains("&think {") && aliased.contains("serviceTime: *think"))
        let withAlias = try ScenarioDefinition.parseYAML(aliased, file: "s.yaml")
        #expect(withAlias.dependency.serviceTime == .constant(.milliseconds(100)))
        #expect(withAlias.traffic == json.traffic)
    }

    @Test("a bad field in YAML gets the same error, naming the field with its path, as in JSON")
    func fieldErrors() {
        #expect(errorInFull("fraction: 0.3", "fraction: 1.5")
            == "s.yaml: dependency.phases[2].fraction: 1.5 is not allowed; allowed: [0, 1]")
        #expect(errorInFull("workers: 50", "workers: fifty")
            == "s.yaml: dependency.workers must be an integer, got a string")
        #expect(errorInFull("p99: 200ms", "p99: 10ms")
            == "s.yaml: dependency.serviceTime.logNormal.p99: 10ms is not allowed; allowed: > median (20ms) and <= 1h")
        #expect(errorInFull("seed: 42", "sead: 42")
            == "s.yaml: unknown key \"sead\"; known: name, description, duration, seed, traffic, dependency")
        #expect(errorInFull("duration: 120s", "duration: 120")
            == #"s.yaml: duration must be a duration string with a unit such as "250ms", got a number"#)
        #expect(errorInFull("condition: down}", "condition: dead}")
            == #"s.yaml: dependency.phases[0].condition must be one of "healthy", "down", "failing", "brownout", "flapping", "rateLimiting", got "dead""#)
        // YAML 1.1's `yes` and `1_000` are plain strings in the core schema, so the field says so.
        #expect(errorInFull("ratePerSecond: 800", "ratePerSecond: 1_000")
            == "s.yaml: traffic.rates[0].ratePerSecond must be a number, got a string")
        #expect(errorInFull("maxQueue: 100", "maxQueue: ~")
            == "s.yaml: dependency.maxQueue must be an integer, got null")
    }

    @Test("a quoted scalar stays a string, and a field expecting a number or boolean names itself")
    func quotedScalars() {
        #expect(read(#"a: "true""#) == .success(.object(JSONObject(members: [("a", .string("true"))]))))
        #expect(read("a: 'true'") == .success(.object(JSONObject(members: [("a", .string("true"))]))))
        #expect(read("a: true") == .success(.object(JSONObject(members: [("a", .bool(true))]))))
        #expect(errorInFull("seed: 42", #"seed: "42""#) == "s.yaml: seed must be an integer, got a string")
        #expect(errorInFull("fraction: 0.3", #"fraction: "true""#)
            == "s.yaml: dependency.phases[2].fraction must be a number, got a string")
        #expect(errorInFull("fraction: 0.3", "fraction: true")
            == "s.yaml: dependency.phases[2].fraction must be a number, got a boolean")
        // A quoted duration is a string too, exactly as unquoted.
        #expect(errorInFull("duration: 120s", #"duration: "120s""#) == nil)
    }

    @Test("scalars follow the YAML 1.2 core schema")
    func coreSchema() throws {
        _ = try YAMLReader.coreSchema.get()
        let cases: [(yaml: String, value: JSONValue)] = [
            ("~", .null), ("null", .null), ("NULL", .null), ("", .null),
            ("true", .bool(true)), ("False", .bool(false)), ("TRUE", .bool(true)),
            ("42", .number(42)), ("-7", .number(-7)), ("+3", .number(3)), ("0o17", .number(15)), ("0x1F", .number(31)),
            ("010", .number(10)), ("0.25", .number(0.25)), ("-1.5e3", .number(-1_500)), (".5", .number(0.5)),
            ("20ms", .string("20ms")), ("yes", .string("yes")), ("no", .string("no")), ("on", .string("on")),
            ("1_000", .string("1_000")), ("1:30", .string("1:30")), ("2024-01-01", .string("2024-01-01")),
            ("'42'", .string("42")), ("\"null\"", .string("null")), ("!!str 42", .string("42")),
            ("!!int \"42\"", .number(42)), ("!!float 1", .number(1)), ("'a: b'", .string("a: b")),
        ]
        for (yaml, value) in cases {
            #expect(read("v: \(yaml)") == .success(.object(JSONObject(members: [("v", value)]))), "\(yaml)")
        }
        #expect(read("[1, [2, {a: b}]]") == .success(.array([.number(1), .array([.number(2), .object(JSONObject(members: [("a", .string("b"))]))])])))
        // Key order is the document's.
        #expect(read("z: 1\na: 2\nm: 3") == .success(.object(JSONObject(members: [("z", .number(1)), ("a", .number(2)), ("m", .number(3))]))))
        let errors: [(yaml: String, message: String)] = [
            ("a:\n  b: .inf", "2:6: a.b: .inf is not allowed; allowed: a finite number"),
            ("a: [1, .nan]", "1:8: a[1]: .nan is not allowed; allowed: a finite number"),
            ("a: 1e999", "1:4: a: 1e999 is not allowed; allowed: a finite number"),
            ("a: 0x10000000000000000", #"1:4: a: "0x10000000000000000" is not an integer that fits in 64 bits"#),
            ("a: !!int ten", #"1:4: a: "ten" is not an integer that fits in 64 bits"#),
            ("a: !!bool yes", #"1:4: a: "yes" is not a boolean; allowed: true, false"#),
            ("a: !!binary aGk=", "1:4: a: the tag !!binary is not supported; allowed: !!str, !!int, !!float, !!bool, !!null"),
            ("a: !custom x", "1:4: a: the tag !custom is not supported; allowed: !!str, !!int, !!float, !!bool, !!null"),
            ("a: !!set {x: ~}", "1:4: a: the tag !!set is not supported here; allowed: !!map"),
            ("ops:\n  1: 0.5", #"2:3: ops: the key 1 must be a string, got a number; quote it: "1""#),
            ("ops: {true: 1}", #"1:7: ops: the key true must be a string, got a boolean; quote it: "true""#),
            ("? [a]\n: 1", "1:3: the document: a key must be a string, got a sequence"),
            ("base: &b {x: 1}\nother:\n  <<: *b", "3:3: other: merge keys (<<) are not supported; write the keys out"),
        ]
        for (yaml, message) in errors {
            switch read(yaml) {
            case .success(let value):
                Issue.record("\(yaml) read as \(String(describing: value)), expected \(message)")
            case .failure(let error):
                #expect("\(error.line ?? 0):\(error.column ?? 0): \(error.message)" == message)
            }
        }
        // Quoted keys that look like numbers are fine.
        #expect(read(#"ops: {"1": 0.5}"#) == .success(.object(JSONObject(members: [("ops", .object(JSONObject(members: [("1", .number(0.5))])))]))))
    }

    @Test("a YAML syntax error names its line, and its column in the message")
    func syntaxErrors() {
        let unclosed = Self.full.replacingOccurrences(of: "- {at: 90s, calls: 2000, over: 2s}", with: "- {at: 90s, calls: 2000, over: 2s")
        #expect(unclosed != Self.full)
        let message = error(unclosed)
        #expect(message?.hasPrefix("s.yaml:12: column ") == true, "\(message ?? "nil")")
        do {
            _ = try ScenarioDefinition.parseYAML("name: x\nduration: 1s\n  seed: 3\n", file: "s.yaml")
            Issue.record("a badly indented key was accepted")
        } catch {
            #expect(error.line == 3)
            #expect(error.description.hasPrefix("s.yaml:3: column "))
            #expect(error.message.contains("mapping values are not allowed"), "\(error.message)")
        }
        #expect(error("name: x\ntraffic: [1, 2\n") != nil)
        #expect(error("a: \"unterminated\nb: 1\n")?.hasPrefix("s.yaml:") == true)
        // A control character is refused by the reader, which gives an offset; the line is computed.
        let control = error("name: x\nseed: 1\ndescription: a\u{7}b\n")
        #expect(control?.hasPrefix("s.yaml:3: column 15: control characters are not allowed") == true, "\(control ?? "nil")")
        // A tab where YAML wants spaces.
        let tab = error("traffic:\n\trates: []\n")
        #expect(tab?.hasPrefix("s.yaml:2: column ") == true, "\(tab ?? "nil")")
    }

    @Test("a duplicate key is an error naming it")
    func duplicateKey() {
        #expect(error("name: a\nduration: 1s\nname: b\n") == #"s.yaml:1: column 1: duplicate key "name": it appears again later in the same mapping"#)
        let nested = errorInFull("workers: 50\n", "workers: 50\n  workers: 60\n")
        // Yams reports the first of the two (line 16), the message says so.
        #expect(nested == #"s.yaml:16: column 3: duplicate key "workers": it appears again later in the same mapping"#)
    }

    @Test("several documents, an empty file or another kind of document are errors")
    func documents() {
        #expect(error("name: a\n---\nname: b\n") == "s.yaml:3: column 1: a second YAML document; the file must hold exactly one")
        #expect(error("---\nname: a\n...\n---\n- 1\n") == "s.yaml:5: column 1: a second YAML document; the file must hold exactly one")
        #expect(error("") == "s.yaml: the scenario must be a mapping, got an empty file")
        #expect(error("# only a comment\n\n") == "s.yaml: the scenario must be a mapping, got an empty file")
        #expect(error("- name: a\n") == "s.yaml: the scenario must be a mapping, got a sequence")
        #expect(error("checkout") == "s.yaml: the scenario must be a mapping, got a string")
        #expect(error("---\n") == "s.yaml: the scenario must be a mapping, got null")
        // A single document with explicit markers is fine.
        #expect(error("---\n" + Self.full + "\n...\n") == nil)
    }

    static let policyJSON = """
        {"retry": {"maxAttempts": 3, "backoff": "exponential", "baseDelay": "200ms", "jitter": "full"},
         "circuitBreaker": {"window": "count", "windowSize": 20, "failureRatio": 0.5, "breakDuration": "30s",
                            "slowCallDuration": null},
         "timeout": {"duration": "2s"},
         "loadShedder": {"inFlight": {"low": 50, "normal": 80, "high": 95}, "retryAfter": "1s"},
         "rateLimiter": {"permitsPerSecond": 100, "burst": 20, "maxWait": "50ms"},
         "concurrencyLimit": {"algorithm": "aimd", "initialLimit": 20, "aimd": {"timeout": "300ms"}},
         "bulkhead": {"maxConcurrent": 25, "maxQueued": 10, "maxWait": null}}
        """

    static let policyYAML = """
        retry: {maxAttempts: 3, backoff: exponential, baseDelay: 200ms, jitter: full}
        circuitBreaker:
          window: count
          windowSize: 20
          failureRatio: 0.5
          breakDuration: 30s
          slowCallDuration: ~
        timeout:
          duration: 2s
        loadShedder:
          inFlight: {low: 50, normal: 80, high: 95}
          retryAfter: 1s
        rateLimiter: {permitsPerSecond: 100, burst: 20, maxWait: 50ms}
        concurrencyLimit:
          algorithm: aimd
          initialLimit: 20
          aimd:
            timeout: 300ms
        bulkhead: {maxConcurrent: 25, maxQueued: 10, maxWait: null}
        """

    @Test("a YAML policy file is the same PolicyFile as its JSON twin; its errors name the key")
    func policyFile() throws {
        let json = try PolicyFile.parse(Self.policyJSON, file: "policy.json")
        let yaml = try PolicyFile.parseYAML(Self.policyYAML, file: "policy.yaml")
        #expect(yaml == json)
        #expect(yaml.retry != nil && yaml.circuitBreaker?.slowCallDuration == nil && yaml.bulkhead != nil)
        #expect(yaml.concurrencyLimit != nil && yaml.loadShedder != nil && yaml.rateLimiter != nil && yaml.timeout != nil)
        func policyError(_ text: String) -> String? {
            do {
                _ = try PolicyFile.parseYAML(text, file: "policy.yaml")
                return nil
            } catch {
                return error.description
            }
        }
        #expect(policyError("retry: {maxAttempts: 0}") == "policy.yaml: retry.maxAttempts: 0 is not allowed; allowed: 1...1000")
        #expect(policyError(#"retry: {maxAttempts: "3"}"#) == "policy.yaml: retry.maxAttempts must be an integer, got a string")
        #expect(policyError("hedge: {}")?.hasPrefix(#"policy.yaml: unknown section "hedge""#) == true)
        #expect(policyError("timeout: {duration: 1s}\nadaptiveTimeout: {}") == "policy.yaml: timeout and adaptiveTimeout: an attempt has one timeout; keep one of the two sections")
        #expect(policyError("") == "policy.yaml: the policy must be a mapping, got an empty file")
        #expect(policyError("retry: {maxAttempts: 3\n") != nil)
    }

    @Test("load(path:) reads .yaml and .yml as YAML and every other name as JSON")
    func loadByExtension() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("yaml-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func write(_ name: String, _ text: String) throws -> String {
            let path = directory.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let expected = try ScenarioDefinition.parse(SimulationScenarioTests.full, file: "s.json")
        #expect(try ScenarioDefinition.load(path: write("a.yaml", Self.full)) == expected)
        #expect(try ScenarioDefinition.load(path: write("b.YML", Self.full)) == expected)
        #expect(try ScenarioDefinition.load(path: write("c.json", SimulationScenarioTests.full)) == expected)
        // JSON is YAML, but a .json file is read by the strict JSON reader, and YAML text there fails.
        #expect(try ScenarioDefinition.load(path: write("d.yaml", SimulationScenarioTests.full)) == expected)
        let yamlAsJSON = try write("e.json", Self.full)
        #expect(throws: LabInputError.self) { try ScenarioDefinition.load(path: yamlAsJSON) }
        let policy = try PolicyFile.parse(Self.policyJSON, file: "policy.json")
        #expect(try PolicyFile.load(path: write("policy.yml", Self.policyYAML)) == policy)
        #expect(try PolicyFile.load(path: write("policy.json", Self.policyJSON)) == policy)
        let policyYAMLAsJSON = try write("policy2.json", Self.policyYAML)
        #expect(throws: LabInputError.self) { try PolicyFile.load(path: policyYAMLAsJSON) }
    }
}
