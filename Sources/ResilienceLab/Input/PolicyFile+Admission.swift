import Resilience

/// The admission-control sections of a policy file: `loadShedder`, `rateLimiter`, `concurrencyLimit`
/// and `bulkhead`.
extension PolicyFile {
    static let loadShedderKeys = ["inFlight", "queueDepth", "retryAfter"]
    static let thresholdKeys = ["low", "normal", "high"]

    static func loadShedderConfiguration(_ section: FieldReader) throws(FieldError) -> LoadShedderConfiguration {
        try section.rejectUnknownKeys(known: loadShedderKeys)
        var c = LoadShedderConfiguration()
        if let thresholds = try section.object("inFlight") { c.inFlight = try integerThresholds(thresholds) }
        if let thresholds = try section.object("queueDepth") { c.queueDepth = try integerThresholds(thresholds) }
        if let value = try section.optionalDuration("retryAfter") { c.retryAfter = value }
        try section.validate { () throws(ConfigurationError) in try c.validate() }
        return c
    }

    /// `{"low": 50, "normal": 80, "high": null}`: a missing or `null` priority never sheds.
    static func integerThresholds(_ reader: FieldReader) throws(FieldError) -> LoadShedThresholds<Int> {
        try reader.rejectUnknownKeys(known: thresholdKeys)
        return LoadShedThresholds(
            low: try reader.optionalInteger("low") ?? nil,
            normal: try reader.optionalInteger("normal") ?? nil,
            high: try reader.optionalInteger("high") ?? nil)
    }

    static let rateLimiterKeys = ["permitsPerSecond", "burst", "maxWait", "maxKeys"]

    static func rateLimiterConfiguration(_ section: FieldReader) throws(FieldError) -> KeyedRateLimiterConfiguration {
        try section.rejectUnknownKeys(known: rateLimiterKeys)
        guard let rate = try section.number("permitsPerSecond") else {
            throw FieldError(message: "missing \(jsonQuoted(section.name("permitsPerSecond"))) (a rate limiter has no default rate)")
        }
        var c = KeyedRateLimiterConfiguration(permitsPerSecond: rate, burst: try section.number("burst"))
        if let value = try section.duration("maxWait") { c.maxWait = value }
        if let value = try section.integer("maxKeys") { c.maxKeys = value }
        try section.validate { () throws(ConfigurationError) in try c.validate() }
        return c
    }

    static let bulkheadKeys = ["maxConcurrent", "maxQueued", "maxWait"]

    static func bulkheadConfiguration(_ section: FieldReader) throws(FieldError) -> BulkheadConfiguration {
        try section.rejectUnknownKeys(known: bulkheadKeys)
        var c = BulkheadConfiguration()
        if let value = try section.integer("maxConcurrent") { c.maxConcurrent = value }
        if let value = try section.integer("maxQueued") { c.maxQueued = value }
        if let value = try section.optionalDuration("maxWait") { c.maxWait = value }
        try section.validate { () throws(ConfigurationError) in try c.validate() }
        return c
    }

    static let concurrencyLimitKeys = [
        "algorithm", "initialLimit", "minLimit", "maxLimit", "maxQueued", "maxWait", "aimd", "gradient2", "vegas",
    ]

    /// The algorithms by name, as `algorithm` takes them.
    enum LimitAlgorithmName: String, CaseIterable {
        case aimd, gradient2, vegas
    }

    static func concurrencyLimitConfiguration(_ section: FieldReader) throws(FieldError) -> ConcurrencyLimitConfiguration {
        try section.rejectUnknownKeys(known: concurrencyLimitKeys)
        let algorithm = try section.choice("algorithm", of: LimitAlgorithmName.self) ?? .aimd
        for other in LimitAlgorithmName.allCases where other != algorithm && section.object[other.rawValue] != nil {
            throw FieldError(
                message: "\(jsonQuoted(section.name(other.rawValue))) parameters are given but \(jsonQuoted(section.name("algorithm"))) is \(jsonQuoted(algorithm.rawValue))")
        }
        var c = ConcurrencyLimitConfiguration()
        let parameters = try section.object(algorithm.rawValue)
        switch algorithm {
        case .aimd:
            var p = ConcurrencyLimitConfiguration.AIMDParameters()
            if let parameters {
                try parameters.rejectUnknownKeys(known: ["backoffRatio", "timeout"])
                if let value = try parameters.number("backoffRatio") { p.backoffRatio = value }
                if let value = try parameters.duration("timeout") { p.timeout = value }
            }
            c.algorithm = .aimd(p)
        case .gradient2:
            var p = ConcurrencyLimitConfiguration.Gradient2Parameters()
            if let parameters {
                try parameters.rejectUnknownKeys(known: ["smoothing", "rttTolerance", "queueSize", "probeMultiplier"])
                if let value = try parameters.number("smoothing") { p.smoothing = value }
                if let value = try parameters.number("rttTolerance") { p.rttTolerance = value }
                if let value = try parameters.integer("queueSize") { p.queueSize = value }
                if let value = try parameters.integer("probeMultiplier") { p.probeMultiplier = value }
            }
            c.algorithm = .gradient2(p)
        case .vegas:
            var p = ConcurrencyLimitConfiguration.VegasParameters()
            if let parameters {
                try parameters.rejectUnknownKeys(known: ["smoothing", "alphaFactor", "betaFactor", "probeMultiplier"])
                if let value = try parameters.number("smoothing") { p.smoothing = value }
                if let value = try parameters.integer("alphaFactor") { p.alphaFactor = value }
                if let value = try parameters.integer("betaFactor") { p.betaFactor = value }
                if let value = try parameters.integer("probeMultiplier") { p.probeMultiplier = value }
            }
            c.algorithm = .vegas(p)
        }
        if let value = try section.integer("initialLimit") { c.initialLimit = value }
        if let value = try section.integer("minLimit") { c.minLimit = value }
        if let value = try section.integer("maxLimit") { c.maxLimit = value }
        if let value = try section.integer("maxQueued") { c.maxQueued = value }
        if let value = try section.duration("maxWait") { c.maxWait = value }
        try section.validate { () throws(ConfigurationError) in try c.validate() }
        return c
    }
}
