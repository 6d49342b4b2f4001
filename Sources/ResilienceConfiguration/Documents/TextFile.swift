import FoundationEssentials

/// Reads input files for the lab, with errors that name the file.
package enum TextFile {
    package static func read(_ path: String) throws(InputFileError) -> String {
        let data: Data
        do {
            data = try Data(contentsOf: URL(filePath: path))
        } catch {
            throw InputFileError(file: path, message: "cannot read the file (\(Self.reason(error)))")
        }
        return try text(of: data, file: path)
    }

    /// The UTF-8 text of a file's `bytes`; `file` names it in the error.
    package static func text(of bytes: some Collection<UInt8>, file: String) throws(InputFileError) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw InputFileError(file: file, message: "the file is not valid UTF-8 text")
        }
        return text
    }

    private static func reason(_ error: any Error) -> String {
        if let cocoa = error as? CocoaError {
            switch cocoa.code {
            case .fileReadNoSuchFile: return "no such file"
            case .fileReadNoPermission: return "permission denied"
            default: break
            }
        }
        return "\(error)"
    }
}
