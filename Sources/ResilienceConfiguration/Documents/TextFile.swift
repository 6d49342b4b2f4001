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
        guard let text = String(validating: data, as: UTF8.self) else {
            throw InputFileError(file: path, message: "the file is not valid UTF-8 text")
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
