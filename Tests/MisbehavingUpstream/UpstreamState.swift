import NIOConcurrencyHelpers

/// What ``MisbehavingUpstream`` knows, behind one lock: its behaviours, what it received, what it is doing.
final class UpstreamState: Sendable {
    struct Values {
        var defaultBehaviour: UpstreamBehaviour
        var routes: [String: UpstreamBehaviour]
        var requests: [UpstreamRequest] = []
        var requestsPerPath: [String: Int] = [:]
        var inFlight = 0
        var maxInFlight = 0
        var completedResponses = 0
        var resets = 0
    }

    let values: NIOLockedValueBox<Values>

    init(defaultBehaviour: UpstreamBehaviour, routes: [String: UpstreamBehaviour]) {
        values = NIOLockedValueBox(Values(defaultBehaviour: defaultBehaviour, routes: routes))
    }

    /// Records a request head and returns how to answer it, with its number among its path's requests (0 for
    /// the first).
    func received(method: String, path: String, at instant: ContinuousClock.Instant) -> (UpstreamBehaviour, Int) {
        values.withLockedValue { values in
            values.requests.append(UpstreamRequest(method: method, path: path, receivedAt: instant, bodyBytes: 0))
            let index = values.requestsPerPath[path, default: 0]
            values.requestsPerPath[path] = index + 1
            values.inFlight += 1
            values.maxInFlight = max(values.maxInFlight, values.inFlight)
            return (values.routes[path] ?? values.defaultBehaviour, index)
        }
    }

    /// Adds body bytes to the last request recorded for `path`.
    func receivedBody(bytes: Int, path: String) {
        values.withLockedValue { values in
            guard let index = values.requests.lastIndex(where: { $0.path == path }) else { return }
            values.requests[index].bodyBytes += bytes
        }
    }

    /// A request stopped being in flight: its response's end is about to be written (`completed`), or its
    /// connection was reset or closed first.
    func finished(completed: Bool) {
        values.withLockedValue { values in
            values.inFlight -= 1
            if completed { values.completedResponses += 1 }
        }
    }

    /// A connection was reset on purpose.
    func didReset() {
        values.withLockedValue { $0.resets += 1 }
    }
}
