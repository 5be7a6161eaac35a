/// Text of the plan (names) inside a rendered device configuration. Names are plain words
/// when the plan is parsed; rendering still makes sure no text can end a comment or a string
/// and start a statement of its own.
enum ConfigText {
    /// One line: control characters (a newline would end a comment) become spaces.
    static func singleLine(_ text: String) -> String {
        replacing(text, with: " ") { $0.properties.generalCategory == .control }
    }

    /// `text` with every scalar that `matches` replaced.
    static func replacing(_ text: String, with replacement: Unicode.Scalar = "_", where matches: (Unicode.Scalar) -> Bool) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { matches($0) ? replacement : $0 }))
    }
}
