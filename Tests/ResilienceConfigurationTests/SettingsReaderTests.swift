import Foundation
import Resilience
import Testing
@testable import ResilienceConfiguration

/// Writes configuration files into a fresh temporary directory.
struct ConfigurationFiles {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "resilience-settings-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// Writes `text` to `name` in the directory; returns its path.
    func write(_ name: String, _ text: String) throws -> String {
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

/// The problems `read` reports, as their lines; empty (and a recorded issue) when it succeeds.
func problemLines(
    files: [String], environment: [String: String] = [:], profile: ResilienceProfile? = nil
) -> [String] {
    do {
        let settings = try ResilienceSettings.read(files: files, environment: environment, profile: profile)
        Issue.record("expected problems, read \(settings)")
        return []
    } catch {
        return error.problems.map(\.description)
    }
}

@Suite("Reading settings from files and the environment")
struct SettingsReaderTests {
    // MARK: - Files

    @Test("A YAML file's policy: the keys it gives over the defaults, every other key at its default")
    func yamlPolicy() throws {
        let files = try ConfigurationFiles()
        let path = try files.write("service.yaml", """
            service: {port: 8080}   # not ours: left alone
            resilience:
              policies:
                payments:
                  retry: {maxAttempts: 4, baseDelay: 200ms}
                  circuitBreaker:
                    failureRatio: 0.25
                    halfOpenMaxDuration: null
                  timeout: {duration: 2s}
            """)
        let settings = try ResilienceSettings.read(files: [path], environment: [:])
        var retry = RetryConfiguration()
        retry.maxAttempts = 4
        retry.baseDelay = .milliseconds(200)
        var breaker = CircuitBreakerConfiguration()
        breaker.failureRatio = 0.25
        breaker.halfOpenMaxDuration = nil
        #expect(settings == ResilienceSettings(policies: [
            "payments": PolicyConfiguration(retry: retry, circuitBreaker: breaker, timeout: TimeoutConfiguration(duration: .seconds(2)))
        ]))
        #expect(settings.isEnabled)
        #expect(settings.profile == .production)
        #expect(settings.operationTimeouts == ["llm": .seconds(60), "auth": .seconds(5), "db": .seconds(10), "http": .seconds(15)])
    }

    @Test("Every section round-trips: a policy written as POLICY.json, put under resilience.policies, reads back equal")
    func everySectionRoundTrips() throws {
        let policy = try PolicyConfiguration.parse("""
            {
              "loadShedder": {"inFlight": {"low": 50, "normal": 80, "high": null}, "queueDepth": {"low": 10}, "retryAfter": "2s"},
              "retry": {"maxAttempts": 5, "backoff": "linear", "baseDelay": "150ms", "maxDelay": "3s", "jitter": "equal",
                        "budgetRatio": 0.2, "budgetMinPerSecond": 5, "budgetWindow": "20s"},
              "circuitBreaker": {"window": "count", "windowSize": 50, "minimumThroughput": 7, "failureRatio": 0.3,
                                 "slowCallDuration": "800ms", "slowCallRatio": 0.6, "breakDuration": "12s",
                                 "breakDurationMultiplier": 2, "maxBreakDuration": "2m", "halfOpenPermittedCalls": 4,
                                 "halfOpenSuccessRatio": 0.75, "halfOpenMaxDuration": null},
              "rateLimiter": {"permitsPerSecond": 40, "burst": 10, "maxWait": "50ms", "maxKeys": 500},
              "concurrencyLimit": {"algorithm": "vegas", "initialLimit": 10, "minLimit": 2, "maxLimit": 90,
                                   "vegas": {"smoothing": 0.5, "alphaFactor": 2, "betaFactor": 5, "probeMultiplier": 20}},
              "timeout": {"duration": "900ms", "mode": "shadow"},
              "bulkhead": {"maxConcurrent": 12, "maxQueued": 3, "maxWait": "40ms"},
              "fallback": {"timeToLive": "5m", "maximumKeys": 200},
              "cascade": {"samplingDuration": "20s", "failureRatio": 0.4, "minimumAdmittedPriority": "high"},
              "hedging": {"hedgingDelay": "150ms", "maxHedgedAttempts": 2}
            }
            """, file: "policy.json")
        #expect(policy.fallback?.timeToLive == .seconds(300))
        #expect(policy.cascade?.minimumAdmittedPriority == .high)
        #expect(policy.hedging?.maxHedgedAttempts == 2)
        #expect(policy.timeout?.mode == .shadow)
        let files = try ConfigurationFiles()
        let text = try policy.jsonText()
        let path = try files.write("service.json", #"{"resilience": {"policies": {"checkout": \#(text)}}}"#)
        let settings = try ResilienceSettings.read(files: [path], environment: [:])
        #expect(settings.policies == ["checkout": policy])
    }

    @Test("An adaptive timeout round-trips; with a fixed timeout beside it, it is a problem naming both")
    func adaptiveTimeout() throws {
        let files = try ConfigurationFiles()
        let path = try files.write("service.yaml", """
            resilience:
              policies:
                search: {adaptiveTimeout: {percentile: 0.95, minimum: 20ms}}
                both: {timeout: {duration: 1s}, adaptiveTimeout: {}}
            """)
        #expect(problemLines(files: [path]) == [
            "resilience.policies.both.timeout and resilience.policies.both.adaptiveTimeout: an attempt has one timeout; keep one of the two sections"
        ])
        let single = try files.write("single.yaml", "resilience: {policies: {search: {adaptiveTimeout: {percentile: 0.95, minimum: 20ms}}}}")
        var expected = AdaptiveTimeoutConfiguration()
        expected.percentile = 0.95
        expected.minimum = .milliseconds(20)
        #expect(try ResilienceSettings.read(files: [single], environment: [:]).policies["search"]?.adaptiveTimeout == expected)
    }

    @Test("A fallback section must give its timeToLive")
    func fallbackRequiresTimeToLive() throws {
        let files = try ConfigurationFiles()
        let path = try files.write("service.yaml", "resilience: {policies: {prices: {fallback: {maximumKeys: 10}}}}")
        #expect(problemLines(files: [path]) == [
            #"missing "resilience.policies.prices.fallback.timeToLive" (how old a value may be and still be served is the service's decision)"#
        ])
    }

    @Test("A policy with no sections is a pass-through: present, with nothing configured")
    func emptyPolicy() throws {
        let files = try ConfigurationFiles()
        let path = try files.write("service.json", #"{"resilience": {"policies": {"audit": {}}}}"#)
        #expect(try ResilienceSettings.read(files: [path], environment: [:]).policies == ["audit": PolicyConfiguration()])
    }

    @Test("A file with no resilience object gives the defaults")
    func noResilienceObject() throws {
        let files = try ConfigurationFiles()
        let path = try files.write("service.json", #"{"database": {"url": "x"}}"#)
        #expect(try ResilienceSettings.read(files: [path], environment: [:]) == ResilienceSettings())
    }

    @Test("A later file overrides an earlier one key by key; operation timeouts add to the defaults")
    func laterFileOverrides() throws {
        let files = try ConfigurationFiles()
        let base = try files.write("base.yaml", """
            resilience:
              timeouts: {llm: 90s, search: 2s}
              policies:
                payments:
                  circuitBreaker: {failureRatio: 0.25, breakDuration: 20s}
            """)
        let production = try files.write("production.json", """
            {"resilience": {"enabled": false, "timeouts": {"search": "3s"},
             "policies": {"payments": {"circuitBreaker": {"breakDuration": "45s"}}}}}
            """)
        let settings = try ResilienceSettings.read(files: [base, production], environment: [:])
        var breaker = CircuitBreakerConfiguration()
        breaker.failureRatio = 0.25
        breaker.breakDuration = .seconds(45)
        #expect(settings.policies["payments"]?.circuitBreaker == breaker)
        #expect(!settings.isEnabled)
        #expect(settings.operationTimeouts["llm"] == .seconds(90))
        #expect(settings.operationTimeouts["search"] == .seconds(3))
        #expect(settings.operationTimeouts["db"] == .seconds(10))
    }

    // MARK: - The environment

    @Test(
        "Environment variable names follow swift-configuration's mapping",
        arguments: [
            ("resilience.enabled", "RESILIENCE_ENABLED"),
            ("resilience.profile", "RESILIENCE_PROFILE"),
            ("resilience.timeouts.llm", "RESILIENCE_TIMEOUTS_LLM"),
            ("resilience.policies.payments.circuitBreaker.failureRatio", "RESILIENCE_POLICIES_PAYMENTS_CIRCUIT_BREAKER_FAILURE_RATIO"),
            ("resilience.policies.payments.circuitBreaker.halfOpenMaxDuration", "RESILIENCE_POLICIES_PAYMENTS_CIRCUIT_BREAKER_HALF_OPEN_MAX_DURATION"),
            ("resilience.policies.llm-gateway.retry.maxAttempts", "RESILIENCE_POLICIES_LLM_GATEWAY_RETRY_MAX_ATTEMPTS"),
            ("resilience.policies.orders.rateLimiter.permitsPerSecond", "RESILIENCE_POLICIES_ORDERS_RATE_LIMITER_PERMITS_PER_SECOND"),
            ("resilience.policies.orders.loadShedder.thresholds.high", "RESILIENCE_POLICIES_ORDERS_LOAD_SHEDDER_THRESHOLDS_HIGH"),
            ("resilience.policies.db2.concurrencyLimit.gradient2.rttTolerance", "RESILIENCE_POLICIES_DB2_CONCURRENCY_LIMIT_GRADIENT2_RTT_TOLERANCE"),
            ("resilience.policies.api.bulkhead.maxConcurrent", "RESILIENCE_POLICIES_API_BULKHEAD_MAX_CONCURRENT"),
            ("resilience.policies.api.timeout.duration", "RESILIENCE_POLICIES_API_TIMEOUT_DURATION"),
        ])
    func environmentNames(key: String, variable: String) {
        let reader = SettingsReader(environment: [:])
        #expect(reader.environmentName(of: key) == variable)
    }

    @Test("Every key of every section is reachable from its environment variable, for a policy the files do not name")
    func everyKeyFromTheEnvironment() {
        for suffix in SettingsReader.policyKeySuffixes {
            var reader = SettingsReader(environment: [:])
            let variable = reader.environmentName(of: "resilience.policies.llm-gateway.\(suffix)")
            reader = SettingsReader(environment: [variable: "1"])
            reader.readEnvironment()
            #expect(reader.environmentKeys == ["resilience.policies.llm-gateway.\(suffix)": variable], "\(variable)")
            #expect(reader.problems.isEmpty, "\(variable): \(reader.problems)")
        }
    }

    @Test("The environment overrides the files; null turns a key off; a variable alone makes a policy")
    func environmentOverridesFiles() throws {
        let files = try ConfigurationFiles()
        let path = try files.write("service.yaml", """
            resilience:
              policies:
                payments:
                  circuitBreaker: {failureRatio: 0.25, slowCallDuration: 2s}
            """)
        let settings = try ResilienceSettings.read(files: [path], environment: [
            "RESILIENCE_POLICIES_PAYMENTS_CIRCUIT_BREAKER_FAILURE_RATIO": "0.5",
            "RESILIENCE_POLICIES_PAYMENTS_CIRCUIT_BREAKER_SLOW_CALL_DURATION": "null",
            "RESILIENCE_POLICIES_SEARCH_API_TIMEOUT_DURATION": "750ms",
            "RESILIENCE_TIMEOUTS_AUTH": "2s",
            "RESILIENCE_ENABLED": "false",
            "HOME": "/root",  // not ours
        ])
        var breaker = CircuitBreakerConfiguration()
        breaker.failureRatio = 0.5
        breaker.slowCallDuration = nil
        #expect(settings.policies == [
            "payments": PolicyConfiguration(circuitBreaker: breaker),
            "search-api": PolicyConfiguration(timeout: TimeoutConfiguration(duration: .milliseconds(750))),
        ])
        #expect(settings.operationTimeouts["auth"] == .seconds(2))
        #expect(!settings.isEnabled)
    }

    @Test("A variable that could be read two ways is the key of a policy the files name")
    func ambiguousVariableResolvedByAFile() throws {
        // RESILIENCE_POLICIES_X_TIMEOUT_TIMEOUT_DURATION: policy "x-timeout" key timeout.duration, or a policy "x" key
        // "timeout.timeout.duration" (no such key): one reading. A real ambiguity needs a key whose encoding ends
        // with another's; with the keys there are today there is none, so the reading is unique.
        let files = try ConfigurationFiles()
        let path = try files.write("service.json", #"{"resilience": {"policies": {"x-timeout": {}}}}"#)
        let settings = try ResilienceSettings.read(files: [path], environment: ["RESILIENCE_POLICIES_X_TIMEOUT_TIMEOUT_DURATION": "1s"])
        #expect(settings.policies == ["x-timeout": PolicyConfiguration(timeout: TimeoutConfiguration(duration: .seconds(1)))])
    }

    // MARK: - Profiles

    @Test("The development profile's defaults, under the keys a file gives")
    func developmentProfile() throws {
        let files = try ConfigurationFiles()
        let path = try files.write("service.yaml", """
            resilience:
              profile: development
              policies:
                payments:
                  circuitBreaker: {maxBreakDuration: 1m}
                  retry: {}
            """)
        let settings = try ResilienceSettings.read(files: [path], environment: [:])
        #expect(settings.profile == .development)
        var breaker = CircuitBreakerConfiguration()
        breaker.breakDuration = .seconds(5)
        breaker.maxBreakDuration = .seconds(60)
        breaker.halfOpenMaxDuration = .seconds(10)
        var retry = RetryConfiguration()
        retry.budgetRatio = 1_000
        retry.budgetMinPerSecond = 1_000_000
        #expect(settings.policies["payments"] == PolicyConfiguration(retry: retry, circuitBreaker: breaker))
    }

    @Test("The profile: the option over the environment over the files")
    func profilePrecedence() throws {
        let files = try ConfigurationFiles()
        let path = try files.write("service.yaml", """
            resilience:
              profile: development
              policies: {payments: {circuitBreaker: {}}}
            """)
        let environment = ["RESILIENCE_PROFILE": "staging"]
        #expect(try ResilienceSettings.read(files: [path], environment: [:]).profile == .development)
        let staging = try ResilienceSettings.read(files: [path], environment: environment)
        #expect(staging.profile == .staging)
        #expect(staging.policies["payments"]?.circuitBreaker?.breakDuration == .seconds(10))
        let production = try ResilienceSettings.read(files: [path], environment: environment, profile: .production)
        #expect(production.profile == .production)
        #expect(production.policies["payments"]?.circuitBreaker == CircuitBreakerConfiguration())
    }

    @Test("A profile's default that breaks a rule with a given key is reported like any bad key")
    func profileDefaultAgainstGivenKey() throws {
        let files = try ConfigurationFiles()
        // development: maxBreakDuration 30s, under a given breakDuration of 45s.
        let path = try files.write("service.yaml", """
            resilience:
              profile: development
              policies: {payments: {circuitBreaker: {breakDuration: 45s}}}
            """)
        #expect(problemLines(files: [path]) == [
            "resilience.policies.payments.circuitBreaker.maxBreakDuration: 30s is not allowed; allowed: >= breakDuration (45s)"
        ])
    }

    // MARK: - Validation

    @Test("Every bad key at once, each with its full path, the value, what is allowed and where it came from")
    func everyBadKey() throws {
        let files = try ConfigurationFiles()
        let path = try files.write("service.yaml", """
            resilience:
              policies:
                payments:
                  circuitBreaker: {failureRatio: 1.5, breakDuration: 0s, halfOpenPermittedCalls: 0}
                  retry: {maxAttempts: 0}
                  bulkhead: {maxConcurrent: many}
            """)
        #expect(problemLines(files: [path], environment: ["RESILIENCE_POLICIES_PAYMENTS_TIMEOUT_DURATION": "-1s"]) == [
            "resilience.policies.payments.bulkhead.maxConcurrent must be an integer, got a string (in \(path))",
            "resilience.policies.payments.retry.maxAttempts: 0 is not allowed; allowed: 1...1000 (in \(path))",
            "resilience.policies.payments.circuitBreaker.failureRatio: 1.5 is not allowed; allowed: (0, 1] with at most 9 decimal places (in \(path))",
            "resilience.policies.payments.circuitBreaker.breakDuration: 0s is not allowed; allowed: > 0 (in \(path))",
            "resilience.policies.payments.circuitBreaker.halfOpenPermittedCalls: 0 is not allowed; allowed: >= 1 (in \(path))",
            "resilience.policies.payments.timeout.duration must be a duration such as 250ms: \(durationError("-1s")) (in RESILIENCE_POLICIES_PAYMENTS_TIMEOUT_DURATION)",
        ])
    }

    @Test("Unknown keys, sections and variables are errors: typos never become defaults")
    func unknownKeys() throws {
        let files = try ConfigurationFiles()
        let path = try files.write("service.yaml", """
            resilience:
              enabld: false
              policies:
                payments:
                  circuitBreakr: {}
                  retry: {maxAttempt: 3}
            """)
        #expect(problemLines(files: [path], environment: ["RESILIENCE_POLICIES_PAYMENTS_RETRY_MAX_ATTEMPT": "3", "RESILIENCE_ENABLE": "1"]) == [
            "unknown key \"resilience.enabld\"; known: enabled, profile, timeouts, policies (in \(path))",
            "unknown section \"resilience.policies.payments.circuitBreakr\"; known: \(PolicyConfiguration.sectionNames.joined(separator: ", ")) (in \(path))",
            "unknown key \"resilience.policies.payments.retry.maxAttempt\"; known: \(RetryConfiguration.keys.map(\.name).joined(separator: ", ")) (in \(path))",
            "RESILIENCE_ENABLE: unknown environment variable: it maps to no key under resilience (in environment)",
            "RESILIENCE_POLICIES_PAYMENTS_RETRY_MAX_ATTEMPT: unknown environment variable: it maps to no key under resilience (in environment)",
        ])
    }

    @Test("Policy names and operation types are lowercase letters, digits and -")
    func badNames() throws {
        let files = try ConfigurationFiles()
        let path = try files.write("service.json", #"{"resilience": {"timeouts": {"LLM": "1s"}, "policies": {"Payments": {}, "a_b": {}}}}"#)
        #expect(problemLines(files: [path]) == [
            "resilience.timeouts.LLM: an operation type is lowercase letters, digits and -, got \"LLM\" (in \(path))",
            "resilience.policies.Payments: a policy name is lowercase letters, digits and -, got \"Payments\" (in \(path))",
            "resilience.policies.a_b: a policy name is lowercase letters, digits and -, got \"a_b\" (in \(path))",
        ])
    }

    @Test("Bad values of the top-level keys, from a file and from the environment")
    func badTopLevelValues() throws {
        let files = try ConfigurationFiles()
        let path = try files.write("service.json", #"{"resilience": {"enabled": "yes", "profile": "prod", "timeouts": {"db": "0s"}}}"#)
        #expect(problemLines(files: [path], environment: ["RESILIENCE_TIMEOUTS_LLM": "soon"]) == [
            "resilience.enabled must be true or false, got a string (in \(path))",
            "resilience.profile must be one of \"development\", \"staging\", \"production\", got \"prod\" (in \(path))",
            "resilience.timeouts.db: 0s is not allowed; allowed: > 0 (in \(path))",
            "resilience.timeouts.llm must be a duration such as 250ms: \(durationError("soon")) (in RESILIENCE_TIMEOUTS_LLM)",
        ])
        #expect(problemLines(files: [], environment: ["RESILIENCE_ENABLED": "no", "RESILIENCE_PROFILE": "prod"]) == [
            "resilience.enabled must be true or false, got \"no\" (in RESILIENCE_ENABLED)",
            "resilience.profile must be one of \"development\", \"staging\", \"production\", got \"prod\" (in RESILIENCE_PROFILE)",
        ])
    }

    @Test("A file that cannot be read or parsed is a problem naming the file, and the other files are still checked")
    func unreadableFiles() throws {
        let files = try ConfigurationFiles()
        let broken = try files.write("broken.json", #"{"resilience": "#)
        let bad = try files.write("bad.json", #"{"resilience": {"policies": {"p": {"retry": {"maxAttempts": 0}}}}}"#)
        let lines = problemLines(files: [files.directory + "/missing.yaml", broken, bad])
        #expect(lines.count == 3)
        #expect(lines.first?.contains("missing.yaml") == true)
        #expect(lines.dropFirst().first?.contains("broken.json") == true)
        #expect(lines.last == "resilience.policies.p.retry.maxAttempts: 0 is not allowed; allowed: 1...1000 (in \(bad))")
    }

    @Test("An object key from the environment: only null, and only where the object can be off")
    func objectFromTheEnvironment() throws {
        #expect(problemLines(files: [], environment: ["RESILIENCE_POLICIES_P_CONCURRENCY_LIMIT_AIMD": "1"]) == [
            "resilience.policies.p.concurrencyLimit.aimd is an object; set its keys (in RESILIENCE_POLICIES_P_CONCURRENCY_LIMIT_AIMD)"
        ])
    }

    @Test("Another algorithm's parameters are refused, naming the key")
    func otherAlgorithmsParameters() throws {
        #expect(problemLines(files: [], environment: [
            "RESILIENCE_POLICIES_P_CONCURRENCY_LIMIT_ALGORITHM": "vegas",
            "RESILIENCE_POLICIES_P_CONCURRENCY_LIMIT_AIMD_TIMEOUT": "1s",
        ]) == [
            #"resilience.policies.p.concurrencyLimit.aimd: parameters is not allowed; allowed: only when algorithm is "aimd" (it is "vegas") (in RESILIENCE_POLICIES_P_CONCURRENCY_LIMIT_AIMD_TIMEOUT)"#
        ])
    }
}

/// The message of `DurationText` for `text`.
func durationError(_ text: String) -> String {
    do {
        _ = try DurationText.parse(text)
        return "(accepted)"
    } catch {
        return "\(error)"
    }
}
