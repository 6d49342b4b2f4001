/// How a ``Timeout`` makes a call stop at its limit.
///
/// | enforcement | how | cost per call | right when |
/// |---|---|---|---|
/// | `cancel` (default) | runs the operation in a child task next to a timer child task, and cancels it at the limit | two child tasks (microseconds) | always safe: any operation that honours cancellation stops at the limit |
/// | `cooperative` | gives the operation the limit as its context's deadline and creates no task; the operation must enforce it | two clock reads (tens of nanoseconds) | the operation enforces a deadline itself: async-http-client's `deadline`, a database statement timeout, a gRPC deadline |
///
/// Both give the caller `timedOut` for a call that ends at or past its limit, whatever it returned
/// or threw, and never start a call whose deadline has passed. A cooperative timeout cannot cut an
/// operation that ignores the deadline: such a call runs to its end, and only then gets `timedOut`.
///
/// `resilience-lab` simulates both alike: its simulated operations end at their deadline.
public enum TimeoutEnforcement: String, Sendable, Hashable, CaseIterable {
    /// Cancel the operation's task at the limit (a child task and a timer per call).
    case cancel
    /// Hand the limit to the operation as its deadline, and check it when the operation ends (no task).
    case cooperative
}
