/// Escaping for text placed in the HTML report (element content and quoted attribute values).
enum HTMLText {
    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by character references, so that no input can
    /// open a tag, end an attribute or start a script.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }
}
