/// The registry already holds its maximum number of bulkheads, and never evicts one (see
/// ``BulkheadRegistry``), so a new key cannot get a bulkhead.
public struct BulkheadRegistryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The registry's name.
    public var registryName: String
    /// Its bound.
    public var maximumBulkheads: Int
    /// The key that could not get a bulkhead.
    public var key: String

    public var description: String {
        "bulkhead registry '\(registryName)' holds its maximum of \(maximumBulkheads) bulkheads and never evicts "
            + "one, so key '\(key)' cannot get a bulkhead; raise maximumBulkheads or use fewer keys"
    }
}
