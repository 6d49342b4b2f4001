import Resilience
import ResilienceConfiguration

/// Everything `resilience-proxy` reads from its configuration file and the environment: the `proxy`
/// section and the policies under `resilience`.
public struct ProxySettings: Sendable, Hashable {
    /// The `proxy` section.
    public var proxy: ProxyConfiguration
    /// The `resilience` section: the policies the routes name.
    public var resilience: ResilienceSettings

    public init(proxy: ProxyConfiguration, resilience: ResilienceSettings) {
        self.proxy = proxy
        self.resilience = resilience
    }

    /// Reads `file` (JSON, or YAML by its `.yaml` or `.yml` name) and `environment`.
    ///
    /// Everything is checked before anything is used, and every problem is reported at once, each
    /// naming its key's full path (`proxy.routes[0].upstream`, `resilience.policies.llm.retry.maxAttempts`):
    /// see ``ProxyConfiguration`` for the `proxy` keys, and
    /// ``ResilienceSettings/read(files:environment:profile:)`` for the rest. A route's `policy` must name a
    /// policy under `resilience.policies`.
    /// - Throws: ``ConfigurationProblems`` listing every problem.
    public static func read(file: String, environment: [String: String]) throws(ConfigurationProblems) -> ProxySettings {
        try read(documents: [ConfigurationDocument(path: file)], environment: environment)
    }

    /// ``read(file:environment:)`` with the file already read.
    package static func read(documents: [ConfigurationDocument], environment: [String: String]) throws(ConfigurationProblems) -> ProxySettings {
        var problems: [ConfigurationProblems.Problem] = []
        var resilience: ResilienceSettings?
        do {
            resilience = try ResilienceSettings.read(documents: documents, environment: environment, profile: nil)
        } catch {
            problems += error.problems
        }
        var reader = ProxyConfigurationReader()
        for document in documents where (try? document.root.get()) != nil { reader.read(document) }
        reader.readEnvironment(environment)
        if let resilience { reader.checkPolicies(known: Set(resilience.policies.keys)) }
        // A file that could not be read was reported by the resilience reading; say nothing about its sections.
        let unreadable = documents.contains { (try? $0.root.get()) == nil }
        let proxy = unreadable ? nil : reader.configuration()
        problems += reader.problems
        guard problems.isEmpty, let resilience, let proxy else {
            throw ConfigurationProblems(problems.isEmpty ? reader.problems : problems)
        }
        return ProxySettings(proxy: proxy, resilience: resilience)
    }
}
