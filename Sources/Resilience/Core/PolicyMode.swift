/// Whether a policy that can refuse or cut a call does so (`enforce`, the default), or only says what
/// it would have done (`shadow`).
///
/// In **shadow mode** a policy computes every decision exactly as it would enforce it, counts each call
/// it would have refused in `resilience_<policy>_shadow_rejections_total` and logs it, and lets the call
/// through: a team can watch what a new breaker or limit *would* have done in production before
/// enforcing it (as Envoy's rate-limit service allows; Polly, resilience4j and tower have no such mode).
/// What "lets through" means for each policy is in its `mode` key's documentation; in short, a call a
/// shadow policy would have refused runs as if the policy were not there, and the policy's own state
/// evolves as if it had refused it (a shadow breaker does not record the outcome of a call it would
/// have rejected; a shadow limiter takes no permit for it). A shadow timeout counts a call that runs
/// past its limit and does not cancel it.
public enum PolicyMode: String, Sendable, Hashable, CaseIterable {
    /// Refuse and cut calls as configured.
    case enforce
    /// Decide, count and log, but let every call through.
    case shadow
}
