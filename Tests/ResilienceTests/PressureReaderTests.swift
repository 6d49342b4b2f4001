import Foundation
import Testing
@testable import Resilience

/// A fake /proc/self and cgroup tree in a temporary directory.
final class FakeProcTree {
    let root: URL
    var proc: String { root.appendingPathComponent("proc").path }
    var cgroup: String { root.appendingPathComponent("cgroup").path }

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("shed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: root.appendingPathComponent("proc").path, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root.appendingPathComponent("cgroup").path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    func write(_ relative: String, _ text: String) throws {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    func stat(ticks utime: Int, _ stime: Int) throws {
        try write("proc/stat", "7 (app) S 1 7 7 0 -1 0 0 0 0 0 \(utime) \(stime) 0 0 20 0 1 0 5 100 10 1\n")
    }
}

@Suite("Pressure: process reader")
struct PressureReaderTests {
    @Test("cgroup v2: CPU over the quota (smallest on the path), memory over memory.max")
    func cgroupV2() throws {
        let tree = try FakeProcTree()
        let clock = ManualClock()
        try tree.write("proc/cgroup", "0::/kubepods/pod1\n")
        try tree.write("proc/status", "Cpus_allowed_list:\t0-7\n")
        try tree.write("proc/statm", "1000 256 10 1 0 100 0\n")
        try tree.write("cgroup/cgroup.controllers", "cpu memory\n")
        try tree.write("cgroup/kubepods/cpu.max", "400000 100000\n")           // 4 CPUs for all pods
        try tree.write("cgroup/kubepods/pod1/cpu.max", "200000 100000\n")      // 2 for this one
        try tree.write("cgroup/kubepods/memory.max", "max\n")
        try tree.write("cgroup/kubepods/pod1/memory.max", "\(256 * 4096 * 4)\n")
        try tree.stat(ticks: 100, 0)
        let reader = try ProcessPressureReader(procDirectory: tree.proc, cgroupRoot: tree.cgroup, clock: clock)
        #expect(try reader.cpuCapacity() == 2)
        #expect(try reader.readCPU() == nil)                                     // the first reading has no previous one
        clock.advance(by: .seconds(2))
        let tick = Int(reader.ticksPerSecond)
        try tree.stat(ticks: 100 + 3 * tick / 2, tick / 2)                        // 2 CPU-seconds in 2 s on 2 CPUs
        #expect(try reader.readCPU() == 0.5)
        let memory = try reader.readMemory()
        #expect(memory == Double(256 * Int(reader.pageSize)) / Double(256 * 4096 * 4))
    }

    @Test("cgroup v1: the controller's hierarchy; a path missing under the mount falls back to its root")
    func cgroupV1() throws {
        let tree = try FakeProcTree()
        try tree.write("proc/cgroup", "4:memory:/host/path/not/here\n2:cpu,cpuacct:/app\n0::/\n")
        try tree.write("proc/status", "Cpus_allowed_list:\t0-3\n")
        try tree.write("proc/statm", "1000 100 10 1 0 100 0\n")
        try tree.write("cgroup/cpu,cpuacct/app/cpu.cfs_quota_us", "150000\n")
        try tree.write("cgroup/cpu,cpuacct/app/cpu.cfs_period_us", "100000\n")
        try tree.write("cgroup/cpu,cpuacct/cpu.cfs_quota_us", "-1\n")
        try tree.write("cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n")
        try tree.write("cgroup/memory/memory.limit_in_bytes", "\(1_000 * 4096)\n")
        let reader = try ProcessPressureReader(procDirectory: tree.proc, cgroupRoot: tree.cgroup, clock: ManualClock())
        #expect(try reader.cpuCapacity() == 1.5)
        #expect(try reader.readMemory() == Double(100 * Int(reader.pageSize)) / Double(1_000 * 4096))
    }

    @Test("without cgroup limits: the allowed CPUs; memory needs a configured limit, else a clear error")
    func noLimits() throws {
        let tree = try FakeProcTree()
        try tree.write("proc/cgroup", "0::/\n")
        try tree.write("proc/status", "Cpus_allowed_list:\t0-2\n")
        try tree.write("proc/statm", "1000 100 10 1 0 100 0\n")
        let unlimited = try ProcessPressureReader(procDirectory: tree.proc, cgroupRoot: tree.cgroup, clock: ManualClock())
        #expect(try unlimited.cpuCapacity() == 3)
        #expect(throws: ProcessPressureError.self) { try unlimited.readMemory() }
        let limited = try ProcessPressureReader(
            memoryLimit: 200 * UInt64(unlimited.pageSize), procDirectory: tree.proc, cgroupRoot: tree.cgroup, clock: ManualClock())
        #expect(try limited.readMemory() == 0.5)
        #expect(throws: ConfigurationError.self) { try ProcessPressureReader(memoryLimit: 0, clock: ManualClock()) }
    }

    @Test("a malformed or missing file is an error naming it")
    func malformed() throws {
        let tree = try FakeProcTree()
        try tree.write("proc/stat", "7 (app) S 1 2\n")
        let reader = try ProcessPressureReader(procDirectory: tree.proc, cgroupRoot: tree.cgroup, clock: ManualClock())
        do {
            _ = try reader.readCPU()
            Issue.record("no error")
        } catch {
            #expect(error.path == "stat")
            #expect(error.problem.contains("expected at least 15"))
        }
        do {
            _ = try reader.readMemory()
            Issue.record("no error")
        } catch {
            #expect(error.path.hasSuffix("proc/statm"))
            #expect(error.problem.contains("cannot open"))
        }
    }

    #if os(Linux)
    @Test("the real /proc/self: CPU after some work, memory against a large limit")
    func realProc() throws {
        let reader = try ProcessPressureReader(memoryLimit: 1 << 40)
        #expect(try reader.cpuCapacity() > 0)
        #expect(try reader.readCPU() == nil)
        var sum: UInt64 = 0
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .milliseconds(30) { sum &+= UInt64.random(in: 0...9) }
        #expect(sum > 0)
        let cpu = try #require(try reader.readCPU())
        #expect(cpu > 0)
        let memory = try reader.readMemory()
        #expect(memory > 0 && memory < 1)
    }
    #endif
}
