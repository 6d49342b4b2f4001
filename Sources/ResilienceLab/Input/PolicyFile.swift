import Resilience

/// A `POLICY.json` file: the configuration of each policy to run, by section.
///
/// ```json
/// {"retry": {"maxAttempts": 3, "backoff": "exponential", "baseDelay": "200ms", "jitter": "full"},
///  "circuitBreaker": {"window": "count", "windowSize": 20, "failureRatio": 0.5, "breakDuration": "30s"},
///  "timeout": {"duration": "2s"}}
/// ```
///
/// Every section is optional; the policies run outermost first as retry ▸ circuit breaker ▸ timeout ▸
/// dependency, whatever the order of the sections in the file. Keys are those of the policies'
/// configurations (``RetryConfiguration``, ``CircuitBreakerConfiguration``, ``TimeoutConfiguration``),
/// with their defaults when absent; durations are strings with a unit (`"250ms"`, `"1.5s"`, `"2m"`);
/// `slowCallDuration` and `halfOpenMaxDuration` may be `null` (off). A file with no sections is a
/// pass-through. Unknown sections and keys, wrong types and out-of-range values are errors that name
/// the key (`retry.maxAttempts: 0 is not allowed; allowed: 1...1000`).
public struct PolicyFile: Sendable, Hashable {
    /// The retry policy, if the file configures one.
    public var retry: RetryConfiguration?
    /// The circuit breaker, if the file configures one.
    public var circuitBreaker: CircuitBreakerConfiguration?
    /// The timeout of each attempt, if the file configures one.
    public var timeout: TimeoutConfiguration?

    /// The sections this version knows.
    static let sections = ["retry", "circuitBreaker", "timeout"]

    /// Creates a policy file's contents.
    public init(
        retry: RetryConfiguration? = nil,
        circuitBreaker: CircuitBreakerConfiguration? = nil,
        timeout: TimeoutConfiguration? = nil
    ) {
        self.retry = retry
        self.circuitBreaker = circuitBreaker
        self.timeout = timeout
    }

    /// Reads and validates the file at `path`.
    public static func load(path: String) throws(LabInputError) -> PolicyFile {
        try parse(TextFile.read(path), file: path)
    }

    /// Parses and validates policy text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(LabInputError) -> PolicyFile {
        let value: JSONValue
        do {
            value = try JSONReader.parse(text)
        } catch {
            throw LabInputError(file: file, line: error.line, message: "column \(error.column): \(error.message)")
        }
        guard case .object(let root) = value else {
            throw LabInputError(file: file, message: "the policy must be a JSON object, got \(value.kindDescription)")
        }
        do {
            let reader = FieldReader(root)
            try reader.rejectUnknownKeys(known: sections, what: "section")
            var policy = PolicyFile()
            if let section = try reader.object("retry") {
                policy.retry = try retryConfiguration(section)
            }
            if let section = try reader.object("circuitBreaker") {
                policy.circuitBreaker = try circuitBreakerConfiguration(section)
            }
            if let section = try reader.object("timeout") {
                policy.timeout = try timeoutConfiguration(section)
            }
            return policy
        } catch {
            throw LabInputError(file: file, message: error.message)
        }
    }

    static let circuitBreakerKeys = [
        "window", "samplingDuration", "windowBuckets", "windowSize", "minimumThroughput", "failureRatio",
        "slowCallDuration", "slowCallRatio", "breakDuration", "breakDurationMultiplier", "maxBreakDuration",
        "halfOpenPermittedCalls", "halfOpenSuccessRatio", "halfOpenMaxDuration",
    ]

    static func circuitBreakerConfiguration(_ section: FieldReader) throws(FieldError) -> CircuitBreakerConfiguration {
        try section.rejectUnknownKeys(known: circuitBreakerKeys)
        var c = CircuitBreakerConfiguration()
        if let value = try section.choice("window", of: CircuitBreakerConfiguration.WindowKind.self) { c.window = value }
        if let value = try section.duration("samplingDuration") { c.samplingDuration = value }
        if let value = try section.integer("windowBuckets") { c.windowBuckets = value }
        if let value = try section.integer("windowSize") { c.windowSize = value }
        if let value = try section.integer("minimumThroughput") { c.minimumThroughput = value }
        if let value = try section.number("failureRatio") { c.failureRatio = value }
        if let value = try section.optionalDuration("slowCallDuration") { c.slowCallDuration = value }
        if let value = try section.number("slowCallRatio") { c.slowCallRatio = value }
        if let value = try section.duration("breakDuration") { c.breakDuration = value }
        if let value = try section.number("breakDurationMultiplier") { c.breakDurationMultiplier = value }
        if let value = try section.duration("maxBreakDuration") { c.maxBreakDuration = value }
        if let value = try section.integer("halfOpenPermittedCalls") { c.halfOpenPermittedCalls = value }
        if let value = try section.number("halfOpenSuccessRatio") { c.halfOpenSuccessRatio = value }
        if let value = try section.optionalDuration("halfOpenMaxDuration") { c.halfOpenMaxDuration = value }
        do {
            try c.validate()
        } catch {
            throw FieldError(message: error.prefixingKey(with: section.path).description)
        }
        return c
    }

    static let retryKeys = [
        "maxAttempts", "backoff", "baseDelay", "multiplier", "maxDelay", "jitter",
        "budgetRatio", "budgetMinPerSecond", "budgetWindow",
    ]

    static func retryConfiguration(_ section: FieldReader) throws(FieldError) -> RetryConfiguration {
        try section.rejectUnknownKeys(known: retryKeys)
        var c = RetryConfiguration()
        if let value = try section.integer("maxAttempts") { c.maxAttempts = value }
        if let value = try section.choice("backoff", of: RetryConfiguration.Backoff.self) { c.backoff = value }
        if let value = try section.duration("baseDelay") { c.baseDelay = value }
        if let value = try section.number("multiplier") { c.multiplier = value }
        if let value = try section.duration("maxDelay") { c.maxDelay = value }
        if let value = try section.choice("jitter", of: RetryConfiguration.Jitter.self) { c.jitter = value }
        if let value = try section.number("budgetRatio") { c.budgetRatio = value }
        if let value = try section.number("budgetMinPerSecond") { c.budgetMinPerSecond = value }
        if let value = try section.duration("budgetWindow") { c.budgetWindow = value }
        do {
            try c.validate()
        } catch {
            throw FieldError(message: error.prefixingKey(with: section.path).description)
        }
        return c
    }

    static let timeoutKeys = ["duration"]

    static func timeoutConfiguration(_ section: FieldReader) throws(FieldError) -> TimeoutConfiguration {
        try section.rejectUnknownKeys(known: timeoutKeys)
        var c = TimeoutConfiguration()
        if let value = try section.duration("duration") { c.duration = value }
        do {
            try c.validate()
        } catch {
            throw FieldError(message: error.prefixingKey(with: section.path).description)
        }
        return c
    }
}
