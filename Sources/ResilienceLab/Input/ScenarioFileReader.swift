import Resilience
import ResilienceConfiguration

/// Reads the fields of a scenario file into a ``ScenarioDefinition`` (format documented there).
enum ScenarioFileReader {
    static let scenarioKeys = ["name", "description", "duration", "seed", "traffic", "dependency"]
    static let trafficKeys = ["rates", "bursts", "closedLoop", "priorities", "operations"]
    static let dependencyKeys = ["workers", "maxQueue", "serviceTime", "phases"]
    static let conditionNames = ["healthy", "down", "failing", "brownout", "flapping", "rateLimiting"]

    static func scenario(_ root: FieldReader) throws(FieldError) -> ScenarioDefinition {
        try root.rejectUnknownKeys(known: scenarioKeys)
        let name = try root.required("name", try root.string("name"))
        let summary = try root.string("description") ?? ""
        let duration = try root.required("duration", try root.duration("duration"))
        let seed = try self.seed(root)
        let traffic = try trafficModel(try root.required("traffic", try root.object("traffic")))
        let dependency = try dependencyModel(try root.required("dependency", try root.object("dependency")))
        do {
            // Keys of the whole scenario's errors already carry their full path.
            return try ScenarioDefinition(
                name: name, summary: summary, duration: duration, seed: seed, traffic: traffic,
                dependency: dependency)
        } catch {
            throw FieldError(message: error.description)
        }
    }

    static func trafficModel(_ section: FieldReader) throws(FieldError) -> TrafficModel {
        try section.rejectUnknownKeys(known: trafficKeys)
        var rates: [TrafficModel.RatePhase] = []
        for entry in try section.objects("rates") ?? [] {
            try entry.rejectUnknownKeys(known: ["from", "ratePerSecond"])
            rates.append(TrafficModel.RatePhase(
                from: try entry.required("from", try entry.duration("from")),
                ratePerSecond: try entry.required("ratePerSecond", try entry.number("ratePerSecond"))))
        }
        var bursts: [TrafficModel.Burst] = []
        for entry in try section.objects("bursts") ?? [] {
            try entry.rejectUnknownKeys(known: ["at", "calls", "over"])
            bursts.append(TrafficModel.Burst(
                at: try entry.required("at", try entry.duration("at")),
                calls: try entry.required("calls", try entry.integer("calls")),
                over: try entry.duration("over") ?? .zero))
        }
        var closedLoop: TrafficModel.ClosedLoop?
        if let clients = try section.object("closedLoop") {
            try clients.rejectUnknownKeys(known: ["clients", "thinkTime"])
            closedLoop = TrafficModel.ClosedLoop(
                clients: try clients.required("clients", try clients.integer("clients")),
                thinkTime: try distribution(try clients.required("thinkTime", try clients.object("thinkTime"))))
        }
        var priorities = WeightedMix<Priority>.only(.normal)
        if let weights = try section.object("priorities") {
            try weights.rejectUnknownKeys(known: Priority.allCases.map(\.rawValue), what: "priority")
            var entries: [(Priority, Double)] = []
            for key in weights.object.keys {
                entries.append((Priority(rawValue: key)!, try weight(weights, key)))
            }
            priorities = try mix(weights, entries)
        }
        var operations = WeightedMix<String>.only("call")
        if let weights = try section.object("operations") {
            // Members in order, not `weight(weights, key)`: a lookup by key is a linear scan, and a
            // mix may name 100,000 operations.
            var entries: [(String, Double)] = []
            entries.reserveCapacity(weights.object.members.count)
            for member in weights.object.members {
                entries.append((member.key, try weight(weights, member.key, member.value)))
            }
            operations = try mix(weights, entries)
        }
        var result: TrafficModel?
        try section.validate { () throws(ConfigurationError) in
            result = try TrafficModel(
                rates: rates, bursts: bursts, closedLoop: closedLoop, priorities: priorities, operations: operations)
        }
        return result!
    }

    /// The scenario's `seed` (default 0): a file's numbers are `Double`s, exact only up to 2⁵³, so a
    /// file's seed is at most ``FieldReader/integerLimit``; `--seed` takes the whole `UInt64` range.
    static func seed(_ root: FieldReader) throws(FieldError) -> UInt64 {
        guard let seed = try root.wholeNumber("seed") else { return 0 }
        guard seed >= 0, seed <= Double(FieldReader.integerLimit) else {
            let problem = seed < 0 ? "is not allowed" : "is out of range"
            throw FieldError(message: "seed: \(FieldReader.integerText(seed)) \(problem); allowed: 0...\(FieldReader.integerLimit) in a file (a file's numbers are exact only to 2^53); --seed takes 0...18446744073709551615")
        }
        return UInt64(seed)
    }

    static func weight(_ weights: FieldReader, _ key: String) throws(FieldError) -> Double {
        try weight(weights, key, weights.object[key]!)
    }

    /// The weight `raw` of the member `key` of `weights`.
    static func weight(_ weights: FieldReader, _ key: String, _ raw: JSONValue) throws(FieldError) -> Double {
        guard case .number(let value) = raw else { throw weights.typeError(key, expected: "a number", got: raw) }
        guard value >= 0, value.isFinite else {
            throw FieldError(message: "\(weights.name(key)): \(SimulationCheck.text(value)) is not allowed; allowed: >= 0")
        }
        return value
    }

    static func mix<Value>(_ weights: FieldReader, _ entries: [(Value, Double)]) throws(FieldError) -> WeightedMix<Value> {
        guard entries.contains(where: { $0.1 > 0 }) else {
            throw FieldError(message: "\(weights.path): needs at least one weight > 0")
        }
        do {
            return try WeightedMix(entries)
        } catch {
            throw FieldError(message: "\(weights.path): \(error.description)")
        }
    }

    static func dependencyModel(_ section: FieldReader) throws(FieldError) -> DependencyModel {
        try section.rejectUnknownKeys(known: dependencyKeys)
        let workers = try section.required("workers", try section.integer("workers"))
        let maxQueue = try section.required("maxQueue", try section.integer("maxQueue"))
        let serviceTime = try distribution(try section.required("serviceTime", try section.object("serviceTime")))
        var phases: [DependencyBehaviour.Phase] = []
        for entry in try section.objects("phases") ?? [] {
            phases.append(try phase(entry))
        }
        var result: DependencyModel?
        try section.validate { () throws(ConfigurationError) in
            result = try DependencyModel(
                workers: workers, maxQueue: maxQueue, serviceTime: serviceTime,
                behaviour: DependencyBehaviour(phases: phases))
        }
        return result!
    }

    static func phase(_ entry: FieldReader) throws(FieldError) -> DependencyBehaviour.Phase {
        let from = try entry.required("from", try entry.duration("from"))
        let name = try entry.required("condition", try entry.string("condition"))
        let condition: DependencyBehaviour.Condition
        var parameters: [String] = []
        switch name {
        case "healthy":
            condition = .healthy
        case "down":
            condition = .down
        case "failing":
            parameters = ["fraction"]
            condition = .failing(fraction: try entry.required("fraction", try entry.number("fraction")))
        case "brownout":
            parameters = ["latencyMultiplier"]
            condition = .brownout(
                latencyMultiplier: try entry.required("latencyMultiplier", try entry.number("latencyMultiplier")))
        case "flapping":
            parameters = ["period", "downFraction"]
            condition = .flapping(
                period: try entry.required("period", try entry.duration("period")),
                downFraction: try entry.required("downFraction", try entry.number("downFraction")))
        case "rateLimiting":
            parameters = ["capacityPerSecond", "retryAfter"]
            condition = .rateLimiting(
                capacityPerSecond: try entry.required("capacityPerSecond", try entry.number("capacityPerSecond")),
                retryAfter: try entry.required("retryAfter", try entry.duration("retryAfter")))
        default:
            let allowed = conditionNames.map { jsonQuoted($0) }.joined(separator: ", ")
            throw FieldError(message: "\(entry.name("condition")) must be one of \(allowed), got \(jsonQuoted(name))")
        }
        try entry.rejectUnknownKeys(known: ["from", "condition"] + parameters)
        try entry.validate { () throws(ConfigurationError) in try condition.validate() }
        return DependencyBehaviour.Phase(from: from, condition: condition)
    }

    static func distribution(_ section: FieldReader) throws(FieldError) -> ServiceTimeDistribution {
        let kinds = ["constant", "logNormal", "empirical"]
        try section.rejectUnknownKeys(known: kinds, what: "distribution")
        guard section.object.members.count == 1, let kind = section.object.keys.first else {
            throw FieldError(message: "\(section.path) must have exactly one of \(kinds.joined(separator: ", ")), got \(section.object.members.count)")
        }
        let distribution: ServiceTimeDistribution
        switch kind {
        case "constant":
            distribution = .constant(try section.duration("constant")!)
        case "logNormal":
            let parameters = try section.object("logNormal")!
            try parameters.rejectUnknownKeys(known: ["median", "p99"])
            distribution = .logNormal(
                median: try parameters.required("median", try parameters.duration("median")),
                p99: try parameters.required("p99", try parameters.duration("p99")))
        default:
            guard case .array(let values) = section.object["empirical"]! else {
                throw section.typeError("empirical", expected: "an array of durations", got: section.object["empirical"]!)
            }
            var durations: [Duration] = []
            for (index, value) in values.enumerated() {
                let element = FieldReader(JSONObject(members: [("\(index)", value)]), path: "")
                guard let duration = try? element.duration("\(index)") else {
                    throw FieldError(message: "\(section.name("empirical"))[\(index)] must be a duration string with a unit such as \"250ms\", got \(value.kindDescription == "a string" ? jsonQuoted(stringValue(value)) : value.kindDescription)")
                }
                durations.append(duration)
            }
            distribution = .empirical(durations)
        }
        try section.validate { () throws(ConfigurationError) in try distribution.validate() }
        return distribution
    }

    private static func stringValue(_ value: JSONValue) -> String {
        if case .string(let text) = value { return text }
        return ""
    }
}

extension FieldReader {
    /// `value`, or an error saying that `key` is required.
    func required<Value>(_ key: String, _ value: Value?) throws(FieldError) -> Value {
        guard let value else { throw FieldError(message: "\(name(key)) is required") }
        return value
    }

    /// The objects of the array at `key`, each read with the path `key[i]`.
    func objects(_ key: String) throws(FieldError) -> [FieldReader]? {
        guard let value = object[key] else { return nil }
        guard case .array(let elements) = value else { throw typeError(key, expected: "an array", got: value) }
        var readers: [FieldReader] = []
        for (index, element) in elements.enumerated() {
            guard case .object(let nested) = element else {
                throw FieldError(message: "\(name(key))[\(index)] must be an object, got \(element.kindDescription)")
            }
            readers.append(FieldReader(nested, path: "\(name(key))[\(index)]"))
        }
        return readers
    }
}
