import Metrics
import Resilience
import ResilienceConfiguration

/// The routes in force, each with what its requests need at hand: its pipeline, its `timeout.firstByte`,
/// and its counter of unrecognized priorities. Built at start and at each reload; a request reads the
/// table once.
struct ProxyRouteTable: Sendable {
    /// A route, ready to serve.
    struct Entry: Sendable {
        let route: ProxyRoute
        /// The pipeline of the route's policy; `nil` for a pass-through route.
        let pipeline: ConfiguredPipeline<ContinuousClock>?
        /// The policy's `timeout.firstByte`: the limit until the response head.
        let firstByte: Duration?
        /// `resilience_http_unrecognized_priority_total{policy}`.
        let unrecognizedPriorities: Counter

        /// The policy's name, as rejections name it (`nil`: a pass-through route).
        var policyName: String? { route.policy }
    }

    /// The routes, longest prefix first: the first match is the longest.
    let entries: [Entry]
    /// `proxy.maxBodyBytes`.
    let maxBodyBytes: Int

    /// The table of `settings`, with the pipelines of `policies` (which must hold every route's policy).
    /// - Throws: ``ConfigurationProblems`` when a route names a policy `policies` does not have.
    init(
        settings: ProxySettings, policies: ResiliencePolicies<ContinuousClock>, metricsFactory: any MetricsFactory
    ) throws(ConfigurationProblems) {
        var entries: [Entry] = []
        for route in settings.proxy.routes {
            let pipeline = try route.policy.map { (name) throws(ConfigurationProblems) in try policies.pipeline(named: name) }
            entries.append(Entry(
                route: route, pipeline: pipeline,
                firstByte: route.policy.flatMap { settings.resilience.policies[$0]?.timeout?.firstByte },
                unrecognizedPriorities: Counter(
                    label: "resilience_http_unrecognized_priority_total", dimensions: [("policy", route.policy ?? "none")],
                    factory: metricsFactory)))
        }
        self.entries = entries.sorted { $0.route.prefix.utf8.count > $1.route.prefix.utf8.count }
        maxBodyBytes = settings.proxy.maxBodyBytes
    }

    /// The route of `path`: the one with the longest prefix that matches it by whole segments.
    func match(path: some StringProtocol) -> Entry? {
        entries.first { $0.route.matches(path: path) }
    }
}
