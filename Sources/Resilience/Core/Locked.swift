import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A `Mutex` that ThreadSanitizer can see.
///
/// On Linux, `Synchronization.Mutex` (Swift 6.3) hands a contended lock from thread to thread inside
/// the kernel (`FUTEX_LOCK_PI`), where ThreadSanitizer sees no acquire, so under `--sanitize=thread`
/// the accesses it protects are reported as races whenever two threads contend for it (a program
/// appending to a `Mutex<[Int]>` from 8 threads is flagged, though its result is exact; a CI run
/// flagged the lab's `ParallelMap` on one run in many). When the
/// ThreadSanitizer runtime is loaded, `Locked` tells it about each critical section with
/// `__tsan_acquire` / `__tsan_release`; otherwise the hooks are absent and it costs one `nil` check.
///
/// `package`, so that the simulation lab and the tests lock this way too.
@usableFromInline
package struct Locked<Value: ~Copyable>: ~Copyable, Sendable {
    @usableFromInline let mutex: Mutex<Value>
    /// The ThreadSanitizer hooks and the address that names this lock to it, when running under TSan.
    @usableFromInline let sanitizer: (hooks: ThreadSanitizerHooks, token: SynchronizationToken)?

    @usableFromInline
    package init(_ value: consuming sending Value) {
        mutex = Mutex(value)
        if let hooks = ThreadSanitizerHooks.current {
            sanitizer = (hooks, SynchronizationToken())
        } else {
            sanitizer = nil
        }
    }

    /// Runs `body` with exclusive access to the value.
    @inlinable
    package borrowing func withLock<Result: ~Copyable, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result {
        try mutex.withLock { (value: inout sending Value) throws(E) -> sending Result in
            if let sanitizer { sanitizer.hooks.acquire(sanitizer.token.address) }
            defer { if let sanitizer { sanitizer.hooks.release(sanitizer.token.address) } }
            return try body(&value)
        }
    }
}

/// An object whose address names one lock to ThreadSanitizer (created only under TSan). Only the
/// address matters: an identity the sanitizer attaches happens-before edges to.
@usableFromInline
final class SynchronizationToken: Sendable {
    @usableFromInline var address: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }
}

/// `__tsan_acquire` and `__tsan_release`, looked up in the running process.
@usableFromInline
struct ThreadSanitizerHooks: Sendable {
    @usableFromInline typealias Hook = @convention(c) (UnsafeMutableRawPointer?) -> Void

    @usableFromInline let acquire: Hook
    @usableFromInline let release: Hook

    /// The hooks when the ThreadSanitizer runtime is loaded, else `nil`.
    static let current: ThreadSanitizerHooks? = {
        #if os(Linux)
        guard let acquire = dlsym(nil, "__tsan_acquire"), let release = dlsym(nil, "__tsan_release") else {
            return nil
        }
        return ThreadSanitizerHooks(
            acquire: unsafeBitCast(acquire, to: Hook.self), release: unsafeBitCast(release, to: Hook.self))
        #else
        return nil
        #endif
    }()
}
