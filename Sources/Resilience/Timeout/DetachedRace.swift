/// The race between a detached operation and its timer in ``Timeout/executeDetached(context:_:)``:
/// whichever ends first resumes the caller, exactly once; the other is cancelled.
///
/// The caller's cancellation may arrive before the continuation is stored, and the tasks may end
/// before they are stored; every order is handled under one lock.
final class DetachedRace<Value: Sendable>: Sendable {
    /// How an ending operation finds the race.
    enum Arrival {
        /// The operation ended first: its outcome went to the caller.
        case first
        /// The caller had already gone (timed out or cancelled): the operation was an orphan.
        case orphan
    }

    private struct State {
        var continuation: CheckedContinuation<Value, any Error>?
        var decided = false
        var callerCancelled = false
        var work: Task<Void, Never>?
        var timer: Task<Void, Never>?
    }

    private let state = Locked(State())

    /// Stores the caller's continuation; resumes it at once if the caller was cancelled already.
    func begin(_ continuation: CheckedContinuation<Value, any Error>) {
        let cancelled = state.withLock { state -> Bool in
            if state.decided { return true }
            state.continuation = continuation
            return false
        }
        if cancelled { continuation.resume(throwing: CancellationError()) }
    }

    /// Stores the tasks, cancelling those that are no longer needed because the race is decided.
    func setTasks(work: Task<Void, Never>, timer: Task<Void, Never>) {
        let (cancelWork, cancelTimer) = state.withLock { state -> (Bool, Bool) in
            state.work = work
            state.timer = timer
            return (state.callerCancelled, state.decided)
        }
        if cancelWork { work.cancel() }
        if cancelTimer { timer.cancel() }
    }

    /// The operation ended with `result`: hands it to the caller if nothing else did first.
    func operationEnded(with result: Result<Value, any Error>) -> Arrival {
        let (continuation, timer) = state.withLock { state -> (CheckedContinuation<Value, any Error>?, Task<Void, Never>?) in
            guard !state.decided else { return (nil, nil) }
            state.decided = true
            defer { state.continuation = nil }
            return (state.continuation, state.timer)
        }
        guard let continuation else { return .orphan }
        timer?.cancel()
        continuation.resume(with: result)
        return .first
    }

    /// The limit was reached: hands `error` to the caller and cancels the operation, unless the race
    /// was decided. Returns whether it was not.
    func limitReached(error: ResilienceError) -> Bool {
        let (continuation, work) = state.withLock { state -> (CheckedContinuation<Value, any Error>?, Task<Void, Never>?) in
            guard !state.decided else { return (nil, nil) }
            state.decided = true
            defer { state.continuation = nil }
            return (state.continuation, state.work)
        }
        guard let continuation else { return false }
        work?.cancel()
        continuation.resume(throwing: error)
        return true
    }

    /// The caller was cancelled: it gets `CancellationError` now, and both tasks are cancelled.
    /// Returns whether the operation was still running undecided (it is then abandoned).
    func callerCancelled() -> Bool {
        let (continuation, work, timer, undecided) = state.withLock { state in
            state.callerCancelled = true
            let undecided = !state.decided
            state.decided = true
            defer { state.continuation = nil }
            return (state.continuation, state.work, state.timer, undecided)
        }
        work?.cancel()
        timer?.cancel()
        continuation?.resume(throwing: CancellationError())
        return undecided
    }
}
