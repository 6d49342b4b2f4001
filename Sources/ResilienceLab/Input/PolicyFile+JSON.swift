import Resilience

/// Writing a policy file back as `POLICY.json` text.
extension PolicyFile {
    /// The policy as `POLICY.json` text that ``parse(_:file:)`` reads back to an equal value.
    ///
    /// Every section that is set is written with **all** its keys, explicit (defaults included), in the
    /// order the reader lists them: sections `retry`, `circuitBreaker`, `timeout`, `loadShedder`,
    /// `rateLimiter`, `concurrencyLimit`, `bulkhead`; keys in the order of the tables on the
    /// configurations. Durations are strings with a unit (``DurationText/format(_:)``: `"250ms"`,
    /// `"1.5s"`), an optional setting that is off is `null` (a load shedder's unused `inFlight` or
    /// `queueDepth` thresholds are left out: the reader takes no `null` for them), numbers are the shortest text that reads
    /// back to the same `Double`. Pretty-printed with a 2-space indent and a final newline; a policy with
    /// no section is `{}`.
    ///
    /// ```json
    /// {
    ///   "timeout": {
    ///     "duration": "2s"
    ///   }
    /// }
    /// ```
    /// - Throws: ``ConfigurationError`` for a setting a policy file cannot express, naming its key: a
    ///   load shedder's `pressure` signals (not a key of the file: a trace has no readings), a duration
    ///   that is not a whole number of nanoseconds, or a number that is not finite. Nothing is dropped.
    public func jsonText() throws(ConfigurationError) -> String {
        var sections: [JSONWriter.Member] = []
        if let retry { sections.append(("retry", try Self.json(retry, in: PolicySection("retry")))) }
        if let circuitBreaker { sections.append(("circuitBreaker", try Self.json(circuitBreaker, in: PolicySection("circuitBreaker")))) }
        if let timeout { sections.append(("timeout", try PolicySection("timeout").object([.duration("duration", timeout.duration)]))) }
        if let loadShedder { sections.append(("loadShedder", try Self.json(loadShedder, in: PolicySection("loadShedder")))) }
        if let rateLimiter { sections.append(("rateLimiter", try Self.json(rateLimiter, in: PolicySection("rateLimiter")))) }
        if let concurrencyLimit { sections.append(("concurrencyLimit", try Self.json(concurrencyLimit, in: PolicySection("concurrencyLimit")))) }
        if let bulkhead { sections.append(("bulkhead", try Self.json(bulkhead, in: PolicySection("bulkhead")))) }
        return JSONWriter.text(.object(sections, layout: .lines)) + "\n"
    }

    private static func json(_ c: RetryConfiguration, in s: PolicySection) throws(ConfigurationError) -> JSONWriter.Value {
        try s.object([
            .integer("maxAttempts", c.maxAttempts), .string("backoff", c.backoff.rawValue),
            .duration("baseDelay", c.baseDelay), .number("multiplier", c.multiplier),
            .duration("maxDelay", c.maxDelay), .string("jitter", c.jitter.rawValue),
            .number("budgetRatio", c.budgetRatio), .number("budgetMinPerSecond", c.budgetMinPerSecond),
            .duration("budgetWindow", c.budgetWindow),
        ])
    }

    private static func json(_ c: CircuitBreakerConfiguration, in s: PolicySection) throws(ConfigurationError) -> JSONWriter.Value {
        try s.object([
            .string("window", c.window.rawValue), .duration("samplingDuration", c.samplingDuration),
            .integer("windowBuckets", c.windowBuckets), .integer("windowSize", c.windowSize),
            .integer("minimumThroughput", c.minimumThroughput), .number("failureRatio", c.failureRatio),
            .duration("slowCallDuration", c.slowCallDuration), .number("slowCallRatio", c.slowCallRatio),
            .duration("breakDuration", c.breakDuration),
            .number("breakDurationMultiplier", c.breakDurationMultiplier),
            .duration("maxBreakDuration", c.maxBreakDuration),
            .integer("halfOpenPermittedCalls", c.halfOpenPermittedCalls),
            .number("halfOpenSuccessRatio", c.halfOpenSuccessRatio),
            .duration("halfOpenMaxDuration", c.halfOpenMaxDuration),
        ])
    }

    private static func json(_ c: LoadShedderConfiguration, in s: PolicySection) throws(ConfigurationError) -> JSONWriter.Value {
        guard c.pressure.isEmpty else {
            throw ConfigurationError(
                key: "loadShedder.pressure", value: c.pressureSignalNames.joined(separator: ", "),
                allowed: "no pressure signals (a policy file cannot configure them)")
        }
        return try s.object([
            thresholds("inFlight", c.inFlight), thresholds("queueDepth", c.queueDepth),
            .duration("retryAfter", c.retryAfter),
        ])
    }

    /// `{"low": 50, "normal": 80, "high": null}`, or no key at all when the signal is not used (the
    /// only way the file says so: the reader takes `inFlight` and `queueDepth` as objects).
    private static func thresholds(_ key: String, _ t: LoadShedThresholds<Int>?) -> PolicySection.Field {
        guard let t else { return .omitted }
        return .object(key, [.integer("low", t.low), .integer("normal", t.normal), .integer("high", t.high)])
    }

    private static func json(_ c: KeyedRateLimiterConfiguration, in s: PolicySection) throws(ConfigurationError) -> JSONWriter.Value {
        try s.object([
            .number("permitsPerSecond", c.permitsPerSecond), .number("burst", c.burst),
            .duration("maxWait", c.maxWait), .integer("maxKeys", c.maxKeys),
        ])
    }

    private static func json(_ c: ConcurrencyLimitConfiguration, in s: PolicySection) throws(ConfigurationError) -> JSONWriter.Value {
        let parameters: [PolicySection.Field] = switch c.algorithm {
        case .aimd(let p):
            [.number("backoffRatio", p.backoffRatio), .duration("timeout", p.timeout)]
        case .gradient2(let p):
            [
                .number("smoothing", p.smoothing), .number("rttTolerance", p.rttTolerance),
                .integer("queueSize", p.queueSize), .integer("probeMultiplier", p.probeMultiplier),
            ]
        case .vegas(let p):
            [
                .number("smoothing", p.smoothing), .integer("alphaFactor", p.alphaFactor),
                .integer("betaFactor", p.betaFactor), .integer("probeMultiplier", p.probeMultiplier),
            ]
        }
        return try s.object([
            .string("algorithm", c.algorithm.name), .integer("initialLimit", c.initialLimit),
            .integer("minLimit", c.minLimit), .integer("maxLimit", c.maxLimit),
            .integer("maxQueued", c.maxQueued), .duration("maxWait", c.maxWait),
            .object(c.algorithm.name, parameters),
        ])
    }

    private static func json(_ c: BulkheadConfiguration, in s: PolicySection) throws(ConfigurationError) -> JSONWriter.Value {
        try s.object([
            .integer("maxConcurrent", c.maxConcurrent), .integer("maxQueued", c.maxQueued),
            .duration("maxWait", c.maxWait),
        ])
    }
}

/// A section of a policy file (or an object inside one) as JSON: its fields are checked as they are
/// written, so that an error names the key's path (`retry.baseDelay`).
private struct PolicySection {
    /// A key and the setting it holds.
    enum Field {
        /// Nil is `null`.
        case integer(String, Int?)
        /// Must be finite.
        case number(String, Double)
        case string(String, String)
        /// A string with a unit (``DurationText/format(_:)``): must be a whole number of nanoseconds
        /// `>= 0`, so that it reads back equal. Nil is `null`.
        case duration(String, Duration?)
        case object(String, [Field])
        /// A member that is left out of its object.
        case omitted
    }

    /// The path of the section, e.g. `concurrencyLimit.aimd`.
    let path: String

    init(_ path: String) { self.path = path }

    /// The fields as a JSON object, one member per line, in the given order.
    func object(_ fields: [Field]) throws(ConfigurationError) -> JSONWriter.Value {
        var members: [JSONWriter.Member] = []
        for field in fields {
            switch field {
            case .omitted: continue
            case .integer(let key, let value): members.append((key, value.map(JSONWriter.Value.integer) ?? .null))
            case .string(let key, let value): members.append((key, .string(value)))
            case .number(let key, let value):
                guard value.isFinite else {
                    throw ConfigurationError(key: "\(path).\(key)", value: "\(value)", allowed: "a finite number")
                }
                members.append((key, .number(value)))
            case .duration(let key, let value):
                guard let value else {
                    members.append((key, .null))
                    continue
                }
                let text = DurationText.format(value)
                guard value >= .zero, (try? DurationText.parse(text)) == value else {
                    throw ConfigurationError(key: "\(path).\(key)", value: "\(value)", allowed: "a whole number of nanoseconds >= 0")
                }
                members.append((key, .string(text)))
            case .object(let key, let fields):
                members.append((key, try PolicySection("\(path).\(key)").object(fields)))
            }
        }
        return .object(members, layout: .lines)
    }
}
