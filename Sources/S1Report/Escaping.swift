// Escaping of untrusted text for HTML/SVG and GitHub-flavoured Markdown.

/// Text escaping used by the renderers.
public enum Escape {
    /// Escapes `& < > " '` so text is inert inside HTML/SVG element content and quoted attributes.
    public static func html(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Escapes text for inline Markdown (paragraphs, headings, list items): HTML-significant characters become
    /// entities, Markdown punctuation is backslash-escaped (including `|`, so it is also safe in table cells),
    /// and line breaks become `<br>` so one value stays on one line.
    public static func markdownInline(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\\", "`", "*", "_", "[", "]", "|", "#", "~", "!", "{", "}", "$":
                out += "\\" + String(character)
            case "\r\n", "\n", "\r": out += "<br>"
            default: out.append(character)
            }
        }
        // A value starting with a list/heading marker would change the block type at the start of a line.
        // Numbers such as `-0.5` or `12.5` are left alone; `- x`, `---`, `+ x`, `1. x` are escaped.
        let characters = Array(out)
        if let first = characters.first, first == "-" || first == "+",
           characters.count == 1 || characters[1] == " " || characters[1] == first {
            out = "\\" + out
        }
        if let dot = characters.firstIndex(of: "."), dot > 0, characters[..<dot].allSatisfy(\.isNumber),
           dot + 1 == characters.count || characters[dot + 1] == " " {
            out = String(characters[..<dot]) + "\\" + String(characters[dot...])
        }
        return out
    }
}
