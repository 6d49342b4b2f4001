/// The cgroups a process belongs to, as listed in `/proc/<pid>/cgroup`.
package struct CgroupMembership: Sendable, Hashable {
    /// The cgroup v2 path (from the `0::/path` line), if any.
    package var unifiedPath: String?
    /// The cgroup v1 path of each hierarchy, keyed by its controller list (`memory`, `cpu,cpuacct`).
    package var controllerPaths: [String: String]

    /// The v1 path of the hierarchy that has `controller`, with that hierarchy's controller list.
    package func v1Hierarchy(with controller: String) -> (controllers: String, path: String)? {
        for (controllers, path) in controllerPaths.sorted(by: { $0.key < $1.key })
        where controllers.split(separator: ",").contains(Substring(controller)) {
            return (controllers, path)
        }
        return nil
    }
}
