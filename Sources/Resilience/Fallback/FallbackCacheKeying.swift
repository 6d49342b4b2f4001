/// Which cached value a call of a caching fallback stores and reads.
///
/// | keying | one cached value per |
/// |---|---|
/// | ``shared`` | fallback instance (the default) |
/// | ``operationName`` | ``ResilienceContext/operationName`` |
/// | ``metadata(_:)`` | value of a ``ResilienceContextKey`` in the context's metadata (a tenant, a product id) |
/// | ``custom(_:)`` | value your function derives from the context |
///
/// A call for which no key can be derived (the metadata value is absent, the function returns `nil`)
/// is neither stored nor served from the cache. The number of keys is bounded by
/// ``FallbackCacheConfiguration/maximumKeys``.
public struct FallbackCacheKeying: Sendable {
    @usableFromInline
    enum Kind: Sendable {
        case shared
        case operationName
        case derived(@Sendable (ResilienceContext) -> FallbackCacheKey?)
    }

    @usableFromInline let kind: Kind

    init(_ kind: Kind) { self.kind = kind }

    /// One cached value for the whole fallback.
    public static let shared = FallbackCacheKeying(.shared)

    /// One cached value per operation name.
    public static let operationName = FallbackCacheKeying(.operationName)

    /// One cached value per value of `key` in the context's metadata.
    public static func metadata<Key: ResilienceContextKey>(_ key: Key.Type) -> FallbackCacheKeying
    where Key.Value: Hashable {
        custom { context in context.metadata[key] }
    }

    /// One cached value per value that `key` derives from the context (`nil`: do not cache this call).
    ///
    /// `String` and `Int` keys are hashed directly; keys of other types are wrapped in `AnyHashable`,
    /// whose hashing and comparison go through dynamic casts and cost several times more per call.
    public static func custom<Key: Hashable & Sendable>(
        _ key: @escaping @Sendable (ResilienceContext) -> Key?
    ) -> FallbackCacheKeying {
        // Decided once here, so that no call pays a dynamic cast of its key.
        if let byString = key as? @Sendable (ResilienceContext) -> String? {
            return FallbackCacheKeying(.derived { context in byString(context).map(FallbackCacheKey.string) })
        }
        if let byInteger = key as? @Sendable (ResilienceContext) -> Int? {
            return FallbackCacheKeying(.derived { context in byInteger(context).map(FallbackCacheKey.integer) })
        }
        return FallbackCacheKeying(.derived { context in key(context).map { FallbackCacheKey.other(AnyHashable($0)) } })
    }

    /// The key of a call with `context`, or `nil` when the call has none.
    @inlinable
    func key(for context: ResilienceContext) -> FallbackCacheKey? {
        switch kind {
        case .shared: .shared
        case .operationName: .string(context.operationName)
        case .derived(let derive): derive(context)
        }
    }
}

/// A cache key: the common key types hashed directly, any other type-erased.
///
/// `@unchecked Sendable` is safe: `String` and `Int` are `Sendable`, and `.other` is only made (in
/// ``FallbackCacheKeying/custom(_:)``) from a `Sendable` value; `AnyHashable` is an immutable box around
/// it, which the standard library does not mark `Sendable` only because it could wrap anything.
@usableFromInline
enum FallbackCacheKey: Hashable, @unchecked Sendable {
    /// The key of ``FallbackCacheKeying/shared``.
    case shared
    /// An operation name, or a `String` derived from the context.
    case string(String)
    /// An `Int` derived from the context.
    case integer(Int)
    /// A key of any other type.
    case other(AnyHashable)
}
