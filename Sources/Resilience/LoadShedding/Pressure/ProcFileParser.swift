/// Pure parsers of the Linux files a ``ProcessPressureReader`` reads: `/proc/self/stat`, `statm`,
/// `status`, `/proc/self/cgroup` and the cgroup limit files. Each takes the file's text and returns the
/// value, or throws a ``ProcParseError`` naming the file and what was wrong; malformed text never
/// reads as 0.
package enum ProcFileParser {
    /// The CPU time the process has used, `utime + stime`, in clock ticks (`sysconf(_SC_CLK_TCK)` per
    /// second), from `/proc/<pid>/stat`.
    ///
    /// The command name (field 2) is in parentheses and may itself hold spaces and parentheses, so the
    /// fields are counted from the last `)`: `utime` and `stime` are fields 14 and 15.
    package static func cpuTicks(stat text: String) throws(ProcParseError) -> UInt64 {
        let file = "stat"
        guard let close = text.lastIndex(of: ")") else {
            throw ProcParseError(file: file, problem: "no ')' closing the command name", text: text)
        }
        let fields = text[text.index(after: close)...].split(whereSeparator: { $0 == " " || $0 == "\n" })
        // fields[0] is field 3 (state), so field n is fields[n - 3].
        guard fields.count >= 13 else {
            throw ProcParseError(file: file, problem: "\(fields.count + 2) fields, expected at least 15", text: text)
        }
        let utime = try unsigned(fields[11], "utime (field 14)", file: file, text: text)
        let stime = try unsigned(fields[12], "stime (field 15)", file: file, text: text)
        let (sum, overflow) = utime.addingReportingOverflow(stime)
        if overflow { throw ProcParseError(file: file, problem: "utime + stime overflows", text: text) }
        return sum
    }

    /// The resident set size in pages, field 2 of `/proc/<pid>/statm`.
    package static func residentPages(statm text: String) throws(ProcParseError) -> UInt64 {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count >= 2 else {
            throw ProcParseError(file: "statm", problem: "\(fields.count) fields, expected at least 2", text: text)
        }
        return try unsigned(fields[1], "resident (field 2)", file: "statm", text: text)
    }

    /// The number of CPUs the process may run on, from the `Cpus_allowed_list:` line of
    /// `/proc/<pid>/status` (a list of numbers and ranges, such as `0-3,8,10-11`).
    package static func allowedCPUCount(status text: String) throws(ProcParseError) -> Int {
        let file = "status"
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }) else {
            throw ProcParseError(file: file, problem: "no Cpus_allowed_list line", text: text)
        }
        let list = line.dropFirst("Cpus_allowed_list:".count).trimmingWhitespace()
        var count = 0
        for item in list.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false)
            switch bounds.count {
            case 1:
                _ = try unsigned(bounds[0], "a CPU number in Cpus_allowed_list", file: file, text: text)
                count += 1
            case 2:
                let first = try unsigned(bounds[0], "a CPU range start in Cpus_allowed_list", file: file, text: text)
                let last = try unsigned(bounds[1], "a CPU range end in Cpus_allowed_list", file: file, text: text)
                guard first <= last else {
                    throw ProcParseError(file: file, problem: "CPU range \(item) ends before it starts", text: text)
                }
                count += Int(last - first + 1)
            default:
                throw ProcParseError(file: file, problem: "\"\(item)\" is not a CPU number or range", text: text)
            }
        }
        guard count > 0 else { throw ProcParseError(file: file, problem: "Cpus_allowed_list is empty", text: text) }
        return count
    }

    /// The cgroups of the process, from `/proc/<pid>/cgroup`: the cgroup v2 path (the `0::` line), and
    /// the cgroup v1 path of each controller (`4:memory:/a/b`, `2:cpu,cpuacct:/c`), keyed by the
    /// controller list as mounted (`memory`, `cpu,cpuacct`).
    package static func cgroups(cgroup text: String) throws(ProcParseError) -> CgroupMembership {
        var membership = CgroupMembership(unifiedPath: nil, controllerPaths: [:])
        for line in text.split(separator: "\n") where !line.isEmpty {
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, parts[2].hasPrefix("/") else {
                throw ProcParseError(
                    file: "cgroup", problem: "\"\(line)\" is not hierarchy-ID:controllers:/path", text: text)
            }
            if parts[0] == "0" && parts[1].isEmpty {
                membership.unifiedPath = String(parts[2])
            } else if !parts[1].isEmpty {
                membership.controllerPaths[String(parts[1])] = String(parts[2])
            }
        }
        return membership
    }

    /// The CPU quota in CPUs from a cgroup v2 `cpu.max` (`"200000 100000"` is 2 CPUs), or `nil` for
    /// `max` (no quota).
    package static func cpuQuota(cpuMax text: String) throws(ProcParseError) -> Double? {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count == 2 else {
            throw ProcParseError(file: "cpu.max", problem: "\(fields.count) fields, expected \"quota period\"", text: text)
        }
        if fields[0] == "max" { return nil }
        let quota = try unsigned(fields[0], "quota", file: "cpu.max", text: text)
        let period = try unsigned(fields[1], "period", file: "cpu.max", text: text)
        guard period > 0 else { throw ProcParseError(file: "cpu.max", problem: "the period is 0", text: text) }
        return Double(quota) / Double(period)
    }

    /// The CPU quota in CPUs from cgroup v1 `cpu.cfs_quota_us` and `cpu.cfs_period_us`, or `nil` when
    /// the quota is `-1` (none).
    package static func cpuQuota(cfsQuota quotaText: String, cfsPeriod periodText: String) throws(ProcParseError) -> Double? {
        let quota = quotaText.trimmingWhitespace()
        if quota == "-1" { return nil }
        let quotaValue = try unsigned(quota, "quota", file: "cpu.cfs_quota_us", text: quotaText)
        let period = try unsigned(periodText.trimmingWhitespace(), "period", file: "cpu.cfs_period_us", text: periodText)
        guard period > 0 else { throw ProcParseError(file: "cpu.cfs_period_us", problem: "the period is 0", text: periodText) }
        return Double(quotaValue) / Double(period)
    }

    /// A memory limit in bytes from cgroup v2 `memory.max` or v1 `memory.limit_in_bytes`, or `nil` when
    /// there is none (`max`, or v1's "unlimited", any value ≥ 2⁶²).
    package static func memoryLimit(_ text: String, file: String) throws(ProcParseError) -> UInt64? {
        let value = text.trimmingWhitespace()
        if value == "max" { return nil }
        let bytes = try unsigned(value, "the limit", file: file, text: text)
        return bytes >= 1 << 62 ? nil : bytes
    }

    static func unsigned(
        _ field: Substring, _ name: String, file: String, text: String
    ) throws(ProcParseError) -> UInt64 {
        guard !field.isEmpty, field.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = UInt64(field) else {
            throw ProcParseError(file: file, problem: "\(name) is \"\(field)\", not a non-negative integer", text: text)
        }
        return value
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and newlines.
    func trimmingWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        let string = Substring(self)
        guard let first = string.firstIndex(where: { !isSpace($0) }) else { return string[string.endIndex...] }
        let last = string.lastIndex(where: { !isSpace($0) })!
        return string[first...last]
    }
}

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
