/// A request ``MisbehavingUpstream`` received: what a test checks to prove what reached the upstream.
public struct UpstreamRequest: Sendable, Hashable {
    /// The method, `GET`, `POST`, ...
    public var method: String
    /// The path, without the query.
    public var path: String
    /// When its head arrived, on the continuous clock.
    public var receivedAt: ContinuousClock.Instant
    /// The number of body bytes it carried.
    public var bodyBytes: Int
}
