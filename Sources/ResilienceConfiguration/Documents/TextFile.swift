import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads input files and writes output files for the lab, with errors that are plain sentences naming
/// the path (never a Foundation error's text).
///
/// **Reading** takes any readable stream, not only regular files: `-` is standard input (read once;
/// naming it twice gives the same text), and `/dev/stdin`, a FIFO or a shell's process substitution
/// (`<(zcat trace.jsonl.gz)`, a `/dev/fd/N` path) are read to their end like a file.
///
/// ```swift
/// let trace = try TextFile.read("-")                 // standard input
/// try TextFile.write("{}\n", to: "out/result.json")  // "cannot write the file: no such directory out"
/// ```
package enum TextFile {
    /// The path that means standard input (for reading) as a command-line argument.
    package static let standardInput = "-"

    /// How messages name `path`: `standard input` for `-`, the path as given otherwise.
    package static func displayName(_ path: String) -> String {
        path == standardInput ? "standard input" : path
    }

    /// The UTF-8 text of the file, stream or standard input (`-`) at `path`.
    /// - Throws: ``InputFileError`` naming `path` (`standard input` for `-`): it does not exist, is a
    ///   directory, cannot be read, or is not UTF-8.
    package static func read(_ path: String) throws(InputFileError) -> String {
        try text(of: bytes(path), file: displayName(path))
    }

    /// The bytes of the file, stream or standard input (`-`) at `path`.
    /// - Throws: ``InputFileError`` naming `path`, as ``read(_:)``.
    package static func bytes(_ path: String) throws(InputFileError) -> [UInt8] {
        if path == standardInput {
            return try standardInputBytes.withLock { (cached: inout [UInt8]?) throws(InputFileError) -> [UInt8] in
                if let cached { return cached }
                let bytes = try readAll(descriptor: 0, path: path)
                cached = bytes
                return bytes
            }
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw readError(path, errno)
        }
        defer { close(descriptor) }
        return try readAll(descriptor: descriptor, path: path)
    }

    /// Standard input's bytes once read: it can be read only once, and two options may name it.
    private static let standardInputBytes = Mutex<[UInt8]?>(nil)

    private static func readAll(descriptor: Int32, path: String) throws(InputFileError) -> [UInt8] {
        var status = stat()
        if fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR {
            throw InputFileError(file: displayName(path), message: "is a directory, not a file")
        }
        var bytes: [UInt8] = []
        if (status.st_mode & S_IFMT) == S_IFREG, status.st_size > 0 {
            bytes.reserveCapacity(Int(status.st_size))
        }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes.append(contentsOf: buffer[..<count])
            } else if count == 0 {
                return bytes
            } else if errno != EINTR {
                throw readError(path, errno)
            }
        }
    }

    private static func readError(_ path: String, _ code: Int32) -> InputFileError {
        let name = displayName(path)
        switch code {
        case EISDIR: return InputFileError(file: name, message: "is a directory, not a file")
        case ENOENT: return InputFileError(file: name, message: "cannot read the file (no such file)")
        case EACCES, EPERM: return InputFileError(file: name, message: "cannot read the file (permission denied)")
        case ENOTDIR:
            return InputFileError(file: name, message: "cannot read the file (a part of the path before the name is not a directory)")
        default: return InputFileError(file: name, message: "cannot read the file (\(systemReason(code)))")
        }
    }

    /// Writes `text` to the file at `path`, replacing it, or (when `replacing` is false) only if no
    /// file is there.
    /// - Throws: ``InputFileError`` naming `path`: its directory does not exist, it is a directory,
    ///   permission is denied, it exists (when not `replacing`), or writing fails (a full disk).
    package static func write(_ text: String, to path: String, replacing: Bool = true) throws(InputFileError) {
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (replacing ? O_TRUNC : O_EXCL)
        let descriptor = open(path, flags, 0o666)
        guard descriptor >= 0 else {
            throw writeError(path, errno)
        }
        var bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeMutableBytes { buffer in
                systemWrite(descriptor, buffer.baseAddress! + written, buffer.count - written)
            }
            if count >= 0 {
                written += count
            } else if errno != EINTR {
                let error = writeError(path, errno)
                close(descriptor)
                throw error
            }
        }
        if close(descriptor) != 0, errno != EINTR {
            throw writeError(path, errno)
        }
    }

    private static func writeError(_ path: String, _ code: Int32) -> InputFileError {
        switch code {
        case EISDIR: return InputFileError(file: path, message: "is a directory, not a file")
        case ENOENT: return InputFileError(file: path, message: "cannot write the file: no such directory \(directory(of: path))")
        case ENOTDIR:
            return InputFileError(file: path, message: "cannot write the file: a part of the path before the name is not a directory")
        case EACCES, EPERM: return InputFileError(file: path, message: "cannot write the file: permission denied")
        case EEXIST: return InputFileError(file: path, message: "cannot write the file: it already exists")
        case EROFS: return InputFileError(file: path, message: "cannot write the file: the file system is read-only")
        case ENOSPC: return InputFileError(file: path, message: "cannot write the file: no space left on the device")
        default: return InputFileError(file: path, message: "cannot write the file: \(systemReason(code))")
        }
    }

    /// The directory part of `path` (`.` when there is none).
    private static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The system's description of `code`, starting in lower case (`input/output error`).
    private static func systemReason(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        let reason = String(cString: text)
        return reason.prefix(1).lowercased() + reason.dropFirst()
    }

    /// The UTF-8 text of a file's `bytes`; `file` names it in the error.
    package static func text(of bytes: some Collection<UInt8>, file: String) throws(InputFileError) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw InputFileError(file: file, message: "the file is not valid UTF-8 text")
        }
        return text
    }
}

// The system calls under names that `TextFile.read` and `TextFile.write` do not shadow.
private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}

private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
