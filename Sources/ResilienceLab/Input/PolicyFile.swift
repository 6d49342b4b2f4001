import Resilience

/// A `POLICY.json` file: the configuration of each policy to run, by section.
///
/// ```json
/// {"circuitBreaker": {"window": "count", "windowSize": 20, "failureRatio": 0.5, "breakDuration": "30s"}}
/// ```
///
/// Keys are those of the policies' configurations; durations are strings with a unit (`"250ms"`,
/// `"1.5s"`, `"2m"`); `slowCallDuration` and `halfOpenMaxDuration` may be `null` (off). A file with no
/// sections is a pass-through. Unknown sections and keys, wrong types and out-of-range values are errors
/// that name the key.
public struct PolicyFile: Sendable, Hashable {
    /// The circuit breaker, if the file configures one.
    public var circuitBreaker: CircuitBreakerConfiguration?

    /// The sections this version knows.
    static let sections = ["circuitBreaker"]

    /// Creates a policy file's contents.
    public init(circuitBreaker: CircuitBreakerConfiguration? = nil) {
        self.circuitBreaker = circuitBreaker
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
            if let section = try reader.object("circuitBreaker") {
                policy.circuitBreaker = try circuitBreakerConfiguration(section)
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
}
