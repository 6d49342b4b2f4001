import Resilience
import ResilienceChaos

/// A `POLICY.json` (or `POLICY.yaml`, see ``parseYAML(_:file:)``) file: the configuration of each
/// policy to run, by section.
///
/// ```json
/// {"retry": {"maxAttempts": 3, "backoff": "exponential", "baseDelay": "200ms", "jitter": "full"},
///  "circuitBreaker": {"window": "count", "windowSize": 20, "failureRatio": 0.5, "breakDuration": "30s"},
///  "timeout": {"duration": "2s"},
///  "loadShedder": {"inFlight": {"low": 50, "normal": 80, "high": 95}, "retryAfter": "1s"},
///  "rateLimiter": {"permitsPerSecond": 100, "burst": 20, "maxWait": "50ms"},
///  "concurrencyLimit": {"algorithm": "aimd", "initialLimit": 20, "aimd": {"timeout": "300ms"}},
///  "bulkhead": {"maxConcurrent": 25, "maxQueued": 10, "maxWait": "1s"},
///  "chaos": {"enabled": false, "fault": {"rate": 0.1}, "latency": {"rate": 0.2, "duration": "500ms"}}}
/// ```
///
/// The same sections make a named policy of a service's configuration file, under
/// `resilience.policies.<name>` (see ``ResilienceSettings``). Every section is optional; the policies
/// run outermost first in the order of `PolicyKind.recommendedOrder` (fallback ▸ load shedder ▸
/// cascade ▸ hedging ▸ retry ▸ circuit breaker ▸ rate limiter ▸ concurrency limit ▸ timeout or
/// adaptive timeout ▸ bulkhead ▸ chaos ▸ dependency), whatever the order of the sections in the file. Keys are
/// those of the policies' configurations (`RetryConfiguration`, `CircuitBreakerConfiguration`,
/// `TimeoutConfiguration`, `LoadShedderConfiguration`, `KeyedRateLimiterConfiguration`,
/// `ConcurrencyLimitConfiguration`, `BulkheadConfiguration`, `FallbackCacheConfiguration`,
/// `CascadePreventorConfiguration`, `HedgingConfiguration`, `AdaptiveTimeoutConfiguration`,
/// `ChaosConfiguration` of the `ResilienceChaos` module), with
/// their defaults when absent; durations are strings with a unit
/// (`"250ms"`, `"1.5s"`, `"2m"`); `slowCallDuration`, `halfOpenMaxDuration`, the bulkhead's `maxWait`
/// and the load shedder's `retryAfter` may be `null` (off). A load shedder's thresholds are objects
/// with `low`, `normal` and `high` (each an integer, or `null` or absent for "never"); its pressure
/// signals cannot be replayed (a trace has no CPU readings), so `pressure` is not a key. The
/// concurrency limit's algorithm parameters sit in an object named after the algorithm
/// (`"aimd": {"backoffRatio": 0.9, "timeout": "5s"}`, `"gradient2": {...}`, `"vegas": {...}`), which
/// must match `algorithm`. A file with no sections is a pass-through. Unknown sections and keys, wrong types and out-of-range values are errors that name
/// the key (`retry.maxAttempts: 0 is not allowed; allowed: 1...1000`).
public struct PolicyConfiguration: Sendable, Hashable {
    /// The retry policy, if the file configures one.
    public var retry: RetryConfiguration?
    /// The circuit breaker, if the file configures one.
    public var circuitBreaker: CircuitBreakerConfiguration?
    /// The timeout of each attempt, if the file configures one.
    public var timeout: TimeoutConfiguration?
    /// The load shedder (per call, outermost), if the file configures one.
    public var loadShedder: LoadShedderConfiguration?
    /// The rate limiter (per attempt, one bucket per trace `key`), if the file configures one.
    public var rateLimiter: KeyedRateLimiterConfiguration?
    /// The adaptive concurrency limit (per attempt), if the file configures one.
    public var concurrencyLimit: ConcurrencyLimitConfiguration?
    /// The bulkhead (per attempt, innermost), if the file configures one.
    public var bulkhead: BulkheadConfiguration?
    /// The cache of a caching fallback (`CachedFallback`, `StaleDataFallback`), if the file
    /// configures one. A fallback's value comes from the service's code, so this section configures
    /// the cache the service's fallback uses; `resilience-lab` does not simulate it.
    public var fallback: FallbackCacheConfiguration?
    /// The cascade preventor (per call), if the file configures one. Not simulated by `resilience-lab`.
    public var cascade: CascadePreventorConfiguration?
    /// Hedging (per call), if the file configures one. Not simulated by `resilience-lab`.
    public var hedging: HedgingConfiguration?
    /// An adaptive timeout (per attempt, instead of `timeout`), if the file configures one. Not
    /// simulated by `resilience-lab`.
    public var adaptiveTimeout: AdaptiveTimeoutConfiguration?
    /// Chaos injection (innermost, standing in for the dependency: faults and latency that the
    /// policies above react to), if the file configures one; off unless its `enabled` is `true`. Not
    /// simulated by `resilience-lab`.
    public var chaos: ChaosConfiguration?

    /// Creates a policy file's contents.
    public init(
        retry: RetryConfiguration? = nil,
        circuitBreaker: CircuitBreakerConfiguration? = nil,
        timeout: TimeoutConfiguration? = nil,
        loadShedder: LoadShedderConfiguration? = nil,
        rateLimiter: KeyedRateLimiterConfiguration? = nil,
        concurrencyLimit: ConcurrencyLimitConfiguration? = nil,
        bulkhead: BulkheadConfiguration? = nil,
        fallback: FallbackCacheConfiguration? = nil,
        cascade: CascadePreventorConfiguration? = nil,
        hedging: HedgingConfiguration? = nil,
        adaptiveTimeout: AdaptiveTimeoutConfiguration? = nil,
        chaos: ChaosConfiguration? = nil
    ) {
        self.chaos = chaos
        self.fallback = fallback
        self.cascade = cascade
        self.hedging = hedging
        self.adaptiveTimeout = adaptiveTimeout
        self.retry = retry
        self.circuitBreaker = circuitBreaker
        self.timeout = timeout
        self.loadShedder = loadShedder
        self.rateLimiter = rateLimiter
        self.concurrencyLimit = concurrencyLimit
        self.bulkhead = bulkhead
    }

    /// Reads and validates the file at `path`: YAML (``parseYAML(_:file:)``) when the name ends in
    /// `.yaml` or `.yml` (in any letter case), JSON (``parse(_:file:)``) otherwise.
    public static func load(path: String) throws(InputFileError) -> PolicyConfiguration {
        try read(InputDocument.root(path: path, what: "policy"), file: TextFile.displayName(path))
    }

    /// Parses and validates policy text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(InputFileError) -> PolicyConfiguration {
        try read(InputDocument.jsonRoot(text, file: file, what: "policy"), file: file)
    }

    /// Parses and validates a policy file written in YAML: the same sections and keys as the JSON form,
    /// read by the same checks (scalars as in `ScenarioDefinition/parseYAML(_:file:)`: YAML 1.2 core
    /// schema, a quoted scalar is a string, `null` or `~` turns an optional setting off).
    ///
    /// ```yaml
    /// retry: {maxAttempts: 3, backoff: exponential, baseDelay: 200ms, jitter: full}
    /// circuitBreaker:
    ///   window: count
    ///   windowSize: 20
    ///   failureRatio: 0.5
    ///   breakDuration: 30s
    /// bulkhead: {maxConcurrent: 25, maxQueued: 10, maxWait: ~}
    /// ```
    /// - Throws: ``InputFileError`` naming `file`, with the line of a YAML syntax error or the key of a
    ///   bad setting (`retry.maxAttempts: 0 is not allowed; allowed: 1...1000`).
    public static func parseYAML(_ text: String, file: String) throws(InputFileError) -> PolicyConfiguration {
        try read(YAMLReader.rootObject(text, file: file, what: "policy"), file: file)
    }

    private static func read(_ root: JSONObject, file: String) throws(InputFileError) -> PolicyConfiguration {
        struct Reader: PolicySectionVisitor {
            let reader: FieldReader
            var policy = PolicyConfiguration()
            var error: FieldError?

            mutating func visit<Section: ConfigurationSection>(
                _ kind: PolicyKind, _ section: WritableKeyPath<PolicyConfiguration, Section?>
            ) {
                guard error == nil else { return }
                do throws(FieldError) {
                    if let object = try reader.object(kind.rawValue) { policy[keyPath: section] = try object.section() }
                } catch {
                    self.error = error
                }
            }
        }
        do throws(FieldError) {
            let reader = FieldReader(root)
            try reader.rejectUnknownKeys(known: sectionNames, what: "section")
            var sections = Reader(reader: reader)
            visitSections(&sections)
            if let error = sections.error { throw error }
            if let conflict = sections.policy.conflicts(path: "").first { throw FieldError(message: conflict) }
            return sections.policy
        } catch {
            throw InputFileError(file: file, message: error.message)
        }
    }

    /// What is wrong between sections, each valid alone: a fixed and an adaptive timeout together (an
    /// attempt has one timeout). Messages name the sections under `path` (`resilience.policies.x`, or
    /// `""` for a POLICY.json).
    package func conflicts(path: String) -> [String] {
        let prefix = path.isEmpty ? "" : path + "."
        guard timeout != nil && adaptiveTimeout != nil else { return [] }
        return ["\(prefix)timeout and \(prefix)adaptiveTimeout: an attempt has one timeout; keep one of the two sections"]
    }

    /// Everything wrong with the policy: each bad key of each section (`retry.maxAttempts: 0 is not
    /// allowed; ...`, secret values redacted), then the conflicts between sections. Empty when valid.
    package func problems() -> [String] {
        struct Checker: PolicySectionVisitor {
            let policy: PolicyConfiguration
            var problems: [String] = []
            mutating func visit<Section: ConfigurationSection>(
                _ kind: PolicyKind, _ section: WritableKeyPath<PolicyConfiguration, Section?>
            ) {
                guard let configuration = policy[keyPath: section] else { return }
                problems += configuration.validationErrors().map { $0.prefixingKey(with: kind.rawValue).description }
            }
        }
        var checker = Checker(policy: self)
        Self.visitSections(&checker)
        return checker.problems + conflicts(path: "")
    }

    /// The names of the sections, in the documented order.
    package static var sectionNames: [String] {
        struct Names: PolicySectionVisitor {
            var names: [String] = []
            mutating func visit<Section: ConfigurationSection>(
                _ kind: PolicyKind, _ section: WritableKeyPath<PolicyConfiguration, Section?>
            ) { names.append(kind.rawValue) }
        }
        var names = Names()
        visitSections(&names)
        return names.names
    }

    /// Calls `visitor` with every section, in the documented order (`PolicyKind/recommendedOrder`):
    /// the one list of the sections a policy has, from which everything that reads, writes or
    /// checks a policy works.
    package static func visitSections(_ visitor: inout some PolicySectionVisitor) {
        visitor.visit(.fallback, \.fallback)
        visitor.visit(.loadShedder, \.loadShedder)
        visitor.visit(.cascade, \.cascade)
        visitor.visit(.hedging, \.hedging)
        visitor.visit(.retry, \.retry)
        visitor.visit(.circuitBreaker, \.circuitBreaker)
        visitor.visit(.rateLimiter, \.rateLimiter)
        visitor.visit(.concurrencyLimit, \.concurrencyLimit)
        visitor.visit(.timeout, \.timeout)
        visitor.visit(.adaptiveTimeout, \.adaptiveTimeout)
        visitor.visit(.bulkhead, \.bulkhead)
        visitor.visit(.chaos, \.chaos)
    }

    /// The sections `resilience-lab` accepts but does not simulate, in the documented order: it names
    /// them on stderr rather than ignore them silently.
    public var sectionsNotSimulated: [PolicyKind] {
        [(PolicyKind.fallback, fallback != nil), (.cascade, cascade != nil), (.hedging, hedging != nil),
         (.adaptiveTimeout, adaptiveTimeout != nil), (.chaos, chaos != nil)].compactMap { $0.1 ? $0.0 : nil }
    }

    /// The keys of simulated sections that are set and that `resilience-lab` accepts but does not
    /// simulate, by path: `timeout.firstByte`, since a simulated call has no response head (the
    /// attempt is bounded by `timeout.duration` alone). The lab names them on stderr rather than
    /// ignore them silently.
    public var keysNotSimulated: [String] {
        timeout?.firstByte != nil ? ["timeout.firstByte"] : []
    }
}

/// Something that works on each section of a policy, whatever its configuration type: see
/// ``PolicyConfiguration/visitSections(_:)``.
package protocol PolicySectionVisitor {
    mutating func visit<Section: ConfigurationSection>(
        _ kind: PolicyKind, _ section: WritableKeyPath<PolicyConfiguration, Section?>)
}

// MARK: - Keys by name

extension PolicyConfiguration {
    /// Copies the key at `path` (`section.key`, or `section.object.key`) from `source`, by its
    /// description in the section's schema: what the tuner's search space and every other tool that
    /// works by key name use, rather than a property or an index. A section `source` does not have
    /// is left alone; one this policy lacks is added with its defaults first.
    /// - Precondition: `path` names a key of the schema (a programming error otherwise).
    package mutating func copyKey(_ path: String, from source: PolicyConfiguration) {
        struct Copier: PolicySectionVisitor {
            let path: [Substring]
            let source: PolicyConfiguration
            var target: PolicyConfiguration
            var found = false

            mutating func visit<Section: ConfigurationSection>(
                _ kind: PolicyKind, _ section: WritableKeyPath<PolicyConfiguration, Section?>
            ) {
                guard path.first == Substring(kind.rawValue), let from = source[keyPath: section] else { return }
                var keys = Section.keys
                var key: ConfigurationKey<Section>?
                for component in path.dropFirst() {
                    key = keys.first { $0.name == component }
                    keys = key?.keys ?? []
                }
                guard let key, let value = key.value(from) else { return }
                var configuration = target[keyPath: section] ?? Section.defaults
                try? key.apply(&configuration, value)
                target[keyPath: section] = configuration
                found = true
            }
        }
        let components = path.split(separator: ".")
        var copier = Copier(path: components, source: source, target: self)
        Self.visitSections(&copier)
        precondition(copier.found || !source[section: String(components.first ?? "")], "copyKey: no key \(path) in the schema")
        self = copier.target
    }

    /// The name of every key a policy can have, in the documented order of the sections and each
    /// section's order of keys: `section.key`, and `section.object.key` inside an object key
    /// (`concurrencyLimit.aimd.timeout`).
    package static var keyNames: [String] { keys.map(\.name) }

    /// The names (`section.key`) of the keys whose values are secrets (``ConfigurationKey/isSecret``).
    package static var secretKeyNames: [String] { keys.filter(\.isSecret).map(\.name) }

    /// Every key, as ``keyNames`` orders them, and whether its value is a secret.
    private static var keys: [(name: String, isSecret: Bool)] {
        struct Keys: PolicySectionVisitor {
            var keys: [(name: String, isSecret: Bool)] = []
            mutating func visit<Section: ConfigurationSection>(
                _ kind: PolicyKind, _ section: WritableKeyPath<PolicyConfiguration, Section?>
            ) {
                add(Section.keys, prefix: kind.rawValue + ".")
            }
            mutating func add<Root>(_ keys: [ConfigurationKey<Root>], prefix: String) {
                for key in keys {
                    self.keys.append((prefix + key.name, key.isSecret))
                    add(key.keys, prefix: prefix + key.name + ".")
                }
            }
        }
        var keys = Keys()
        visitSections(&keys)
        return keys.keys
    }

    /// Whether the section named `name` is set.
    subscript(section name: String) -> Bool {
        struct Finder: PolicySectionVisitor {
            let name: String
            let policy: PolicyConfiguration
            var isSet = false
            mutating func visit<Section: ConfigurationSection>(
                _ kind: PolicyKind, _ section: WritableKeyPath<PolicyConfiguration, Section?>
            ) {
                if kind.rawValue == name { isSet = policy[keyPath: section] != nil }
            }
        }
        var finder = Finder(name: name, policy: self)
        Self.visitSections(&finder)
        return finder.isSet
    }
}
