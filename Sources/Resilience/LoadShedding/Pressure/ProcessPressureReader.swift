#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads this process's CPU and memory pressure on Linux, as fractions of what it may use, for
/// ``PressureSampler`` to feed into ``PressureGauge``s.
///
/// **CPU** is the CPU time the process used since the previous reading over the CPU time it could
/// have used:
///
///     cpu = Δ(utime + stime) / CLK_TCK  /  (Δwall × capacity)
///
/// where `utime + stime` comes from `/proc/self/stat`, `Δwall` is measured on the reader's clock, and
/// `capacity` is the number of CPUs available: the CPUs the process may run on (`Cpus_allowed_list`
/// in `/proc/self/status`, which reflects `taskset` and cpusets), lowered to the cgroup CPU quota when
/// there is one (cgroup v2 `cpu.max`, or v1 `cpu.cfs_quota_us / cpu.cfs_period_us`; the smallest
/// quota on the path from the process's cgroup up to the root, since each level limits the ones
/// below). A container limited to 1.5 CPUs on a 16-CPU host that uses 1.5 CPUs reads 1.0. The first
/// reading has no previous one and returns `nil`. A reading may slightly exceed 1 when the sampling
/// interval straddles a CFS period; it is not clamped.
///
/// **Memory** is the resident set size (`/proc/self/statm` resident pages × page size) over the limit:
/// the `memoryLimit` you pass, or else the cgroup memory limit (v2 `memory.max`, v1
/// `memory.limit_in_bytes`; the smallest on the path to the root). With neither, reading memory
/// throws. Note that the kernel's OOM decision counts the page cache of the cgroup too, which RSS does
/// not; keep memory thresholds below 1 accordingly.
///
/// Where the cgroup files are: under `cgroupRoot` (default `/sys/fs/cgroup`), in the unified (v2)
/// hierarchy when `cgroupRoot/cgroup.controllers` exists, else in the v1 hierarchy of the controller
/// (`cgroupRoot/cpu,cpuacct`, `cgroupRoot/memory`, named as in `/proc/self/cgroup`). When the path
/// listed in `/proc/self/cgroup` does not exist under the mount (a container without a cgroup
/// namespace sees its host path), the mount's root is the process's cgroup. A missing limit file
/// means no limit at that level.
///
/// Every file is read again at each reading, so a changed quota or limit is picked up; parsing is done
/// by `ProcFileParser` and a malformed file throws, never reads as 0. On systems without `/proc`
/// (macOS), reading throws ``ProcessPressureError``.
public final class ProcessPressureReader<C: Clock>: Sendable where C.Duration == Duration {
    /// The memory limit in bytes that memory pressure is a fraction of; `nil` for the cgroup's.
    public let memoryLimit: UInt64?
    /// The directory of the process's `/proc` files.
    public let procDirectory: String
    /// Where the cgroup file systems are mounted.
    public let cgroupRoot: String

    let clock: C
    let ticksPerSecond: UInt64
    let pageSize: UInt64
    let previousCPU: Locked<(ticks: UInt64, at: C.Instant)?>

    /// A reader of this process's pressure.
    /// - Parameters:
    ///   - memoryLimit: the bytes that count as full memory; `nil` for the cgroup memory limit.
    ///   - procDirectory: the process's `/proc` directory; change it only in tests.
    ///   - cgroupRoot: where cgroup file systems are mounted; change it only in tests.
    ///   - clock: the clock that measures the wall time between CPU readings; `ContinuousClock` by default.
    /// - Throws: ``ConfigurationError`` for a `memoryLimit` of 0.
    public init(
        memoryLimit: UInt64? = nil, procDirectory: String = "/proc/self", cgroupRoot: String = "/sys/fs/cgroup",
        clock: C = ContinuousClock()
    ) throws(ConfigurationError) {
        if let memoryLimit { try ConfigurationError.check(memoryLimit > 0, "memoryLimit", "\(memoryLimit)", ">= 1 byte, or nil for the cgroup's") }
        self.memoryLimit = memoryLimit
        self.procDirectory = procDirectory
        self.cgroupRoot = cgroupRoot
        self.clock = clock
        self.ticksPerSecond = UInt64(max(sysconf(Int32(_SC_CLK_TCK)), 1))
        self.pageSize = UInt64(max(sysconf(Int32(_SC_PAGESIZE)), 1))
        self.previousCPU = Locked(nil)
    }

    /// The CPU used since the previous reading, as a fraction of the CPUs available; `nil` on the first
    /// reading, or when no time has passed on the clock.
    /// - Throws: ``ProcessPressureError`` when a file cannot be read or parsed.
    public func readCPU() throws(ProcessPressureError) -> Double? {
        let ticks = try parse { () throws(ProcParseError) in try ProcFileParser.cpuTicks(stat: try readText("\(procDirectory)/stat")) }
        let now = clock.now
        let capacity = try cpuCapacity()
        let previous = previousCPU.withLock { previous in
            defer { previous = (ticks, now) }
            return previous
        }
        guard let previous, ticks >= previous.ticks else { return nil }
        return Self.cpuFraction(
            ticks: ticks - previous.ticks, ticksPerSecond: ticksPerSecond, wall: previous.at.duration(to: now),
            capacity: capacity)
    }

    /// The resident memory as a fraction of the memory limit.
    /// - Throws: ``ProcessPressureError`` when a file cannot be read or parsed, or when there is no
    ///   limit (no `memoryLimit` and no cgroup memory limit).
    public func readMemory() throws(ProcessPressureError) -> Double {
        let pages = try parse { () throws(ProcParseError) in try ProcFileParser.residentPages(statm: try readText("\(procDirectory)/statm")) }
        var limit = memoryLimit
        if limit == nil { limit = try cgroupMemoryLimit() }
        guard let limit else {
            throw ProcessPressureError(
                path: "\(cgroupRoot)", problem: "no memory limit: pass memoryLimit, or run in a cgroup with a memory limit")
        }
        return Double(pages) * Double(pageSize) / Double(limit)
    }

    /// The CPUs available: the allowed CPUs, lowered to the cgroup quota if there is one.
    public func cpuCapacity() throws(ProcessPressureError) -> Double {
        let allowed = try parse { () throws(ProcParseError) in try ProcFileParser.allowedCPUCount(status: try readText("\(procDirectory)/status")) }
        guard let quota = try cgroupCPUQuota() else { return Double(allowed) }
        return min(Double(allowed), quota)
    }

    /// `ticks` of CPU time over `wall` of wall time on `capacity` CPUs; `nil` when `wall` is not
    /// positive.
    public static func cpuFraction(ticks: UInt64, ticksPerSecond: UInt64, wall: Duration, capacity: Double) -> Double? {
        let wallSeconds = Double(wall.attoseconds) / 1e18
        guard wallSeconds > 0, capacity > 0, ticksPerSecond > 0 else { return nil }
        return Double(ticks) / Double(ticksPerSecond) / (wallSeconds * capacity)
    }

    // MARK: - cgroups

    /// The smallest CPU quota (in CPUs) on the cgroup path, or `nil` for none.
    func cgroupCPUQuota() throws(ProcessPressureError) -> Double? {
        let membership = try membership()
        if let path = membership.unifiedPath, exists("\(cgroupRoot)/cgroup.controllers") {
            return try smallest(over: directories(root: cgroupRoot, path: path)) { directory throws(ProcessPressureError) in
                guard let text = try readIfPresent("\(directory)/cpu.max") else { return nil }
                return try parse { () throws(ProcParseError) in try ProcFileParser.cpuQuota(cpuMax: text) }
            }
        }
        guard let (controllers, path) = membership.v1Hierarchy(with: "cpu") else { return nil }
        return try smallest(over: directories(root: "\(cgroupRoot)/\(controllers)", path: path)) { directory throws(ProcessPressureError) in
            guard let quota = try readIfPresent("\(directory)/cpu.cfs_quota_us"),
                let period = try readIfPresent("\(directory)/cpu.cfs_period_us")
            else { return nil }
            return try parse { () throws(ProcParseError) in try ProcFileParser.cpuQuota(cfsQuota: quota, cfsPeriod: period) }
        }
    }

    /// The smallest memory limit (bytes) on the cgroup path, or `nil` for none.
    func cgroupMemoryLimit() throws(ProcessPressureError) -> UInt64? {
        let membership = try membership()
        let root: String, path: String, file: String
        if let unified = membership.unifiedPath, exists("\(cgroupRoot)/cgroup.controllers") {
            (root, path, file) = (cgroupRoot, unified, "memory.max")
        } else if let (controllers, v1Path) = membership.v1Hierarchy(with: "memory") {
            (root, path, file) = ("\(cgroupRoot)/\(controllers)", v1Path, "memory.limit_in_bytes")
        } else {
            return nil
        }
        return try smallest(over: directories(root: root, path: path)) { directory throws(ProcessPressureError) -> UInt64? in
            guard let text = try readIfPresent("\(directory)/\(file)") else { return nil }
            return try parse { () throws(ProcParseError) in try ProcFileParser.memoryLimit(text, file: file) }
        }
    }

    func membership() throws(ProcessPressureError) -> CgroupMembership {
        guard let text = try readIfPresent("\(procDirectory)/cgroup") else {
            return CgroupMembership(unifiedPath: nil, controllerPaths: [:])
        }
        return try parse { () throws(ProcParseError) in try ProcFileParser.cgroups(cgroup: text) }
    }

    /// The directories from the process's cgroup up to the mount's root, or the root alone when the
    /// path does not exist under it.
    func directories(root: String, path: String) -> [String] {
        var components = path.split(separator: "/").map(String.init)
        guard !components.isEmpty, exists("\(root)/\(components.joined(separator: "/"))") else { return [root] }
        var result: [String] = []
        while !components.isEmpty {
            result.append("\(root)/\(components.joined(separator: "/"))")
            components.removeLast()
        }
        result.append(root)
        return result
    }

    func smallest<Value: Comparable>(
        over directories: [String], _ value: (String) throws(ProcessPressureError) -> Value?
    ) throws(ProcessPressureError) -> Value? {
        var smallest: Value?
        for directory in directories {
            if let found = try value(directory) { smallest = min(smallest ?? found, found) }
        }
        return smallest
    }

    // MARK: - Files

    func parse<Value>(_ body: () throws(ProcParseError) -> Value) throws(ProcessPressureError) -> Value {
        do {
            return try body()
        } catch {
            throw ProcessPressureError(path: error.file, problem: error.description)
        }
    }

    func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    func readIfPresent(_ path: String) throws(ProcessPressureError) -> String? {
        exists(path) ? try readFile(path) : nil
    }

    func readText(_ path: String) throws(ProcParseError) -> String {
        do {
            return try readFile(path)
        } catch {
            throw ProcParseError(file: path, problem: error.problem, text: "")
        }
    }

    /// The whole text of a small file, read with one `open` and a few `read`s.
    func readFile(_ path: String) throws(ProcessPressureError) -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ProcessPressureError(path: path, problem: "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ProcessPressureError(path: path, problem: "cannot read: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
            if bytes.count > 1 << 20 { throw ProcessPressureError(path: path, problem: "larger than 1 MiB") }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Reading the process's pressure failed: names the file and the problem.
public struct ProcessPressureError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file or directory concerned.
    public var path: String
    /// What went wrong.
    public var problem: String

    public var description: String { "process pressure: \(path): \(problem)" }
}
