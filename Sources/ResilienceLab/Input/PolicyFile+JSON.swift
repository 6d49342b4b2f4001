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
        var sections: [(String, JSONText)] = []
        if let retry { sections.append(("retry", Self.json(retry))) }
        if let circuitBreaker { sections.append(("circuitBreaker", Self.json(circuitBreaker))) }
        if let timeout { sections.append(("timeout", .object([("duration", .duration(timeout.duration))]))) }
        if let loadShedder { sections.append(("loadShedder", try Self.json(loadShedder))) }
        if let rateLimiter { sections.append(("rateLimiter", Self.json(rateLimiter))) }
        if let concurrencyLimit { sections.append(("concurrencyLimit", Self.json(concurrencyLimit))) }
        if let bulkhead { sections.append(("bulkhead", Self.json(bulkhead))) }
        var output = ""
        try JSONText.object(sections).write(to: &output, indent: 0, key: "")
        return output + "\n"
    }

    private static func json(_ c: RetryConfiguration) -> JSONText {
        .object([
            ("maxAttempts", .integer(c.maxAttempts)), ("backoff", .string(c.backoff.rawValue)),
            ("baseDelay", .duration(c.baseDelay)), ("multiplier", .number(c.multiplier)),
            ("maxDelay", .duration(c.maxDelay)), ("jitter", .string(c.jitter.rawValue)),
            ("budgetRatio", .number(c.budgetRatio)), ("budgetMinPerSecond", .number(c.budgetMinPerSecond)),
            ("budgetWindow", .duration(c.budgetWindow)),
        ])
    }

    private static func json(_ c: CircuitBreakerConfiguration) -> JSONText {
        .object([
            ("window", .string(c.window.rawValue)), ("samplingDuration", .duration(c.samplingDuration)),
            ("windowBuckets", .integer(c.windowBuckets)), ("windowSize", .integer(c.windowSize)),
            ("minimumThroughput", .integer(c.minimumThroughput)), ("failureRatio", .number(c.failureRatio)),
            ("slowCallDuration", .optionalDuration(c.slowCallDuration)), ("slowCallRatio", .number(c.slowCallRatio)),
            ("breakDuration", .duration(c.breakDuration)),
            ("breakDurationMultiplier", .number(c.breakDurationMultiplier)),
            ("maxBreakDuration", .duration(c.maxBreakDuration)),
            ("halfOpenPermittedCalls", .integer(c.halfOpenPermittedCalls)),
            ("halfOpenSuccessRatio", .number(c.halfOpenSuccessRatio)),
            ("halfOpenMaxDuration", .optionalDuration(c.halfOpenMaxDuration)),
        ])
    }

    private static func json(_ c: LoadShedderConfiguration) throws(ConfigurationError) -> JSONText {
        guard c.pressure.isEmpty else {
            throw ConfigurationError(
                key: "loadShedder.pressure", value: c.pressureSignalNames.joined(separator: ", "),
                allowed: "no pressure signals (a policy file cannot configure them)")
        }
        return .object([
            ("inFlight", thresholds(c.inFlight)), ("queueDepth", thresholds(c.queueDepth)),
            ("retryAfter", .optionalDuration(c.retryAfter)),
        ])
    }

    /// `{"low": 50, "normal": 80, "high": null}`, or no key at all when the signal is not used (the
    /// only way the file says so: the reader takes `inFlight` and `queueDepth` as objects).
    private static func thresholds(_ t: LoadShedThresholds<Int>?) -> JSONText {
        guard let t else { return .omitted }
        return .object([
            ("low", t.low.map(JSONText.integer) ?? .null), ("normal", t.normal.map(JSONText.integer) ?? .null),
            ("high", t.high.map(JSONText.integer) ?? .null),
        ])
    }

    private static func json(_ c: KeyedRateLimiterConfiguration) -> JSONText {
        .object([
            ("permitsPerSecond", .number(c.permitsPerSecond)), ("burst", .number(c.burst)),
            ("maxWait", .duration(c.maxWait)), ("maxKeys", .integer(c.maxKeys)),
        ])
    }

    private static func json(_ c: ConcurrencyLimitConfiguration) -> JSONText {
        let parameters: JSONText
        switch c.algorithm {
        case .aimd(let p):
            parameters = .object([("backoffRatio", .number(p.backoffRatio)), ("timeout", .duration(p.timeout))])
        case .gradient2(let p):
            parameters = .object([
                ("smoothing", .number(p.smoothing)), ("rttTolerance", .number(p.rttTolerance)),
                ("queueSize", .integer(p.queueSize)), ("probeMultiplier", .integer(p.probeMultiplier)),
            ])
        case .vegas(let p):
            parameters = .object([
                ("smoothing", .number(p.smoothing)), ("alphaFactor", .integer(p.alphaFactor)),
                ("betaFactor", .integer(p.betaFactor)), ("probeMultiplier", .integer(p.probeMultiplier)),
            ])
        }
        return .object([
            ("algorithm", .string(c.algorithm.name)), ("initialLimit", .integer(c.initialLimit)),
            ("minLimit", .integer(c.minLimit)), ("maxLimit", .integer(c.maxLimit)),
            ("maxQueued", .integer(c.maxQueued)), ("maxWait", .duration(c.maxWait)),
            (c.algorithm.name, parameters),
        ])
    }

    private static func json(_ c: BulkheadConfiguration) -> JSONText {
        .object([
            ("maxConcurrent", .integer(c.maxConcurrent)), ("maxQueued", .integer(c.maxQueued)),
            ("maxWait", .optionalDuration(c.maxWait)),
        ])
    }
}

/// The JSON a policy file is written as: objects keep their keys in the given order.
private indirect enum JSONText {
    case null
    /// A member that is left out of its object.
    case omitted
    case integer(Int)
    case number(Double)
    case string(String)
    case duration(Duration)
    case object([(String, JSONText)])

    static func optionalDuration(_ duration: Duration?) -> JSONText {
        duration.map(JSONText.duration) ?? .null
    }

    /// Appends the value; `key` is its path, for errors (`retry.baseDelay`).
    func write(to output: inout String, indent: Int, key: String) throws(ConfigurationError) {
        switch self {
        case .null, .omitted: output += "null"
        case .integer(let value): output += String(value)
        case .number(let value):
            guard value.isFinite else { throw ConfigurationError(key: key, value: "\(value)", allowed: "a finite number") }
            // Swift writes the shortest text that reads back to the same Double; JSON has no "1e-05"
            // problem (an exponent may have leading zeros). Integral values drop the ".0".
            if value == value.rounded(), abs(value) < 1e15 {
                output += String(Int64(value))
            } else {
                output += "\(value)"
            }
        case .string(let value): output += jsonQuoted(value)
        case .duration(let value):
            let text = DurationText.format(value)
            guard value >= .zero, (try? DurationText.parse(text)) == value else {
                throw ConfigurationError(key: key, value: "\(value)", allowed: "a whole number of nanoseconds >= 0")
            }
            output += jsonQuoted(text)
        case .object(let allMembers):
            let members = allMembers.filter { if case .omitted = $0.1 { false } else { true } }
            guard !members.isEmpty else {
                output += "{}"
                return
            }
            let inner = String(repeating: " ", count: indent + 2)
            output += "{\n"
            for (index, (name, value)) in members.enumerated() {
                output += inner + jsonQuoted(name) + ": "
                try value.write(to: &output, indent: indent + 2, key: key.isEmpty ? name : "\(key).\(name)")
                output += index == members.count - 1 ? "\n" : ",\n"
            }
            output += String(repeating: " ", count: indent) + "}"
        }
    }
}
