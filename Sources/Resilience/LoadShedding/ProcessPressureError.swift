/// Reading the process's pressure failed: names the file and the problem.
public struct ProcessPressureError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file or directory concerned.
    public var path: String
    /// What went wrong.
    public var problem: String

    public var description: String { "process pressure: \(path): \(problem)" }
}
