import Resilience

/// The client already holds policies for its maximum number of hosts and never forgets one (see
/// ``ResilientHTTPClient``), so a request to a new host cannot get a pipeline; it was not sent.
public struct HTTPHostLimitError: Error, Sendable, Hashable, CustomStringConvertible, NotADependencyFailure {
    /// The client's name.
    public var clientName: String
    /// Its bound.
    public var maximumHosts: Int
    /// The host (`host:port`) that could not get policies.
    public var host: String

    /// Creates the error for `host`.
    public init(clientName: String, maximumHosts: Int, host: String) {
        self.clientName = clientName
        self.maximumHosts = maximumHosts
        self.host = host
    }

    public var description: String {
        "resilient HTTP client '\(clientName)' holds policies for its maximum of \(maximumHosts) hosts and never "
            + "forgets one, so host '\(host)' cannot get any; the request was not sent. Raise maximumHosts"
    }
}
